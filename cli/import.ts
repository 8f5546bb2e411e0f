/**
 * `onsky import <format|auto> <files…>`: imports files into the store with a progress line on a
 * terminal and a summary at the end. `--json` prints the summary as one JSON object instead.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_FILES } from '../api/data-files.js';
import { DryRunLog, importFile, rejectBinary, type ImportSummary } from '../api/imports.js';
import { detectFormat, FORMATS, type ImportFormat } from '../importers/detect.js';
import type { ImportWarning } from '../importers/types.js';
import { describeFailure, ReportedFailure } from './failure.js';
import { parse } from './log.js';
import { dataFolder, isStoreUrl, openStore, storeLocation, UsageError } from './options.js';

const USAGE = `import <format|auto> <files…> [--dry-run] [--strict] [--json] [--data DIR] [--store URL]
  formats: ${FORMATS.join(', ')}, or auto to detect each file's format`;

/** Warnings printed in the human summary; `--json` always lists every one. */
const SHOWN_WARNINGS = 20;

export async function runImport(argv: string[]): Promise<void> {
  try {
    await importFiles(argv);
  } catch (error) {
    if (!argv.includes('--json')) throw error;
    // With --json, a user's mistake is also one JSON object on standard output. A bug (exit 1)
    // still prints its stack on standard error after that object.
    const failure = describeFailure(error);
    const { exitCode: _exitCode, detail: _detail, ...fields } = failure;
    process.stdout.write(`${JSON.stringify({ error: fields })}\n`);
    throw new ReportedFailure(failure);
  }
}

async function importFiles(argv: string[]): Promise<void> {
  const { values, positionals } = parse(
    argv,
    { 'dry-run': { type: 'boolean' }, strict: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
    USAGE,
  );
  if (values.help === true) {
    process.stdout.write(`usage: onsky ${USAGE}\n`);
    return;
  }
  const [formatName, ...files] = positionals;
  if (formatName === undefined || files.length === 0) throw new UsageError(`name a format and at least one file; usage: onsky ${USAGE}`);
  if (formatName !== 'auto' && !(FORMATS as readonly string[]).includes(formatName)) {
    throw new UsageError(`unknown format "${formatName}"; use one of ${FORMATS.join(', ')} or auto`);
  }

  // Every file is checked before the first is imported, so a typo in the last name does not
  // leave the import half done.
  const formats: ImportFormat[] = [];
  for (const file of files) formats.push(await formatOf(formatName, file));

  const dryRun = values['dry-run'] === true;
  const location = storeLocation(values.store, dataFolder(values.data));
  // A dry run must leave no trace, so a store that does not exist yet is not created for it:
  // the dry run decides against an empty log in a scratch folder instead.
  const scratch = dryRun && !isStoreUrl(location) && !existsSync(location) ? mkdtempSync(join(tmpdir(), 'onsky-dry-run-')) : undefined;
  if (scratch !== undefined) process.stderr.write(`onsky import: no store at ${location} yet, so the dry run decides against an empty log\n`);
  // A real import writes on a second thread while it decides the next batch; a dry run writes nothing.
  const store = openStore(scratch === undefined ? location : join(scratch, 'events.sqlite'), undefined, { writerThread: !dryRun });
  const dryRunLog = dryRun ? new DryRunLog() : undefined;
  // The index cache lives beside a store in the data folder. A dry run on a scratch store or a
  // missing data folder leaves none behind.
  const folder = dataFolder(values.data);
  const indexCacheFile = scratch === undefined && existsSync(folder) ? join(folder, DATA_FILES.importIndexes) : undefined;
  const cache =
    indexCacheFile === undefined
      ? {}
      : {
          indexCacheFile,
          lockFile: join(folder, DATA_FILES.importLock),
          onLockWait: (holder: string) =>
            process.stderr.write(
              `onsky import: waiting for the import by ${holder} to finish, because imports into one data folder run one at a time; if no import is running, delete ${join(folder, DATA_FILES.importLock)}\n`,
            ),
          onNotice: (message: string) => process.stderr.write(`onsky import: ${message}\n`),
        };
  const summaries: ImportSummary[] = [];
  try {
    // In a strict import a problem in any file stores nothing, so with several files each is
    // first decided in one shared dry run, in order, before the first is stored.
    if (values.strict === true && !dryRun && files.length > 1) {
      const check = new DryRunLog();
      for (const [index, file] of files.entries()) {
        await importFile({ store, format: formats[index]!, path: file, dryRun: true, dryRunLog: check, strict: true, ...cache });
      }
    }
    for (const [index, file] of files.entries()) {
      const format = formats[index]!;
      const progress = values.json === true ? undefined : progressLine(file);
      const summary = await importFile({
        store,
        format,
        path: file,
        dryRun,
        ...(dryRunLog === undefined ? {} : { dryRunLog }),
        strict: values.strict === true,
        ...cache,
        ...(progress === undefined ? {} : { onProgress: progress.update }),
      });
      progress?.clear();
      summaries.push(summary);
      if (values.json !== true) printSummary(summary);
    }
  } finally {
    await store.close();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
  if (values.json === true) process.stdout.write(`${JSON.stringify(combine(summaries))}\n`);
}

async function formatOf(name: string, file: string): Promise<ImportFormat> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(file)).isDirectory();
  } catch {
    throw new UsageError(`file ${file} was not found; check the path`);
  }
  if (isFolder && name !== 'git' && name !== 'auto') {
    throw new UsageError(`${file} is a folder; name the files in it (e.g. ${file}/*.log), or use format git for a repository`);
  }
  if (name !== 'auto') return name as ImportFormat;
  if (!isFolder && (await stat(file)).size === 0) throw new UsageError(`${file} is empty, so there is nothing to import; check that you named the right file`);
  const detected = await detectFormat(file);
  if (detected === undefined) {
    // The import's own check names a binary or UTF-16 file and the line of its first NUL byte.
    if (!isFolder) await rejectBinary(file, file);
    throw new UsageError(`cannot tell the format of ${file}; name it instead of auto (${FORMATS.join(', ')})`);
  }
  return detected.format;
}

