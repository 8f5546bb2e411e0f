/**
 * Options every `onsky` command shares: where the data lives and which event store to open.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openEsdbStore } from '../store/esdb.js';
import type { EventStore } from '../store/port.js';
import { openSqliteStore, type StoreLogger } from '../store/sqlite.js';

/** A mistake in how a command was called: printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
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

/** Rejects a store file that does not exist, for commands that only read: a typo in --data would otherwise create an empty store. */
export function requireExistingStore(location: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) || existsSync(location)) return location;
  throw new UsageError(`no onsky store at ${location}; pass the --data folder that onsky serve or onsky import used`);
}

/** Opens the store at a location: an `esdb://` or `kurrentdb://` URL, or a SQLite file path. */
export function openStore(location: string, logger?: StoreLogger): EventStore {
  if (/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\//.test(location)) {
    return openEsdbStore(location, logger === undefined ? {} : { logger });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new UsageError(`store ${JSON.stringify(location)} is not a file path or an esdb:// URL; pass --store esdb://host:2113?tls=false or leave it out for the embedded store`);
  }
  return openSqliteStore(location, logger === undefined ? {} : { logger });
}
