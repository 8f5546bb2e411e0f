/**
 * The mixed load of `npm run bench -- load`, run for 5 s (60 s with ONSKY_LONG_TESTS=1): readers
 * and writers in two worker processes against one server. Every request must succeed, and the
 * writes must be in the store and visible through queries afterwards. Rates and latencies are
 * printed, not asserted: speed targets live in the benchmark.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOnsky, type RunningOnsky } from '../../api/app.js';
import { prepareLoadFolder, runMixedLoad, type LoadTokens } from '../../bench/load.js';
import { tempFolder } from '../support/temp.js';

const LONG = process.env.ONSKY_LONG_TESTS === '1';
const RUN_SECONDS = LONG ? 60 : 5;

let folder: ReturnType<typeof tempFolder>;
let onsky: RunningOnsky;
let tokens: LoadTokens;

beforeAll(async () => {
  folder = tempFolder('onsky-load-');
  tokens = (await prepareLoadFolder(folder.path, 10_000)).tokens;
  onsky = await startOnsky({ dataFolder: folder.path, logger: pino({ level: 'warn' }), server: { host: '127.0.0.1', port: 0 } });
});

afterAll(async () => {
  await onsky?.stop();
  folder?.remove();
});

async function query(text: string, variables: Record<string, unknown>): Promise<{ data?: Record<string, any>; errors?: unknown }> {
  const response = await fetch(new URL('/graphql', onsky.server.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.viewer}` },
    body: JSON.stringify({ query: text, variables }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { data?: Record<string, any>; errors?: unknown };
}

describe('mixed load', () => {
  it(
    'serves readers and writers without errors',
    async () => {
      const headBefore = (await onsky.store.headPosition())!;
      const result = await runMixedLoad({ url: onsky.server.url, tokens, seconds: RUN_SECONDS, readers: 4, writers: 2 });
      process.stdout.write(`mixed load: reads ${JSON.stringify(result.reads.all)}, writes ${JSON.stringify(result.writes.all)}\n`);

      expect([...result.reads.errorSamples, ...result.writes.errorSamples]).toEqual([]);
      expect(result.errors).toBe(0);
      for (const kind of ['board', 'queue', 'backpressure', 'observationSearch']) expect(result.reads.kinds[kind]?.completed, kind).toBeGreaterThan(0);
      for (const kind of ['recordChange', 'recordObservationFacts', 'reviewObservation']) expect(result.writes.kinds[kind]?.completed, kind).toBeGreaterThan(0);

      // Each successful mutation appended at least one event.
      const headAfter = (await onsky.store.headPosition())!;
      let appended = 0;
      for await (const _event of onsky.store.readAll({ after: headBefore })) appended += 1;
      expect(Number(headAfter - headBefore)).toBe(appended);
      expect(appended).toBeGreaterThanOrEqual(result.writes.all.completed);

      await onsky.reads.waitFor(headAfter);
      expect(result.writes.changeIds.length).toBeGreaterThan(0);
      for (const changeId of result.writes.changeIds) {
        const { data, errors } = await query('query Change($id: String!) { change(changeId: $id) { changeId summary } }', { id: changeId });
        expect(errors).toBeUndefined();
        expect(data?.change).toEqual({ changeId, summary: 'load test change' });
      }
      expect(result.writes.observationIds.length).toBeGreaterThan(0);
      for (const observationId of result.writes.observationIds) {
        const { data, errors } = await query('query Observation($id: String!) { observation(observationId: $id) { observationId band reviewState } }', { id: observationId });
        expect(errors).toBeUndefined();
        expect(data?.observation).toEqual({ observationId, band: 'L', reviewState: 'INSPECTED' });
      }
    },
    RUN_SECONDS * 1000 + 60_000,
  );
});
