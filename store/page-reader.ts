/**
 * Reading the log ahead on a worker thread. A rebuild spent about a quarter of its time stepping
 * SQLite rows on the main thread. With the steps on a worker, the main thread decodes and folds
 * one page while the worker reads the next. Only long reads use it, because starting the worker
 * and loading SQLite in it take tens of milliseconds.
 */
import { Worker } from 'node:worker_threads';
import { StoreUnavailableError } from './port.js';

/** A page of rows as the worker posts it: one array per column, in log order. */
export interface RowPage {
  readonly positions: BigInt64Array;
  readonly revisions: Float64Array;
  readonly versions: Float64Array;
  readonly streams: readonly string[];
  readonly ids: readonly string[];
  readonly types: readonly string[];
  readonly data: readonly string[];
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
  readonly after: bigint;
  readonly pageSize: number;
  /** Milliseconds to wait for a lock, as the store's own connection does. */
  readonly busyTimeoutMs: number;
}

/** Reads the rows after a position, page by page, on a worker thread with its own connection. */
export class PageReader {
  private readonly worker: Worker;
  private readonly arrived: WorkerMessage[] = [];
  private waiting: ((message: WorkerMessage) => void) | null = null;
  private ended = false;

  constructor(plan: PageReaderPlan) {
    this.worker = new Worker(new URL('./page-reader.worker.mjs', import.meta.url), {
      workerData: { ...plan, ahead: PAGES_AHEAD },
    });
    this.worker.on('message', (message: WorkerMessage) => this.deliver(message));
    this.worker.on('error', (error: Error) => this.deliver({ kind: 'failed', message: error.message, code: 'WORKER_FAILED' }));
    this.worker.on('exit', () => this.deliver({ kind: 'failed', message: 'the log reader stopped before the end of the log', code: 'WORKER_EXITED' }));
  }

  /** Returns the next page, or `null` after the last one. Throws `StoreUnavailableError` when reading failed. */
  async next(): Promise<RowPage | null> {
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
        throw new StoreUnavailableError(`reading the event log failed: ${message.message}`, message.code);
    }
  }

  /** Stops the worker; pages not yet taken are dropped. */
  async close(): Promise<void> {
    this.ended = true;
    this.worker.removeAllListeners('exit');
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
