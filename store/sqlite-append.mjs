// @ts-check
/**
 * The SQLite store's append transaction, shared by the store's own connection (sqlite.ts) and its
 * writer thread (sqlite-writer.worker.mjs), so that both write by the same rules. Plain JavaScript
 * because Node.js 20 loads no TypeScript hooks in a worker thread; tsc checks it through the
 * JSDoc types.
 *
 * Events arrive validated and serialised (validate.ts). The transaction checks what only the file
 * can tell: whether the stream exists, which of the events it contains already, and whether the
 * caller's expected revision is met. It also stamps each event's record time.
 */

/** @typedef {import('better-sqlite3').Database} Database */
/** @typedef {import('better-sqlite3').Statement} Statement */
/** @typedef {'any' | 'no-stream' | number} ExpectedRevision */

/**
 * An event ready to write.
 * @typedef {object} WriteEvent
 * @property {string} id The event id, a UUID.
 * @property {string} type
 * @property {number} schemaVersion
 * @property {string} dataJson
 * @property {string} metadataJson The metadata as JSON, with `recordedAt` only when the caller gave one.
 * @property {string | undefined} recordedAt The caller's record time in the clock's form, for a restore or migration.
 * @property {string | undefined} recordedAtGiven That record time as the caller wrote it, for messages.
 */

/**
 * @typedef {object} WriteRequest
 * @property {string} stream
 * @property {ExpectedRevision} expectedRevision
 * @property {readonly WriteEvent[]} events
 */

/**
 * @typedef {object} WriteResult
 * @property {number} nextExpectedRevision Revision of the stream's last event after the write.
 * @property {bigint} position Position of the stream's last written event, or the log head when nothing was written.
 * @property {number} appended
 * @property {number} duplicates
 */

/** A write rejected by the transaction, thrown inside it so that nothing of the batch is written. */
export class WriteRejection {
  /**
   * @param {'conflict' | 'invalid'} kind
   * @param {string} stream
   * @param {number} requestIndex
   * @param {ExpectedRevision} expected
   * @param {number | 'no-stream'} actual
   * @param {string} message The reason for `invalid`; the store words a conflict's message itself.
   */
  constructor(kind, stream, requestIndex, expected, actual, message) {
    this.kind = kind;
    this.stream = stream;
    this.requestIndex = requestIndex;
    this.expected = expected;
    this.actual = actual;
    this.message = message;
  }
}

/**
 * Prepares the statements of an append on a connection.
 * @param {Database} db
 */
