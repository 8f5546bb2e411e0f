/**
 * store-append: onsky's SQLite append against raw better-sqlite3 inserting the same rows into
 * the same schema, in the same run, for batches of 1, 100 and 1000 events per append.
 * The ratio (target 0.8 now, 1.0 as the goal) is onsky's events/s over raw events/s at batch 1000.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { domainUpcasters } from '../domain/upcasters.js';
import type { NewEvent } from '../store/port.js';
import { createSchema, openSqliteStore } from '../store/sqlite.js';
import { median, numberArgument, printResult, round, scratchFolder } from './_support.js';

const BATCHES = [1, 100, 1000] as const;

/** Builds an event of about 300 bytes of JSON, shaped like an observation fact. */
function makeEvent(index: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'ObservationFactsRecorded',
    schemaVersion: 1,
    data: {
      captureBlockId: String(1551803062 + index),
      scheduleBlockId: '20190305-0014',
      targets: ['PKS 1934-63', 'J0825-5010'],
      band: 'L',
      product: 'c856M4k',
      receptors: 60,
      start: '2019-03-05T16:24:22.230Z',
      description: 'Bandpass and delay calibration, 1K start-delay check',
    },
    metadata: { actor: 'importer:obslog', correlationId: 'bench', causationId: 'bench' },
  };
}

function uuidBlob(id: string): Buffer {
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

async function measureOnsky(folder: string, batch: number, totalEvents: number): Promise<number> {
  const store = openSqliteStore(join(folder, `onsky-${batch}.sqlite`), { upcasters: domainUpcasters });
  const appends = Math.max(1, Math.floor(totalEvents / batch));
  const prepared = Array.from({ length: appends }, (_, call) => Array.from({ length: batch }, (_, index) => makeEvent(call * batch + index)));
  const started = performance.now();
  for (let call = 0; call < appends; call++) {
    await store.append(`observation-${call % 10_000}`, prepared[call]!, 'any');
  }
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return (appends * batch) / seconds;
}

function measureRaw(folder: string, batch: number, totalEvents: number): number {
  const db = new Database(join(folder, `raw-${batch}.sqlite`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  createSchema(db);
  const findStream = db.prepare('SELECT stream_id, revision FROM streams WHERE name = ?');
  const insertStream = db.prepare('INSERT INTO streams (name) VALUES (?)');
  const updateStream = db.prepare('UPDATE streams SET revision = ? WHERE stream_id = ?');
  const insertEvent = db.prepare(
    'INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const appends = Math.max(1, Math.floor(totalEvents / batch));
  const prepared = Array.from({ length: appends }, (_, call) => Array.from({ length: batch }, (_, index) => makeEvent(call * batch + index)));
  const recordedAt = new Date().toISOString();
  // The baseline serialises too: both sides start from the same JavaScript objects.
  const write = db.transaction((stream: string, events: NewEvent[]) => {
    const row = findStream.get(stream) as { stream_id: number; revision: number } | undefined;
    const streamId = row?.stream_id ?? Number(insertStream.run(stream).lastInsertRowid);
    let revision = row?.revision ?? -1;
    for (const event of events) {
      revision += 1;
      insertEvent.run(streamId, revision, uuidBlob(event.id), event.type, event.schemaVersion, JSON.stringify(event.data), JSON.stringify({ ...event.metadata, recordedAt }));
    }
    updateStream.run(revision, streamId);
  });
  const started = performance.now();
  for (let call = 0; call < appends; call++) write.immediate(`observation-${call % 10_000}`, prepared[call]!);
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return (appends * batch) / seconds;
}

export default async function storeAppend(args: string[]): Promise<void> {
  const repetitions = numberArgument(args, 'repetitions', 3);
  const totals: Record<number, number> = { 1: numberArgument(args, 'events-batch1', 2000), 100: 20_000, 1000: numberArgument(args, 'events', 100_000) };
  const figures: Record<string, { onskyPerSecond: number; rawPerSecond: number; ratio: number }> = {};

  for (const batch of BATCHES) {
    const onsky: number[] = [];
    const raw: number[] = [];
    for (let repetition = 0; repetition < repetitions; repetition++) {
      const folder = scratchFolder('store-append');
      try {
        // Alternate the order so neither side always runs on a warmer disk cache.
        if (repetition % 2 === 0) {
          onsky.push(await measureOnsky(folder.path, batch, totals[batch]!));
          raw.push(measureRaw(folder.path, batch, totals[batch]!));
        } else {
          raw.push(measureRaw(folder.path, batch, totals[batch]!));
          onsky.push(await measureOnsky(folder.path, batch, totals[batch]!));
        }
      } finally {
        folder.remove();
      }
    }
    const onskyRate = median(onsky);
    const rawRate = median(raw);
    figures[`batch${batch}`] = { onskyPerSecond: Math.round(onskyRate), rawPerSecond: Math.round(rawRate), ratio: round(onskyRate / rawRate) };
    process.stdout.write(`batch ${batch}: onsky ${Math.round(onskyRate)} events/s, raw ${Math.round(rawRate)} events/s, ratio ${round(onskyRate / rawRate)}\n`);
  }

  printResult({ bench: 'store-append', ratio: figures.batch1000!.ratio, target: 1.0, minimum: 0.8, ...figures });
}
