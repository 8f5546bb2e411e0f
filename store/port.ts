/**
 * The event-store port: what onsky needs from a log of events, whichever adapter keeps it.
 *
 * Two adapters implement it: the embedded SQLite store (store/sqlite.ts) and the EventStoreDB
 * adapter. Both must pass the contract suite in test/contract, which is the executable form of the
 * rules written here.
 */
import type { Either } from 'fp-ts/lib/Either.js';

/**
 * Global position of an event in the log. Strictly increasing in append order; a bigint because
 * EventStoreDB commit positions are byte offsets that pass 2^53 on a busy cluster.
 */
export type Position = bigint;

/** Zero-based index of an event within its stream. */
export type StreamRevision = number;

/**
 * Optimistic-concurrency expectation for an append:
 * - `'no-stream'`: the stream must not exist yet;
 * - `'any'`: no check;
 * - a number: the revision of the stream's last event must equal it.
 */
export type ExpectedRevision = 'no-stream' | 'any' | StreamRevision;

/** Origin of an imported event, precise enough for a person to find the line again. */
export interface SourceProvenance {
  /** Importer format name, e.g. `obslog` or `jira`. */
  readonly importer: string;
  /** File name as given on the command line or in the upload, never an absolute server path. */
  readonly file: string;
  /** Line number (`"17"`, `"17-21"`) or record key (`"DEMO-2719"`) inside the file. */
  readonly locator: string;
  /** SHA-256 hex digest of the source record's bytes. */
  readonly digest: string;
}

export interface EventMetadata {
  /** Originator of the event: a user name, a token's label or `importer:<format>`. */
  readonly actor: string;
  /**
   * When the store recorded the event (ISO 8601 UTC). Set by the store on append when absent;
   * kept when present so that a restore or migration preserves record time for as-of queries.
   */
  readonly recordedAt?: string;
  /** When the fact happened in the world (ISO 8601 with offset), when known. */
  readonly occurredAt?: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly source?: SourceProvenance;
}

/** An event as handed to `append`. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  /** UUID. Idempotency key: an id already stored in the target stream is skipped. */
  readonly id: string;
  readonly type: Type;
  readonly schemaVersion: number;
  /** JSON-serialisable payload. */
  readonly data: Data;
  readonly metadata: EventMetadata;
}

/** An event as read back from the store: the envelope. */
export interface RecordedEvent<Type extends string = string, Data = unknown> {
  readonly id: string;
  readonly stream: string;
  readonly revision: StreamRevision;
  readonly position: Position;
  readonly type: Type;
  readonly schemaVersion: number;
  readonly data: Data;
  readonly metadata: EventMetadata & { readonly recordedAt: string };
}

/**
 * An event with only the metadata a fold of the read models reads, its record time. Reads for a
 * rebuild hand these out, because decoding the rest of the metadata cost a tenth of the rebuild.
 */
export type FoldEvent = Omit<RecordedEvent, 'metadata'> & { readonly metadata: { readonly recordedAt: string } };

/** Returned when the stream's actual revision does not meet the expectation. */
export interface WrongExpectedRevision {
  readonly kind: 'WrongExpectedRevision';
  readonly stream: string;
  readonly expected: ExpectedRevision;
  /** Revision of the stream's last event, or `'no-stream'` when the stream does not exist. */
  readonly actual: StreamRevision | 'no-stream';
  readonly message: string;
}

export interface AppendSuccess {
  /** Revision of the stream's last event after the append; pass it as the next expectation. */
  readonly nextExpectedRevision: StreamRevision;
  /** Position of the stream's last written event, or the log head when nothing was written. */
  readonly position: Position;
  /** Events written; events whose ids were already in the stream are not counted. */
  readonly appended: number;
  /** Events skipped because their ids were already stored in the stream. */
  readonly duplicates: number;
}

export type AppendResult = Either<WrongExpectedRevision, AppendSuccess>;

export interface AppendRequest {
  readonly stream: string;
  readonly events: readonly NewEvent[];
  readonly expectedRevision: ExpectedRevision;
}

export interface BatchAppendSuccess {
  readonly results: readonly AppendSuccess[];
}

/** A batch conflict names the request that failed; nothing of the batch is written. */
export interface BatchConflict extends WrongExpectedRevision {
  readonly requestIndex: number;
}

export interface ReadStreamOptions {
  /** First revision to return (inclusive). Default 0. */
  readonly fromRevision?: StreamRevision;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Return events strictly after this position. Omitted: from the start of the log. */
  readonly after?: Position;
  readonly maxCount?: number;
}

export interface SubscribeOptions {
  /**
   * Deliver events strictly after this position; `'start'` delivers the whole log. A consumer
   * resumes by passing the position of the last event it actually processed.
   */
  readonly after: Position | 'start';
  /** Called once per event, in position order; the next event waits for a returned promise. */
  readonly onEvent: (event: RecordedEvent) => void | Promise<void>;
  /** Called each time the subscription has delivered every event stored so far. */
  readonly onCaughtUp?: (position: Position | undefined) => void;
  /** Called when the subscription stops because of an error; it delivers nothing after it. */
  readonly onError?: (error: Error) => void;
}

export interface Subscription {
  /** Stops delivery; resolves once no handler is running. */
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends events to one stream atomically: all of them or none. Events whose ids are already
   * stored in the stream are skipped. When every event is such a duplicate, the call succeeds
   * without checking `expectedRevision`, so a retried or re-imported append is a no-op.
   * Invalid input (empty stream name, event without a type, payload that is not JSON) throws
   * `InvalidAppendError` before anything is written.
   */
  append(
    stream: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult>;

  /**
   * Appends to several streams in one transaction, for importers: either every request is
   * written or, on the first conflict, none is.
   */
  appendBatch(requests: readonly AppendRequest[]): Promise<Either<BatchConflict, BatchAppendSuccess>>;

  /** Reads a stream in revision order; a missing stream yields nothing. */
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;

  /** Reads the whole log in position order. */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;

  /** Position of the last event in the log, or `undefined` for an empty log. */
  headPosition(): Promise<Position | undefined>;

  /** Catch-up subscription: replays from a position, then stays live. */
  subscribe(options: SubscribeOptions): Subscription;

  close(): Promise<void>;
}

/** Rejects an append whose input is wrong, before anything is written. */
export class InvalidAppendError extends Error {
  override readonly name = 'InvalidAppendError';

  constructor(
    message: string,
    readonly stream: string,
    readonly eventIndex?: number,
  ) {
    super(message);
  }
}

/** A stored position that the log does not contain: resuming from it would silently skip events. */
export class UnknownPositionError extends Error {
  override readonly name = 'UnknownPositionError';

  constructor(readonly position: Position, readonly head: Position | undefined) {
    super(
      `position ${position} is not in the log (last position: ${head ?? 'none, the log is empty'}); ` +
        'rebuild the read model from the start instead of resuming from it',
    );
  }
}

/**
 * A read of the log failed (the store's file was replaced, deleted or made unreadable, or the
 * store closed during the read). Writes may still work, so it is not a `StoreUnavailableError`.
 */
export class StoreReadError extends Error {
  override readonly name = 'StoreReadError';

  constructor(
    message: string,
    /** The failure's code, e.g. `SQLITE_CANTOPEN`, `STORE_REPLACED`, `STORE_CLOSED`. */
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * The store cannot write (disk full, read-only file or folder, I/O error, lock held too long).
 * Nothing of the failed append was written; reads may still work.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(
    message: string,
    /** The underlying driver's error code, e.g. `SQLITE_FULL`. */
    readonly code: string,
  ) {
    super(message);
  }
}
