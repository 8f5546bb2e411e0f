/**
 * The feature board's data: its fields, the live subscription that pushes the whole board, and the
 * paged query for a past time. The Features page and the overview's burn-up read it.
 */
import { subscribe } from './client.js';
import { enumText, fetchAllNodes, type Connection } from './connection.js';

export interface BoardFeature {
  readonly featureKey: string;
  readonly title: string;
  readonly subsystem: string;
  readonly status: string;
  readonly verificationWsjf: number;
  readonly costOfDelay: number;
  readonly deliveredAt: string | null;
  readonly verifiedAt: string | null;
  readonly daysWaiting: number | null;
  readonly suspectReasons: readonly { readonly changeId: string }[];
}

const BOARD_FIELDS = /* GraphQL */ `
  featureKey
  title
  subsystem
  status
  verificationWsjf
  costOfDelay
  deliveredAt
  verifiedAt
  daysWaiting
  suspectReasons {
    changeId
  }
`;

export const BOARD_SUBSCRIPTION = /* GraphQL */ `
  subscription LiveBoard {
    boardChanged {
      ${BOARD_FIELDS}
    }
  }
`;

export const BOARD_QUERY = /* GraphQL */ `
  query Board($asOf: String, $now: String, $first: Int, $after: String) {
    features(asOf: $asOf, now: $now, first: $first, after: $after) {
      edges {
        node {
          ${BOARD_FIELDS}
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

/** The time control's setting: record time (`asOf`) or the clock (`now`); both `null` for now. */
export interface BoardTime {
  readonly asOf: string | null;
  readonly now: string | null;
}

/** Fetches the whole board, following the connection's pages. */
export async function fetchBoard(time: BoardTime, signal?: AbortSignal): Promise<BoardFeature[]> {
  const { nodes } = await fetchAllNodes<{ features: Connection<BoardFeature> }, BoardFeature>(BOARD_QUERY, { asOf: time.asOf, now: time.now }, (data) => data.features, signal);
  return nodes.map((node) => ({ ...node, status: enumText(node.status) }));
}

/**
 * Reads the board once. For now it takes the subscription's first push, one response however
 * many features there are; for a past time or clock, or when the subscription fails before
 * pushing, it pages through the query.
 */
export function fetchBoardSnapshot(time: BoardTime, signal?: AbortSignal): Promise<BoardFeature[]> {
  if (time.asOf !== null || time.now !== null) return fetchBoard(time, signal);
  return new Promise((resolve, reject) => {
    let settled = false;
    const stop = subscribe<{ boardChanged: readonly BoardFeature[] }>(
      BOARD_SUBSCRIPTION,
      {},
      (data) => {
        if (settled) return;
        settled = true;
        stop();
        resolve(data.boardChanged.map((node) => ({ ...node, status: enumText(node.status) })));
      },
      (connected) => {
        if (connected || settled) return;
        settled = true;
        stop();
        fetchBoard(time, signal).then(resolve, reject);
      },
    );
    signal?.addEventListener('abort', () => {
      if (settled) return;
      settled = true;
      stop();
      reject(signal.reason);
    });
  });
}
