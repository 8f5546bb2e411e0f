/**
 * Append throughput of the EventStoreDB adapter against the raw `@eventstore/db-client` in the
 * same run, on the same server: the in-process stand-in, or the node in `EVENTSTORE_URL`.
 *
 * Workload (a command handler's): each stream gets a first append with `no-stream`, then appends
 * with the exact revision returned by the previous one, one append at a time. Both sides write the
 * same payloads and metadata to their own streams. `--appends 1` with many `--streams` is an
 * importer's pattern instead: one append to each new stream.
 *
 * `ratio` is for the adapter as `onsky serve` opens it, with `idCacheTrustMs` (`--trust-ms`,
 * default 1000): it skips the read of a stream's ids while the cached ids are younger, and for a
 * new stream while the adapter's latest write is, so most appends are one request.
 * `ratioExact` is for the default mode that importers use: the adapter reads the stream's ids
 * before each append (the whole stream on the first append, the tail after) so that its counts
 * stay exact, which costs two requests.
 *
 * Usage: npm run bench -- esdb-append [--streams N] [--appends N] [--events N] [--rounds N] [--trust-ms N]
 * Last line: {"bench":"esdb-append","ratio":adapter rate / raw rate,"target":0.8,"server":...}
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { EventStoreDBClient, jsonEvent, type AppendExpectedRevision } from '@eventstore/db-client';
import { domainUpcasters } from '../domain/upcasters.js';
import { openEsdbStore } from '../store/esdb.js';
import type { ExpectedRevision, NewEvent } from '../store/port.js';
import { EsdbStandIn } from '../test/support/esdb-standin.js';

interface Workload {
  readonly streams: number;
  readonly appendsPerStream: number;
  readonly eventsPerAppend: number;
}

export default async function (args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      streams: { type: 'string', default: '40' },
      appends: { type: 'string', default: '10' },
      events: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '5' },
      'trust-ms': { type: 'string', default: '1000' },
    },
  });
  const workload: Workload = {
    streams: positiveInteger(values.streams, '--streams'),
    appendsPerStream: positiveInteger(values.appends, '--appends'),
    eventsPerAppend: positiveInteger(values.events, '--events'),
  };
  const rounds = positiveInteger(values.rounds, '--rounds');
  const trustMs = positiveInteger(values['trust-ms'], '--trust-ms');

  const url = process.env.EVENTSTORE_URL;
  const standIn = url === undefined || url === '' ? await EsdbStandIn.start() : undefined;
  const connection = standIn?.url ?? url!;
  const server = standIn === undefined ? 'eventstoredb' : 'stand-in';
  console.log(`server: ${server} (${standIn === undefined ? connection : 'in-process gRPC stand-in on 127.0.0.1, sharing this process'})`);
  console.log(`workload: ${workload.streams} streams x ${workload.appendsPerStream} appends x ${workload.eventsPerAppend} events, ${rounds} rounds`);

  const client = EventStoreDBClient.connectionString(connection);
  const store = openEsdbStore(connection, { upcasters: domainUpcasters });
  const trusting = openEsdbStore(connection, { idCacheTrustMs: trustMs, upcasters: domainUpcasters });
  try {
    // One unmeasured round each, so connection setup and JIT warm-up count for neither side.
    await runRaw(client, workload, `bench-warm-raw-${randomUUID()}-`);
    await runAdapter(store, workload, `bench-warm-adapter-${randomUUID()}-`);
    await runAdapter(trusting, workload, `bench-warm-trusting-${randomUUID()}-`);

    // Each round measures the three back to back and yields its own ratios. The result is their
    // median, so load from other work on a shared machine that changes between rounds moves the
    // ratio less than it moves the rates.
    const rawRates: number[] = [];
    const adapterRates: number[] = [];
    const trustingRates: number[] = [];
    const ratios: number[] = [];
    const youngCacheRatios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      rawRates.push(await runRaw(client, workload, `bench-raw-${randomUUID()}-`));
      adapterRates.push(await runAdapter(store, workload, `bench-adapter-${randomUUID()}-`));
      trustingRates.push(await runAdapter(trusting, workload, `bench-trusting-${randomUUID()}-`));
      ratios.push(adapterRates[round]! / rawRates[round]!);
      youngCacheRatios.push(trustingRates[round]! / rawRates[round]!);
      console.log(
        `round ${round + 1}: raw ${rawRates[round]!.toFixed(0)} events/s, adapter ${adapterRates[round]!.toFixed(0)} events/s ` +
          `(ratio ${ratios[round]!.toFixed(2)}), adapter with idCacheTrustMs ${trustMs} ${trustingRates[round]!.toFixed(0)} events/s ` +
          `(ratio ${youngCacheRatios[round]!.toFixed(2)})`,
      );
    }

    console.log(
      JSON.stringify({
        bench: 'esdb-append',
        ratio: Number(median(youngCacheRatios).toFixed(3)),
        target: 0.8,
        server,
        ratioExact: Number(median(ratios).toFixed(3)),
        idCacheTrustMs: trustMs,
        adapterEventsPerSecond: Math.round(median(adapterRates)),
        rawEventsPerSecond: Math.round(median(rawRates)),
        appendsPerRound: workload.streams * workload.appendsPerStream,
        eventsPerAppend: workload.eventsPerAppend,
        rounds,
      }),
    );
  } finally {
    await trusting.close();
    await store.close();
    await client.dispose();
    await standIn?.close();
  }
}

/** Events per second through the raw client. */
async function runRaw(client: EventStoreDBClient, workload: Workload, prefix: string): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < workload.streams; index++) {
    let expectedRevision: AppendExpectedRevision = 'no_stream';
    for (let append = 0; append < workload.appendsPerStream; append++) {
      const events = makeEvents(workload.eventsPerAppend, index, append).map((event) =>
        jsonEvent({
          id: event.id,
          type: event.type,
          data: event.data as Record<string, unknown>,
          metadata: { ...event.metadata, recordedAt: new Date().toISOString(), schemaVersion: event.schemaVersion },
        }),
      );
      const result: { nextExpectedRevision: bigint } = await client.appendToStream(`${prefix}${index}`, events, { expectedRevision });
      expectedRevision = result.nextExpectedRevision;
    }
  }
  return totalEvents(workload) / ((performance.now() - started) / 1000);
}

