/**
 * A read of the log that fails (here: the store's file replaced under a running server) reaches a
 * client as a store error with a reference, and the operator's log names the file and the fix.
 * It is not a failed write, so /health does not report the store as unwritable. A real server on
 * 127.0.0.1 over a real SQLite file with enough events for as-of views to read on a worker thread.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOnsky, type RunningOnsky } from '../../api/app.js';
import { domainUpcasters } from '../../domain/upcasters.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { writeSyntheticHistory } from '../support/synthetic.js';
import { tempFolder } from '../support/temp.js';

let folder: ReturnType<typeof tempFolder>;
let onsky: RunningOnsky;
const lines: string[] = [];

beforeAll(async () => {
  folder = tempFolder('onsky-read-errors-');
  // More events than a read needs before it reads on a worker thread (20 000).
  const store = openSqliteStore(join(folder.path, 'events.sqlite'), { upcasters: domainUpcasters });
  await writeSyntheticHistory(store, { events: 22_000, seed: 4 });
  await store.close();
  const other = openSqliteStore(join(folder.path, 'other.sqlite'), { upcasters: domainUpcasters });
  await writeSyntheticHistory(other, { events: 300, seed: 5 });
  await other.close();

  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });
  onsky = await startOnsky({ dataFolder: folder.path, logger: pino({ level: 'info' }, sink), server: { host: '127.0.0.1', port: 0 } });
}, 120_000);

afterAll(async () => {
  await onsky?.stop();
  folder?.remove();
});

async function graphql(query: string): Promise<{ data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const response = await fetch(new URL('/graphql', onsky.server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

describe('a failed read of the log', () => {
  it('answers as-of views from the store it opened or not at all', async () => {
    const before = await graphql('{ observations(asOf: "2030-01-01T00:00:00Z") { totalCount } }');
    expect(before.errors).toBeUndefined();

    // An operator moves another store over the file the server has open.
    renameSync(join(folder.path, 'other.sqlite'), join(folder.path, 'events.sqlite'));
    const after = await graphql('{ observations(asOf: "2029-01-01T00:00:00Z") { totalCount } }');
    expect(after.data).toBeNull();
    const error = after.errors?.[0];
    expect(error?.message).toMatch(/^reading the event log failed on the server; look up reference \S+ in the server log$/);
    expect(error?.extensions).toMatchObject({ code: 'STORE_UNAVAILABLE', storeCode: 'STORE_REPLACED' });
    const logged = lines.find((line) => line.includes('event log read failed'));
    expect(logged).toContain('was replaced or moved since onsky opened it; restart onsky');
    expect(logged).toContain(String(error?.extensions?.['reference']));

    const health = (await (await fetch(new URL('/health', onsky.server.url))).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ storeWritable: true, lastStoreWriteFailure: null });
  });
});
