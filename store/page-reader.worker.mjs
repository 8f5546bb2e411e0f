// @ts-check
/**
 * The worker thread of `PageReader` (page-reader.ts): steps through the log in SQLite and posts
 * each page as columns, while the main thread decodes and folds the page before. Plain JavaScript
 * because Node.js 20 loads no TypeScript hooks in a worker thread.
 *
 * Messages out: `{ kind: 'page', ... }` per page, `{ kind: 'end' }` after the last one,
 * `{ kind: 'failed', message, code }` when SQLite fails. Message in: `'more'`, one per page
 * the main thread has taken, so that at most `ahead` pages wait in memory.
 */
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** @type {{ file: string, identity: { dev: number, ino: number } | null, after: bigint, pageSize: number, busyTimeoutMs: number, recordTimeOnly: boolean, ahead: number }} */
const plan = workerData;
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * Formats an event id as `blobToUuid` in sqlite.ts does; this plain JavaScript file cannot import
 * it, and formatting here spares the folding thread.
 * @param {Uint8Array} bytes 16 bytes of an event id
 */
function uuidOf(bytes) {
  let text = '';
  for (let index = 0; index < 16; index++) {
    text += HEX_BYTES[/** @type {number} */ (bytes[index])];
    if (index === 3 || index === 5 || index === 7 || index === 9) text += '-';
  }
  return text;
}

let cursor = plan.after;
let credit = plan.ahead;
let finished = false;

/** @type {import('better-sqlite3').Database | undefined} */
let database;
/** @type {import('better-sqlite3').Statement} */
let select;
try {
  database = new Database(plan.file, { readonly: true, fileMustExist: true, timeout: plan.busyTimeoutMs });
  checkSameFile();
  // Positions as bigints, so a log past 2^53 reads as exactly as on the main thread. A LEFT JOIN,
  // so an event whose stream row is missing is read as the main thread reads it, not dropped.
  select = database
    .prepare(
      `SELECT e.position, e.stream_id, s.name, e.revision, e.event_id, e.type, e.schema_version, e.data, e.metadata
       FROM events e LEFT JOIN streams s ON s.stream_id = e.stream_id
       WHERE e.position > ? ORDER BY e.position LIMIT ?`,
    )
    .raw(true)
    .safeIntegers(true);
} catch (error) {
  const { message, code } = /** @type {{ message?: string, code?: string }} */ (error ?? {});
  fail({
    message: code === 'STORE_REPLACED' ? message : `${message ?? String(error)}; check that the file exists and is readable, and restart onsky if it was moved or replaced`,
    code: code ?? 'SQLITE_CANTOPEN',
  });
}

/** Throws when the file at the store's path is not the one the store opened. */
function checkSameFile() {
  if (plan.identity === null) return;
  const { dev, ino } = statSync(plan.file);
  if (dev === plan.identity.dev && ino === plan.identity.ino) return;
  throw Object.assign(new Error('the file was replaced or moved since onsky opened it; restart onsky to read the file now at that path'), { code: 'STORE_REPLACED' });
}

/** @param {unknown} error */
function fail(error) {
  finished = true;
  const { message, code } = /** @type {{ message?: string, code?: string }} */ (error ?? {});
  port.postMessage({ kind: 'failed', message: message ?? String(error), code: code ?? 'SQLITE_ERROR' });
  database?.close();
}

function pump() {
  while (!finished && credit > 0) {
    let rows;
    try {
      rows = /** @type {unknown[][]} */ (select.all(cursor, plan.pageSize));
    } catch (error) {
      fail(error);
      return;
    }
    const count = rows.length;
    const positions = new BigInt64Array(count);
    const streamIds = new Float64Array(count);
    const revisions = new Float64Array(count);
    const versions = new Float64Array(count);
    const streams = new Array(count);
    const ids = new Array(count);
    const types = new Array(count);
    const data = new Array(count);
    const metadata = new Array(count);
    for (let index = 0; index < count; index++) {
      const row = /** @type {[bigint, bigint, string | null, bigint, Uint8Array, string, bigint, string, string]} */ (rows[index]);
      positions[index] = row[0];
      streamIds[index] = Number(row[1]);
      streams[index] = row[2];
      revisions[index] = Number(row[3]);
      ids[index] = uuidOf(row[4]);
      types[index] = row[5];
      versions[index] = Number(row[6]);
      data[index] = row[7];
      metadata[index] = plan.recordTimeOnly ? JSON.parse(row[8]).recordedAt : row[8];
    }
    if (count > 0) {
      // Before the post: transferring the buffers empties these arrays here.
      cursor = /** @type {bigint} */ (positions[count - 1]);
      port.postMessage({ kind: 'page', positions, streamIds, revisions, versions, streams, ids, types, data, metadata }, [positions.buffer, streamIds.buffer, revisions.buffer, versions.buffer]);
      credit -= 1;
    }
    if (count < plan.pageSize) {
      finished = true;
      database?.close();
      port.postMessage({ kind: 'end' });
    }
  }
}

port.on('message', () => {
  credit += 1;
  pump();
});
pump();
