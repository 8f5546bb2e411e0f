/** The kind and name of a GraphQL request's operation, found by parsing each distinct document once. */
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { documentCache } from './document-cache.js';

export interface OperationInfo {
  /** `invalid` when the document does not parse or names no operation; GraphQL then returns the error. */
  readonly kind: 'query' | 'mutation' | 'subscription' | 'invalid';
  /** Operation name for metrics: the document's name, or `anonymous`. */
  readonly name: string;
}

/** The parameters of a GraphQL-over-HTTP request. */
export interface GraphqlParams {
  readonly query?: unknown;
  readonly operationName?: unknown;
  readonly variables?: unknown;
}

const INVALID: OperationInfo = { kind: 'invalid', name: 'invalid' };

export class OperationCache {
  /** Operations per document, none for one that does not parse; a parse costs far more than a lookup. */
  private readonly documents = documentCache<readonly OperationDefinitionNode[]>();

  describe(params: GraphqlParams): OperationInfo {
    if (typeof params.query !== 'string') return INVALID;
    const operations = this.operationsOf(params.query);
    const wanted = typeof params.operationName === 'string' ? params.operationName : undefined;
    let operation: OperationDefinitionNode | undefined;
    if (wanted !== undefined) {
      operation = operations.find((candidate) => candidate.name?.value === wanted);
    } else if (operations.length === 1) {
      operation = operations[0];
    }
    if (operation === undefined) return INVALID;
    return { kind: operation.operation, name: operation.name?.value ?? 'anonymous' };
  }

  private operationsOf(query: string): readonly OperationDefinitionNode[] {
    const known = this.documents.get(query);
    if (known !== undefined) return known;
    let operations: readonly OperationDefinitionNode[];
    try {
      operations = parse(query).definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
    } catch {
      // Names no operation, so `describe` returns `invalid` and Yoga reports the syntax error.
      operations = [];
    }
    this.documents.set(query, operations);
    return operations;
  }
}
