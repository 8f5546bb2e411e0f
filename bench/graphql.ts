/**
 * graphql: the feature-board query served by onsky (graphql-yoga, Pothos, bearer token, CSRF
 * check, response cache) against a raw node:http server returning the same JSON bytes, over a
 * 100k-event synthetic log. A load generator (bench/http-load.ts) in a separate process on
 * 127.0.0.1 measures each server's maximum request rate (closed loop). It then measures the p99
 * latency at half of that rate (open loop, latency counted from each request's scheduled start).
 * Each phase follows one unmeasured second of warm-up. Ratio = onsky max req/s ÷ raw max req/s
 * (medians of alternating runs); target ≥ 0.5 with p99 < 20 ms at half load. Options:
 * --events N, --seconds S per phase, --concurrency C, --repetitions R.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { DATA_FILES, startOnsky } from '../api/app.js';
import { openTokenStore } from '../api/auth/tokens.js';
import { startServer } from '../api/server.js';
import { domainUpcasters } from '../domain/upcasters.js';
import { openSqliteStore } from '../store/sqlite.js';
import { writeSyntheticHistory } from '../test/support/synthetic.js';
import { numberArgument, printResult, round, runWorkerProcess, scratchFolder, startRawServer } from './_support.js';
import { runLoadPhase, type LoadOutcome } from './http-load.js';

const BOARD_QUERY = 'query Board { features(first: 50) { edges { node { featureKey title subsystem status verificationWsjf deliveredAt daysWaiting } } } }';

/** Instructions for one load phase, passed to the worker process as JSON in its environment. */
interface LoadPlan {
  readonly url: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  /** `max`: closed loop with `concurrency` requests in flight; `rate`: open loop at `rate` req/s. */
  readonly mode: 'max' | 'rate';
  readonly concurrency: number;
  readonly rate: number;
  readonly seconds: number;
}

type LoadResult = LoadOutcome;

const WORKER_ENV = 'ONSKY_BENCH_GRAPHQL_LOAD';
/**
 * Seconds of load before each measured phase, for the JIT and the connection set-up: with none,
 * a raw server's p99 at 1000 req/s measured 25-45 ms, most of it the client starting.
 */
const WARMUP_SECONDS = 1;
/** Connections of an open-loop phase: enough that a request rarely waits for a free one. */
const RATE_CONNECTIONS = 32;

