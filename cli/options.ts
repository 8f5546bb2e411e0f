/**
 * Options every `onsky` command shares: where the data lives and which event store to open.
 */
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { domainUpcasters } from '../domain/upcasters.js';
import { openEsdbStore } from '../store/esdb.js';
import type { EventStore } from '../store/port.js';
import { openSqliteStore, type SqliteStoreOptions, type StoreLogger } from '../store/sqlite.js';

/** A mistake in how a command was called: printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Words a `util.parseArgs` error as one line. Node's message for an option value that starts with
 * a dash ("argument is ambiguous") takes three lines, and its first line names no fix.
 */
export function argumentProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const ambiguous = /^Option '(?:-\w, )?(--?[\w-]+)' argument is ambiguous/.exec(message);
  if (ambiguous !== null) {
    const option = ambiguous[1]!;
    return `option ${option} is missing its value, or its value starts with a dash; give a value starting with a dash as ${option}=VALUE`;
  }
  const missing = /^Option '(?:-\w, )?(--?[\w-]+)(?: <value>)?' argument missing/.exec(message);
  if (missing !== null) return `option ${missing[1]!} is missing its value`;
  return message.split('\n')[0] ?? message;
}

/** Returns the data folder: `--data`, else `ONSKY_DATA`, else ./data under the current directory. */
export function dataFolder(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.ONSKY_DATA ?? 'data');
}

/** Returns the embedded store's file inside a data folder. */
export function storeFile(folder: string): string {
  return join(folder, 'events.sqlite');
}

/** Returns the store location: `--store`, else `ONSKY_STORE`, else the embedded store in the data folder. */
export function storeLocation(flag: string | undefined, folder: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.ONSKY_STORE ?? storeFile(folder);
}

/** Returns true for a store given as a URL (an EventStoreDB server) rather than a file path. */
export function isStoreUrl(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
}

/** Rejects a store file that does not exist, for commands that only read: a typo in --data would otherwise create an empty store. */
export function requireExistingStore(location: string): string {
  if (isStoreUrl(location) || existsSync(location)) return location;
  throw new UsageError(`no onsky store at ${location}; pass the --data folder that onsky serve or onsky import used`);
}

/**
 * Creates a data folder when it is missing and checks that onsky can write files in it; throws
 * `UsageError` naming the folder otherwise. Folders are created one level at a time because
 * Node.js's `mkdirSync(…, { recursive: true })` (checked with Node 20.20) retries forever when
 * mkdir fails with ENOENT under a parent that exists, as it does under /proc.
 */
export function prepareDataFolder(folder: string): string {
  const missing: string[] = [];
  let existing = folder;
  while (!existsSync(existing)) {
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  if (existsSync(existing) && !statSync(existing).isDirectory()) {
    throw new UsageError(`cannot use ${folder} as the data folder: ${existing} is a file, not a folder; pass --data with a folder path`);
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      throw new UsageError(`cannot create the data folder ${folder} (${errorCode(error)} on ${level}); pass --data with a folder you can write to`);
    }
  }

  // Root passes permission checks, so only a real write shows whether the folder takes files.
  const probe = join(folder, `.onsky-write-check-${process.pid}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
  } catch (error) {
    throw new UsageError(`the data folder ${folder} is not writable (${errorCode(error)}); pass --data with a folder you can write to, or fix its permissions`);
  }
  rmSync(probe, { force: true });
  return folder;
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/**
 * Opens the store at a location: an `esdb://` or `kurrentdb://` URL, or a SQLite file path. Reads
 * upcast older event versions with `domainUpcasters`; appends, a restore among them, store
 * events exactly as given.
 */
export function openStore(location: string, logger?: StoreLogger, sqlite: Pick<SqliteStoreOptions, 'writerThread'> = {}): EventStore {
  if (/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\//.test(location)) {
    return openEsdbStore(location, logger === undefined ? { upcasters: domainUpcasters } : { logger, upcasters: domainUpcasters });
  }
  if (isStoreUrl(location)) {
    throw new UsageError(`store ${JSON.stringify(location)} is not a file path or an esdb:// URL; pass --store esdb://host:2113?tls=false or leave it out for the embedded store`);
  }
  prepareDataFolder(dirname(location));
  return openSqliteStore(location, logger === undefined ? { ...sqlite, upcasters: domainUpcasters } : { ...sqlite, logger, upcasters: domainUpcasters });
}
