/** Shared set-up of the projection tests: a real SQLite store in a temp folder and a recording logger. */
import { join } from 'node:path';
import { openSqliteStore, type SqliteEventStore } from '../../store/sqlite.js';
import { tempFolder } from '../support/temp.js';
import { startProjections, type Projections, type ProjectionsLogger } from '../../projections/index.js';
import type { LogBuilder } from './small-history.js';

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

export function recordingLogger(): ProjectionsLogger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    error: (fields, message) => lines.push({ level: 'error', fields, message }),
  };
}

export interface TestStore {
  readonly store: SqliteEventStore;
  readonly folder: string;
  readonly file: (name: string) => string;
  close(): Promise<void>;
}

export function openTestStore(name = 'events.sqlite'): TestStore {
  const folder = tempFolder('onsky-projections-');
  const store = openSqliteStore(join(folder.path, name));
  return {
    store,
    folder: folder.path,
    file: (fileName) => join(folder.path, fileName),
    close: async () => {
      await store.close();
      folder.remove();
    },
  };
}

/** A test store holding a built log, with the projections started on it and caught up. */
export interface ProjectedLog {
  readonly projections: Projections;
  close(): Promise<void>;
}

/** Writes a built log to a fresh test store and starts the projections on it. */
export async function projectLog(log: LogBuilder): Promise<ProjectedLog> {
  const test = openTestStore();
  await log.writeTo(test.store);
  const projections = startProjections(test.store);
  await projections.ready;
  return {
    projections,
    close: async () => {
      await projections.close();
      await test.close();
    },
  };
}
