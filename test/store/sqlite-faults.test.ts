import { join } from 'node:path';
import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../store/port.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { collect, newEvent } from '../contract/suite.js';
import { tempFolder } from '../support/temp.js';

async function withStore(test: (store: ReturnType<typeof openSqliteStore>) => Promise<void>): Promise<void> {
  const folder = tempFolder('onsky-faults-');
  const store = openSqliteStore(join(folder.path, 'events.sqlite'));
  try {
    await test(store);
  } finally {
    await store.close();
    folder.remove();
  }
}

describe('SQLite store faults', () => {
  it('reports a full disk and keeps reading', () =>
    withStore(async (store) => {
      await store.append('s', [newEvent('Before')], 'any');
      const pages = store.database.pragma('page_count', { simple: true }) as number;
      // SQLite's own size limit raises the same SQLITE_FULL a full disk does.
      store.database.pragma(`max_page_count = ${pages + 1}`);

      const big = Array.from({ length: 20 }, (_, index) => newEvent('Big', { index, padding: 'x'.repeat(20_000) }));
      const error = await store.append('s', big, 'any').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).code).toBe('SQLITE_FULL');
      expect((error as Error).message).toContain('free space and retry');
      expect((error as Error).message).toContain('nothing of this append was written');

      const events = await collect(store.readAll());
      expect(events.map((event) => event.type)).toEqual(['Before']);

      store.database.pragma('max_page_count = 1073741823');
      expect(isRight(await store.append('s', big, 'any'))).toBe(true);
      expect((await collect(store.readStream('s'))).length).toBe(21);
    }));

  it('reports a read-only store', () =>
    withStore(async (store) => {
      await store.append('s', [newEvent('Before')], 'any');
      store.database.pragma('query_only = ON');
      const error = await store.appendBatch([{ stream: 't', events: [newEvent('After')], expectedRevision: 'any' }]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).code).toBe('SQLITE_READONLY');
      expect((await collect(store.readAll())).length).toBe(1);
    }));
});
