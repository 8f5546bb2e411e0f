/**
 * load: onsky on a scratch SQLite store (a synthetic history) under mixed load for a bounded
 * time. One worker process runs concurrent readers (feature board, verification queue,
 * backpressure, observation search) and another concurrent writers (record a change, record an
 * observation's facts, review that observation), each writer kind with the role it needs. The
 * baselines, in the same run: a raw node:http server returning the board JSON, loaded by the same
 * reader worker, and the events the writers produced appended again straight to a fresh SQLite
 * store, one append per event. Ratio = onsky reads/s under mixed load ÷ raw reads/s; target 0.5.
 * Options: --events N (default 50 000), --seconds S (default 20), --readers C, --writers C.
 */
import { request as httpRequest, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { DATA_FILES, startOnsky, type RunningOnsky } from '../api/app.js';
import { openTokenStore } from '../api/auth/tokens.js';
import type { NewEvent } from '../store/port.js';
import { openSqliteStore } from '../store/sqlite.js';
import { writeSyntheticHistory } from '../test/support/synthetic.js';
import { numberArgument, printResult, round, runWorkerProcess, scratchFolder, startRawServer } from './_support.js';

export const BOARD_QUERY = 'query Board { features(first: 50) { edges { node { featureKey title subsystem status verificationWsjf deliveredAt daysWaiting } } } }';

/** The read queries, sent in turn by every reader. */
const READS: Readonly<Record<string, string>> = {
  board: BOARD_QUERY,
  queue: 'query Queue { verificationQueue { featureKey verificationWsjf daysWaiting candidates { observationId } } }',
  backpressure: 'query Backpressure { flow { overall { flow { arrivals departures throughputPerWeek wip } assessment { signal wip wipLimit reasons } } subsystems { subsystem assessment { signal } } } }',
  observationSearch: 'query Search { observations(first: 20, band: "L", receptor: "m010") { totalCount edges { node { observationId description startUtc reviewState } } } }',
};

const RECORD_CHANGE = 'mutation RecordChange($input: RecordChangeInput!) { recordChange(input: $input) { __typename ... on Change { changeId } ... on DomainError { kind message } } }';
const RECORD_FACTS = 'mutation RecordFacts($input: RecordObservationFactsInput!) { recordObservationFacts(input: $input) { __typename ... on Observation { observationId } ... on DomainError { kind message } } }';
const REVIEW = 'mutation Review($input: ReviewObservationInput!) { reviewObservation(input: $input) { __typename ... on Observation { reviewState } ... on DomainError { kind message } } }';

/** Secrets of the tokens the workers use, one per role they need. */
export interface LoadTokens {
  readonly viewer: string;
  readonly engineer: string;
  readonly commissioner: string;
}

/** Instructions for one worker process, passed as JSON in its environment. */
interface WorkerPlan {
  readonly kind: 'read' | 'write' | 'raw-read';
  readonly url: string;
  readonly tokens: LoadTokens;
  readonly seconds: number;
  readonly concurrency: number;
  /** Makes the ids a writer creates unique to this run. */
  readonly runId: string;
}

/** Latency figures of one request kind. */
export interface KindFigures {
  readonly completed: number;
  readonly errors: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

interface WorkerResult {
  readonly seconds: number;
  readonly kinds: Record<string, KindFigures>;
  /** All requests of the worker together. */
  readonly all: KindFigures;
  /** Up to five failed requests, one line each. */
  readonly errorSamples: readonly string[];
  /** Ids of the changes and observations a writer created, the first and last of each writer loop. */
  readonly changeIds: readonly string[];
  readonly observationIds: readonly string[];
}

export interface MixedLoadResult {
  readonly reads: WorkerResult;
  readonly writes: WorkerResult;
  readonly errors: number;
}

const WORKER_ENV = 'ONSKY_BENCH_LOAD_WORKER';

/** Writes the synthetic history and the tokens into `folder`, ready for `startOnsky`. */
export async function prepareLoadFolder(folder: string, events: number): Promise<{ tokens: LoadTokens; events: number; features: number; observations: number }> {
  const store = openSqliteStore(join(folder, DATA_FILES.events));
  const summary = await writeSyntheticHistory(store, { events });
  await store.close();
  // The tokens exist before the server starts, so it never runs in local single-user mode.
  const tokenStore = openTokenStore(join(folder, DATA_FILES.tokens));
  const tokens = {
    viewer: tokenStore.create('viewer', 'load-reader').secret,
    engineer: tokenStore.create('engineer', 'load-engineer').secret,
    commissioner: tokenStore.create('commissioner', 'load-commissioner').secret,
  };
  tokenStore.close();
  return { tokens, events: summary.events, features: summary.features, observations: summary.observations };
}

/** Runs readers and writers against `url` at once, each in its own process, for `seconds`. */
export async function runMixedLoad(options: { url: string; tokens: LoadTokens; seconds: number; readers: number; writers: number }): Promise<MixedLoadResult> {
  const graphqlUrl = new URL('/graphql', options.url).href;
  const runId = Date.now().toString(36);
  const common = { url: graphqlUrl, tokens: options.tokens, seconds: options.seconds, runId };
  const [reads, writes] = await Promise.all([runWorker({ ...common, kind: 'read', concurrency: options.readers }), runWorker({ ...common, kind: 'write', concurrency: options.writers })]);
  return { reads, writes, errors: reads.all.errors + writes.all.errors };
}

export default async function loadBench(args: string[]): Promise<void> {
  const events = numberArgument(args, 'events', 50_000);
  const seconds = numberArgument(args, 'seconds', 20);
  const readers = numberArgument(args, 'readers', 8);
  const writers = numberArgument(args, 'writers', 4);
  const folder = scratchFolder('load');
  const logger = pino({ level: 'warn' }, pino.destination(2));
  let onsky: RunningOnsky | undefined;
  let raw: Server | undefined;
  try {
    const started = performance.now();
    const prepared = await prepareLoadFolder(folder.path, events);
    process.stdout.write(`wrote ${prepared.events} events (${prepared.features} features, ${prepared.observations} observations) in ${round((performance.now() - started) / 1000, 1)} s\n`);

    onsky = await startOnsky({ dataFolder: folder.path, logger, server: { host: '127.0.0.1', port: 0 } });
    const headBefore = (await onsky.store.headPosition()) ?? 0n;
    const boardPayload = await fetchBoardPayload(new URL('/graphql', onsky.server.url).href, prepared.tokens.viewer);

    const mixed = await runMixedLoad({ url: onsky.server.url, tokens: prepared.tokens, seconds, readers, writers });
    const headAfter = (await onsky.store.headPosition()) ?? 0n;
    const appended = await readEventsAfter(onsky, headBefore);

    raw = await startRawServer(boardPayload);
    const rawSeconds = Math.min(seconds, Math.max(3, seconds / 4));
    const rawReads = await runWorker({ kind: 'raw-read', url: `http://127.0.0.1:${(raw.address() as AddressInfo).port}/graphql`, tokens: prepared.tokens, seconds: rawSeconds, concurrency: readers, runId: 'raw' });
    const storeAppendPerSecond = await measureStoreAppend(folder.path, appended);

    process.stdout.write(`mixed load for ${seconds} s, ${readers} readers and ${writers} writers in two worker processes:\n`);
    for (const [name, figures] of [...Object.entries(mixed.reads.kinds), ...Object.entries(mixed.writes.kinds)]) process.stdout.write(`  ${describeFigures(name, figures)}\n`);
    process.stdout.write(`  ${describeFigures('all reads', mixed.reads.all)}\n  ${describeFigures('all writes', mixed.writes.all)}\n`);
    process.stdout.write(`raw node:http board server, ${readers} readers for ${rawSeconds} s: ${describeFigures('reads', rawReads.all)}\n`);
    process.stdout.write(`store append of the ${appended.length} events the writers produced, one append per event: ${Math.round(storeAppendPerSecond)} events/s\n`);
    for (const sample of [...mixed.reads.errorSamples, ...mixed.writes.errorSamples]) process.stdout.write(`error: ${sample}\n`);

    const eventsPerSecond = Number(headAfter - headBefore) / mixed.writes.seconds;
    printResult({
      bench: 'load',
      ratio: round(mixed.reads.all.perSecond / rawReads.all.perSecond),
      target: 0.5,
      errors: mixed.errors + rawReads.all.errors,
      readsPerSecond: Math.round(mixed.reads.all.perSecond),
      writesPerSecond: round(mixed.writes.all.perSecond, 1),
      readP50Ms: round(mixed.reads.all.p50Ms, 2),
      readP99Ms: round(mixed.reads.all.p99Ms, 2),
      writeP50Ms: round(mixed.writes.all.p50Ms, 2),
      writeP99Ms: round(mixed.writes.all.p99Ms, 2),
      rawReadsPerSecond: Math.round(rawReads.all.perSecond),
      eventsAppended: Number(headAfter - headBefore),
      eventsPerSecond: round(eventsPerSecond, 1),
      storeAppendPerSecond: Math.round(storeAppendPerSecond),
      writeRatio: round(eventsPerSecond / storeAppendPerSecond),
      kinds: Object.fromEntries([...Object.entries(mixed.reads.kinds), ...Object.entries(mixed.writes.kinds)].map(([name, figures]) => [name, { perSecond: round(figures.perSecond, 1), p50Ms: round(figures.p50Ms, 2), p99Ms: round(figures.p99Ms, 2), errors: figures.errors }])),
      events: prepared.events,
      seconds,
      readers,
      writers,
    });
  } finally {
    if (raw !== undefined) {
      const server = raw;
      await new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
    }
    await onsky?.stop();
    folder.remove();
  }
}

function describeFigures(name: string, figures: KindFigures): string {
  return `${name}: ${round(figures.perSecond, 1)}/s, p50 ${round(figures.p50Ms, 2)} ms, p99 ${round(figures.p99Ms, 2)} ms, ${figures.errors} errors`;
}

async function fetchBoardPayload(graphqlUrl: string, token: string): Promise<Buffer> {
  const response = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: BOARD_QUERY, operationName: 'Board' }) });
  const payload = Buffer.from(await response.arrayBuffer());
  const rows = (JSON.parse(payload.toString('utf8')) as { data?: { features: { edges: unknown[] } } }).data?.features.edges.length ?? 0;
  if (response.status !== 200 || rows === 0) throw new Error(`the board query returned status ${response.status} with ${rows} rows; the benchmark needs a non-empty board`);
  return payload;
}

