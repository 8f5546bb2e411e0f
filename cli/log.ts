/** `onsky export` and `onsky restore`, wired to the shared options. */
import { parseArgs } from 'node:util';
import { createOutput, exportLog, restoreLog } from './export.js';
import { rmSync } from 'node:fs';
import { argumentProblem, dataFolder, isStoreUrl, openStore, requireExistingStore, storeLocation, UsageError } from './options.js';

export async function runExport(argv: string[]): Promise<void> {
  const { values } = parse(argv, { out: { type: 'string' } }, 'export [--out FILE] [--data DIR] [--store URL]');
  const store = openStore(requireExistingStore(storeLocation(values.store, dataFolder(values.data))));
  try {
    const output = createOutput(values.out);
    const count = await exportLog(store, output);
    if (output !== process.stdout) {
      await new Promise<void>((resolve, reject) => output.end((error?: Error | null) => (error ? reject(error) : resolve())));
    }
    process.stderr.write(`exported ${count} events\n`);
  } finally {
    await store.close();
  }
}

export async function runRestore(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, {}, 'restore FILE [--data DIR] [--store URL]');
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) throw new UsageError('restore takes one file; usage: onsky restore FILE [--data DIR]');
  const location = storeLocation(values.store, dataFolder(values.data));
  const store = openStore(location);
  const emptyBefore = (await store.headPosition()) === undefined;
  let closed = false;
  try {
    const count = await restoreLog(store, file);
    process.stderr.write(`restored ${count} events from ${file}\n`);
  } catch (error) {
    // The checks run before the first write, so this is a failure while writing (a full disk, a
    // second writer). An embedded store that was empty is removed, so that no half log remains.
    if (!emptyBefore || (await store.headPosition()) === undefined) throw error;
    if (isStoreUrl(location)) {
      throw new UsageError(`${(error as Error).message}; the store now contains part of the export, so restore into a new namespace`);
    }
    await store.close();
    closed = true;
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${location}${suffix}`, { force: true });
    throw new UsageError(`${(error as Error).message}; the partly restored store ${location} was removed, so the data folder is as before`);
  } finally {
    if (!closed) await store.close();
  }
}

type Extra = Record<string, { type: 'string' | 'boolean' }>;

/**
 * Parses a command's arguments with the shared --data and --store options. A bad option becomes
 * a usage error, and `--help` prints the usage and ends the process.
 */
export function parse<T extends Extra>(argv: string[], extra: T, usage: string) {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: onsky ${usage}\n`);
    process.exit(0);
  }
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: { data: { type: 'string' }, store: { type: 'string' }, ...extra },
    });
  } catch (error) {
    throw new UsageError(`${argumentProblem(error)}; usage: onsky ${usage}`);
  }
}
