/**
 * The one Pothos schema builder every api/schema file adds its types and fields to. Plugin order
 * matters: scope-auth comes first so that no other plugin's wrapper runs before authorization.
 */
import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import RelayPlugin from '@pothos/plugin-relay';
import ErrorsPlugin from '@pothos/plugin-errors';
import ValidationPlugin from '@pothos/plugin-validation';
import ComplexityPlugin, { ComplexityErrorKind } from '@pothos/plugin-complexity';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import type { ApiContext } from '../context.js';
import { roleAllows, type Role } from '../auth/roles.js';

/** Limits of one operation; an operation past one is rejected before its root fields resolve. */
export interface QueryLimits {
  /** Nesting of selections: the deepest read model (a feature's verifications with metrics) needs 8. */
  readonly depth: number;
  /** Sum of field costs, each list's selections counted ten times (the complexity plugin's default). */
  readonly complexity: number;
  /** Selections in one operation. */
  readonly breadth: number;
}

export const QUERY_LIMITS: QueryLimits = { depth: 12, complexity: 5000, breadth: 300 };

/** The complexity plugin's error kinds, named as `QueryLimits` names them. */
const COMPLEXITY_MEASURES: Readonly<Record<ComplexityErrorKind, keyof QueryLimits>> = {
  [ComplexityErrorKind.Depth]: 'depth',
  [ComplexityErrorKind.Breadth]: 'breadth',
  [ComplexityErrorKind.Complexity]: 'complexity',
};

export const builder = new SchemaBuilder<{
  Context: ApiContext;
  AuthScopes: { role: Role };
  DefaultFieldNullability: false;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  plugins: [ScopeAuthPlugin, RelayPlugin, ErrorsPlugin, ValidationPlugin, ComplexityPlugin, SimpleObjectsPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      role: (required: Role) => roleAllows(context.actor.role, required),
    }),
    unauthorizedError: (_parent, context, info: GraphQLResolveInfo, result) => {
      return new GraphQLError(
        `${info.parentType.name}.${info.fieldName} is not allowed for role ${context.actor.role}: ${result.message}; ask an admin for a token with a role that allows it`,
        { extensions: { code: 'FORBIDDEN', role: context.actor.role } },
      );
    },
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    idFieldOptions: { description: 'Global id (Relay): opaque, unique across types; pass it to `node` to fetch the object again.' },
    nodeTypeOptions: { description: 'An object with a global id (Relay).' },
    nodeQueryOptions: { description: 'The object with a global id; null when none has it.', args: { id: { description: 'A global id from any `id` field.' } } },
    nodesQueryOptions: { description: 'The objects with these global ids, in the same order; null for each unknown id.', args: { ids: { description: 'Global ids from `id` fields.' } } },
    pageInfoTypeOptions: { description: 'Where a page of a connection lies in the whole list (Relay).' },
    hasNextPageFieldOptions: { description: 'True when items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'True when items precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first item of the page; pass it as `before` for the previous page.' },
    endCursorFieldOptions: { description: 'Cursor of the last item of the page; pass it as `after` for the next page.' },
    cursorFieldOptions: { description: 'Opaque position of this item in the list.' },
    nodeFieldOptions: { description: 'The item.' },
    edgesFieldOptions: { description: 'The items of the page with their cursors.' },
    pageInfoFieldOptions: { description: 'Where the page lies in the whole list.' },
    firstArgOptions: { description: 'Items to return from the start (or after `after`).' },
    lastArgOptions: { description: 'Items to return from the end (or before `before`).' },
    afterArgOptions: { description: 'Return items after this cursor.' },
    beforeArgOptions: { description: 'Return items before this cursor.' },
    defaultConnectionTypeOptions: { description: 'A page of a list (Relay connection).' },
    defaultEdgeTypeOptions: { description: 'An item of a page with its cursor.' },
  },
  errors: {
    defaultTypes: [],
    defaultUnionOptions: { description: 'The updated entity, or the domain error that rejected the command.' },
  },
  validation: {
    validationError: (result) => {
      const problems = result.issues.map((issue) => {
        const path = (issue.path ?? []).map((segment) => (typeof segment === 'object' ? String(segment.key) : String(segment))).join('.');
        return path === '' ? issue.message : `${path}: ${issue.message}`;
      });
      return new GraphQLError(`invalid input: ${problems.join('; ')}`, { extensions: { code: 'BAD_USER_INPUT' } });
    },
  },
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    limit: (context) => ({ ...context.queryLimits }),
    complexityError: (kind, result) => {
      const measure = COMPLEXITY_MEASURES[kind];
      const actual = result[measure];
      const limit = result[`max${measure[0]!.toUpperCase()}${measure.slice(1)}` as 'maxDepth' | 'maxBreadth' | 'maxComplexity'];
      return new GraphQLError(
        `query ${measure} ${actual} exceeds the limit of ${limit}; select fewer or less deeply nested fields, or page with first/after`,
        { extensions: { code: 'QUERY_TOO_COMPLEX', measure, actual, limit } },
      );
    },
  },
});

builder.scalarType('JSON', {
  description: 'Any JSON value: a string, a number, a list of strings or null, as the field documents.',
  serialize: (value) => value,
  parseValue: (value) => value,
});

builder.queryType({
  description: 'Read models of onsky. Every field accepts `asOf` where the read model can be shown as of a past time.',
  authScopes: { role: 'viewer' },
});

builder.mutationType({
  description: 'One mutation per domain command. Each returns the updated entity or a typed domain error.',
});

builder.subscriptionType({
  description: 'Live read models over server-sent events: each pushes the new value when an event lands that changes it.',
  authScopes: { role: 'viewer' },
});
