/**
 * rebuild: folding every read model from a synthetic MeerKAT-scale log (default 1M events)
 * against a raw read of the same rows with JSON.parse of data and metadata, in the same run.
 * The ratio is raw time / rebuild time (target 0.8): a rebuild may cost at most a quarter more
 * than reading and parsing the log, so the fold itself must be cheap.
 */
import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { domainUpcasters } from '../domain/upcasters.js';
import { createProjectionState } from '../projections/model.js';
import { ReadModels } from '../projections/read-models.js';
import { replayInto } from '../projections/replay.js';
import { openSqliteStore } from '../store/sqlite.js';
import { writeSyntheticHistory } from '../test/support/synthetic.js';
import { median, numberArgument, printResult, round, runWorkerProcess } from './_support.js';

/**
 * Returns the path of a SQLite store with a synthetic history of about `events` events. The store
 * is generated once per size and seed into the system temp folder and then reused (the startup
 * benchmark shares it), because writing a million events takes minutes.
 */
export async function syntheticStoreFile(events: number, seed = 1): Promise<string> {
  const file = join(tmpdir(), `onsky-bench-history-${events}-seed${seed}.sqlite`);
  if (existsSync(file)) return file;

  // Generate under another name and rename at the end, so an interrupted run leaves no half store.
  const partial = `${file}.partial`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${partial}${suffix}`, { force: true });
  process.stdout.write(`generating a synthetic history of ${events} events into ${file} (once per size)\n`);
  const started = performance.now();
  const store = openSqliteStore(partial, { upcasters: domainUpcasters });
  const summary = await writeSyntheticHistory(store, { events, seed });
  store.database.pragma('wal_checkpoint(TRUNCATE)');
  await store.close();
  renameSync(partial, file);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  process.stdout.write(`generated ${summary.events} events, ${summary.observations} observations, ${summary.firstUtc} to ${summary.lastUtc} in ${seconds} s\n`);
  return file;
}

function readRaw(file: string): { ms: number; rows: number } {
  const db = new Database(file, { readonly: true });
  const select = db.prepare('SELECT position, stream_id, revision, event_id, type, schema_version, data, metadata FROM events WHERE position > ? ORDER BY position LIMIT 1000');
  let cursor = 0;
  let rows = 0;
  const started = performance.now();
  for (;;) {
    const page = select.all(cursor) as Array<{ position: number; data: string; metadata: string }>;
    if (page.length === 0) break;
    for (const row of page) {
      JSON.parse(row.data);
      JSON.parse(row.metadata);
      rows += 1;
    }
    cursor = page[page.length - 1]!.position;
  }
  const ms = performance.now() - started;
  db.close();
  return { ms, rows };
}

/** Times the store's own paged read without folding, the part of a rebuild the projections do not control. */
async function readStore(file: string): Promise<number> {
  const store = openSqliteStore(file, { upcasters: domainUpcasters });
  const started = performance.now();
  let events = 0;
  for (const page of store.readAllPages()) events += page.length;
  const ms = performance.now() - started;
  await store.close();
  if (events === 0) throw new Error(`the store at ${file} is empty`);
  return ms;
}

async function rebuild(file: string): Promise<{ ms: number; events: number }> {
  const store = openSqliteStore(file, { upcasters: domainUpcasters });
  const started = performance.now();
  const state = createProjectionState();
  await replayInto(store, state);
  const models = new ReadModels(state);
  const ms = performance.now() - started;
  await store.close();
  return { ms, events: models.eventCount };
}

const WORKER_ENV = 'ONSKY_REBUILD_WORKER';

type Pass = 'raw' | 'rebuild' | 'store-read';

interface PassPlan {
  readonly pass: Pass;
  readonly file: string;
}

interface PassResult {
  readonly ms: number;
  readonly events: number;
}

async function timePass(plan: PassPlan): Promise<PassResult> {
  switch (plan.pass) {
    case 'raw': {
      const { ms, rows } = readRaw(plan.file);
      return { ms, events: rows };
    }
    case 'rebuild':
      return rebuild(plan.file);
    case 'store-read':
      return { ms: await readStore(plan.file), events: 0 };
  }
}

/**
 * Runs a pass in a fresh Node.js process, as a server rebuilds on start. In one process, a pass
 * paid for collecting the gigabyte of garbage the pass before it left on the 1M log.
 */
function passInFreshProcess(plan: PassPlan): Promise<PassResult> {
  return runWorkerProcess(fileURLToPath(import.meta.url), WORKER_ENV, plan, `rebuild ${plan.pass} worker`);
}

export default async function rebuildBench(args: string[]): Promise<void> {
  const events = numberArgument(args, 'events', 1_000_000);
  const repetitions = numberArgument(args, 'repetitions', 3);
  const file = await syntheticStoreFile(events);

  const raw: number[] = [];
  const folded: number[] = [];
  const storeRead: number[] = [];
  let rows = 0;
  for (let repetition = 0; repetition < repetitions; repetition++) {
    const read = await passInFreshProcess({ pass: 'raw', file });
    rows = read.events;
    raw.push(read.ms);
    const result = await passInFreshProcess({ pass: 'rebuild', file });
    if (result.events !== rows) throw new Error(`rebuild folded ${result.events} events but the log contains ${rows}; delete the cached store ${file} and run again`);
    folded.push(result.ms);
    storeRead.push((await passInFreshProcess({ pass: 'store-read', file })).ms);
  }
  const ratio = median(raw) / median(folded);
  process.stdout.write(`${rows} events: raw read + JSON.parse ${Math.round(median(raw))} ms, store readAllPages ${Math.round(median(storeRead))} ms, rebuild ${Math.round(median(folded))} ms\n`);
  printResult({ bench: 'rebuild', ratio: round(ratio), target: 0.8, events: rows, rawMs: Math.round(median(raw)), storeReadMs: Math.round(median(storeRead)), rebuildMs: Math.round(median(folded)) });
}

const workerPlan = process.env[WORKER_ENV];
if (workerPlan !== undefined) {
  const result = await timePass(JSON.parse(workerPlan) as PassPlan);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
