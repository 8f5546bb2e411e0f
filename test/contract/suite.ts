/**
 * The event-store contract: behaviour every adapter of store/port.ts must show. An adapter's
 * test file calls `eventStoreContract` with a function that opens a fresh, empty log.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js';
import {
  InvalidAppendError,
  UnknownPositionError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '../../store/port.js';
import type { Upcaster } from '../../store/upcast.js';

export interface ContractStoreOptions {
  readonly upcasters?: readonly Upcaster[];
}

export interface OpenedStore {
  readonly store: EventStore;
  /** Closes the store and removes whatever the test created. */
  readonly close: () => Promise<void>;
}

export type OpenStore = (options?: ContractStoreOptions) => Promise<OpenedStore>;

/** Returns arrays nested `levels` deep (`[[]]` is two), for payloads at the store's nesting limit. */
function nested(levels: number): unknown {
  let value: unknown = [];
  for (let level = 1; level < levels; level++) value = [value];
  return value;
}

/** A size JSON writes as a bigint, which its own field is not. */
class Size {
  constructor(readonly bytes: number) {}
  toJSON(): unknown {
    return { bytes: BigInt(this.bytes) };
  }
}

/** A tree JSON writes nested `depth` levels deep, from one number. */
class Tree {
  constructor(readonly depth: number) {}
  toJSON(): unknown {
    return nested(this.depth);
  }
}

/** A value whose toJSON fails. */
class Broken {
  toJSON(): never {
    throw new Error('cannot write this');
  }
}

/** Returns an event whose metadata gives a record time, as a restore does. */
function recordedAt(time: string): NewEvent {
  return newEvent('A', {}, { metadata: { actor: 'restore', recordedAt: time, correlationId: 'c', causationId: 'c' } });
}

export function newEvent(type: string, data: unknown = {}, overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type,
    schemaVersion: 1,
    data,
    metadata: { actor: 'contract-test', correlationId: 'corr-1', causationId: 'cause-1' },
    ...overrides,
  };
}

