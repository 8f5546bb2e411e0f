/**
 * Reads every node of a Relay connection, page by page. The server caps a page's size, so long
 * lists (the board with 10k features) take several requests; the caller sees one array.
 */
import { request } from './client.js';

export interface Connection<Node> {
  readonly edges: readonly { readonly node: Node }[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
}

/** Largest page requested; the server may return fewer, and the loop follows `endCursor`. */
export const PAGE_SIZE = 1000;

/**
 * Runs `query` (which must take `$first: Int` and `$after: String`) until the connection picked
 * by `select` has no next page, and returns all nodes in order.
 */
export async function fetchAllNodes<Data, Node>(
  query: string,
  variables: Record<string, unknown>,
  select: (data: Data) => Connection<Node>,
  signal?: AbortSignal,
): Promise<{ nodes: Node[]; first: Data }> {
  const nodes: Node[] = [];
  let after: string | null = null;
  let first: Data | undefined;
  for (;;) {
    const data: Data = await request<Data>(query, { ...variables, first: PAGE_SIZE, after }, signal);
    first ??= data;
    const connection = select(data);
    for (const edge of connection.edges) nodes.push(edge.node);
    if (!connection.pageInfo.hasNextPage || connection.pageInfo.endCursor === null) break;
    after = connection.pageInfo.endCursor;
  }
  return { nodes, first: first as Data };
}

/** GraphQL enums arrive upper-case (`VERIFIED`); the UI shows and styles them lower-case. */
export function enumText(value: string | null | undefined): string {
  return (value ?? '').toLowerCase().replaceAll('_', '-');
}
