/**
 * Write failures of the event store as the server reports them: the client gets the store's
 * cause and fix without the file path, and /health shows the last failure until a later write
 * moves the log forward.
 */
import type { Position } from '../../store/port.js';

/** A store write failure (`StoreUnavailableError` of store/port.ts), recognised by name across module copies. */
export interface StoreWriteFailure {
  readonly name: 'StoreUnavailableError';
  readonly message: string;
  /** The driver's error code, e.g. `SQLITE_FULL`. */
  readonly code: string;
}

export function isStoreWriteFailure(error: unknown): error is StoreWriteFailure {
  return error instanceof Error && error.name === 'StoreUnavailableError' && typeof (error as { code?: unknown }).code === 'string';
}

/** The SQLite adapter's message prefix; the file path after it is for the server log, not for clients. */
const SQLITE_PREFIX = 'cannot write to the event store ';

/**
 * Returns the failure's message without the store's file path, e.g. "the event store cannot take
 * writes: the disk (or the database size limit) is full; free space and retry; nothing of this
 * append was written".
 */
export function clientMessage(failure: StoreWriteFailure): string {
  const message = failure.message;
  if (!message.startsWith(SQLITE_PREFIX)) return message;
  const afterPath = message.indexOf(': ', SQLITE_PREFIX.length);
  const reason = afterPath < 0 ? 'the store rejected the write; check the server log' : message.slice(afterPath + 2);
  return `the event store cannot take writes: ${reason}`;
}

/** The write state /health reports: the last failure, kept until the log moves past where it was then. */
export class StoreWriteHealth {
  private failure: { readonly code: string; readonly message: string; readonly at: string; readonly head: Position | undefined } | undefined;

  /** Records a failed write; `head` is the log's head position when it failed. */
  record(failure: StoreWriteFailure, head: Position | undefined, now = new Date()): void {
    this.failure = { code: failure.code, message: clientMessage(failure), at: now.toISOString(), head };
  }

  /**
   * Returns the last write failure, or `undefined` when none happened or a write since then
   * moved the head of the log (so the store takes writes again).
   */
  lastFailure(head: Position | undefined): { code: string; message: string; at: string } | undefined {
    const failure = this.failure;
    if (failure === undefined) return undefined;
    if (head !== undefined && (failure.head === undefined || head > failure.head)) {
      this.failure = undefined;
      return undefined;
    }
    return { code: failure.code, message: failure.message, at: failure.at };
  }
}