function prepareAppend(db) {
  return {
    findStream: db.prepare('SELECT stream_id, revision FROM streams WHERE name = ?'),
    insertStream: db.prepare('INSERT INTO streams (name) VALUES (?)'),
    updateStream: db.prepare('UPDATE streams SET revision = ? WHERE stream_id = ?'),
    findEventId: db.prepare('SELECT 1 FROM events WHERE stream_id = ? AND event_id = ?').pluck(),
    insertEvent: db.prepare('INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    head: db.prepare('SELECT max(position) AS position FROM events').safeIntegers(true),
    lastRecordedAt: db.prepare(`SELECT json_extract(metadata, '$.recordedAt') AS recorded_at FROM events ORDER BY position DESC LIMIT 1`),
  };
}

/** @typedef {ReturnType<typeof prepareAppend>} AppendStatements */

/**
 * Returns a function that writes requests in one IMMEDIATE transaction and returns a result per
 * request, or throws `WriteRejection` (or SQLite's error) having written nothing.
 * @param {Database} db
 * @param {() => string} clock The time now, as ISO 8601 with milliseconds and Z.
 * @returns {(requests: readonly WriteRequest[]) => WriteResult[]}
 */
export function appender(db, clock) {
  const statements = prepareAppend(db);
  const transaction = db.transaction(
    /** @param {readonly WriteRequest[]} requests */
    (requests) => {
      // Read once per transaction: each event moves the floor forward.
      const recorded = { floor: lastRecordedAt(statements) };
      return requests.map((request, index) => writeOne(statements, request, index, recorded, clock));
    },
  );
  return (requests) => transaction.immediate(requests);
}

/**
 * @param {AppendStatements} statements
 * @param {WriteRequest} request
 * @param {number} requestIndex
 * @param {{ floor: string | undefined }} recorded The latest record time written so far in this transaction.
 * @param {() => string} clock
 * @returns {WriteResult}
 */
function writeOne(statements, { stream, expectedRevision, events }, requestIndex, recorded, clock) {
  const existing = /** @type {{ stream_id: number, revision: number } | undefined} */ (statements.findStream.get(stream));
  const fresh = existing === undefined ? events : events.filter((event) => statements.findEventId.get(existing.stream_id, uuidToBlob(event.id)) === undefined);
  const duplicates = events.length - fresh.length;
  const actual = existing === undefined ? 'no-stream' : existing.revision;
  /** @returns {WriteResult} */
  const unchanged = () => ({ nextExpectedRevision: existing?.revision ?? -1, position: head(statements) ?? 0n, appended: 0, duplicates });

  // A retried or re-imported append whose events are all stored already is a no-op, whatever
  // the stream's revision has become since.
  if (fresh.length === 0 && duplicates > 0) return unchanged();
  if (!meetsExpectation(expectedRevision, actual)) {
    throw new WriteRejection('conflict', stream, requestIndex, expectedRevision, actual, '');
  }
  if (fresh.length === 0) return unchanged();

  const streamId = existing?.stream_id ?? Number(statements.insertStream.run(stream).lastInsertRowid);
  let revision = existing?.revision ?? -1;
  let position = 0n;
  for (const event of fresh) {
    revision += 1;
    const metadataJson = stampRecordedAt(event, recorded, stream, requestIndex, clock);
    const info = statements.insertEvent.run(streamId, revision, uuidToBlob(event.id), event.type, event.schemaVersion, event.dataJson, metadataJson);
    position = BigInt(info.lastInsertRowid);
  }
  statements.updateStream.run(revision, streamId);
  return { nextExpectedRevision: revision, position, appended: fresh.length, duplicates };
}

/**
 * Returns the metadata JSON with its record time, and moves the floor to it. A record time the
 * caller gave (restore, migration) is kept unless it is earlier than the floor. Otherwise the
 * clock's time is used, raised to the floor, so that record times never decrease along the log.
 * @param {WriteEvent} event
 * @param {{ floor: string | undefined }} recorded
 * @param {string} stream
 * @param {number} requestIndex
 * @param {() => string} clock
 */
function stampRecordedAt(event, recorded, stream, requestIndex, clock) {
  if (event.recordedAt !== undefined) {
    if (recorded.floor !== undefined && event.recordedAt < recorded.floor) {
      const message =
        `metadata.recordedAt ${event.recordedAtGiven ?? event.recordedAt} of a ${event.type} event is earlier than the last recorded event (${recorded.floor}); ` +
        'record time must not go backwards along the log, so restore into an empty store in log order';
      throw new WriteRejection('invalid', stream, requestIndex, 'any', 'no-stream', message);
    }
    recorded.floor = event.recordedAt;
    return event.metadataJson;
  }
  const now = clock();
  const recordedAt = recorded.floor !== undefined && now < recorded.floor ? recorded.floor : now;
  recorded.floor = recordedAt;
  const stamp = `{"recordedAt":${JSON.stringify(recordedAt)}`;
  return event.metadataJson === '{}' ? `${stamp}}` : `${stamp},${event.metadataJson.slice(1)}`;
}

/**
 * @param {ExpectedRevision} expected
 * @param {number | 'no-stream'} actual
 */
function meetsExpectation(expected, actual) {
  if (expected === 'any') return true;
  if (expected === 'no-stream') return actual === 'no-stream';
  return expected === actual;
}

/**
 * Returns the last position in the log, or `undefined` for an empty log.
 * @param {AppendStatements} statements
 * @returns {bigint | undefined}
 */
function head(statements) {
  const row = /** @type {{ position: bigint | null } | undefined} */ (statements.head.get());
  return row?.position ?? undefined;
}

/**
 * Returns the record time of the log's last event, which the next event's must not precede.
 * @param {AppendStatements} statements
 * @returns {string | undefined}
 */
function lastRecordedAt(statements) {
  const row = /** @type {{ recorded_at: string | null } | undefined} */ (statements.lastRecordedAt.get());
  return row?.recorded_at ?? undefined;
}

/**
 * Converts an event id to the 16 bytes the store keeps.
 * @param {string} id
 */
function uuidToBlob(id) {
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}
