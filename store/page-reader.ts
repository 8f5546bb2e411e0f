/**
 * Reading the log ahead on a worker thread. A rebuild spent about a quarter of its time stepping
 * SQLite rows on the main thread. With the steps on a worker, the main thread decodes and folds
 * one page while the worker reads the next. Only long reads use it, because starting the worker
 * and loading SQLite in it take tens of milliseconds.
 */
import { Worker } from 'node:worker_threads';
import { StoreReadError } from './port.js';

/** A page of rows as the worker posts it: one array per column, in log order. */
export interface RowPage {
  readonly positions: BigInt64Array;
  readonly streamIds: Float64Array;
  readonly revisions: Float64Array;
  readonly versions: Float64Array;
  /** The stream's name, or `null` when the streams table has no row for its id. */
  readonly streams: readonly (string | null)[];
  readonly ids: readonly string[];
  readonly types: readonly string[];
  readonly data: readonly string[];
  /** The metadata as JSON text, or only its `recordedAt` when the plan asked for record times. */
  readonly metadata: readonly string[];
}

type WorkerMessage =
  | ({ readonly kind: 'page' } & RowPage)
  | { readonly kind: 'end' }
  | { readonly kind: 'failed'; readonly message: string; readonly code: string };

/** Pages the worker may read before the main thread has taken them. */
const PAGES_AHEAD = 4;

/** The read a worker makes: the rows after `after`, in pages of `pageSize`. */
export interface PageReaderPlan {
  readonly file: string;
  /**
   * The file's device and inode when the store opened it: a file replaced or moved since is not
   * the store's, and reading it would mix two logs. `null` when the store could not tell.
   */
  readonly identity: { readonly dev: number; readonly ino: number } | null;
  readonly after: bigint;
  readonly pageSize: number;
  /** Milliseconds to wait for a lock, as the store's own connection does. */
  readonly busyTimeoutMs: number;
  /** Send each event's record time in place of its metadata text (the worker parses it). */
  readonly recordTimeOnly: boolean;
}

/** Reads the rows after a position, page by page, on a worker thread with its own connection. */
export class PageReader {
  private readonly worker: Worker;
  private readonly arrived: WorkerMessage[] = [];
  private waiting: ((message: WorkerMessage) => void) | null = null;
  private ended = false;
  private closing: Promise<void> | null = null;
  private readonly onExit = (): void => this.deliver({ kind: 'failed', message: 'the log reader stopped before the end of the log', code: 'WORKER_EXITED' });

  constructor(private readonly plan: PageReaderPlan) {
    // Without the main thread's loader flags (tsx), which cost a worker about 100 ms to start,
    // because it runs plain JavaScript.
    this.worker = new Worker(new URL('./page-reader.worker.mjs', import.meta.url), {
      workerData: { ...plan, ahead: PAGES_AHEAD },
      execArgv: [],
    });
    this.worker.on('message', (message: WorkerMessage) => this.deliver(message));
    this.worker.on('error', (error: Error) => this.deliver({ kind: 'failed', message: error.message, code: 'WORKER_FAILED' }));
    this.worker.on('exit', this.onExit);
  }

  /** Returns the next page, or `null` after the last one. Throws `StoreReadError` when reading failed or the reader was closed. */
  async next(): Promise<RowPage | null> {
    if (this.closing !== null) throw closedError();
    if (this.ended) return null;
    const message = this.arrived.shift() ?? (await new Promise<WorkerMessage>((resolve) => (this.waiting = resolve)));
    switch (message.kind) {
      case 'page':
        this.worker.postMessage('more');
        return message;
      case 'end':
        this.ended = true;
        return null;
      case 'failed':
        this.ended = true;
        throw new StoreReadError(`cannot read the event store ${this.plan.file}: ${message.message}`, message.code);
    }
  }

  /**
   * Stops the worker; pages not yet taken are dropped, and a `next` waiting for one throws. Safe to
   * call more than once: the store closes its readers, and each read closes its own.
   */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async stop(): Promise<void> {
    this.ended = true;
    // Only this reader's listener: `terminate` resolves through an exit listener of its own.
    this.worker.off('exit', this.onExit);
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.({ kind: 'failed', message: 'the event store was closed during the read', code: 'STORE_CLOSED' });
    await this.worker.terminate();
  }

  private deliver(message: WorkerMessage): void {
    const waiting = this.waiting;
    if (waiting === null) {
      this.arrived.push(message);
      return;
    }
    this.waiting = null;
    waiting(message);
  }
}

function closedError(): StoreReadError {
  return new StoreReadError('the event store was closed during the read', 'STORE_CLOSED');
}
