/**
 * The SQLite store's writer thread: large appends are written by a worker on its own connection
 * while the caller goes on, in the order they were made, and a store closes only after the writes
 * made before. The event store contract also runs with every append on the thread
 * (test/contract/sqlite.test.ts).
 */
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError, type AppendRequest } from '../../store/port.js';
import { openSqliteStore, type SqliteStoreOptions } from '../../store/sqlite.js';
import { collect, eventually, newEvent } from '../contract/suite.js';
import { tempFolder } from '../support/temp.js';

async function withWriter(test: (store: ReturnType<typeof openSqliteStore>, file: string) => Promise<void>, options: SqliteStoreOptions = {}): Promise<void> {
  const folder = tempFolder('onsky-writer-');
  const file = join(folder.path, 'events.sqlite');
  const store = openSqliteStore(file, { writerThread: true, ...options });
  try {
    await eventually(() => store.writerThreadRunning, 30_000);
    await test(store, file);
  } finally {
    await store.close();
    folder.remove();
  }
}

function batch(stream: string, count: number, expectedRevision: AppendRequest['expectedRevision'] = 'any'): AppendRequest[] {
  return [{ stream, events: Array.from({ length: count }, (_, index) => newEvent('Counted', { index })), expectedRevision }];
}

describe('SQLite store with a writer thread', () => {
  it('sends appends of 100 events to the thread', () =>
    withWriter(async (store) => {
      const large = await store.appendBatch(batch('large', 100, 'no-stream'));
      expect(store.writesOnThread).toBe(1);
      const small = await store.appendBatch(batch('small', 99, 'no-stream'));
      expect(store.writesOnThread).toBe(1);

      if (!isRight(large) || !isRight(small)) throw new Error('expected both appends to succeed');
      expect(large.right.results[0]).toMatchObject({ nextExpectedRevision: 99, position: 100n, appended: 100, duplicates: 0 });
      expect(small.right.results[0]).toMatchObject({ nextExpectedRevision: 98, position: 199n, appended: 99 });
      const events = await collect(store.readAll());
      expect(events.map((event) => event.position)).toEqual(Array.from({ length: 199 }, (_, index) => BigInt(index + 1)));
      // Record times never go back along the log, whichever connection stamped them.
      const times = events.map((event) => event.metadata.recordedAt);
      expect([...times].sort()).toEqual(times);
    }));

  it('keeps appends in call order', () =>
    withWriter(async (store) => {
      // Not awaited: the next append, written here, expects the stream the thread is writing.
      const first = store.appendBatch(batch('s', 500, 'no-stream'));
      const second = store.append('s', [newEvent('After')], 499);
      expect(isRight(await first)).toBe(true);
      const after = await second;
      if (!isRight(after)) throw new Error(`expected the second append to succeed, got ${after.left.message}`);
      expect(after.right).toMatchObject({ nextExpectedRevision: 500, position: 501n });
      expect(store.writesOnThread).toBe(1);
    }));

  it('reports a conflict from the thread', () =>
    withWriter(async (store) => {
      await store.append('s', [newEvent('First')], 'no-stream');
      const result = await store.appendBatch([...batch('t', 150, 'no-stream'), ...batch('s', 150, 'no-stream')]);
      expect(store.writesOnThread).toBe(1);
      expect(isRight(result) ? undefined : result.left).toMatchObject({ kind: 'WrongExpectedRevision', stream: 's', expected: 'no-stream', actual: 0, requestIndex: 1 });
      expect((await collect(store.readAll())).length).toBe(1);
    }));

  it('stores what toJSON returns', () =>
    withWriter(async (store) => {
      // A copy of the object to the thread would keep its fields and lose the method.
      class Temperature {
        constructor(readonly kelvin: number) {}
        toJSON(): string {
          return `${this.kelvin} K`;
        }
      }
      const events = Array.from({ length: 100 }, (_, index) => newEvent('Measured', { index, temperature: new Temperature(index) }));
      const result = await store.appendBatch([{ stream: 'm', events, expectedRevision: 'no-stream' }]);
      expect(isRight(result)).toBe(true);
      expect(store.writesOnThread).toBe(1);
      const stored = await collect(store.readStream('m'));
      expect(stored[7]?.data).toEqual({ index: 7, temperature: '7 K' });
    }));

  it('stores toJSON of an array', () =>
    withWriter(async (store) => {
      class Range extends Array<number> {
        toJSON(): string {
          return `${this[0]}..${this.at(-1)}`;
        }
      }
      const events = Array.from({ length: 100 }, (_, index) => newEvent('Ranged', { range: Range.of(index, index + 1, index + 2) }));
      expect(isRight(await store.appendBatch([{ stream: 'r', events, expectedRevision: 'no-stream' }]))).toBe(true);
      expect(store.writesOnThread).toBe(1);
      const stored = await collect(store.readStream('r'));
      expect(stored[3]?.data).toEqual({ range: '3..5' });
    }));

  it('writes payloads as checked at the call', () =>
    withWriter(async (store) => {
      // The second append's message waits for the first write, after the caller has changed its data.
      const first = store.appendBatch(batch('a', 500, 'no-stream'));
      const data = Array.from({ length: 100 }, () => ({ value: 'checked', list: [1] }));
      const second = store.appendBatch([{ stream: 'b', events: data.map((payload) => newEvent('Changed', payload)), expectedRevision: 'no-stream' }]);
      for (const payload of data) {
        payload.value = 'changed';
        payload.list.push(Number.NaN);
      }
      expect(isRight(await first)).toBe(true);
      expect(isRight(await second)).toBe(true);
      const stored = await collect(store.readStream('b'));
      expect(stored.every((event) => JSON.stringify(event.data) === '{"value":"checked","list":[1]}')).toBe(true);
    }));

  it('stores a proxied payload', () =>
    withWriter(async (store) => {
      // JSON reads through a Proxy, which a structured clone rejects.
      const events = Array.from({ length: 100 }, (_, index) => newEvent('Proxied', new Proxy({ index, nested: { ok: true } }, {})));
      const result = await store.appendBatch([{ stream: 'p', events, expectedRevision: 'no-stream' }]);
      expect(isRight(result)).toBe(true);
      expect(store.writesOnThread).toBe(1);
      const stored = await collect(store.readStream('p'));
      expect(stored.map((event) => event.data)).toEqual(Array.from({ length: 100 }, (_, index) => ({ index, nested: { ok: true } })));
    }));

  it('finishes a write before closing', async () => {
    const folder = tempFolder('onsky-writer-close-');
    const file = join(folder.path, 'events.sqlite');
    try {
      const store = openSqliteStore(file, { writerThread: true });
      await eventually(() => store.writerThreadRunning, 30_000);
      const written = store.appendBatch(batch('s', 2000, 'no-stream'));
      await store.close();
      expect(isRight(await written)).toBe(true);
      const reopened = openSqliteStore(file);
      expect((await collect(reopened.readStream('s'))).length).toBe(2000);
      await reopened.close();
    } finally {
      folder.remove();
    }
  });

  it('reports a held write lock', () =>
    withWriter(
      async (store, file) => {
        const other = new Database(file);
        other.exec('BEGIN IMMEDIATE');
        const error = await store.appendBatch(batch('s', 200)).catch((caught: unknown) => caught);
        expect(store.writesOnThread).toBe(1);
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect((error as StoreUnavailableError).code).toBe('SQLITE_BUSY');
        expect((error as Error).message).toContain('nothing of this append was written');
        other.exec('ROLLBACK');
        other.close();
        expect(isRight(await store.appendBatch(batch('s', 200)))).toBe(true);
        expect((await collect(store.readStream('s'))).length).toBe(200);
      },
      { busyTimeoutMs: 50 },
    ));

  it('writes here when the thread cannot open the file', async () => {
    const folder = tempFolder('onsky-writer-gone-');
    const file = join(folder.path, 'events.sqlite');
    const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const logger = { info: () => undefined, warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }) };
    try {
      const store = openSqliteStore(file, { writerThread: true, logger });
      // Removed before the worker opens it; the store's own connection keeps the open file.
      rmSync(file);
      await eventually(() => warnings.length > 0, 30_000);
      expect(warnings[0]?.message).toBe('writer thread could not open the store; appends stay on the main connection');
      expect(warnings[0]?.fields).toMatchObject({ file, code: 'SQLITE_CANTOPEN' });
      expect(store.writerThreadRunning).toBe(false);
      expect(isRight(await store.appendBatch(batch('s', 200)))).toBe(true);
      expect(store.writesOnThread).toBe(0);
      expect((await collect(store.readStream('s'))).length).toBe(200);
      await store.close();
    } finally {
      folder.remove();
    }
  });

  it('reports a writer thread that stopped', () =>
    withWriter(async (store) => {
      const written = store.appendBatch(batch('s', 20_000, 'no-stream'));
      // As if the thread died mid-write: the store's handle on it is private.
      await (store as unknown as { writer: { close(): Promise<void> } }).writer.close();
      const error = await written.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).code).toBe('WRITER_STOPPED');
      expect((error as Error).message).toContain('whether the last append was stored is unknown');
      expect(store.writerThreadRunning).toBe(false);
      // Later appends are written on the store's own connection.
      const stored = (await collect(store.readStream('s'))).length;
      expect(isRight(await store.appendBatch(batch('t', 200)))).toBe(true);
      expect(store.writesOnThread).toBe(1);
      expect(stored === 0 || stored === 20_000).toBe(true);
    }));

  it('rejects an injected clock', () => {
    const folder = tempFolder('onsky-writer-clock-');
    try {
      expect(() => openSqliteStore(join(folder.path, 'events.sqlite'), { writerThread: true, now: () => new Date('2019-03-05T00:00:00Z') })).toThrow(
        'writerThread takes record times from the system clock, so it cannot be combined with now',
      );
    } finally {
      folder.remove();
    }
  });
});
