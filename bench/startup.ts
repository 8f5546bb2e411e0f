/**
 * startup: starting the projections from a snapshot against a full rebuild from the same
 * synthetic log (default 1M events), in the same run. The ratio is snapshot-start time /
 * rebuild time (target 0.1).
 */
import { join } from 'node:path';
import { domainUpcasters } from '../domain/upcasters.js';
import { startProjections, type StartReport } from '../projections/runtime.js';
import { openSqliteStore } from '../store/sqlite.js';
import { syntheticStoreFile } from './rebuild.js';
import { median, numberArgument, printResult, round, scratchFolder } from './_support.js';

async function timeStart(file: string, snapshotFile?: string): Promise<{ ms: number; report: StartReport }> {
  const store = openSqliteStore(file, { upcasters: domainUpcasters });
  const started = performance.now();
  const projections = startProjections(store, { snapshotFile, snapshotEveryEvents: Number.MAX_SAFE_INTEGER });
  const report = await projections.ready;
  const ms = performance.now() - started;
  await projections.close();
  await store.close();
  return { ms, report };
}

export default async function startupBench(args: string[]): Promise<void> {
  const events = numberArgument(args, 'events', 1_000_000);
  const repetitions = numberArgument(args, 'repetitions', 3);
  const file = await syntheticStoreFile(events);
  const folder = scratchFolder('startup');
  try {
    const snapshotFile = join(folder.path, 'projections.snapshot');
    // The first start rebuilds and, on close, writes the snapshot the timed starts read.
    const first = await timeStart(file, snapshotFile);
    if (first.report.source !== 'rebuild') throw new Error('the first start was expected to rebuild');

    const rebuilt: number[] = [];
    const restored: number[] = [];
    for (let repetition = 0; repetition < repetitions; repetition++) {
      rebuilt.push((await timeStart(file)).ms);
      const fromSnapshot = await timeStart(file, snapshotFile);
      if (fromSnapshot.report.source !== 'snapshot') throw new Error(`start did not use the snapshot: ${fromSnapshot.report.reason}`);
      restored.push(fromSnapshot.ms);
    }
    const ratio = median(restored) / median(rebuilt);
    process.stdout.write(`start from snapshot ${Math.round(median(restored))} ms, rebuild ${Math.round(median(rebuilt))} ms\n`);
    printResult({ bench: 'startup', ratio: round(ratio), target: 0.1, events, snapshotMs: Math.round(median(restored)), rebuildMs: Math.round(median(rebuilt)) });
  } finally {
    folder.remove();
  }
}
