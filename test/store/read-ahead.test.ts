/**
 * Reading the log ahead on a worker thread (`readAllPagesAhead`): the same events, pages and
 * upcasting as the reads on the main thread, exact positions past 2^53, an early stop, and a
 * clear error when the worker cannot read the file. Real SQLite files and real worker threads.
 */
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreReadError, type FoldEvent, type RecordedEvent } from '../../store/port.js';
import { openSqliteStore, type SqliteEventStore } from '../../store/sqlite.js';
import type { Upcaster } from '../../store/upcast.js';
import { newEvent } from '../contract/suite.js';
import { tempFolder } from '../support/temp.js';

/** Version 1 of `Renamed` carried `old`; version 2 calls it `value`. */
const renamed: Upcaster = {
  type: 'Renamed',
  fromVersion: 1,
  upcast: (event) => ({ ...event, schemaVersion: 2, data: { value: (event.data as { old: number }).old } }),
};

async function withStore(test: (store: SqliteEventStore, file: string) => Promise<void>, readAheadMinEvents = 0): Promise<void> {
  const folder = tempFolder('onsky-read-ahead-');
  const file = join(folder.path, 'events.sqlite');
  const store = openSqliteStore(file, { upcasters: [renamed], readAheadMinEvents });
  try {
    await test(store, file);
  } finally {
    await store.close();
    folder.remove();
  }
}

/** Appends `count` events over several streams, every tenth of them an old `Renamed` version. */
async function fill(store: SqliteEventStore, count: number): Promise<void> {
  for (let start = 0; start < count; start += 100) {
    const events = Array.from({ length: Math.min(100, count - start) }, (_, offset) => {
      const n = start + offset;
      return n % 10 === 0 ? newEvent('Renamed', { old: n }) : newEvent('Counted', { n, text: `event ${n} ü` });
    });
    await store.append(`stream-${start % 700}`, events, 'any');
  }
}

async function pagesAhead(store: SqliteEventStore, after?: bigint, pageSize?: number): Promise<RecordedEvent[][]> {
  const pages: RecordedEvent[][] = [];
  for await (const page of store.readAllPagesAhead(after, pageSize)) pages.push(page);
  return pages;
}

