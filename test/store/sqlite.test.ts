import Database from 'better-sqlite3';
import { join } from 'node:path';
import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/sqlite.js';
import { collect, eventually, newEvent } from '../contract/suite.js';
import { exited, spawnTypeScript } from '../support/processes.js';
import { tempFolder } from '../support/temp.js';

function withFile<T>(test: (file: string) => Promise<T>): Promise<T> {
  const folder = tempFolder('onsky-sqlite-');
  return test(join(folder.path, 'events.sqlite')).finally(() => folder.remove());
}

describe('SQLite store', () => {
  it('keeps positions past 2^53 exact', () =>
    withFile(async (file) => {
      const store = openSqliteStore(file);
      await store.append('s', [newEvent('A')], 'any');
      // Move the log's head far past Number.MAX_SAFE_INTEGER; rowids continue from the maximum.
      const start = 2n ** 53n + 10n;
      store.database.prepare('UPDATE events SET position = ? WHERE position = 1').run(start);
      await store.append('s', [newEvent('B'), newEvent('C')], 'any');

      const events = await collect(store.readAll());
      expect(events.map((event) => event.position)).toEqual([start, start + 1n, start + 2n]);
      expect(await store.headPosition()).toBe(start + 2n);
      const after = await collect(store.readAll({ after: start + 1n }));
      expect(after.map((event) => event.type)).toEqual(['C']);
      await store.close();
    }));

  it('reads only the types asked for', () =>
    withFile(async (file) => {
      const store = openSqliteStore(file);
      await store.append('s', [newEvent('A', { n: 1 }), newEvent('B', { n: 2 }), newEvent('C', { n: 3 })], 'any');
      await store.append('t', [newEvent('A', { n: 4 }), newEvent('B', { n: 5 })], 'any');

      const pages = [...store.readAllPagesOfTypes(['A', 'C'], 0n, 2)];
      expect(pages.map((page) => page.map((event) => [event.stream, event.type, event.data, event.position]))).toEqual([
        [['s', 'A', { n: 1 }, 1n], ['s', 'C', { n: 3 }, 3n]],
        [['t', 'A', { n: 4 }, 4n]],
      ]);
      expect([...store.readAllPagesOfTypes(['A'], 1n)].flat().map((event) => event.data)).toEqual([{ n: 4 }]);
      expect([...store.readAllPagesOfTypes([])].flat()).toEqual([]);

      // Past 2^53 the page is read again with exact positions.
      const start = 2n ** 53n + 10n;
      store.database.prepare('UPDATE events SET position = ? WHERE position = 5').run(start);
      expect([...store.readAllPagesOfTypes(['B'], 2n)].flat().map((event) => event.position)).toEqual([start]);
      await store.close();
    }));

  it('survives reopening', () =>
    withFile(async (file) => {
      const first = openSqliteStore(file);
      await first.append('s', [newEvent('A'), newEvent('B')], 'no-stream');
      await first.close();
      const second = openSqliteStore(file);
      const result = await second.append('s', [newEvent('C')], 1);
      expect(isRight(result)).toBe(true);
      expect((await collect(second.readStream('s'))).map((event) => event.type)).toEqual(['A', 'B', 'C']);
      await second.close();
    }));

  it('refuses a file from a newer onsky', () =>
    withFile(async (file) => {
      await openSqliteStore(file).close();
      const db = new Database(file);
      db.prepare(`UPDATE store_info SET value = '99' WHERE key = 'schema_version'`).run();
      db.close();
      expect(() => openSqliteStore(file)).toThrow(/newer onsky \(store format 99.*upgrade onsky/);
    }));

  it('never lets recordedAt go backwards', () =>
    withFile(async (file) => {
      let clock = new Date('2024-05-01T12:00:00.000Z');
      const store = openSqliteStore(file, { now: () => clock });
      await store.append('s', [newEvent('A')], 'any');
      clock = new Date('2024-04-30T00:00:00.000Z');
      await store.append('s', [newEvent('B')], 'any');
      const events = await collect(store.readAll());
      expect(events.map((event) => event.metadata.recordedAt)).toEqual(['2024-05-01T12:00:00.000Z', '2024-05-01T12:00:00.000Z']);

      const restored = newEvent('C', {}, { metadata: { actor: 'restore', recordedAt: '2020-01-01T00:00:00.000Z', correlationId: 'c', causationId: 'c' } });
      await expect(store.append('s', [restored], 'any')).rejects.toThrow(/earlier than the last recorded event/);
      await store.close();
    }));

  it('stores given record times with milliseconds', () =>
    withFile(async (file) => {
      const store = openSqliteStore(file);
      const at = (recordedAt: string) => ({ metadata: { actor: 'restore', recordedAt, correlationId: 'c', causationId: 'c' } });
      // As strings, "…08:00:00.500Z" sorts before "…08:00:00Z", although it is half a second later.
      await store.append('s', [newEvent('A', {}, at('2019-03-01T08:00:00Z'))], 'any');
      await store.append('s', [newEvent('B', {}, at('2019-03-01T08:00:00.500Z'))], 'any');
      await store.append('s', [newEvent('C', {}, at('2019-03-01T08:00:01+00:00'))], 'any');
      const events = await collect(store.readAll());
      expect(events.map((event) => event.metadata.recordedAt)).toEqual(['2019-03-01T08:00:00.000Z', '2019-03-01T08:00:00.500Z', '2019-03-01T08:00:01.000Z']);
      expect(events[0]!.metadata).toMatchObject({ actor: 'restore', correlationId: 'c' });
      const asOf = await collect(store.readAllUntil('2019-03-01T08:00:00.250Z'));
      expect(asOf.map((event) => event.type)).toEqual(['A']);
      await store.close();
    }));

  it('reads the log as of a time', () =>
    withFile(async (file) => {
      let clock = new Date('2024-05-01T00:00:00.000Z');
      const store = openSqliteStore(file, { now: () => clock });
      await store.append('s', [newEvent('May')], 'any');
      clock = new Date('2024-06-01T00:00:00.000Z');
      await store.append('s', [newEvent('June')], 'any');
      const asOf = await collect(store.readAllUntil('2024-05-15T00:00:00.000Z'));
      expect(asOf.map((event) => event.type)).toEqual(['May']);
      await store.close();
    }));

  it('wakes subscriptions on writes by another process', () =>
    withFile(async (file) => {
      const store = openSqliteStore(file);
      const seen: string[] = [];
      let caughtUp = false;
      const subscription = store.subscribe({
        after: 'start',
        onEvent: (event) => {
          seen.push(event.stream);
        },
        onCaughtUp: () => {
          caughtUp = true;
        },
      });
      await eventually(() => caughtUp);
      const writer = spawnTypeScript('test/support/store-worker.ts', ['race', file, '0', '3']);
      // The worker starts appending on the first line it reads.
      writer.stdin.write('go\n');
      expect(await exited(writer)).toBe(0);
      const writtenAt = Date.now();
      await eventually(() => seen.length === 3, 10_000);
      // The folder watch should wake the subscription well before the fallback check (3 s).
      expect(Date.now() - writtenAt).toBeLessThan(2500);
      expect(seen).toEqual(['race', 'race', 'race']);
      await subscription.close();
      await store.close();
    }));

  it('checkpoints a WAL past its threshold', () =>
    withFile(async (file) => {
      const warnings: Array<Record<string, unknown>> = [];
      const logger = { info: () => undefined, warn: (fields: Record<string, unknown>) => warnings.push(fields) };
      const store = openSqliteStore(file, { logger, walWarnBytes: 64 * 1024 });
      // A reader held open across the appends stops automatic checkpoints from resetting the WAL.
      const reader = new Database(file, { readonly: true });
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM events').get();
      for (let index = 0; index < 70; index++) {
        await store.append(`s-${index}`, [newEvent('Big', { padding: 'x'.repeat(5000) })], 'any');
      }
      reader.exec('COMMIT');
      reader.close();
      expect(warnings.length).toBeGreaterThan(0);
      expect(warnings[0]!.walBytes as number).toBeGreaterThan(64 * 1024);
      await store.close();
    }));
});
