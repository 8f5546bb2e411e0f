/**
 * While hostile clients in another process hammer the server (deep, aliased, costly, batched and
 * oversized requests, huge pages, repeated introspection, clients that dribble bytes and one that
 * never reads), a well-behaved client keeps asking for the feature board. Every board response
 * must be complete and correct, and every hostile request rejected or bounded with a message that
 * names the limit. The good client's latencies are printed, not asserted: speed targets live in
 * the benchmarks. ONSKY_LONG_TESTS=1 runs the load for 60 s instead of 5 s.
 */
import { Writable } from 'node:stream';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOnsky, type RunningOnsky } from '../../api/app.js';
import type { ServerTimeouts } from '../../api/server.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { HOSTILE_PLAN_ENV, type HostilePlan, type HostileSummary } from '../support/hostile-clients.js';
import { collectStderr, exited, onLines, spawnTypeScript } from '../support/processes.js';
import { writeSyntheticHistory } from '../support/synthetic.js';
import { tempFolder } from '../support/temp.js';

const LONG = process.env.ONSKY_LONG_TESTS === '1';
const RUN_SECONDS = LONG ? 60 : 5;
const MAX_BODY_BYTES = 1024 * 1024;
/** Short enough that slow clients are cut off several times within one run. */
const TIMEOUTS: ServerTimeouts = { headersMs: 1000, requestMs: 2000, keepAliveMs: 5000, stalledResponseMs: 1500, checkIntervalMs: 250 };
const BOARD_QUERY = 'query Board { features(first: 50) { edges { node { featureKey title subsystem status verificationWsjf deliveredAt daysWaiting } } } }';

interface BoardRow {
  readonly featureKey: string;
  readonly daysWaiting: number | null;
  readonly [field: string]: unknown;
}

let folder: ReturnType<typeof tempFolder>;
let onsky: RunningOnsky;
let token: string;
const logLines: string[] = [];

beforeAll(async () => {
  folder = tempFolder('onsky-hostile-');
  const store = openSqliteStore(join(folder.path, 'events.sqlite'));
  await writeSyntheticHistory(store, { events: 20_000 });
  await store.close();

  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });
  onsky = await startOnsky({
    dataFolder: folder.path,
    logger: pino({ level: 'info' }, sink),
    server: { host: '127.0.0.1', port: 0, maxBodyBytes: MAX_BODY_BYTES, timeouts: TIMEOUTS },
  });
  token = onsky.tokens.create('viewer', 'hostile-load').secret;
});

afterAll(async () => {
  await onsky?.stop();
  folder?.remove();
});

/** Returns the board rows without `daysWaiting`, which moves with the clock. */
function stableRows(rows: readonly BoardRow[]): unknown[] {
  return rows.map(({ daysWaiting: _daysWaiting, ...rest }) => rest);
}

async function fetchBoard(graphqlUrl: string): Promise<{ status: number; rows: BoardRow[] | undefined; errors: unknown }> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: BOARD_QUERY, operationName: 'Board' }),
  });
  const body = (await response.json()) as { data?: { features: { edges: { node: BoardRow }[] } }; errors?: unknown };
  return { status: response.status, rows: body.data?.features.edges.map((edge) => edge.node), errors: body.errors };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/** Sends board queries one after another until `stop` returns true; returns the latencies in ms, sorted, and the failures. */
async function runGoodClient(graphqlUrl: string, expected: unknown[], stop: () => boolean): Promise<{ latencies: number[]; failures: string[] }> {
  const latencies: number[] = [];
  const failures: string[] = [];
  while (!stop()) {
    const started = performance.now();
    try {
      const { status, rows, errors } = await fetchBoard(graphqlUrl);
      latencies.push(performance.now() - started);
      if (status !== 200 || errors !== undefined || rows === undefined) {
        failures.push(`status ${status}, errors ${JSON.stringify(errors)}`);
      } else if (JSON.stringify(stableRows(rows)) !== JSON.stringify(expected) || rows.some((row) => typeof row.daysWaiting !== 'number' && row.daysWaiting !== null)) {
        failures.push(`board differs: ${JSON.stringify(rows).slice(0, 300)}`);
      }
    } catch (error) {
      failures.push(`request failed: ${String(error)}`);
    }
  }
  return { latencies: latencies.sort((a, b) => a - b), failures };
}

