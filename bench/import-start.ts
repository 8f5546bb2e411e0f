/**
 * import-start: how long an import of one archive row into a large log takes, with the import
 * index cache (import-indexes.cache) against without it, in the same run on a copy of the same
 * synthetic log (default 1M events). Without the cache every import folds the log into its
 * indexes first. Ratio = median time with the cache / median time without; our own target 0.25.
 * `npm run bench -- import-start [--events N] [--repetitions R]`
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importFile } from '../api/imports.js';
import { domainUpcasters } from '../domain/upcasters.js';
import { openSqliteStore, type SqliteEventStore } from '../store/sqlite.js';
import { syntheticStoreFile } from './rebuild.js';
import { median, numberArgument, printResult, round, scratchFolder } from './_support.js';

/** Imports one archive row with a schedule block no other row has; returns the milliseconds taken. */
async function importOneRow(store: SqliteEventStore, folder: string, row: number, indexCacheFile?: string): Promise<number> {
  const file = join(folder, `row-${row}.tsv`);
  const day = String(1 + (row % 28)).padStart(2, '0');
  writeFileSync(file, `Proposal ID\tSchedule Block\tStartTime\tTarget/s\tObserver\tDescription\n20180306SB-02\t203001${day}-${String(row).padStart(4, '0')}\t2030-01-${day} ${String(row % 24).padStart(2, '0')}:00:00\tPKS 1934-63\tobserver1\tbench row ${row}\n`);
  const started = performance.now();
  const summary = await importFile({ store, format: 'archive', path: file, ...(indexCacheFile === undefined ? {} : { indexCacheFile }) });
  const ms = performance.now() - started;
  if (summary.appended === 0) throw new Error(`row ${row} appended nothing; the benchmark expects a new observation each time`);
  return ms;
}

export default async function importStartBench(args: string[]): Promise<void> {
  const events = numberArgument(args, 'events', 1_000_000);
  const repetitions = numberArgument(args, 'repetitions', 3);
  const source = await syntheticStoreFile(events);
  const folder = scratchFolder('import-start');
  try {
    const file = join(folder.path, 'events.sqlite');
    copyFileSync(source, file);
    const store = openSqliteStore(file, { upcasters: domainUpcasters });
    const cacheFile = join(folder.path, 'import-indexes.cache');
    try {
      let row = 0;
      // The first import with the cache folds the log and writes it; later ones start from it.
      const firstWithCache = await importOneRow(store, folder.path, row++, cacheFile);
      const without: number[] = [];
      const withCache: number[] = [];
      for (let repetition = 0; repetition < repetitions; repetition++) {
        without.push(await importOneRow(store, folder.path, row++));
        withCache.push(await importOneRow(store, folder.path, row++, cacheFile));
      }
      const ratio = median(withCache) / median(without);
      process.stdout.write(`one row into ${events} events: ${Math.round(median(without))} ms without the cache, ${Math.round(median(withCache))} ms with it (writing it first took ${Math.round(firstWithCache)} ms)\n`);
      printResult({
        bench: 'import-start',
        ratio: round(ratio),
        target: 0.25,
        events,
        withoutCacheMs: Math.round(median(without)),
        withCacheMs: Math.round(median(withCache)),
        firstWithCacheMs: Math.round(firstWithCache),
      });
    } finally {
      await store.close();
    }
  } finally {
    folder.remove();
  }
}
