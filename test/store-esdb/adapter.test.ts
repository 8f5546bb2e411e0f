import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js';
import { EventStoreDBClient } from '@eventstore/db-client';
import { openEsdbStore, type EsdbEventStore, type EsdbStoreOptions } from '../../store/esdb.js';
import type { NewEvent, RecordedEvent } from '../../store/port.js';
import { EsdbStandIn, type EsdbStandInOptions } from '../support/esdb-standin.js';

function newEvent(type: string, data: unknown = {}): NewEvent {
  return { id: randomUUID(), type, schemaVersion: 1, data, metadata: { actor: 'test', correlationId: 'corr', causationId: 'cause' } };
}

function expectRight<L, R>(result: Either<L, R>): R {
  if (isLeft(result)) throw new Error(`expected success, got ${JSON.stringify(result.left)}`);
  return result.right;
}

function expectLeft<L, R>(result: Either<L, R>): L {
  if (isRight(result)) throw new Error('expected a conflict, got success');
  return result.left;
}

async function collect(events: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startStandIn(options: EsdbStandInOptions = {}): Promise<EsdbStandIn> {
  const standIn = await EsdbStandIn.start(options);
  cleanups.push(() => standIn.close());
  return standIn;
}

function open(standIn: EsdbStandIn, options: EsdbStoreOptions = {}): EsdbEventStore {
  const store = openEsdbStore(standIn.url, options);
  cleanups.push(() => store.close());
  return store;
}

describe('EventStoreDB adapter stored form', () => {
  it('keeps metadata in the event metadata', async () => {
    const standIn = await startStandIn();
    const store = open(standIn, { now: () => new Date('2019-03-05T16:24:22.000Z') });
    const event = { ...newEvent('FeatureProposed', { key: 'CBF-1' }), schemaVersion: 2 };
    expectRight(await store.append('feature-CBF-1', [event], 'no-stream'));

    const client = EventStoreDBClient.connectionString(standIn.url);
    cleanups.push(() => client.dispose());
    let raw: { metadata?: unknown; created?: Date; isJson?: boolean } | undefined;
    for await (const resolved of client.readStream('feature-CBF-1')) raw = resolved.event;
    expect(raw!.isJson).toBe(true);
    expect(raw!.metadata).toEqual({
      actor: 'test',
      recordedAt: '2019-03-05T16:24:22.000Z',
      $correlationId: 'corr',
      $causationId: 'cause',
      schemaVersion: 2,
    });
    expect(raw!.created!.getUTCFullYear()).not.toBe(2019);

    const [read] = await collect(store.readStream('feature-CBF-1'));
    expect(read!.metadata.recordedAt).toBe('2019-03-05T16:24:22.000Z');
    expect(read!.schemaVersion).toBe(2);
    expect(read!.metadata.correlationId).toBe('corr');
  });

  it('skips system events when reading', async () => {
    const standIn = await startStandIn();
    const store = open(standIn);
    expectRight(await store.append('s', [newEvent('A')], 'no-stream'));
    standIn.log.writeSystemEvent('$$s', '$metadata', { $maxCount: 10 });
    expectRight(await store.append('s', [newEvent('B')], 0));
    standIn.log.writeSystemEvent('$stats-127.0.0.1:2113', '$statsCollected', {});
    const all = await collect(store.readAll());
    expect(all.map((event) => event.type)).toEqual(['A', 'B']);
    expect(await store.headPosition()).toBe(all[1]!.position);
  });

  it('carries positions past 2^32', async () => {
    const standIn = await startStandIn({ firstPosition: 2n ** 32n - 600n });
    const store = open(standIn);
    for (let index = 0; index < 6; index++) expectRight(await store.append(`s-${index}`, [newEvent('Tick', { index })], 'no-stream'));
    const all = await collect(store.readAll());
    expect(all[all.length - 1]!.position > 2n ** 32n).toBe(true);
    const pivot = all.findIndex((event) => event.position > 2n ** 32n) - 1;
    const after = await collect(store.readAll({ after: all[pivot]!.position }));
    expect(after.map((event) => event.id)).toEqual(all.slice(pivot + 1).map((event) => event.id));

    const seen: string[] = [];
    let caughtUp = false;
    const subscription = store.subscribe({ after: all[pivot]!.position, onEvent: (event) => void seen.push(event.id), onCaughtUp: () => (caughtUp = true) });
    cleanups.push(() => subscription.close());
    while (!caughtUp) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(seen).toEqual(all.slice(pivot + 1).map((event) => event.id));
  });
});

describe('EventStoreDB adapter idempotence', () => {
  it('finds duplicates from a fresh process', async () => {
    const standIn = await startStandIn();
    const events = [newEvent('A'), newEvent('B')];
    expectRight(await open(standIn).append('s', events, 'no-stream'));
    // A second store has nothing cached, like an importer re-run in a new process.
    const again = expectRight(await open(standIn).append('s', events, 'no-stream'));
    expect(again.appended).toBe(0);
    expect(again.duplicates).toBe(2);
    expect(again.nextExpectedRevision).toBe(1);
  });

  it('notices writes by another process', async () => {
    const standIn = await startStandIn();
    const first = open(standIn);
    const second = open(standIn);
    expectRight(await first.append('s', [newEvent('A')], 'no-stream'));
    const fromSecond = newEvent('B');
    expectRight(await second.append('s', [fromSecond], 0));

    const retried = expectRight(await first.append('s', [fromSecond], 'any'));
    expect(retried.duplicates).toBe(1);
    expect(retried.nextExpectedRevision).toBe(1);
    const stale = expectLeft(await first.append('s', [newEvent('C')], 0));
    expect(stale.actual).toBe(1);
    const added = expectRight(await first.append('s', [newEvent('C')], 'any'));
    expect(added.nextExpectedRevision).toBe(2);
    expect((await collect(first.readStream('s'))).map((event) => event.type)).toEqual(['A', 'B', 'C']);
  });

  it('retries safely after a failed append', async () => {
    const standIn = await startStandIn();
    const store = open(standIn);
    expectRight(await store.append('s', [newEvent('A')], 'no-stream'));
    await standIn.stop();
    const event = newEvent('B');
    const failure = await store.append('s', [event], 0).catch((error: unknown) => error as Error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain('retrying it is safe');

    await standIn.restart();
    let result: Awaited<ReturnType<EsdbEventStore['append']>> | undefined;
    for (let attempt = 0; attempt < 50 && result === undefined; attempt++) {
      result = await store.append('s', [event], 0).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return undefined;
      });
    }
    expect(expectRight(result!).nextExpectedRevision).toBe(1);
    expect((await collect(store.readStream('s'))).length).toBe(2);
  });

  it('never stores an id twice with a young cache', async () => {
    const standIn = await startStandIn();
    const trusting = open(standIn, { idCacheTrustMs: 60_000 });
    const first = newEvent('A');
    expectRight(await trusting.append('s', [first], 'no-stream'));
    const fromOther = newEvent('B');
    expectRight(await open(standIn).append('s', [fromOther], 0));

    // The cache stops at revision 0: EventStoreDB deduplicates the replay, or reports a conflict.
    expect(expectRight(await trusting.append('s', [fromOther], 'any')).nextExpectedRevision).toBe(1);
    expect(expectRight(await trusting.append('s', [first, fromOther], 'any')).duplicates).toBe(2);
    expectRight(await open(standIn, { idCacheTrustMs: 60_000 }).append('s', [first], 'no-stream'));
    expect((await collect(trusting.readStream('s'))).map((event) => event.type)).toEqual(['A', 'B']);
  });

  it('maps revisions on the plain Append call', async () => {
    const standIn = await startStandIn({ batchAppend: false });
    const store = open(standIn);
    expectRight(await store.append('s', [newEvent('A'), newEvent('B')], 'no-stream'));
    const conflict = expectLeft(await store.append('s', [newEvent('C')], 0));
    expect(conflict.actual).toBe(1);
    expect(expectRight(await store.append('s', [newEvent('C')], 1)).nextExpectedRevision).toBe(2);
  });
});