/** Returns the events after `position` as new events to append elsewhere, with their streams. */
async function readEventsAfter(onsky: RunningOnsky, position: bigint): Promise<{ stream: string; event: NewEvent }[]> {
  const events: { stream: string; event: NewEvent }[] = [];
  for await (const recorded of onsky.store.readAll({ after: position })) {
    events.push({ stream: recorded.stream, event: { id: recorded.id, type: recorded.type, schemaVersion: recorded.schemaVersion, data: recorded.data, metadata: recorded.metadata } });
  }
  return events;
}

/** Appends the events to a fresh SQLite store, one append per event, and returns events/s. */
async function measureStoreAppend(folder: string, events: readonly { stream: string; event: NewEvent }[]): Promise<number> {
  const store = openSqliteStore(join(folder, 'append-baseline.sqlite'));
  try {
    const started = performance.now();
    for (const { stream, event } of events) await store.append(stream, [event], 'any');
    return events.length / ((performance.now() - started) / 1000);
  } finally {
    await store.close();
  }
}

/** One request of a worker: the kind it counts under, and how to send and check it. */
interface Operation {
  readonly kind: string;
  readonly body: string;
  readonly token: string;
  /** True when the response body shows success. */
  readonly succeeded: (text: string) => boolean;
}

/** Runs a worker's closed loops until the deadline and prints one JSON line of results. */
async function loadWorker(plan: WorkerPlan): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(plan.concurrency, 16) });
  const url = new URL(plan.url);
  const latencies = new Map<string, number[]>();
  const errors = new Map<string, number>();
  const errorSamples: string[] = [];
  const changeIds: string[] = [];
  const observationIds: string[] = [];

  const send = (operation: Operation): Promise<boolean> =>
    new Promise((done) => {
      const started = performance.now();
      const fail = (detail: string): void => {
        errors.set(operation.kind, (errors.get(operation.kind) ?? 0) + 1);
        if (errorSamples.length < 5) errorSamples.push(`${operation.kind}: ${detail.slice(0, 300)}`);
        done(false);
      };
      const outgoing = httpRequest(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${operation.token}`, 'content-length': Buffer.byteLength(operation.body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (response.statusCode !== 200 || !operation.succeeded(text)) {
              fail(`status ${response.statusCode}: ${text}`);
              return;
            }
            const list = latencies.get(operation.kind) ?? [];
            list.push(performance.now() - started);
            latencies.set(operation.kind, list);
            done(true);
          });
        },
      );
      outgoing.on('error', (error) => fail(String(error)));
      outgoing.end(operation.body);
    });

  const started = performance.now();
  const endMs = started + plan.seconds * 1000;
  const loops = Array.from({ length: plan.concurrency }, (_, loop) => (plan.kind === 'write' ? writerLoop(plan, loop, endMs, send, changeIds, observationIds) : readerLoop(plan, loop, endMs, send)));
  await Promise.all(loops);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();

  const figures = (values: number[], failed: number): KindFigures => {
    values.sort((a, b) => a - b);
    const percentile = (p: number): number => values[Math.min(values.length - 1, Math.floor(p * values.length))] ?? Number.NaN;
    return { completed: values.length, errors: failed, perSecond: values.length / seconds, p50Ms: percentile(0.5), p99Ms: percentile(0.99) };
  };
  const kinds = Object.fromEntries([...new Set([...latencies.keys(), ...errors.keys()])].map((kind) => [kind, figures([...(latencies.get(kind) ?? [])], errors.get(kind) ?? 0)]));
  const all = figures([...latencies.values()].flat(), [...errors.values()].reduce((sum, count) => sum + count, 0));
  const result: WorkerResult = { seconds, kinds, all, errorSamples, changeIds, observationIds };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const succeededRead = (text: string): boolean => text.startsWith('{"data":{') && !text.includes('"errors":');

/** Sends the read queries in turn, each loop starting at a different one; the raw baseline sends only the board. */
async function readerLoop(plan: WorkerPlan, loop: number, endMs: number, send: (operation: Operation) => Promise<boolean>): Promise<void> {
  const entries = plan.kind === 'raw-read' ? [['board', BOARD_QUERY] as const] : Object.entries(READS);
  const operations = entries.map(([kind, query]): Operation => ({ kind, body: JSON.stringify({ query }), token: plan.tokens.viewer, succeeded: succeededRead }));
  for (let index = loop; performance.now() < endMs; index++) await send(operations[index % operations.length]!);
}

/**
 * Records a change, then an observation's facts, then a review of that observation, until the
 * deadline. Ids include the run id and the loop number, so every write creates a new stream.
 */
async function writerLoop(plan: WorkerPlan, loop: number, endMs: number, send: (operation: Operation) => Promise<boolean>, changeIds: string[], observationIds: string[]): Promise<void> {
  const typename = (name: string) => (text: string): boolean => text.includes(`"__typename":"${name}"`) && !text.includes('"errors":');
  let lastChange: string | undefined;
  let lastObservation: string | undefined;
  for (let index = 0; performance.now() < endMs; index++) {
    const changeId = `LOAD-${plan.runId}-${loop}-${index}`;
    const recordChange = { changeId, kind: 'software', subsystem: 'SDP', components: ['katsdpingest'], version: `load ${index}`, summary: 'load test change' };
    if (await send({ kind: 'recordChange', body: JSON.stringify({ query: RECORD_CHANGE, variables: { input: recordChange } }), token: plan.tokens.engineer, succeeded: typename('Change') })) {
      if (lastChange === undefined) changeIds.push(changeId);
      lastChange = changeId;
    }

    // Capture block ids are Unix times. These lie in 2033 or later, after every synthetic observation.
    const observationId = String(2_000_000_000 + loop * 10_000_000 + index);
    const start = new Date(Number(observationId) * 1000);
    const facts = {
      captureBlockId: observationId,
      scheduleBlockId: `LOAD-${plan.runId}-${loop}`,
      description: 'load test track of PKS 1934-63',
      startUtc: start.toISOString().replace('.000Z', 'Z'),
      endUtc: new Date(start.getTime() + 600_000).toISOString().replace('.000Z', 'Z'),
      band: 'L',
      product: 'c856M4k',
      receptors: ['m000', 'm010', 'm020', 'm030'],
      targets: [{ name: 'PKS 1934-63', tags: ['radec'] }],
    };
    const recorded = await send({
      kind: 'recordObservationFacts',
      body: JSON.stringify({ query: RECORD_FACTS, variables: { input: { observationId, facts, source: { importer: 'load', file: `load-${plan.runId}.log`, locator: String(index) } } } }),
      token: plan.tokens.engineer,
      succeeded: typename('Observation'),
    });
    if (!recorded) continue;
    if (lastObservation === undefined) observationIds.push(observationId);
    lastObservation = observationId;
    await send({ kind: 'reviewObservation', body: JSON.stringify({ query: REVIEW, variables: { input: { observationId, level: 'INSPECTED', notes: 'load test review' } } }), token: plan.tokens.commissioner, succeeded: typename('Observation') });
  }
  if (lastChange !== undefined && lastChange !== changeIds.at(-1)) changeIds.push(lastChange);
  if (lastObservation !== undefined && lastObservation !== observationIds.at(-1)) observationIds.push(lastObservation);
}

/** Runs one worker in a fresh Node.js process and returns its measurements. */
function runWorker(plan: WorkerPlan): Promise<WorkerResult> {
  return runWorkerProcess(fileURLToPath(import.meta.url), WORKER_ENV, plan, `load worker (${plan.kind})`);
}

const workerPlan = process.env[WORKER_ENV];
if (workerPlan !== undefined) {
  await loadWorker(JSON.parse(workerPlan) as WorkerPlan);
}