/** Events per second through the adapter. */
async function runAdapter(store: ReturnType<typeof openEsdbStore>, workload: Workload, prefix: string): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < workload.streams; index++) {
    let expected: ExpectedRevision = 'no-stream';
    for (let append = 0; append < workload.appendsPerStream; append++) {
      const result = await store.append(`${prefix}${index}`, makeEvents(workload.eventsPerAppend, index, append), expected);
      if (result._tag === 'Left') throw new Error(`benchmark append conflicted: ${result.left.message}`);
      expected = result.right.nextExpectedRevision;
    }
  }
  return totalEvents(workload) / ((performance.now() - started) / 1000);
}

/** About 300 bytes of JSON per event, like an observation fact. */
function makeEvents(count: number, stream: number, append: number): NewEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    type: 'ObservationFactRecorded',
    schemaVersion: 1,
    data: {
      captureBlockId: String(1551803062 + stream),
      scheduleBlockId: `sb-20190308-${String(append).padStart(4, '0')}`,
      band: 'L',
      product: 'c856M4k',
      receptors: 60 + (index % 4),
      targets: ['J1939-6342', 'J0408-6545'],
      startedAt: '2019-03-05T16:24:22Z',
      note: 'bench',
    },
    metadata: { actor: 'bench', correlationId: `bench-${stream}`, causationId: `bench-${stream}-${append}` },
  }));
}

function totalEvents(workload: Workload): number {
  return workload.streams * workload.appendsPerStream * workload.eventsPerAppend;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function positiveInteger(value: string | undefined, option: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new Error(`${option} is ${JSON.stringify(value)}; give a whole number from 1, e.g. ${option} 10`);
  }
  return parsed;
}