describe('server under hostile load', () => {
  it(
    'answers a good client and bounds every attack',
    async () => {
      const graphqlUrl = new URL('/graphql', onsky.server.url).href;
      const first = await fetchBoard(graphqlUrl);
      expect(first.status).toBe(200);
      expect(first.rows?.length).toBeGreaterThan(0);
      const expected = stableRows(first.rows!);

      // A second of the good client alone gives the quiet figures to compare with.
      const quietEnd = performance.now() + 1000;
      const quiet = await runGoodClient(graphqlUrl, expected, () => performance.now() >= quietEnd);
      expect(quiet.failures).toEqual([]);

      const plan: HostilePlan = { url: onsky.server.url, token, seconds: RUN_SECONDS, maxBodyBytes: MAX_BODY_BYTES, headersMs: TIMEOUTS.headersMs, requestMs: TIMEOUTS.requestMs };
      const child = spawnTypeScript('test/support/hostile-clients.ts', [], { [HOSTILE_PLAN_ENV]: JSON.stringify(plan) });
      const stderr = collectStderr(child);
      const output: string[] = [];
      onLines(child, (line) => output.push(line));
      let childDone = false;
      const exit = exited(child).then((code) => {
        childDone = true;
        return code;
      });

      try {
        // The good client runs from the hostile clients' start until they finish.
        const loaded = await runGoodClient(graphqlUrl, expected, () => childDone);
        expect(await exit, stderr()).toBe(0);
        const summary = JSON.parse(output.at(-1) ?? '{}') as HostileSummary;

        const hostileSent = Object.values(summary).reduce((sum, kind) => sum + kind.sent, 0);
        const figures = {
          seconds: RUN_SECONDS,
          quiet: { requests: quiet.latencies.length, p50Ms: round(percentile(quiet.latencies, 0.5)), p99Ms: round(percentile(quiet.latencies, 0.99)) },
          loaded: { requests: loaded.latencies.length, p50Ms: round(percentile(loaded.latencies, 0.5)), p99Ms: round(percentile(loaded.latencies, 0.99)) },
          hostileRequests: hostileSent,
          perKind: Object.fromEntries(Object.entries(summary).map(([name, kind]) => [name, { sent: kind.sent, ...kind.figures }])),
        };
        process.stdout.write(`hostile load: ${JSON.stringify(figures)}\n`);

        expect(loaded.failures).toEqual([]);
        expect(loaded.latencies.length).toBeGreaterThan(0);

        const kinds = ['deep introspection', 'fragment cycle', '1000 aliases', 'costly aliases', 'huge first', 'first beyond Int', 'batched operations', 'oversized body', 'introspection repeated', 'slow body', 'slow headers', 'never reads'];
        expect(Object.keys(summary).sort()).toEqual([...kinds].sort());
        for (const kind of kinds) {
          const result = summary[kind]!;
          expect(result.unexpected, kind).toEqual([]);
          expect(result.sent, kind).toBeGreaterThan(0);
          expect(result.expected, kind).toBe(result.sent);
        }
      } finally {
        if (!childDone) child.kill();
      }

      // Hundreds of rejections leave at most one log line per error code and 10 s interval.
      const rejectionLines = logLines.filter((line) => line.includes('"msg":"request rejected: '));
      const codes = rejectionLines.map((line) => (JSON.parse(line) as { code: string }).code);
      for (const code of new Set(codes)) {
        expect(codes.filter((logged) => logged === code).length, code).toBeLessThanOrEqual(Math.ceil(RUN_SECONDS / 10) + 1);
      }
      for (const code of ['PAYLOAD_TOO_LARGE', 'REQUEST_TIMEOUT', 'RESPONSE_STALLED']) expect(codes, code).toContain(code);
      // A request timed out while its body was read also ends that read, logged as CONNECTION_CLOSED.
      for (const code of codes) expect(['PAYLOAD_TOO_LARGE', 'REQUEST_TIMEOUT', 'RESPONSE_STALLED', 'CONNECTION_CLOSED']).toContain(code);
      expect(logLines.filter((line) => line.includes('"level":50'))).toEqual([]);
    },
    RUN_SECONDS * 1000 + 60_000,
  );
});

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
