/**
 * The embedded event store: one SQLite file in WAL mode, through better-sqlite3 12.
 *
 * Schema: `streams` maps each stream name to a small integer id and keeps its last revision.
 * `events` is keyed by its global position (the rowid, so appends go to the end of the b-tree).
 * Two unique indexes serve it: (stream_id, revision) for stream reads and contiguity, and
 * (stream_id, event_id) for idempotent appends. Event ids are 16-byte blobs, which keeps that
 * index small.
 *
 * Durability: every append commits with synchronous=FULL, so an acknowledged append survives a
 * process kill and a power cut. Readers page through the log in short read transactions; a
 * long-lived reader would stop checkpoints from resetting the WAL, which then grows without bound.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import {
  InvalidAppendError,
  StoreUnavailableError,
  UnknownPositionError,
  type AppendRequest,
  type AppendResult,
  type AppendSuccess,
  type BatchAppendSuccess,
  type BatchConflict,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type FoldEvent,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type WrongExpectedRevision,
} from './port.js';
import { UpcasterChain, type Upcaster } from './upcast.js';
import { validateAppend, type SerialisedEvent } from './validate.js';
import { CatchUpSubscription, ChangeSignal } from './subscription.js';
import { PageReader, type RowPage } from './page-reader.js';
import { appender, WriteRejection, type WriteEvent, type WriteRequest, type WriteResult } from './sqlite-append.mjs';
import { WriterThread } from './sqlite-writer.js';

/** Store file format; a file written by a newer onsky is refused instead of misread. */
const SCHEMA_VERSION = 1;

/**
 * Rows per read transaction when paging through the log. A page of 500 decoded events is
 * collected young. Pages of 2000 made a full read cost about 75 % more CPU, mostly garbage
 * collection (2.8 s against 1.6 s of CPU time on a 200k-event log).
 */
const PAGE_SIZE = 500;
/** A recorded event whose metadata is `Metadata`: the whole of it, or only its record time. */
type EventWith<Metadata> = Omit<RecordedEvent, 'metadata'> & { readonly metadata: Metadata };

/** Worker-thread readers of `readAllPagesAhead` that may run at once; one per core of a small machine. */
const MAX_PAGE_READERS = 2;
/** Stream names fetched per query when a read meets streams it has not named yet. */
const STREAM_NAME_CHUNK = 10_000;

export interface StoreLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface SqliteStoreOptions {
  readonly upcasters?: readonly Upcaster[];
  /** Clock for `recordedAt`; injectable so tests can travel in time. */
  readonly now?: () => Date;
  readonly logger?: StoreLogger;
  /** WAL size (bytes) above which the store checkpoints with TRUNCATE and logs a warning. */
  readonly walWarnBytes?: number;
  /** Milliseconds to wait for another process's write lock before failing. Default 10 000. */
  readonly busyTimeoutMs?: number;
  /**
   * Events after a read's start from which `readAllPagesAhead` reads on a worker thread. Default
   * 20 000: below that, starting the worker costs more than it saves.
   */
  readonly readAheadMinEvents?: number;
  /**
   * Writes large batches (from 100 events) on a worker thread, so that a caller that does not wait
   * for one append before preparing the next (an import) works while the last one is written.
   * Record times then come from the system clock, so it does not go with `now`. Ignored for
   * `:memory:`, which another connection cannot open.
   */
  readonly writerThread?: boolean;
  /**
   * Events in one append from which the writer thread writes it. Default 100: a smaller append
   * costs more in the hand-over than it saves. Tests set 1 to send every append through the thread.
   */
  readonly writerThreadMinEvents?: number;
}

interface StreamRow {
  readonly streamId: number;
  readonly revision: number;
}

/**
 * A row of the event reads, in the SELECT's column order. The statements return arrays rather
 * than objects because building a keyed object per row is a large share of a full read's cost.
 */
type EventRow = [
  /** A number while positions stay below 2^53, a bigint from the safe-integer statements. */
  position: number | bigint,
  streamId: number | bigint,
  revision: number | bigint,
  eventId: Buffer,
  type: string,
  schemaVersion: number | bigint,
  data: string,
  metadata: string,
];

