/**
 * A stand-in for the API that serves the built UI and returns the feature board's GraphQL query
 * from memory, over real HTTP on 127.0.0.1, with any number of synthetic features; also a static
 * HTML table of the same rows. The ui-board benchmark and the large-table test use it, so that
 * their figures measure the UI and not the API.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { UI_DIST } from './build.js';

export interface BoardRow {
  readonly featureKey: string;
  readonly title: string;
  readonly subsystem: string;
  readonly status: string;
  readonly verificationWsjf: number;
  readonly costOfDelay: number;
  readonly deliveredAt: string | null;
  readonly verifiedAt: string | null;
  readonly daysWaiting: number | null;
  readonly suspectReasons: readonly { changeId: string }[];
}

const SUBSYSTEMS = ['CBF', 'SDP', 'CAM', 'receptor', 'DSH', 'TFR'];
const STATUSES = ['PROPOSED', 'DELIVERED', 'VERIFIED', 'FAILED', 'SUSPECT'];

/** Builds `count` board rows with varied subsystems, statuses and dates. */
export function makeRows(count: number): BoardRow[] {
  return Array.from({ length: count }, (_, index) => {
    const status = STATUSES[index % STATUSES.length]!;
    const day = new Date(Date.UTC(2019, 0, 1) + (index % 700) * 86_400_000).toISOString();
    return {
      featureKey: `${SUBSYSTEMS[index % SUBSYSTEMS.length]}-${1000 + index}`,
      title: `Feature ${index}: start-delay correction in 1K mode for subarray ${index % 4}`,
      subsystem: SUBSYSTEMS[index % SUBSYSTEMS.length]!,
      status,
      verificationWsjf: ((index * 7) % 60) / 3,
      costOfDelay: (index * 13) % 60,
      deliveredAt: status === 'PROPOSED' ? null : day,
      verifiedAt: status === 'VERIFIED' ? day : null,
      daysWaiting: status === 'DELIVERED' || status === 'SUSPECT' ? index % 90 : null,
      suspectReasons: status === 'SUSPECT' ? [{ changeId: `CHG-${index}` }] : [],
    };
  });
}

/** Renders the rows as one plain HTML table, the baseline the board is compared with. */
export function staticTable(rows: readonly BoardRow[]): string {
  const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const body = rows
    .map(
      (row) =>
        `<tr><td><a href="#/features/${row.featureKey}">${row.featureKey}</a></td><td>${escape(row.title)}</td><td>${row.subsystem}</td><td>${row.status.toLowerCase()}</td><td>${row.verificationWsjf.toFixed(2)}</td><td>${row.deliveredAt?.slice(0, 10) ?? '—'}</td><td>${row.verifiedAt?.slice(0, 10) ?? '—'}</td><td>${row.daysWaiting ?? '—'}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>static board</title>
<style>body{font:14px system-ui,sans-serif;margin:20px}table{border-collapse:collapse;width:100%}td,th{padding:6px 8px;border-bottom:1px solid #d5dbe5;text-align:left;white-space:nowrap}</style></head>
<body><h1>Features</h1><table><thead><tr><th>Feature</th><th>Title</th><th>Subsystem</th><th>Status</th><th>Verification WSJF</th><th>Delivered</th><th>Verified</th><th>Days waiting</th></tr></thead>
<tbody>${body}</tbody></table></body></html>`;
}

const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

/** Serves dist/ui, the static table, and a stand-in GraphQL endpoint for the board. */
/**
 * Starts the stand-in. `pageCap` is the largest connection page it returns, like the API's Relay
 * `maxConnectionSize` (Pothos defaults it to 100); the UI requests 1000 and follows cursors.
 */
export function startBoardStub(rows: readonly BoardRow[], table: string, pageCap = 100): Promise<Server> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/static-table.html') {
      response.writeHead(200, { 'Content-Type': 'text/html' }).end(table);
      return;
    }
    if (url.pathname === '/graphql' && request.method === 'POST') {
      answerGraphQL(request, response, rows, pageCap);
      return;
    }
    const path = normalize(join(UI_DIST, url.pathname === '/' ? 'index.html' : url.pathname));
    if (!path.startsWith(UI_DIST) || !existsSync(path)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function answerGraphQL(request: IncomingMessage, response: ServerResponse, rows: readonly BoardRow[], pageCap: number): void {
  let text = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => (text += chunk));
  request.on('end', () => {
    const body = JSON.parse(text) as { query: string; variables?: { first?: number; after?: string | null } };
    if (request.headers.accept === 'text/event-stream') {
      // Subscriptions: the board is pushed whole, as the API's boardChanged does; others stay open and quiet.
      response.writeHead(200, { 'Content-Type': 'text/event-stream' });
      if (body.query.includes('boardChanged')) {
        response.write(`event: next\ndata: ${JSON.stringify({ data: { boardChanged: rows } })}\n\n`);
      }
      return;
    }
    if (body.query.includes('whoAmI')) {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ data: { whoAmI: { role: 'viewer', name: 'stand-in' } } }));
      return;
    }
    if (body.query.includes('logPosition')) {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ data: { logPosition: '1' } }));
      return;
    }
    // The board: pages of at most `pageCap`, with cursors that are offsets.
    const first = Math.min(body.variables?.first ?? 100, pageCap);
    const offset = body.variables?.after == null ? 0 : Number(body.variables.after);
    const slice = rows.slice(offset, offset + first);
    const end = offset + slice.length;
    const features = { edges: slice.map((node) => ({ node })), pageInfo: { hasNextPage: end < rows.length, endCursor: String(end) } };
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ data: { features } }));
  });
}