export async function collect(events: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

function expectRight<L, R>(result: Either<L, R>): R {
  if (isLeft(result)) throw new Error(`expected success, got ${JSON.stringify(result.left)}`);
  return result.right;
}

function expectLeft<L, R>(result: Either<L, R>): L {
  if (isRight(result)) throw new Error(`expected a conflict, got ${JSON.stringify(result.right, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
  return result.left;
}

/** Waits until `condition` holds, checking after each macrotask, for at most `ms` milliseconds. */
export async function eventually(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function eventStoreContract(adapterName: string, open: OpenStore): void {
  async function withStore(test: (store: EventStore) => Promise<void>, options?: ContractStoreOptions): Promise<void> {
    const opened = await open(options);
    try {
      await test(opened.store);
    } finally {
      await opened.close();
    }
  }

  describe(`${adapterName} event store contract`, () => {
    describe('append and read back', () => {
      it('stores the whole envelope', () =>
        withStore(async (store) => {
          const event = newEvent('FeatureProposed', { key: 'CBF-1', title: '1K start-delay correction', scores: [1, 2, 3] }, {
            metadata: {
              actor: 'alice',
              occurredAt: '2019-03-05T16:24:22.230Z',
              correlationId: 'corr-7',
              causationId: 'cause-7',
              source: { importer: 'obslog', file: 'obslog-1551803062.log', locator: '12', digest: 'ab'.repeat(32) },
            },
          });
          const before = new Date().toISOString();
          expectRight(await store.append('feature-CBF-1', [event], 'no-stream'));
          const [read] = await collect(store.readStream('feature-CBF-1'));

          expect(read).toBeDefined();
          expect(read!.id).toBe(event.id);
          expect(read!.stream).toBe('feature-CBF-1');
          expect(read!.revision).toBe(0);
          expect(typeof read!.position).toBe('bigint');
          expect(read!.type).toBe('FeatureProposed');
          expect(read!.schemaVersion).toBe(1);
          expect(read!.data).toEqual({ key: 'CBF-1', title: '1K start-delay correction', scores: [1, 2, 3] });
          expect(read!.metadata.actor).toBe('alice');
          expect(read!.metadata.occurredAt).toBe('2019-03-05T16:24:22.230Z');
          expect(read!.metadata.correlationId).toBe('corr-7');
          expect(read!.metadata.causationId).toBe('cause-7');
          expect(read!.metadata.source).toEqual(event.metadata.source);
          expect(read!.metadata.recordedAt >= before.slice(0, 19)).toBe(true);
        }));

      it('keeps a given recordedAt', () =>
        withStore(async (store) => {
          const event = newEvent('ChangeRecorded', {}, {
            metadata: { actor: 'restore', recordedAt: '2020-01-02T03:04:05.000Z', correlationId: 'c', causationId: 'c' },
          });
          expectRight(await store.append('change-1', [event], 'any'));
          const [read] = await collect(store.readStream('change-1'));
          expect(read!.metadata.recordedAt).toBe('2020-01-02T03:04:05.000Z');
        }));

      it('keeps a given recordedAt with milliseconds', () =>
        withStore(async (store) => {
          // Record times are compared as strings, which orders them only in one form.
          const event = newEvent('ChangeRecorded', {}, {
            metadata: { actor: 'restore', recordedAt: '2020-01-02T05:04:05+02:00', correlationId: 'c', causationId: 'c' },
          });
          expectRight(await store.append('change-1', [event], 'any'));
          const [read] = await collect(store.readStream('change-1'));
          expect(read!.metadata.recordedAt).toBe('2020-01-02T03:04:05.000Z');
        }));

      it('numbers revisions from zero', () =>
        withStore(async (store) => {
          const first = expectRight(await store.append('s-1', [newEvent('A'), newEvent('B')], 'no-stream'));
          expect(first.nextExpectedRevision).toBe(1);
          expect(first.appended).toBe(2);
          const second = expectRight(await store.append('s-1', [newEvent('C')], 1));
          expect(second.nextExpectedRevision).toBe(2);
          const events = await collect(store.readStream('s-1'));
          expect(events.map((event) => event.revision)).toEqual([0, 1, 2]);
          expect(events.map((event) => event.type)).toEqual(['A', 'B', 'C']);
        }));

      it('reads a missing stream as empty', () =>
        withStore(async (store) => {
          expect(await collect(store.readStream('nothing-here'))).toEqual([]);
        }));

      it('reads a stream from a revision', () =>
        withStore(async (store) => {
          expectRight(await store.append('s-2', ['A', 'B', 'C', 'D'].map((type) => newEvent(type)), 'no-stream'));
          const tail = await collect(store.readStream('s-2', { fromRevision: 2 }));
          expect(tail.map((event) => event.type)).toEqual(['C', 'D']);
          const limited = await collect(store.readStream('s-2', { fromRevision: 1, maxCount: 2 }));
          expect(limited.map((event) => event.type)).toEqual(['B', 'C']);
        }));

      it('reads all in global order', () =>
        withStore(async (store) => {
          expectRight(await store.append('a', [newEvent('A1')], 'any'));
          expectRight(await store.append('b', [newEvent('B1'), newEvent('B2')], 'any'));
          expectRight(await store.append('a', [newEvent('A2')], 'any'));
          const all = await collect(store.readAll());
          expect(all.map((event) => event.type)).toEqual(['A1', 'B1', 'B2', 'A2']);
          for (let index = 1; index < all.length; index++) {
            expect(all[index]!.position > all[index - 1]!.position).toBe(true);
          }
          const after = await collect(store.readAll({ after: all[1]!.position }));
          expect(after.map((event) => event.type)).toEqual(['B2', 'A2']);
          const limited = await collect(store.readAll({ maxCount: 3 }));
          expect(limited.map((event) => event.type)).toEqual(['A1', 'B1', 'B2']);
          expect(await store.headPosition()).toBe(all[3]!.position);
        }));

      it('reports no head for an empty log', () =>
        withStore(async (store) => {
          expect(await store.headPosition()).toBeUndefined();
          expect(await collect(store.readAll())).toEqual([]);
        }));

      it('pages through more than a thousand events', () =>
        withStore(async (store) => {
          const events = Array.from({ length: 2500 }, (_, index) => newEvent('Tick', { index }));
          expectRight(await store.append('ticks', events, 'no-stream'));
          const all = await collect(store.readAll());
          expect(all.length).toBe(2500);
          expect(all.map((event) => (event.data as { index: number }).index)).toEqual(events.map((_, index) => index));
          const stream = await collect(store.readStream('ticks'));
          expect(stream.length).toBe(2500);
          expect(stream[2499]!.revision).toBe(2499);
        }));
    });

    describe('expected revision', () => {
      it('rejects a stale exact revision', () =>
        withStore(async (store) => {
          expectRight(await store.append('s', [newEvent('A'), newEvent('B')], 'no-stream'));
          const conflict = expectLeft(await store.append('s', [newEvent('C')], 0));
          expect(conflict.kind).toBe('WrongExpectedRevision');
          expect(conflict.stream).toBe('s');
          expect(conflict.expected).toBe(0);
          expect(conflict.actual).toBe(1);
          expect(conflict.message).toContain('"s"');
          expect((await collect(store.readStream('s'))).length).toBe(2);
        }));

      it('rejects no-stream on an existing stream', () =>
        withStore(async (store) => {
          expectRight(await store.append('s', [newEvent('A')], 'no-stream'));
          const conflict = expectLeft(await store.append('s', [newEvent('B')], 'no-stream'));
          expect(conflict.actual).toBe(0);
        }));

      it('rejects an exact revision on a missing stream', () =>
        withStore(async (store) => {
          const conflict = expectLeft(await store.append('missing', [newEvent('A')], 3));
          expect(conflict.actual).toBe('no-stream');
          expect(await collect(store.readAll())).toEqual([]);
        }));

      it('accepts any revision with any', () =>
        withStore(async (store) => {
          expectRight(await store.append('s', [newEvent('A')], 'any'));
          expectRight(await store.append('s', [newEvent('B')], 'any'));
          expect((await collect(store.readStream('s'))).length).toBe(2);
        }));

      it('lets one of concurrent writers win', () =>
        withStore(async (store) => {
          expectRight(await store.append('race', [newEvent('Start')], 'no-stream'));
          const attempts = await Promise.all(
            Array.from({ length: 10 }, (_, writer) => store.append('race', [newEvent('Won', { writer })], 0)),
          );
          expect(attempts.filter(isRight).length).toBe(1);
          expect(attempts.filter(isLeft).length).toBe(9);
          expect((await collect(store.readStream('race'))).length).toBe(2);
        }));
    });

    describe('idempotent append', () => {
      it('skips events already stored', () =>
        withStore(async (store) => {
          const events = [newEvent('A'), newEvent('B')];
          expectRight(await store.append('s', events, 'no-stream'));
          const again = expectRight(await store.append('s', events, 'no-stream'));
          expect(again.appended).toBe(0);
          expect(again.duplicates).toBe(2);
          expect(again.nextExpectedRevision).toBe(1);
          expect((await collect(store.readAll())).length).toBe(2);
        }));

      it('ignores a stale revision on a retry', () =>
        withStore(async (store) => {
          const event = newEvent('A');
          expectRight(await store.append('s', [event], 'no-stream'));
          expectRight(await store.append('s', [newEvent('B')], 0));
          const retry = expectRight(await store.append('s', [event], 'no-stream'));
          expect(retry.appended).toBe(0);
          expect((await collect(store.readStream('s'))).map((e) => e.type)).toEqual(['A', 'B']);
        }));

      it('writes only the new events of a mixed append', () =>
        withStore(async (store) => {
          const first = newEvent('A');
          expectRight(await store.append('s', [first], 'any'));
          const result = expectRight(await store.append('s', [first, newEvent('B')], 'any'));
          expect(result.appended).toBe(1);
          expect(result.duplicates).toBe(1);
          expect((await collect(store.readStream('s'))).map((e) => e.type)).toEqual(['A', 'B']);
        }));

      it('allows one event id in two streams', () =>
        withStore(async (store) => {
          const id = randomUUID();
          expectRight(await store.append('s-1', [newEvent('A', {}, { id })], 'any'));
          const other = expectRight(await store.append('s-2', [newEvent('A', {}, { id })], 'any'));
          expect(other.appended).toBe(1);
        }));
    });

    describe('invalid input', () => {
      const cases: Array<[string, () => [string, NewEvent[], unknown]]> = [
        ['empty stream name', () => ['', [newEvent('A')], 'any']],
        ['blank stream name', () => ['   ', [newEvent('A')], 'any']],
        ['event without a type', () => ['s', [newEvent('')], 'any']],
        ['unknown revision form', () => ['s', [newEvent('A')], 'latest']],
        ['negative revision', () => ['s', [newEvent('A')], -3]],
        ['fractional revision', () => ['s', [newEvent('A')], 1.5]],
        ['id that is not a UUID', () => ['s', [newEvent('A', {}, { id: 'abc' })], 'any']],
        ['bigint in the payload', () => ['s', [newEvent('A', { size: 10n })], 'any']],
        ['NaN in the payload', () => ['s', [newEvent('A', { offset: Number.NaN })], 'any']],
        ['function in the payload', () => ['s', [newEvent('A', { f: () => 1 })], 'any']],
        ['payload nested 1001 levels deep', () => ['s', [newEvent('A', nested(1001))], 'any']],
        ['payload nested 5000 levels deep', () => ['s', [newEvent('A', nested(5000))], 'any']],
        ['sparse array in the payload', () => ['s', [newEvent('A', { holes: [1, , 3] })], 'any']],
        ['bigint from toJSON', () => ['s', [newEvent('A', { size: new Size(10) })], 'any']],
        ['deep nesting from toJSON', () => ['s', [newEvent('A', { tree: new Tree(5000) })], 'any']],
        ['toJSON that throws', () => ['s', [newEvent('A', { broken: new Broken() })], 'any']],
        ['getter that throws', () => ['s', [newEvent('A', Object.defineProperty({}, 'size', { enumerable: true, get: () => { throw new Error('cannot read size'); } }))], 'any']],
        ['recordedAt that is not ISO 8601', () => ['s', [recordedAt('March 8, 2019')], 'any']],
        ['recordedAt past the year 9999', () => ['s', [recordedAt('+275760-09-13T00:00:00Z')], 'any']],
        ['missing actor', () => ['s', [newEvent('A', {}, { metadata: {} as NewEvent['metadata'] })], 'any']],
      ];

      for (const [name, build] of cases) {
        it(`rejects ${name}`, () =>
          withStore(async (store) => {
            const [stream, events, expected] = build();
            await expect(store.append(stream, events, expected as 'any')).rejects.toBeInstanceOf(InvalidAppendError);
            expect(await collect(store.readAll())).toEqual([]);
          }));
      }

      it('stores 1000 levels of nesting', () =>
        withStore(async (store) => {
          expectRight(await store.append('s', [newEvent('A', nested(1000))], 'any'));
          expect(await collect(store.readAll())).toHaveLength(1);
        }));

      it('stores what toJSON returns', () =>
        withStore(async (store) => {
          // The Date is inside the object; JSON writes only what toJSON returns.
          const when = new Date(0);
          expectRight(await store.append('s', [newEvent('A', { at: { when, toJSON: () => ({ when: when.toISOString() }) } })], 'any'));
          const [stored] = await collect(store.readAll());
          expect(stored?.data).toEqual({ at: { when: '1970-01-01T00:00:00.000Z' } });
        }));

      it('writes nothing when a later event is bad', () =>
        withStore(async (store) => {
          const cyclic: Record<string, unknown> = {};
          cyclic.self = cyclic;
          const error = await store.append('s', [newEvent('A'), newEvent('B', cyclic)], 'any').catch((e: unknown) => e);
          expect(error).toBeInstanceOf(InvalidAppendError);
          expect((error as Error).message).toContain('event 1');
          expect(await collect(store.readAll())).toEqual([]);
        }));
    });

    describe('batch append', () => {
      it('writes every request', () =>
        withStore(async (store) => {
          const result = expectRight(
            await store.appendBatch([
              { stream: 'observation-1', events: [newEvent('ObservationRecorded')], expectedRevision: 'any' },
              { stream: 'observation-2', events: [newEvent('ObservationRecorded'), newEvent('ProductArchived')], expectedRevision: 'no-stream' },
            ]),
          );
          expect(result.results.map((entry) => entry.appended)).toEqual([1, 2]);
          expect((await collect(store.readAll())).length).toBe(3);
        }));

      it('skips duplicates in a re-run', () =>
        withStore(async (store) => {
          const requests = [
            { stream: 'observation-1', events: [newEvent('ObservationRecorded')], expectedRevision: 'any' as const },
            { stream: 'observation-2', events: [newEvent('ObservationRecorded')], expectedRevision: 'any' as const },
          ];
          expectRight(await store.appendBatch(requests));
          const again = expectRight(await store.appendBatch(requests));
          expect(again.results.map((entry) => entry.duplicates)).toEqual([1, 1]);
          expect((await collect(store.readAll())).length).toBe(2);
        }));

      it('reports a conflicting request', () =>
        withStore(async (store) => {
          expectRight(await store.append('taken', [newEvent('A')], 'any'));
          const conflict = expectLeft(
            await store.appendBatch([
              { stream: 'free', events: [newEvent('B')], expectedRevision: 'no-stream' },
              { stream: 'taken', events: [newEvent('C')], expectedRevision: 'no-stream' },
            ]),
          );
          expect(conflict.requestIndex).toBe(1);
          expect(conflict.stream).toBe('taken');
          expect(conflict.actual).toBe(0);
        }));
    });

    describe('upcasting', () => {
      const upcasters: Upcaster[] = [
        {
          type: 'ReviewRecorded',
          fromVersion: 1,
          upcast: (event) => {
            const data = event.data as { level: string };
            return { type: event.type, schemaVersion: 2, data: { level: data.level, reason: null } };
          },
        },
        {
          type: 'ReviewRecorded',
          fromVersion: 2,
          upcast: (event) => ({ type: event.type, schemaVersion: 3, data: { ...(event.data as object), reviewer: 'unknown' } }),
        },
      ];

      it('reads old versions as new', () =>
        withStore(async (store) => {
          expectRight(await store.append('obs', [newEvent('ReviewRecorded', { level: 'inspected' }, { schemaVersion: 1 })], 'any'));
          expectRight(await store.append('obs', [newEvent('ReviewRecorded', { level: 'imaged', reason: 'ok', reviewer: 'bob' }, { schemaVersion: 3 })], 'any'));
          const viaStream = await collect(store.readStream('obs'));
          const viaAll = await collect(store.readAll());
          for (const events of [viaStream, viaAll]) {
            expect(events.map((event) => event.schemaVersion)).toEqual([3, 3]);
            expect(events[0]!.data).toEqual({ level: 'inspected', reason: null, reviewer: 'unknown' });
            expect(events[1]!.data).toEqual({ level: 'imaged', reason: 'ok', reviewer: 'bob' });
          }
        }, { upcasters }));
    });

    describe('subscription', () => {
      it('replays then stays live', () =>
        withStore(async (store) => {
          expectRight(await store.append('s', [newEvent('A'), newEvent('B')], 'any'));
          const seen: string[] = [];
          const caughtUp: Array<bigint | undefined> = [];
          const subscription = store.subscribe({
            after: 'start',
            onEvent: (event) => {
              seen.push(event.type);
            },
            onCaughtUp: (position) => caughtUp.push(position),
          });
          try {
            await eventually(() => caughtUp.length >= 1);
            expect(seen).toEqual(['A', 'B']);
            expectRight(await store.append('t', [newEvent('C')], 'any'));
            await eventually(() => seen.length === 3);
            expect(seen).toEqual(['A', 'B', 'C']);
          } finally {
            await subscription.close();
          }
        }));

      it('resumes after a position', () =>
        withStore(async (store) => {
          expectRight(await store.append('s', [newEvent('A'), newEvent('B'), newEvent('C')], 'any'));
          const all = await collect(store.readAll());
          const seen: string[] = [];
          let caughtUp = false;
          const subscription = store.subscribe({
            after: all[0]!.position,
            onEvent: (event) => {
              seen.push(event.type);
            },
            onCaughtUp: () => {
              caughtUp = true;
            },
          });
          try {
            await eventually(() => caughtUp);
            expect(seen).toEqual(['B', 'C']);
          } finally {
            await subscription.close();
          }
        }));

      it('delivers in order to a slow handler', () =>
        withStore(async (store) => {
          const seen: number[] = [];
          const subscription = store.subscribe({
            after: 'start',
            onEvent: async (event) => {
              await new Promise((resolve) => setTimeout(resolve, 1));
              seen.push((event.data as { index: number }).index);
            },
          });
          try {
            for (let index = 0; index < 20; index++) {
              expectRight(await store.append(`s-${index % 3}`, [newEvent('Tick', { index })], 'any'));
            }
            await eventually(() => seen.length === 20);
            expect(seen).toEqual(Array.from({ length: 20 }, (_, index) => index));
          } finally {
            await subscription.close();
          }
        }));

      it('rejects an unknown start position', () =>
        withStore(async (store) => {
          expectRight(await store.append('s', [newEvent('A')], 'any'));
          const head = (await store.headPosition())!;
          const errors: Error[] = [];
          const seen: string[] = [];
          const subscription = store.subscribe({
            after: head + 1_000_000n,
            onEvent: (event) => {
              seen.push(event.type);
            },
            onError: (error) => errors.push(error),
          });
          try {
            await eventually(() => errors.length === 1);
            expect(errors[0]).toBeInstanceOf(UnknownPositionError);
            expect(seen).toEqual([]);
          } finally {
            await subscription.close();
          }
        }));

      it('stops after close', () =>
        withStore(async (store) => {
          const seen: string[] = [];
          let caughtUp = false;
          const subscription = store.subscribe({
            after: 'start',
            onEvent: (event) => {
              seen.push(event.type);
            },
            onCaughtUp: () => {
              caughtUp = true;
            },
          });
          await eventually(() => caughtUp);
          await subscription.close();
          expectRight(await store.append('s', [newEvent('Late')], 'any'));
          await new Promise((resolve) => setTimeout(resolve, 100));
          expect(seen).toEqual([]);
        }));
    });
  });
}
