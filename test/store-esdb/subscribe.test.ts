import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { isRight } from 'fp-ts/lib/Either.js';
import { openEsdbStore, type EsdbEventStore } from '../../store/esdb.js';
import { UnknownPositionError, type NewEvent, type RecordedEvent } from '../../store/port.js';
import { EsdbStandIn } from '../support/esdb-standin.js';

function newEvent(type: string, data: unknown = {}): NewEvent {
  return { id: randomUUID(), type, schemaVersion: 1, data, metadata: { actor: 'test', correlationId: 'c', causationId: 'c' } };
}

async function eventually(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openPair(): Promise<{ standIn: EsdbStandIn; store: EsdbEventStore }> {
  const standIn = await EsdbStandIn.start();
  const store = openEsdbStore(standIn.url, { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
  cleanups.push(() => standIn.close(), () => store.close());
  return { standIn, store };
}

describe('EventStoreDB subscription', () => {
  it('reconnects after the server restarts', async () => {
    const standIn = await EsdbStandIn.start();
    const warnings: string[] = [];
    const logger = { info: () => undefined, warn: (_fields: object, message: string) => void warnings.push(message) };
    const store = openEsdbStore(standIn.url, { logger, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
    cleanups.push(() => standIn.close(), () => store.close());
    expect(isRight(await store.append('s', [newEvent('Before')], 'no-stream'))).toBe(true);
    const seen: RecordedEvent[] = [];
    let caughtUp = 0;
    const subscription = store.subscribe({
      after: 'start',
      onEvent: (event) => {
        seen.push(event);
      },
      onCaughtUp: () => {
        caughtUp++;
      },
    });
    cleanups.push(() => subscription.close());
    await eventually(() => caughtUp === 1);

    await standIn.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await standIn.restart();
    const writer = openEsdbStore(standIn.url);
    cleanups.push(() => writer.close());
    expect(isRight(await writer.append('s', [newEvent('After')], 0))).toBe(true);

    await eventually(() => seen.length >= 2);
    await eventually(() => caughtUp >= 2);
    expect(seen.map((event) => event.type)).toEqual(['Before', 'After']);
    expect(new Set(seen.map((event) => event.id)).size).toBe(2);
    expect(warnings.some((message) => message.includes('reconnecting'))).toBe(true);
  });

  it('reports the last event on catching up', async () => {
    const { standIn, store } = await openPair();
    expect(isRight(await store.append('s', [newEvent('A'), newEvent('B')], 'no-stream'))).toBe(true);
    standIn.log.writeSystemEvent('$stats-127.0.0.1:2113', '$statsCollected', { 'proc-cpu': 3 });
    const head = await store.headPosition();
    const positions: Array<bigint | undefined> = [];
    const subscription = store.subscribe({ after: 'start', onEvent: () => undefined, onCaughtUp: (position) => positions.push(position) });
    cleanups.push(() => subscription.close());
    await eventually(() => positions.length === 1);

    // The stand-in, like KurrentDB, sends a checkpoint at the end of the log on catching up.
    expect(positions[0]).toBe(head);
    expect(positions[0]).not.toBe(standIn.log.endPosition);
  });

  it('resumes without losing the next event', async () => {
    const { store } = await openPair();
    expect(isRight(await store.append('s', [newEvent('A')], 'no-stream'))).toBe(true);
    let resumeFrom: bigint | undefined;
    const first = store.subscribe({ after: 'start', onEvent: () => undefined, onCaughtUp: (position) => (resumeFrom = position) });
    await eventually(() => resumeFrom !== undefined);
    await first.close();

    expect(isRight(await store.append('s', [newEvent('B')], 0))).toBe(true);
    const seen: string[] = [];
    const second = store.subscribe({ after: resumeFrom!, onEvent: (event) => void seen.push(event.type) });
    cleanups.push(() => second.close());
    await eventually(() => seen.length === 1);
    expect(seen).toEqual(['B']);
  });

  it('skips system events', async () => {
    const { standIn, store } = await openPair();
    expect(isRight(await store.append('s', [newEvent('A')], 'no-stream'))).toBe(true);
    standIn.log.writeSystemEvent('$$s', '$metadata', { $maxAge: 3600 });
    expect(isRight(await store.append('s', [newEvent('B')], 0))).toBe(true);
    const seen: string[] = [];
    let caughtUp = false;
    const subscription = store.subscribe({ after: 'start', onEvent: (event) => void seen.push(event.type), onCaughtUp: () => (caughtUp = true) });
    cleanups.push(() => subscription.close());
    await eventually(() => caughtUp);
    standIn.log.writeSystemEvent('$$s', '$metadata', { $maxAge: 7200 });
    expect(isRight(await store.append('s', [newEvent('C')], 1))).toBe(true);
    await eventually(() => seen.length === 3);
    expect(seen).toEqual(['A', 'B', 'C']);
  });

  it('rejects a position inside an event', async () => {
    const { store } = await openPair();
    expect(isRight(await store.append('s', [newEvent('A'), newEvent('B')], 'no-stream'))).toBe(true);
    const head = (await store.headPosition())!;
    const errors: Error[] = [];
    const subscription = store.subscribe({ after: head - 1n, onEvent: () => undefined, onError: (error) => errors.push(error) });
    cleanups.push(() => subscription.close());
    await eventually(() => errors.length === 1);
    expect(errors[0]).toBeInstanceOf(UnknownPositionError);
    expect(errors[0]!.message).toContain(String(head - 1n));
  });

  it('stops when the handler throws', async () => {
    const { store } = await openPair();
    expect(isRight(await store.append('s', [newEvent('A'), newEvent('B')], 'no-stream'))).toBe(true);
    const seen: string[] = [];
    const errors: Error[] = [];
    const subscription = store.subscribe({
      after: 'start',
      onEvent: (event) => {
        seen.push(event.type);
        throw new Error(`cannot fold ${event.type}`);
      },
      onError: (error) => errors.push(error),
    });
    cleanups.push(() => subscription.close());
    await eventually(() => errors.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(['A']);
    expect(errors[0]!.message).toBe('cannot fold A');
  });
});