export default async function graphqlBench(args: string[]): Promise<void> {
  const events = numberArgument(args, 'events', 100_000);
  const seconds = numberArgument(args, 'seconds', 4);
  const concurrency = numberArgument(args, 'concurrency', 16);
  const repetitions = numberArgument(args, 'repetitions', 3);
  const folder = scratchFolder('graphql');
  const logger = pino({ level: 'warn' }, pino.destination(2));
  try {
    const started = performance.now();
    const store = openSqliteStore(join(folder.path, 'events.sqlite'), { upcasters: domainUpcasters });
    const summary = await writeSyntheticHistory(store, { events });
    await store.close();
    process.stdout.write(`wrote ${summary.events} events (${summary.features} features, ${summary.observations} observations) in ${round((performance.now() - started) / 1000, 1)} s\n`);

    // The token exists before the server starts, so it never runs in local single-user mode.
    const tokens = openTokenStore(join(folder.path, DATA_FILES.tokens));
    const token = tokens.create('viewer', 'bench').secret;
    tokens.close();

    const rebuildStarted = performance.now();
    const onsky = await startOnsky({ dataFolder: folder.path, logger, server: { host: '127.0.0.1', port: 0 } });
    process.stdout.write(`read models ready in ${round((performance.now() - rebuildStarted) / 1000, 1)} s\n`);
    const graphqlUrl = new URL('/graphql', onsky.server.url).href;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const body = JSON.stringify({ query: BOARD_QUERY, operationName: 'Board' });

    const first = await fetch(graphqlUrl, { method: 'POST', headers, body });
    const payload = Buffer.from(await first.arrayBuffer());
    const rows = (JSON.parse(payload.toString('utf8')) as { data: { features: { edges: unknown[] } } }).data.features.edges.length;
    if (first.status !== 200 || rows === 0) throw new Error(`the board query returned status ${first.status} with ${rows} rows; the benchmark needs a non-empty board`);

    const raw = await startRawServer(payload);
    const uncached = await startServer({ store: onsky.store, reads: onsky.reads, commands: onsky.commands, tokens: onsky.tokens, logger, host: '127.0.0.1', port: 0, cache: false });
    try {
      const rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/graphql`;
      const uncachedUrl = new URL('/graphql', uncached.url).href;
      const plan = { body, headers, concurrency, seconds, rate: 0 };

      // Alternating the servers spreads the shared machine's background load over both.
      const rawRuns: LoadResult[] = [];
      const onskyRuns: LoadResult[] = [];
      for (let repetition = 0; repetition < repetitions; repetition++) {
        rawRuns.push(await runLoad({ ...plan, url: rawUrl, mode: 'max' }));
        onskyRuns.push(await runLoad({ ...plan, url: graphqlUrl, mode: 'max' }));
      }
      const rawMax = medianRun(rawRuns);
      const onskyMax = medianRun(onskyRuns);
      const uncachedMax = await runLoad({ ...plan, url: uncachedUrl, mode: 'max' });
      const rawHalf = await runLoad({ ...plan, url: rawUrl, mode: 'rate', rate: rawMax.perSecond / 2 });
      const onskyHalf = await runLoad({ ...plan, url: graphqlUrl, mode: 'rate', rate: onskyMax.perSecond / 2 });

      const report = (name: string, max: LoadResult, half?: LoadResult): string =>
        `${name}: max ${Math.round(max.perSecond)} req/s (p50 ${round(max.p50Ms, 2)} ms)${half === undefined ? '' : `, at ${Math.round(half.perSecond)} req/s p99 ${round(half.p99Ms, 2)} ms`}${max.failed + (half?.failed ?? 0) > 0 ? `, ${max.failed + (half?.failed ?? 0)} failed` : ''}\n`;
      process.stdout.write(report('raw node:http', rawMax, rawHalf));
      process.stdout.write(report('onsky (cached)', onskyMax, onskyHalf));
      process.stdout.write(report('onsky (cache off)', uncachedMax));

      printResult({
        bench: 'graphql',
        ratio: round(onskyMax.perSecond / rawMax.perSecond),
        target: 0.5,
        p99HalfLoadMs: round(onskyHalf.p99Ms, 2),
        p99TargetMs: 20,
        onskyMaxPerSecond: Math.round(onskyMax.perSecond),
        rawMaxPerSecond: Math.round(rawMax.perSecond),
        rawP99HalfLoadMs: round(rawHalf.p99Ms, 2),
        uncachedMaxPerSecond: Math.round(uncachedMax.perSecond),
        uncachedRatio: round(uncachedMax.perSecond / rawMax.perSecond),
        failed: rawMax.failed + onskyMax.failed + uncachedMax.failed + rawHalf.failed + onskyHalf.failed,
        events: summary.events,
        boardRows: rows,
        responseBytes: payload.length,
        concurrency,
        seconds,
        repetitions,
      });
    } finally {
      await uncached.close();
      await new Promise<void>((done) => raw.close(() => done()));
      raw.closeAllConnections();
      await onsky.stop();
    }
  } finally {
    folder.remove();
  }
}

/** Returns the run with the median request rate. */
function medianRun(runs: readonly LoadResult[]): LoadResult {
  return [...runs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(runs.length / 2)]!;
}

/** Runs one load phase in a fresh Node.js process and returns its measurements. */
function runLoad(plan: LoadPlan): Promise<LoadResult> {
  return runWorkerProcess(fileURLToPath(import.meta.url), WORKER_ENV, plan, 'load worker');
}

const workerPlan = process.env[WORKER_ENV];
if (workerPlan !== undefined) {
  const plan = JSON.parse(workerPlan) as LoadPlan;
  const outcome = await runLoadPhase({ ...plan, connections: plan.mode === 'max' ? plan.concurrency : RATE_CONNECTIONS, warmupSeconds: WARMUP_SECONDS });
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}
