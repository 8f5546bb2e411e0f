/**
 * A validation rule limiting the nesting of introspection (`__schema`, `__type`), which the
 * complexity plugin does not see because it measures from the schema's own root fields. The
 * limit leaves room for the standard introspection query of graphql-js 16 and GraphiQL.
 */
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';

export const INTROSPECTION_DEPTH_LIMIT = 20;

export function introspectionDepthRule(context: ValidationContext): ASTVisitor {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }

  return {
    Field(node) {
      if (node.name.value !== '__schema' && node.name.value !== '__type') return;
      const depth = 1 + depthOf(node.selectionSet, fragments, new Set());
      if (depth > INTROSPECTION_DEPTH_LIMIT) {
        context.reportError(
          new GraphQLError(`introspection depth ${depth} exceeds the limit of ${INTROSPECTION_DEPTH_LIMIT}; nest ofType less deeply`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_COMPLEX', measure: 'depth', actual: depth, limit: INTROSPECTION_DEPTH_LIMIT },
          }),
        );
      }
    },
  };
}

function depthOf(selectionSet: SelectionSetNode | undefined, fragments: ReadonlyMap<string, FragmentDefinitionNode>, visiting: Set<string>): number {
  if (selectionSet === undefined) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      deepest = Math.max(deepest, selection.selectionSet === undefined ? 0 : 1 + depthOf(selection.selectionSet, fragments, visiting));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, visiting));
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      // A fragment spread inside itself is invalid; the standard rules report it.
      if (fragment === undefined || visiting.has(name)) continue;
      visiting.add(name);
      deepest = Math.max(deepest, depthOf(fragment.selectionSet, fragments, visiting));
      visiting.delete(name);
    }
  }
  return deepest;
}