function printSummary(summary: ImportSummary): void {
  const verb = summary.dryRun ? 'would append' : 'appended';
  process.stdout.write(
    `${summary.file} (${summary.format}): ${count(summary.read, 'record')} read (${summary.duplicates} already in the log, ` +
      `${summary.untracked} with nothing to record), ${count(summary.appended, 'event')} ${verb}, ${count(summary.warnings.length, 'warning')}\n`,
  );
  if (summary.dryRun) {
    for (const [type, count] of Object.entries(summary.eventTypes)) process.stdout.write(`  ${count} × ${type}\n`);
  }
  for (const reaction of summary.reactions) {
    const action = summary.dryRun ? `would be ${reaction.action}` : `was ${reaction.action}`;
    process.stdout.write(`  line ${reaction.line}: deploying ${reaction.changeId}: ${reaction.featureKey} ${action}\n`);
  }
  for (const warning of summary.warnings.slice(0, SHOWN_WARNINGS)) process.stdout.write(`  warning ${warning.file}:${warning.line}: ${warning.message}\n`);
  if (summary.warnings.length > SHOWN_WARNINGS) {
    process.stdout.write(`  … and ${summary.warnings.length - SHOWN_WARNINGS} more warnings (--json lists them all)\n`);
  }
}

/** Returns "1 record" or "2 records". */
function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? '' : 's'}`;
}

function combine(summaries: readonly ImportSummary[]): { read: number; appended: number; duplicates: number; untracked: number; warnings: ImportWarning[]; dryRun: boolean; files: ImportSummary[] } {
  return {
    read: summaries.reduce((sum, summary) => sum + summary.read, 0),
    appended: summaries.reduce((sum, summary) => sum + summary.appended, 0),
    duplicates: summaries.reduce((sum, summary) => sum + summary.duplicates, 0),
    untracked: summaries.reduce((sum, summary) => sum + summary.untracked, 0),
    warnings: summaries.flatMap((summary) => summary.warnings),
    dryRun: summaries.some((summary) => summary.dryRun),
    files: [...summaries],
  };
}

/** Returns a progress line on a terminal's standard error, redrawn at most ten times a second. */
function progressLine(file: string): { update: (progress: { read: number; appended: number }) => void; clear: () => void } | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return {
    update: ({ read, appended }) => {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      process.stderr.write(`\r${file}: ${read.toLocaleString('en')} records, ${appended.toLocaleString('en')} events appended`);
    },
    clear: () => process.stderr.write('\r\u001b[K'),
  };
}
