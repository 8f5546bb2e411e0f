/**
 * Appending on a worker thread. An import spends about as long deciding a batch of events as the
 * store spends writing one (measured at 40–50 µs an event each). With the writes on a worker, the
 * main thread decides the next batch while the last one is written. The worker has its own
 * connection to the store file and writes by the same transaction as the store's connection
 * (sqlite-append.mjs).
 */
import { Worker } from 'node:worker_threads';
import type { WriteRejection, WriteRequest, WriteResult } from './sqlite-append.mjs';

/** The worker's reply to one write. */
export type WriterReply =
  | { readonly kind: 'written'; readonly id: number; readonly results: WriteResult[] }
  | { readonly kind: 'rejected'; readonly id: number; readonly rejection: Pick<WriteRejection, 'kind' | 'stream' | 'requestIndex' | 'expected' | 'actual' | 'message'> }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string; readonly code: string };

/** The worker's report that it could not open the store file. */
interface Unavailable {
  readonly kind: 'unavailable';
  readonly message: string;
  readonly code: string;
}

/** The value of `opened` once the worker's connection is open; 2 means it could not be. */
const OPEN = 1;

export class WriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, (reply: WriterReply) => void>();
  private nextId = 0;
  private stopped = false;
  /**
   * Set by the worker once its connection is open (1) or could not be opened (2). Shared memory
   * rather than a message, because an import may not yield to the event loop for a second or more,
   * and a message would not be read before then.
   */
  private readonly opened = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    file: string,
    busyTimeoutMs: number,
    /** Called when the worker cannot open the file, with SQLite's message and code. */
    private readonly onUnavailable: (message: string, code: string) => void,
  ) {
    // No execArgv: the main thread's loader flags (tsx) would cost the worker a few hundred
    // milliseconds to start, and it runs plain JavaScript.
    this.worker = new Worker(new URL('./sqlite-writer.worker.mjs', import.meta.url), { workerData: { file, busyTimeoutMs, opened: this.opened }, execArgv: [] });
    // An idle writer must not keep the process alive; it is referenced while a write is out.
    this.worker.unref();
    this.worker.on('message', (message: WriterReply | Unavailable) => this.receive(message));
    this.worker.on('error', (error: Error) => this.stop(error.message));
    this.worker.on('exit', () => this.stop('the writer thread stopped'));
  }

  /** True once the worker has its connection. Until then, and after a failure, the store writes on its own connection. */
  get ready(): boolean {
    return !this.stopped && Atomics.load(this.opened, 0) === OPEN;
  }

  /** Hands requests to the worker; call only when `ready`. */
  write(requests: readonly WriteRequest[]): Promise<WriterReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.ref();
      this.worker.postMessage({ id, requests });
    });
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.worker.terminate();
  }

  private receive(message: WriterReply | Unavailable): void {
    if (message.kind === 'unavailable') {
      this.onUnavailable(message.message, message.code);
      return;
    }
    const resolve = this.waiting.get(message.id);
    this.waiting.delete(message.id);
    if (this.waiting.size === 0) this.worker.unref();
    resolve?.(message);
  }

  /**
   * Fails every write still out. Whether such a write committed is unknown, so the message directs
   * the caller to read the stream again. An import may simply run again, because its event ids repeat.
   */
  private stop(reason: string): void {
    this.stopped = true;
    for (const [id, resolve] of this.waiting) {
      resolve({ kind: 'failed', id, message: `${reason} while writing; whether the last append was stored is unknown, so read the stream before deciding again`, code: 'WRITER_STOPPED' });
    }
    this.waiting.clear();
  }
}
