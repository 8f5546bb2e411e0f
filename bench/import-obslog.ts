/**
 * import-obslog: the end-to-end import of a generated observation-script log (parse, map,
 * decide, append) against the parser alone reading the same file, in the same run. Ratio =
 * import MB/s ÷ parser MB/s; our own goal is 0.5, so that an import costs at most twice the
 * parse. `npm run bench -- import-obslog [--size-mb N] [--repetitions N]` (default 200 MB, 3).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { importFile } from '../api/imports.js';
import { domainUpcasters } from '../domain/upcasters.js';
import { openSqliteStore } from '../store/sqlite.js';
import { median, numberArgument, printResult, round, scratchFolder } from './_support.js';
import { parseAllBatches, writeLog } from './import-parse.js';

const MB = 1024 * 1024;

export default async function importObslogBench(args: string[]): Promise<void> {
  const sizeMb = numberArgument(args, 'size-mb', 200);
  const repetitions = numberArgument(args, 'repetitions', 3);
  const folder = scratchFolder('import-obslog');
  try {
    const file = join(folder.path, 'obslog.log');
    await writeLog(file, sizeMb * MB);
    const megabytes = (await stat(file)).size / MB;
    // Warms the page cache, so that both timed passes read from memory.
    await parseAllBatches(file);

    const parseRates: number[] = [];
    const importRates: number[] = [];
    let appended = 0;
    for (let repetition = 0; repetition < repetitions; repetition++) {
      const parseStarted = performance.now();
      await parseAllBatches(file);
      parseRates.push(megabytes / ((performance.now() - parseStarted) / 1000));

      const store = openSqliteStore(join(folder.path, `imported-${repetition}.sqlite`), { upcasters: domainUpcasters });
      try {
        const started = performance.now();
        const summary = await importFile({ store, format: 'obslog', path: file });
        importRates.push(megabytes / ((performance.now() - started) / 1000));
        appended = summary.appended;
      } finally {
        await store.close();
      }
    }

    const ratio = median(importRates) / median(parseRates);
    process.stdout.write(`${round(megabytes)} MB obslog: import ${round(median(importRates))} MB/s (${appended} events), parser alone ${round(median(parseRates))} MB/s\n`);
    printResult({ bench: 'import-obslog', ratio: round(ratio), target: 0.5, sizeMB: round(megabytes), importMBps: round(median(importRates)), parserMBps: round(median(parseRates)), appended });
  } finally {
    folder.remove();
  }
}
