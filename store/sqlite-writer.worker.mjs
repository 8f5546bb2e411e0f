// @ts-check
/**
 * The worker thread of `WriterThread` (sqlite-writer.ts): writes appends on its own connection to
 * the store file, by the same transaction as the store's connection (sqlite-append.mjs), while the
 * main thread prepares the next one. Plain JavaScript because Node.js 20 loads no TypeScript hooks
 * in a worker thread.
 *
 * The worker sets `opened[0]` to 1 once its connection is open, or to 2 when it cannot be, and then
 * posts `{ kind: 'unavailable', message, code }`. Messages in: `{ id, requests }`. Messages out,
 * one per request: `{ kind: 'written', id, results }`, `{ kind: 'rejected', id, rejection }` or
 * `{ kind: 'failed', id, message, code }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { appender, WriteRejection } from './sqlite-append.mjs';

/** @type {{ file: string, busyTimeoutMs: number, opened: Int32Array }} */
const plan = workerData;
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

/**
 * Returns the code of a SQLite error, or a code of this thread's own.
 * @param {unknown} error
 */
function codeOf(error) {
  return error instanceof Database.SqliteError ? error.code : 'WRITER_FAILED';
}

/**
 * Returns an error's message.
 * @param {unknown} error
 */
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

/** @type {ReturnType<typeof appender> | undefined} */
let write;
try {
  const db = new Database(plan.file, { timeout: plan.busyTimeoutMs, fileMustExist: true });
  // Durability is a setting of each connection; the file keeps its WAL journal mode.
  db.pragma('synchronous = FULL');
  write = appender(db, () => new Date().toISOString());
  Atomics.store(plan.opened, 0, 1);
} catch (error) {
  // The store goes on writing on its own connection, and logs why this one could not open.
  Atomics.store(plan.opened, 0, 2);
  port.postMessage({ kind: 'unavailable', message: messageOf(error), code: codeOf(error) });
}

port.on('message', (/** @type {{ id: number, requests: import('./sqlite-append.mjs').WriteRequest[] }} */ { id, requests }) => {
  if (write === undefined) {
    port.postMessage({ kind: 'failed', id, message: 'the writer thread has no connection to the store', code: 'WRITER_FAILED' });
    return;
  }
  try {
    port.postMessage({ kind: 'written', id, results: write(requests) });
  } catch (error) {
    if (error instanceof WriteRejection) port.postMessage({ kind: 'rejected', id, rejection: { ...error } });
    else port.postMessage({ kind: 'failed', id, message: messageOf(error), code: codeOf(error) });
  }
});