describe('reading the log ahead on a worker thread', () => {
  it('yields the pages the main thread reads, upcast', () =>
    withStore(async (store) => {
      await fill(store, 2_345);
      const expected = [...store.readAllPages(0n, 300)];
      const read = await pagesAhead(store, 0n, 300);
      expect(read.map((page) => page.length)).toEqual(expected.map((page) => page.length));
      expect(read).toEqual(expected);
      const renamedEvents = read.flat().filter((event) => event.type === 'Renamed');
      expect(renamedEvents[3]).toMatchObject({ schemaVersion: 2, data: { value: 30 } });

      const tail = await pagesAhead(store, 2_000n, 300);
      expect(tail.flat().map((event) => event.position)).toEqual(expected.flat().slice(2_000).map((event) => event.position));
    }));

  it('hands folds only the record time of the metadata', () =>
    withStore(async (store) => {
      await fill(store, 1_234);
      const expected = [...store.readAllPages(0n, 300)].flat().map(({ metadata, ...event }) => ({ ...event, metadata: { recordedAt: metadata.recordedAt } }));
      const read: FoldEvent[] = [];
      for await (const page of store.readFoldPagesAhead(0n, 300)) read.push(...page);
      expect(read).toEqual(expected);
      expect(read[0]!.metadata.recordedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }));

  it('ends at once on an empty log and after the head', () =>
    withStore(async (store) => {
      expect(await pagesAhead(store)).toEqual([]);
      await fill(store, 5);
      expect(await pagesAhead(store, 5n)).toEqual([]);
    }));

  it('keeps positions past 2^53 exact', () =>
    withStore(async (store) => {
      await store.append('s', [newEvent('A')], 'any');
      const start = 2n ** 53n + 10n;
      store.database.prepare('UPDATE events SET position = ? WHERE position = 1').run(start);
      await store.append('s', [newEvent('B'), newEvent('C')], 'any');
      const read = (await pagesAhead(store, 0n)).flat();
      expect(read.map((event) => [event.type, event.position])).toEqual([
        ['A', start],
        ['B', start + 1n],
        ['C', start + 2n],
      ]);
    }));

  it('stops its worker on an early stop', () =>
    withStore(async (store) => {
      await fill(store, 1_000);
      const before = process.getActiveResourcesInfo().length;
      for await (const page of store.readAllPagesAhead(0n, 100)) {
        expect(page).toHaveLength(100);
        break;
      }
      // The worker's handles are gone once the early return has terminated it.
      expect(process.getActiveResourcesInfo().length).toBeLessThanOrEqual(before);
      expect((await pagesAhead(store, 900n, 100)).flat()).toHaveLength(100);
    }));

  it('names the file it cannot open', () =>
    withStore(async (store, file) => {
      await fill(store, 300);
      // The store's own connection keeps the deleted file open; the worker opens it by name.
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      const failure = pagesAhead(store);
      await expect(failure).rejects.toBeInstanceOf(StoreReadError);
      await expect(failure).rejects.toThrow(`cannot read the event store ${file}: `);
      await expect(failure).rejects.toThrow(/; check that the file exists and is readable, and restart onsky if it was moved or replaced$/);
    }));

  it('refuses a file replaced since the store opened it', () =>
    withStore(async (store, file) => {
      await fill(store, 300);
      const other = openSqliteStore(`${file}.other`);
      await fill(other, 20);
      await other.close();
      renameSync(`${file}.other`, file);
      const failure = pagesAhead(store);
      await expect(failure).rejects.toMatchObject({ name: 'StoreReadError', code: 'STORE_REPLACED' });
      await expect(failure).rejects.toThrow(`cannot read the event store ${file}: the file was replaced or moved since onsky opened it; restart onsky to read the file now at that path`);
    }));

  it('fails a read the store closes under it', () =>
    withStore(async (store) => {
      await fill(store, 1_000);
      const reading = store.readAllPagesAhead(0n, 100)[Symbol.asyncIterator]();
      expect((await reading.next()).value).toHaveLength(100);
      // The store closes its worker; the read's own close afterwards must not hang it.
      await store.close();
      await expect(reading.next()).rejects.toMatchObject({ name: 'StoreReadError', code: 'STORE_CLOSED' });
    }));

  it('fails a read waiting for a page when the store closes', () =>
    withStore(async (store) => {
      await fill(store, 1_000);
      const reading = store.readAllPagesAhead(0n, 100)[Symbol.asyncIterator]();
      const waiting = reading.next();
      const closed = store.close();
      await expect(waiting).rejects.toMatchObject({ name: 'StoreReadError', code: 'STORE_CLOSED' });
      await closed;
    }));

  it('reads an event whose stream row is missing as the main thread does', () =>
    withStore(async (store) => {
      await fill(store, 300);
      // A damaged or hand-edited store: the foreign key that guards the row is off for the edit.
      store.database.pragma('foreign_keys = OFF');
      store.database.prepare("DELETE FROM streams WHERE name = 'stream-100'").run();
      store.database.pragma('foreign_keys = ON');
      const expected = [...store.readAllPages(0n, 100)].flat();
      const read = (await pagesAhead(store, 0n, 100)).flat();
      expect(read).toHaveLength(300);
      expect(read.map((event) => [event.position, event.stream])).toEqual(expected.map((event) => [event.position, event.stream]));
    }));

  it('reads on the main thread beside two running workers', () =>
    withStore(async (store, file) => {
      await fill(store, 300);
      const first = store.readAllPagesAhead(0n, 100)[Symbol.asyncIterator]();
      const second = store.readAllPagesAhead(0n, 100)[Symbol.asyncIterator]();
      expect((await first.next()).value).toHaveLength(100);
      expect((await second.next()).value).toHaveLength(100);
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      // A third reader would start a worker, which cannot open the deleted file; it reads here.
      expect((await pagesAhead(store)).flat()).toHaveLength(300);
      await first.return?.();
      await second.return?.();
    }));

  it('reads a log shorter than the threshold on the main thread', () =>
    withStore(async (store, file) => {
      await fill(store, 300);
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      // Only the store's open connection can still read the deleted file, so these pages prove
      // that no worker was started.
      expect((await pagesAhead(store)).flat()).toHaveLength(300);
    }, 1_000));
});
