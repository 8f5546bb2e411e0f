/** `onsky rebuild`: discards the read models' snapshot and folds them again from the log. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA_FILES } from '../api/data-files.js';
import { startProjections } from '../projections/index.js';
import { parse } from './log.js';
import { dataFolder, openStore, prepareDataFolder, storeLocation } from './options.js';

export async function runRebuild(argv: string[]): Promise<void> {
  const { values } = parse(argv, {}, 'rebuild [--data DIR] [--store URL]');
  const folder = prepareDataFolder(dataFolder(values.data));
  const snapshotFile = join(folder, DATA_FILES.snapshot);
  await rm(snapshotFile, { force: true });

  const store = openStore(storeLocation(values.store, folder));
  const started = performance.now();
  const projections = startProjections(store, { snapshotFile });
  try {
    const report = await projections.ready;
    projections.snapshot();
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(`rebuilt the read models from ${report.eventsReplayed} events in ${seconds.toFixed(1)} s; snapshot written to ${snapshotFile}\n`);
  } finally {
    await projections.close();
    await store.close();
  }
}