/** Opens (creating when missing) the SQLite event store at `file`. */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): SqliteEventStore {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  return new SqliteEventStore(file, options);
}

export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly upcasters: UpcasterChain;
  private readonly now: () => Date;
  private readonly logger: StoreLogger | undefined;
  private readonly walWarnBytes: number;
  private readonly busyTimeoutMs: number;
  private readonly signal = new ChangeSignal();
  private readonly subscriptions = new Set<CatchUpSubscription>();
  /** Stream names by id; ids never change, so entries stay valid for the life of the file. */
  private readonly streamNames = new Map<number, string>();
  private readonly readAheadMinEvents: bigint;
  /** The store file's device and inode when it was opened, which read-ahead workers check. */
  private readonly fileIdentity: { readonly dev: number; readonly ino: number } | null;
  /** Worker-thread readers of `readAllPagesAhead` still running; stopped on close. */
  private readonly pageReaders = new Set<PageReader>();
  private highestNamedStream = 0;
  private watcher: FSWatcher | undefined;
  private trailingNotify: NodeJS.Timeout | undefined;
  private appendsSinceWalCheck = 0;
  private closed = false;

  private readonly statements: ReturnType<typeof prepareStatements>;
  /** The append transaction on this connection. */
  private readonly write: (requests: readonly WriteRequest[]) => WriteResult[];
  private readonly writer: WriterThread | undefined;
  private readonly writerMinEvents: number;
  private threadWrites = 0;
  /** Settles when every write handed out so far has; `undefined` when none is out. */
  private writesInFlight: Promise<void> | undefined;
  /**
   * The store file's random id (see `storeIdOf`) and the file's device and inode, kept with
   * anything derived from its log. A copy of the file is another store: its log may go on
   * differently, with the same positions and, for imports, the same event ids.
   */
  readonly storeId: string;

  constructor(readonly file: string, options: SqliteStoreOptions) {
    if (options.writerThread === true && options.now !== undefined) {
      throw new Error('writerThread takes record times from the system clock, so it cannot be combined with now');
    }
    this.upcasters = new UpcasterChain(options.upcasters);
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger;
    this.walWarnBytes = options.walWarnBytes ?? 256 * 1024 * 1024;

    this.busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
    this.readAheadMinEvents = BigInt(options.readAheadMinEvents ?? 20_000);
    // The wait for locks is set at open, before the first statement, because switching a new file
    // to WAL takes a lock. Set after it, a second process opening the same new store failed at once.
    this.db = new Database(file, { timeout: this.busyTimeoutMs });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // After a checkpoint resets the WAL, truncate the file back to this size (bytes).
    this.db.pragma('journal_size_limit = 67108864');
    migrate(this.db, file);
    this.fileIdentity = fileStat(file);
    this.storeId = `${storeIdOf(this.db)}${this.fileIdentity === null ? '' : `@${this.fileIdentity.dev}:${this.fileIdentity.ino}`}`;
    this.statements = prepareStatements(this.db);
    this.write = appender(this.db, () => this.now().toISOString());
    this.writer =
      options.writerThread === true && file !== ':memory:'
        ? new WriterThread(file, this.busyTimeoutMs, (message, code) => this.logger?.warn({ file, code, message }, 'writer thread could not open the store; appends stay on the main connection'))
        : undefined;
    this.writerMinEvents = options.writerThreadMinEvents ?? 100;
  }

  /** Whether large appends now go to the writer thread: it was asked for, has started and has not failed. */
  get writerThreadRunning(): boolean {
    return this.writer?.ready === true;
  }

  /** Appends the writer thread has written, for diagnostics and tests. */
  get writesOnThread(): number {
    return this.threadWrites;
  }

  append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    return this.submit([{ stream, events, expectedRevision }]).then((outcome) =>
      outcome instanceof WriteRejection ? left(conflictOf(outcome)) : right(outcome[0]!),
    );
  }

  appendBatch(requests: readonly AppendRequest[]): Promise<Either<BatchConflict, BatchAppendSuccess>> {
    return this.submit(requests).then((outcome) =>
      outcome instanceof WriteRejection ? left({ ...conflictOf(outcome), requestIndex: outcome.requestIndex }) : right({ results: outcome }),
    );
  }

  /**
   * Validates and serialises the requests on this thread, then writes them here or, for a large
   * batch once the writer thread runs, there. A write waits for the writer's writes before it, so
   * appends land in the order they were made. Resolves with a result per request or the conflict;
   * rejects with `InvalidAppendError` or `StoreUnavailableError`, having written nothing.
   */
  private submit(requests: readonly AppendRequest[]): Promise<WriteResult[] | WriteRejection> {
    let prepared: WriteRequest[];
    try {
      this.assertOpen();
      prepared = requests.map(({ stream, events, expectedRevision }) => ({
        stream,
        expectedRevision,
        events: toWriteEvents(validateAppend(stream, events, expectedRevision)),
      }));
    } catch (error) {
      return Promise.reject(error);
    }
    const writer = this.writer;
    if (writer?.ready === true && prepared.reduce((sum, request) => sum + request.events.length, 0) >= this.writerMinEvents) {
      return this.afterEarlierWrites(() => this.writeThere(writer, prepared));
    }
    if (this.writesInFlight !== undefined) return this.afterEarlierWrites(() => Promise.resolve(this.writeHere(prepared)));
    try {
      return Promise.resolve(this.writeHere(prepared));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Runs a write once every write handed out before it has settled. */
  private afterEarlierWrites<T>(write: () => Promise<T>): Promise<T> {
    const written = (this.writesInFlight ?? Promise.resolve()).then(write);
    const settled = written.then(
      () => undefined,
      () => undefined,
    );
    this.writesInFlight = settled;
    void settled.then(() => {
      if (this.writesInFlight === settled) this.writesInFlight = undefined;
    });
    return written;
  }

  // Neither write checks that the store is open: `submit` did when the append was made, and
  // `close` waits for the writes made before it.
  private writeHere(prepared: readonly WriteRequest[]): WriteResult[] | WriteRejection {
    try {
      const results = this.write(prepared);
      this.afterWrite(results.reduce((sum, result) => sum + result.appended, 0));
      return results;
    } catch (error) {
      return this.rejectionOrThrow(error);
    }
  }

  private async writeThere(writer: WriterThread, prepared: readonly WriteRequest[]): Promise<WriteResult[] | WriteRejection> {
    const reply = await writer.write(prepared);
    this.threadWrites += 1;
    if (reply.kind === 'written') {
      this.afterWrite(reply.results.reduce((sum, result) => sum + result.appended, 0));
      return reply.results;
    }
    if (reply.kind === 'rejected') {
      const { kind, stream, requestIndex, expected, actual, message } = reply.rejection;
      return this.rejectionOrThrow(new WriteRejection(kind, stream, requestIndex, expected, actual, message));
    }
    // The thread stopped or failed outside SQLite, and its message states what is known of the write.
    if (reply.code.startsWith('WRITER_')) throw new StoreUnavailableError(`cannot write to the event store ${this.file}: ${reply.message}`, reply.code);
    return this.rejectionOrThrow(new Database.SqliteError(reply.message, reply.code));
  }

  /** Returns a conflict; throws an invalid record time as `InvalidAppendError` and SQLite's failures in words. */
  private rejectionOrThrow(error: unknown): WriteRejection {
    if (error instanceof WriteRejection && error.kind === 'conflict') return error;
    if (error instanceof WriteRejection) throw new InvalidAppendError(error.message, error.stream);
    throw this.translateWriteError(error);
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const row = this.findStream(stream);
    if (row === undefined) return;
    let nextRevision = options.fromRevision ?? 0;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const limit = Math.min(PAGE_SIZE, remaining);
      const rows = this.readRows('readStream', row.streamId, nextRevision, limit);
      for (const eventRow of rows) yield this.toRecorded(eventRow);
      if (rows.length < limit) return;
      remaining -= rows.length;
      nextRevision += rows.length;
    }
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    return asyncIterable(this.eventsAfter(options.after ?? 0n, options.maxCount));
  }

  private *eventsAfter(after: Position, maxCount: number | undefined): Iterator<RecordedEvent> {
    for (const page of this.pagesAfter(after, maxCount)) {
      for (const row of page) yield this.toRecorded(row);
    }
  }

  /**
   * Reads the log in pages of decoded events, for consumers that fold millions of events and
   * would pay for one promise per event with `readAll`.
   */
  *readAllPages(after: Position = 0n, pageSize = PAGE_SIZE): Iterable<RecordedEvent[]> {
    this.assertOpen();
    for (const page of this.pagesAfter(after, undefined, pageSize)) {
      yield page.map((row) => this.toRecorded(row));
    }
  }

  /**
   * Reads the log in pages of decoded events like `readAllPages`, with the SQLite reads on a worker
   * thread ahead of the consumer when at least `readAheadMinEvents` follow `after`. Rebuilds use
   * it; a shorter read, or a store in memory, reads on this thread.
   */
  readAllPagesAhead(after: Position = 0n, pageSize = PAGE_SIZE): AsyncIterable<RecordedEvent[]> {
    return this.pagesAhead(after, pageSize, false, (text) => JSON.parse(text) as RecordedEvent['metadata']);
  }

  /**
   * Reads the log like `readAllPagesAhead`, with only the record time of each event's metadata.
   * On the worker path the worker parses the metadata, so the folding thread does not.
   */
  readFoldPagesAhead(after: Position = 0n, pageSize = PAGE_SIZE): AsyncIterable<FoldEvent[]> {
    return this.pagesAhead(after, pageSize, true, (recordedAt) => ({ recordedAt }));
  }

  /**
   * Yields pages read by a worker, or on this thread for a short read. `recordTimeOnly` has the
   * worker send each event's record time in place of its metadata, which `metadataOf` then reads.
   */
  private async *pagesAhead<Metadata>(after: Position, pageSize: number, recordTimeOnly: boolean, metadataOf: (text: string) => Metadata): AsyncIterable<Array<EventWith<Metadata>>> {
    this.assertOpen();
    const head = this.head();
    // Past MAX_PAGE_READERS running (many as-of views folding at once), reads stay on this
    // thread: a worker per request would let a burst of requests start threads without bound.
    if (this.file === ':memory:' || head === undefined || head - after < this.readAheadMinEvents || this.pageReaders.size >= MAX_PAGE_READERS) {
      // Whole envelopes, which also have every field a record-time-only page has.
      yield* this.readAllPages(after, pageSize) as Iterable<Array<EventWith<Metadata>>>;
      return;
    }
    const reader = new PageReader({ file: this.file, identity: this.fileIdentity, after, pageSize, busyTimeoutMs: this.busyTimeoutMs, recordTimeOnly });
    this.pageReaders.add(reader);
    try {
      for (let page = await reader.next(); page !== null; page = await reader.next()) {
        yield this.decodePage(page, metadataOf);
      }
    } finally {
      this.pageReaders.delete(reader);
      await reader.close();
    }
  }

  private decodePage<Metadata>(page: RowPage, metadataOf: (text: string) => Metadata): Array<EventWith<Metadata>> {
    const { positions, streamIds, revisions, versions, streams, ids, types, data, metadata } = page;
    const events = new Array<EventWith<Metadata>>(positions.length);
    for (let index = 0; index < positions.length; index++) {
      events[index] = this.upcasters.apply({
        id: ids[index]!,
        stream: streams[index] ?? this.streamName(streamIds[index]!),
        revision: revisions[index]!,
        position: positions[index]!,
        type: types[index]!,
        schemaVersion: versions[index]!,
        data: JSON.parse(data[index]!) as unknown,
        metadata: metadataOf(metadata[index]!),
      });
    }
    return events;
  }

  /**
   * Reads the events of the given types in pages, in log order. SQLite skips the rows of other
   * types before their JSON is decoded, so a reader that folds a few types of a large log pays
   * for those alone. Types are matched as stored, before any upcaster runs.
   */
  *readAllPagesOfTypes(types: readonly string[], after: Position = 0n, pageSize = PAGE_SIZE): Iterable<RecordedEvent[]> {
    this.assertOpen();
    for (const page of this.pagesAfter(after, undefined, pageSize, JSON.stringify(types))) {
      yield page.map((row) => this.toRecorded(row));
    }
  }

  private readPageAfter(after: Position): RecordedEvent[] {
    const rows = this.readRows('readAll', after, PAGE_SIZE);
    return rows.map((row) => this.toRecorded(row));
  }

  /** Events recorded at or before `time`, in log order; the basis of as-of (time-travel) reads. */
  async *readAllUntil(time: string, options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    for await (const event of this.readAll(options)) {
      // recordedAt never decreases along the log (enforced on append), so the first later
      // event ends the read.
      if (event.metadata.recordedAt > time) return;
      yield event;
    }
  }

  headPosition(): Promise<Position | undefined> {
    this.assertOpen();
    return Promise.resolve(this.head());
  }

  subscribe(options: SubscribeOptions): Subscription {
    this.assertOpen();
    this.watchForOtherWriters();
    const subscription = new CatchUpSubscription(options, this.signal, {
      validateStart: (after) => this.checkPositionExists(after),
      readPage: (after) => this.readPageAfter(after),
      onClosed: (closedSubscription) => this.subscriptions.delete(closedSubscription),
    });
    this.subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watcher?.close();
    clearTimeout(this.trailingNotify);
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await Promise.all([...this.pageReaders].map((reader) => reader.close()));
    await this.writesInFlight;
    await this.writer?.close();
    this.signal.close();
    this.db.close();
  }

  /** Runs a read-only SQL query against the store, for diagnostics and benchmarks. */
  get database(): Database.Database {
    return this.db;
  }

  private findStream(stream: string): StreamRow | undefined {
    const row = this.statements.findStream.get(stream) as { stream_id: number; revision: number } | undefined;
    if (row === undefined) return undefined;
    return { streamId: row.stream_id, revision: row.revision };
  }

  private streamName(streamId: number): string {
    let name = this.streamNames.get(streamId);
    if (name === undefined) {
      // Stream ids only grow, so one query fetches the next names in bulk: a rebuild over 200k
      // streams pays for a few dozen queries instead of 200k. A lookup far past the names read so
      // far fetches its name alone, as when a checkpoint check reads the last event. Loading every
      // name before it took 0.2 s on a log of a million events.
      if (streamId > this.highestNamedStream && streamId - this.highestNamedStream <= STREAM_NAME_CHUNK) {
        const rows = this.statements.streamNamesAfter.all(this.highestNamedStream, STREAM_NAME_CHUNK) as Array<{ stream_id: number; name: string }>;
        for (const row of rows) this.streamNames.set(row.stream_id, row.name);
        this.highestNamedStream = rows.at(-1)?.stream_id ?? this.highestNamedStream;
      }
      name = this.streamNames.get(streamId) ?? (this.statements.streamName.get(streamId) as string);
      this.streamNames.set(streamId, name);
    }
    return name;
  }

  private head(): Position | undefined {
    const row = this.statements.head.get() as { position: bigint | null } | undefined;
    return row?.position ?? undefined;
  }

  private checkPositionExists(after: Position | 'start'): void {
    if (after === 'start' || after === 0n) return;
    if (this.statements.positionExists.get(after) === undefined) {
      throw new UnknownPositionError(after, this.head());
    }
  }

  /** Yields pages of rows after `after`; `typesJson`, a JSON array of type names, keeps only those types. */
  private *pagesAfter(after: Position, maxCount?: number, pageSize = PAGE_SIZE, typesJson?: string): Iterable<EventRow[]> {
    let cursor = after;
    let remaining = maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const limit = Math.min(pageSize, remaining);
      const rows = typesJson === undefined ? this.readRows('readAll', cursor, limit) : this.readRows('readAllOfTypes', cursor, typesJson, limit);
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < limit) return;
      remaining -= rows.length;
      cursor = BigInt(rows[rows.length - 1]![0]);
    }
  }

  /**
   * Runs a read with plain numbers, which is several times cheaper than bigints for every
   * integer column, and repeats it with safe integers only when a position passed 2^53.
   */
  private readRows(statement: 'readAll' | 'readAllOfTypes' | 'readStream', ...parameters: Array<number | bigint | string>): EventRow[] {
    const rows = this.statements[statement].all(...parameters) as EventRow[];
    const last = rows[rows.length - 1];
    if (last === undefined || (last[0] as number) <= Number.MAX_SAFE_INTEGER) return rows;
    return this.statements[`${statement}Safe`].all(...parameters) as EventRow[];
  }

  private toRecorded(row: EventRow): RecordedEvent {
    const event: RecordedEvent = {
      id: blobToUuid(row[3]),
      stream: this.streamName(Number(row[1])),
      revision: Number(row[2]),
      position: BigInt(row[0]),
      type: row[4],
      schemaVersion: Number(row[5]),
      data: JSON.parse(row[6]) as unknown,
      metadata: JSON.parse(row[7]) as RecordedEvent['metadata'],
    };
    return this.upcasters.apply(event);
  }

  private afterWrite(appended: number): void {
    if (appended === 0) return;
    this.signal.notify();
    this.appendsSinceWalCheck += 1;
    if (this.appendsSinceWalCheck >= 64) {
      this.appendsSinceWalCheck = 0;
      this.checkWalSize();
    }
  }

  /**
   * Bounds the WAL: SQLite's automatic passive checkpoints cannot reset it while a reader is
   * active, so past the threshold the store runs a TRUNCATE checkpoint and logs the size.
   */
  private checkWalSize(): void {
    if (this.file === ':memory:') return;
    let size: number;
    try {
      size = statSync(`${this.file}-wal`).size;
    } catch {
      return;
    }
    if (size < this.walWarnBytes) return;
    // TRUNCATE waits for readers through the busy handler; do not stall the writer for that.
    this.db.pragma('busy_timeout = 0');
    let result: { busy: number } | undefined;
    try {
      [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    } finally {
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
    this.logger?.warn({ file: this.file, walBytes: size, checkpointBusy: result?.busy === 1 }, 'event store WAL passed its size threshold; checkpointed with TRUNCATE');
  }

  /**
   * Wakes subscriptions when another process (an `onsky import` beside a running server)
   * writes to the same file. inotify on the folder reports WAL writes without polling.
   */
  private watchForOtherWriters(): void {
    if (this.watcher !== undefined || this.file === ':memory:') return;
    const walName = `${basename(this.file)}-wal`;
    try {
      this.watcher = watch(dirname(this.file), { persistent: false }, (_event, name) => {
        if (name === walName || name === basename(this.file)) this.notifySoon();
      });
      this.watcher.on('error', (error) => this.logger?.warn({ file: this.file, err: error }, 'stopped watching the event store for other writers'));
    } catch (error) {
      this.logger?.warn({ file: this.file, err: error }, 'cannot watch the event store folder; events written by other processes arrive on the next periodic check');
    }
  }

  /**
   * inotify reports the WAL write before the writer has published the commit in the shared
   * WAL index, so a reader woken at once can miss it: wake now and once more a little later.
   */
  private notifySoon(): void {
    this.signal.notify();
    if (this.trailingNotify !== undefined) return;
    this.trailingNotify = setTimeout(() => {
      this.trailingNotify = undefined;
      this.signal.notify();
    }, 50);
    this.trailingNotify.unref();
  }

  /**
   * Turns SQLite's write failures into an error that names the cause and the fix. The transaction
   * has rolled back, so nothing of the append is stored.
   */
  private translateWriteError(error: unknown): unknown {
    if (!(error instanceof Database.SqliteError)) return error;
    const advice = WRITE_FAILURES.find(([prefix]) => error.code.startsWith(prefix));
    if (advice === undefined) return error;
    const failure = new StoreUnavailableError(`cannot write to the event store ${this.file}: ${advice[1]}; nothing of this append was written`, error.code);
    this.logger?.warn({ file: this.file, code: error.code, err: error }, 'event store write failed');
    return failure;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the event store ${this.file} is closed`);
  }
}

/** SQLite result codes of writes that fail for reasons outside onsky, with the fix to suggest. */
const WRITE_FAILURES: ReadonlyArray<readonly [string, string]> = [
  ['SQLITE_FULL', 'the disk (or the database size limit) is full; free space and retry'],
  ['SQLITE_READONLY', 'the file, its -wal and -shm files or its folder is read-only; make all of them writable by the onsky process and retry'],
  ['SQLITE_IOERR', 'the operating system reported an I/O error; check the disk and retry'],
  ['SQLITE_CANTOPEN', 'the file could not be opened for writing; check that the data folder exists and is writable'],
  ['SQLITE_BUSY', 'another process held the write lock too long; retry when the other writer has finished'],
];

/**
 * Wraps a synchronous iterator as an async iterable. An async generator costs several promise
 * turns per item; this costs one, which a full read of the log notices (store-read benchmark).
 */
function asyncIterable<T>(source: Iterator<T>): AsyncIterable<T> {
  const iterator: AsyncIterator<T> = {
    next: () => {
      try {
        return Promise.resolve(source.next());
      } catch (error) {
        return Promise.reject(error);
      }
    },
    return: (value?: unknown) => Promise.resolve(source.return?.(value) ?? { done: true, value: undefined as T }),
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

/** Builds the conflict a rejected write reports, in the port's words. */
function conflictOf({ stream, expected, actual }: WriteRejection): WrongExpectedRevision {
  const expectedText = expected === 'no-stream' ? 'no stream' : `revision ${expected}`;
  const actualText = actual === 'no-stream' ? 'does not exist' : `is at revision ${actual}`;
  return {
    kind: 'WrongExpectedRevision',
    stream,
    expected,
    actual,
    message: `stream "${stream}" ${actualText}, but the append expected ${expectedText}; reload the stream and decide again`,
  };
}

/**
 * Converts a request's serialised events to the form the append transaction takes. A record time
 * the caller gave replaces the one in the metadata when its text differs from the clock's form.
 */
function toWriteEvents(serialised: readonly SerialisedEvent[]): WriteEvent[] {
  return serialised.map(({ event, dataJson, metadataJson, recordedAt }) => {
    const callerTime = event.metadata.recordedAt;
    const written = { id: event.id, type: event.type, schemaVersion: event.schemaVersion, dataJson, metadataJson, recordedAt, recordedAtGiven: callerTime };
    if (recordedAt === undefined || recordedAt === callerTime) return written;
    return { ...written, metadataJson: JSON.stringify({ ...event.metadata, recordedAt }) };
  });
}

/**
 * Returns the store's id, a random UUID written when the store is first opened by this code. A
 * store restored or rebuilt into a new file gets a new id, although its events may be the same.
 */
function storeIdOf(db: Database.Database): string {
  const select = db.prepare(`SELECT value FROM store_info WHERE key = 'store_id'`).pluck();
  const known = select.get() as string | undefined;
  if (known !== undefined) return known;
  // Two processes may open a new store at once; the first id written wins for both.
  db.prepare(`INSERT OR IGNORE INTO store_info (key, value) VALUES ('store_id', ?)`).run(randomUUID());
  return select.get() as string;
}

/** Returns `@device:inode` of a store file, or nothing for an in-memory database. */
/** Returns the device and inode of a file, or `null` when it cannot be read (a store in memory). */
function fileStat(file: string): { dev: number; ino: number } | null {
  try {
    const { dev, ino } = statSync(file);
    return { dev, ino };
  } catch {
    return null;
  }
}

function migrate(db: Database.Database, file: string): void {
  createSchema(db);
  const row = db.prepare(`SELECT value FROM store_info WHERE key = 'schema_version'`).get() as { value: string } | undefined;
  if (row === undefined) {
    // Another process opening the new store at the same moment may have written it first.
    db.prepare(`INSERT OR IGNORE INTO store_info (key, value) VALUES ('schema_version', ?)`).run(String(SCHEMA_VERSION));
  } else if (Number(row.value) > SCHEMA_VERSION) {
    db.close();
    throw new Error(
      `the event store ${file} was written by a newer onsky (store format ${row.value}, this one reads up to ${SCHEMA_VERSION}); upgrade onsky`,
    );
  }
}

/** Creates the tables and indexes when missing; exported so benchmarks use the same schema. */
export function createSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    CREATE TABLE IF NOT EXISTS streams (
      stream_id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      revision INTEGER NOT NULL DEFAULT -1
    ) STRICT;
    CREATE TABLE IF NOT EXISTS events (
      position INTEGER PRIMARY KEY,
      stream_id INTEGER NOT NULL REFERENCES streams (stream_id),
      revision INTEGER NOT NULL,
      event_id BLOB NOT NULL,
      type TEXT NOT NULL,
      schema_version INTEGER NOT NULL,
      data TEXT NOT NULL,
      metadata TEXT NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX IF NOT EXISTS events_by_stream ON events (stream_id, revision);
    CREATE UNIQUE INDEX IF NOT EXISTS events_by_id ON events (stream_id, event_id);
  `);
}

function prepareStatements(db: Database.Database) {
  const select = `SELECT e.position, e.stream_id, e.revision, e.event_id, e.type, e.schema_version, e.data, e.metadata FROM events e`;
  return {
    findStream: db.prepare('SELECT stream_id, revision FROM streams WHERE name = ?'),
    streamName: db.prepare('SELECT name FROM streams WHERE stream_id = ?').pluck(),
    streamNamesAfter: db.prepare('SELECT stream_id, name FROM streams WHERE stream_id > ? ORDER BY stream_id LIMIT ?'),
    head: db.prepare('SELECT max(position) AS position FROM events').safeIntegers(true),
    positionExists: db.prepare('SELECT 1 FROM events WHERE position = ?').pluck(),
    readAll: db.prepare(`${select} WHERE e.position > ? ORDER BY e.position LIMIT ?`).raw(true),
    readAllSafe: db.prepare(`${select} WHERE e.position > ? ORDER BY e.position LIMIT ?`).raw(true).safeIntegers(true),
    readAllOfTypes: db.prepare(`${select} WHERE e.position > ? AND e.type IN (SELECT value FROM json_each(?)) ORDER BY e.position LIMIT ?`).raw(true),
    readAllOfTypesSafe: db.prepare(`${select} WHERE e.position > ? AND e.type IN (SELECT value FROM json_each(?)) ORDER BY e.position LIMIT ?`).raw(true).safeIntegers(true),
    readStream: db.prepare(`${select} WHERE e.stream_id = ? AND e.revision >= ? ORDER BY e.revision LIMIT ?`).raw(true),
    readStreamSafe: db.prepare(`${select} WHERE e.stream_id = ? AND e.revision >= ? ORDER BY e.revision LIMIT ?`).raw(true).safeIntegers(true),
  };
}

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Formats a 16-byte id as a UUID; a table lookup per byte beats hex-encode-then-slice on reads. */
function blobToUuid(bytes: Buffer): string {
  // Indexed lookups without a helper closure: this runs once per event read.
  const h = HEX_BYTES;
  return (
    `${h[bytes[0]!]}${h[bytes[1]!]}${h[bytes[2]!]}${h[bytes[3]!]}-${h[bytes[4]!]}${h[bytes[5]!]}-${h[bytes[6]!]}${h[bytes[7]!]}-` +
    `${h[bytes[8]!]}${h[bytes[9]!]}-${h[bytes[10]!]}${h[bytes[11]!]}${h[bytes[12]!]}${h[bytes[13]!]}${h[bytes[14]!]}${h[bytes[15]!]}`
  );
}
