/**
 * The import index cache: an import continues from the indexes the cache file keeps and folds
 * only the events after them. Whatever the file contains (nothing, an older state, garbage,
 * another log's state, another code version's), the indexes must equal a fold of the whole log.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importFile, indexesFromLog } from '../../api/imports.js';
import type { SessionIndexes } from '../../api/import-index-cache.js';
import { domainUpcasters } from '../../domain/upcasters.js';
import { openEsdbStore } from '../../store/esdb.js';
import type { EventStore } from '../../store/port.js';
import { openSqliteStore, type SqliteEventStore } from '../../store/sqlite.js';
import { EsdbStandIn } from '../support/esdb-standin.js';
import { writeSyntheticHistory } from '../support/synthetic.js';
import { tempFolder } from '../support/temp.js';

let folder: ReturnType<typeof tempFolder>;
let cache: string;
const opened: SqliteEventStore[] = [];

async function syntheticStore(name: string, seed: number): Promise<SqliteEventStore> {
  const store = openSqliteStore(join(folder.path, `${name}.sqlite`), { upcasters: domainUpcasters });
  opened.push(store);
  await writeSyntheticHistory(store, { events: 3000, seed });
  return store;
}

function expectSameIndexes(actual: SessionIndexes, expected: SessionIndexes): void {
  expect(actual.identity).toEqual(expected.identity);
  expect(actual.targets).toEqual(expected.targets);
  expect(actual.features).toEqual(expected.features);
}

/** Imports one archive row with a new schedule block, so the log grows past the cache. */
async function importRow(store: EventStore, day: number): Promise<void> {
  const file = join(folder.path, `archive-${day}.tsv`);
  const date = `2030-01-${String(day).padStart(2, '0')}`;
  writeFileSync(file, `Proposal ID\tSchedule Block\tStartTime\tTarget/s\tObserver\tDescription\n20180306SB-02\t${date.replaceAll('-', '')}-0001\t${date} 00:00:00\tPKS 1934-63\tobserver1\tCOMM-305 check\n`);
  const summary = await importFile({ store, format: 'archive', path: file });
  expect(summary.appended).toBeGreaterThan(0);
}

/** Rewrites the cache's record with `change` applied, with a valid checksum. */
function rewriteCache(change: (record: Record<string, unknown>) => void): void {
  const bytes = readFileSync(cache);
  const record = deserialize(bytes.subarray(65)) as Record<string, unknown>;
  change(record);
  const payload = serialize(record);
  writeFileSync(cache, Buffer.concat([Buffer.from(`${createHash('sha256').update(payload).digest('hex')}\n`), payload]));
}

beforeEach(() => {
  folder = tempFolder('onsky-index-cache-');
  cache = join(folder.path, 'import-indexes.cache');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  folder.remove();
});

