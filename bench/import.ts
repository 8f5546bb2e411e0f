/**
 * import: the end-to-end import rate (parse, map, identity, decide, append) of an archive
 * listing against the store's own append rate for the same events in batches of 1000, in the
 * same run. Ratio = import events/s ÷ append events/s; target 0.8.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importFile } from '../api/imports.js';
import { domainUpcasters } from '../domain/upcasters.js';
import type { AppendRequest, NewEvent } from '../store/port.js';
import { openSqliteStore } from '../store/sqlite.js';
import { median, numberArgument, printResult, round, scratchFolder } from './_support.js';

function writeArchive(file: string, rows: number): void {
  const targets = ['PKS 1934-63', 'J0825-5010', '3C286', 'J2322-2650', 'PKS 0408-65'];
  const lines = ['Proposal ID\tSchedule Block\tStartTime\tTarget/s\tObserver\tDescription'];
  const start = Date.UTC(2019, 0, 1);
  for (let row = 0; row < rows; row++) {
    const time = new Date(start + row * 600_000);
    const day = time.toISOString().slice(0, 10).replace(/-/g, '');
    const stamp = time.toISOString().slice(0, 19).replace('T', ' ');
    lines.push(`20180306SB-02\t${day}-${String(row % 10_000).padStart(4, '0')}\t${stamp}\t${targets[row % targets.length]}\tobserver1\tCOMM-${300 + (row % 50)} delay check ${row}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

export default async function importBench(args: string[]): Promise<void> {
  const rows = numberArgument(args, 'rows', 20_000);
  const repetitions = numberArgument(args, 'repetitions', 3);
  const importRates: number[] = [];
  const appendRates: number[] = [];

  for (let repetition = 0; repetition < repetitions; repetition++) {
    const folder = scratchFolder('import');
    try {
      const file = join(folder.path, 'archive.tsv');
      writeArchive(file, rows);

      // Opened as `onsky import` opens it, with a writer thread.
      const imported = openSqliteStore(join(folder.path, 'imported.sqlite'), { upcasters: domainUpcasters, writerThread: true });
      const started = performance.now();
      const summary = await importFile({ store: imported, format: 'archive', path: file });
      importRates.push(summary.appended / ((performance.now() - started) / 1000));

      // The baseline appends the very events the import wrote, grouped by stream, 1000 a call.
      const events: Array<{ stream: string; event: NewEvent }> = [];
      for (const page of imported.readAllPages()) {
        for (const recorded of page) {
          const { recordedAt: _recordedAt, ...metadata } = recorded.metadata;
          events.push({ stream: recorded.stream, event: { id: recorded.id, type: recorded.type, schemaVersion: recorded.schemaVersion, data: recorded.data, metadata } });
        }
      }
      await imported.close();

      const target = openSqliteStore(join(folder.path, 'appended.sqlite'), { upcasters: domainUpcasters });
      const appendStarted = performance.now();
      for (let offset = 0; offset < events.length; offset += 1000) {
        const requests: AppendRequest[] = [];
        for (const { stream, event } of events.slice(offset, offset + 1000)) {
          const last = requests.at(-1);
          if (last?.stream === stream) (last.events as NewEvent[]).push(event);
          else requests.push({ stream, events: [event], expectedRevision: 'any' });
        }
        await target.appendBatch(requests);
      }
      appendRates.push(events.length / ((performance.now() - appendStarted) / 1000));
      await target.close();
    } finally {
      folder.remove();
    }
  }

  const ratio = median(importRates) / median(appendRates);
  process.stdout.write(`${rows} archive rows: import ${Math.round(median(importRates))} events/s, append ${Math.round(median(appendRates))} events/s\n`);
  printResult({ bench: 'import', ratio: round(ratio), target: 0.8, rows, importPerSecond: Math.round(median(importRates)), appendPerSecond: Math.round(median(appendRates)) });
}
