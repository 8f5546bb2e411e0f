/**
 * store-read: reading the whole log through onsky (readAll, decoded envelopes) against a raw
 * SELECT of the same rows with JSON.parse of data and metadata, in the same run. The ratio is
 * onsky's events/s over the raw events/s (target 0.8).
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { domainUpcasters } from '../domain/upcasters.js';
import type { NewEvent } from '../store/port.js';
import { openSqliteStore } from '../store/sqlite.js';
import { median, numberArgument, printResult, round, scratchFolder } from './_support.js';

function makeEvent(index: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'ObservationFactsRecorded',
    schemaVersion: 1,
    data: { captureBlockId: String(1551803062 + index), targets: ['PKS 1934-63'], band: 'L', product: 'c856M4k', receptors: 60, description: 'bandpass and delay calibration' },
    metadata: { actor: 'importer:obslog', correlationId: 'bench', causationId: 'bench' },
  };
}

function readRaw(file: string): number {
  const db = new Database(file, { readonly: true });
  const select = db.prepare('SELECT position, stream_id, revision, event_id, type, schema_version, data, metadata FROM events WHERE position > ? ORDER BY position LIMIT 1000');
  let cursor = 0;
  let count = 0;
  const started = performance.now();
  for (;;) {
    const rows = select.all(cursor) as Array<{ position: number; data: string; metadata: string }>;
    if (rows.length === 0) break;
    for (const row of rows) {
      JSON.parse(row.data);
      JSON.parse(row.metadata);
      count += 1;
    }
    cursor = rows[rows.length - 1]!.position;
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return count / seconds;
}

async function readOnsky(file: string): Promise<number> {
  const store = openSqliteStore(file, { upcasters: domainUpcasters });
  let count = 0;
  const started = performance.now();
  for await (const event of store.readAll()) {
    if (event.position > 0n) count += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return count / seconds;
}

export default async function storeRead(args: string[]): Promise<void> {
  const total = numberArgument(args, 'events', 200_000);
  const repetitions = numberArgument(args, 'repetitions', 5);
  const folder = scratchFolder('store-read');
  try {
    const file = join(folder.path, 'events.sqlite');
    const store = openSqliteStore(file, { upcasters: domainUpcasters });
    for (let offset = 0; offset < total; offset += 1000) {
      const requests = Array.from({ length: 10 }, (_, group) => ({
        stream: `observation-${(offset / 1000) * 10 + group}`,
        events: Array.from({ length: 100 }, (_, index) => makeEvent(offset + group * 100 + index)),
        expectedRevision: 'any' as const,
      }));
      await store.appendBatch(requests);
    }
    await store.close();

    const onsky: number[] = [];
    const raw: number[] = [];
    for (let repetition = 0; repetition < repetitions; repetition++) {
      raw.push(readRaw(file));
      onsky.push(await readOnsky(file));
    }
    const ratio = median(onsky) / median(raw);
    process.stdout.write(`${total} events: onsky ${Math.round(median(onsky))} events/s, raw ${Math.round(median(raw))} events/s\n`);
    printResult({ bench: 'store-read', ratio: round(ratio), target: 0.8, events: total, onskyPerSecond: Math.round(median(onsky)), rawPerSecond: Math.round(median(raw)) });
  } finally {
    folder.remove();
  }
}