describe('import index cache', () => {
  it('is written on first use', async () => {
    const store = await syntheticStore('log', 1);
    expectSameIndexes(await indexesFromLog(store, cache), await indexesFromLog(store));
    expect(existsSync(cache)).toBe(true);
  });

  it('continues after new events', async () => {
    const store = await syntheticStore('log', 1);
    await indexesFromLog(store, cache);
    const written = statSync(cache).mtimeMs;
    await importRow(store, 1);
    await importRow(store, 2);

    const continued = await indexesFromLog(store, cache);
    expectSameIndexes(continued, await indexesFromLog(store));
    expect(continued.identity.resolve({ scheduleBlockId: '20300102-0001' })).toBeDefined();
    // Two events behind is close enough: the file is not rewritten.
    expect(statSync(cache).mtimeMs).toBe(written);
  });

  it('ignores a corrupt file', async () => {
    const store = await syntheticStore('log', 1);
    await indexesFromLog(store, cache);
    const bytes = readFileSync(cache);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10]! + 1) % 256;
    writeFileSync(cache, bytes);
    expectSameIndexes(await indexesFromLog(store, cache), await indexesFromLog(store));
    writeFileSync(cache, 'not a cache');
    expectSameIndexes(await indexesFromLog(store, cache), await indexesFromLog(store));
  });

  it("ignores another log's cache", async () => {
    const first = await syntheticStore('first', 1);
    await indexesFromLog(first, cache);
    const second = await syntheticStore('second', 2);
    expectSameIndexes(await indexesFromLog(second, cache), await indexesFromLog(second));
  });

  it("ignores another store's cache", async () => {
    // Event ids derive from the source record, so the same row imported last into two stores is
    // the same event at the same position, after different histories.
    const first = openSqliteStore(join(folder.path, 'first.sqlite'), { upcasters: domainUpcasters });
    const second = openSqliteStore(join(folder.path, 'second.sqlite'), { upcasters: domainUpcasters });
    opened.push(first, second);
    await importRow(first, 1);
    await importRow(first, 5);
    await indexesFromLog(first, cache);
    await importRow(second, 2);
    await importRow(second, 5);

    const fromSecond = await indexesFromLog(second, cache);
    expectSameIndexes(fromSecond, await indexesFromLog(second));
    expect(fromSecond.identity.resolve({ scheduleBlockId: '20300101-0001' })).toBeUndefined();
  });

  it('ignores the cache of a copied store file', async () => {
    // A copy of a data folder shares the store's random id. The two logs then go on differently,
    // with the same positions and, for the same rows imported, the same event ids.
    const original = openSqliteStore(join(folder.path, 'original.sqlite'), { upcasters: domainUpcasters });
    opened.push(original);
    await importRow(original, 1);
    await original.close();
    opened.pop();
    copyFileSync(join(folder.path, 'original.sqlite'), join(folder.path, 'copy.sqlite'));
    const first = openSqliteStore(join(folder.path, 'original.sqlite'), { upcasters: domainUpcasters });
    const second = openSqliteStore(join(folder.path, 'copy.sqlite'), { upcasters: domainUpcasters });
    opened.push(first, second);
    expect(second.storeId).not.toBe(first.storeId);
    await importRow(first, 3);
    await importRow(first, 5);
    await indexesFromLog(first, cache);
    await importRow(second, 4);
    await importRow(second, 5);

    const fromCopy = await indexesFromLog(second, cache);
    expectSameIndexes(fromCopy, await indexesFromLog(second));
    expect(fromCopy.identity.resolve({ scheduleBlockId: '20300103-0001' })).toBeUndefined();
  });

  it('reads no FIFO or device', async () => {
    const store = await syntheticStore('log', 1);
    execFileSync('mkfifo', [cache]);
    expectSameIndexes(await indexesFromLog(store, cache), await indexesFromLog(store));
    rmSync(cache, { force: true });
    symlinkSync('/dev/zero', cache);
    expectSameIndexes(await indexesFromLog(store, cache), await indexesFromLog(store));
  });

  it('refuses a log a newer onsky wrote', async () => {
    const store = await syntheticStore('log', 1);
    store.database.prepare("UPDATE events SET schema_version = 99 WHERE position = (SELECT min(position) FROM events WHERE type = 'ObservationFactsRecorded')").run();
    await expect(indexesFromLog(store, cache)).rejects.toThrow(/ObservationFactsRecorded schema version 99, but the read models fold version 1; upgrade onsky/);
    expect(existsSync(cache)).toBe(false);
  });

  it('ignores other code', async () => {
    const store = await syntheticStore('log', 1);
    await indexesFromLog(store, cache);
    // A cache of other code that claims an empty index must not be trusted.
    rewriteCache((record) => {
      record.codeVersion = 'other';
      record.identity = { observations: new Map(), byCaptureBlock: new Map(), byScheduleBlock: new Map(), starts: [] };
    });
    expectSameIndexes(await indexesFromLog(store, cache), await indexesFromLog(store));
  });

  it('is used when valid', async () => {
    const store = await syntheticStore('log', 1);
    await indexesFromLog(store, cache);
    // The same tampering with the code version kept: the cache is trusted, and its empty identity index shows.
    rewriteCache((record) => {
      record.identity = { observations: new Map(), byCaptureBlock: new Map(), byScheduleBlock: new Map(), starts: [] };
    });
    const fromCache = await indexesFromLog(store, cache);
    expect(fromCache.identity.toSnapshot().observations.size).toBe(0);
    expect((await indexesFromLog(store)).identity.toSnapshot().observations.size).toBeGreaterThan(0);
  });

  // The EventStoreDB stand-in (a gRPC server in this process) is used because no EventStoreDB
  // server can be installed here. Positions there are log offsets, not row ids.
  it('continues on EventStoreDB', async () => {
    const standIn = await EsdbStandIn.start();
    const store = openEsdbStore(standIn.url, { upcasters: domainUpcasters });
    try {
      await importRow(store, 1);
      await importRow(store, 2);
      expectSameIndexes(await indexesFromLog(store, cache), await indexesFromLog(store));
      rewriteCache((record) => {
        record.identity = { observations: new Map(), byCaptureBlock: new Map(), byScheduleBlock: new Map(), starts: [] };
      });
      await importRow(store, 3);

      // The checkpoint holds on EventStoreDB too: the emptied identity index is continued, and
      // only the third row is folded into it.
      const continued = await indexesFromLog(store, cache);
      expect([...continued.identity.toSnapshot().byScheduleBlock.keys()]).toEqual(['20300103-0001']);
    } finally {
      await store.close();
      await standIn.close();
    }
  });
});