describe('EventStoreDB adapter batch', () => {
  it('reports a conflict after earlier requests', async () => {
    const standIn = await startStandIn();
    const store = open(standIn);
    // Another writer creates "b" while the batch writes "a", after the batch checked both.
    standIn.log.beforeAppend = (stream) => {
      if (stream !== 'a') return;
      standIn.log.beforeAppend = undefined;
      standIn.log.writeSystemEvent('b', 'WrittenElsewhere', {});
    };
    const conflict = expectLeft(
      await store.appendBatch([
        { stream: 'a', events: [newEvent('A')], expectedRevision: 'no-stream' },
        { stream: 'b', events: [newEvent('B')], expectedRevision: 'no-stream' },
      ]),
    );
    expect(conflict.requestIndex).toBe(1);
    expect(conflict.actual).toBe(0);
    expect(conflict.message).toContain('already written');
    expect((await collect(store.readStream('a'))).length).toBe(1);
  });

  it('completes a partly written re-run', async () => {
    const standIn = await startStandIn();
    const requests = [
      { stream: 'observation-1', events: [newEvent('ObservationRecorded')], expectedRevision: 'no-stream' as const },
      { stream: 'observation-2', events: [newEvent('ObservationRecorded')], expectedRevision: 'no-stream' as const },
    ];
    expectRight(await open(standIn).append(requests[0]!.stream, requests[0]!.events, 'no-stream'));
    const rerun = expectRight(await open(standIn).appendBatch(requests));
    expect(rerun.results.map((result) => [result.appended, result.duplicates])).toEqual([[0, 1], [1, 0]]);
  });
});

describe('EventStoreDB adapter options', () => {
  it('isolates namespaces', async () => {
    const standIn = await startStandIn();
    const site = open(standIn, { namespace: 'site-a.' });
    const other = open(standIn, { namespace: 'site-b.' });
    expectRight(await site.append('feature-1', [newEvent('A')], 'no-stream'));
    expectRight(await other.append('feature-1', [newEvent('B')], 'no-stream'));
    expect((await collect(site.readAll())).map((event) => [event.stream, event.type])).toEqual([['feature-1', 'A']]);
    expect((await collect(other.readStream('feature-1'))).map((event) => event.type)).toEqual(['B']);
  });

  it('rejects a bad connection string', () => {
    expect(() => openEsdbStore('http://nowhere')).toThrow(/"http:\/\/nowhere" is invalid.*esdb:\/\/host:2113\?tls=false/);
    expect(() => openEsdbStore('esdb://127.0.0.1:1?tls=false', { namespace: '$sys' })).toThrow(/starts with "\$"/);
  });

  it('rejects a bad cache trust time', () => {
    expect(() => openEsdbStore('esdb://127.0.0.1:1?tls=false', { idCacheTrustMs: -1 })).toThrow(/idCacheTrustMs is -1/);
    expect(() => openEsdbStore('esdb://127.0.0.1:1?tls=false', { idCacheTrustMs: Number.NaN })).toThrow(/idCacheTrustMs is NaN/);
  });
});
