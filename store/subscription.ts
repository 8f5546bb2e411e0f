/**
 * Catch-up subscriptions for stores that page through their own log: replay from a position,
 * then sleep until a write wakes them. No polling loop runs while nothing is written; a slow
 * periodic check (every few seconds) only guards against a missed wake-up from another process.
 */
import type { Position, RecordedEvent, SubscribeOptions, Subscription } from './port.js';

/** Milliseconds between checks for writes that no notification announced. */
const FALLBACK_CHECK_MS = 3000;

/** A counter that writers bump and subscriptions wait on. */
export class ChangeSignal {
  private version = 0;
  private readonly waiters = new Set<() => void>();
  private closed = false;

  get current(): number {
    return this.version;
  }

  notify(): void {
    this.version += 1;
    this.wakeAll();
  }

  /** Resolves when the version moves past `seen`, on close, or after the fallback interval. */
  wait(seen: number): Promise<void> {
    if (this.closed || this.version !== seen) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, FALLBACK_CHECK_MS);
      timer.unref();
      const waiters = this.waiters;
      function done(): void {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
      waiters.add(done);
    });
  }

  close(): void {
    this.closed = true;
    this.wakeAll();
  }

  private wakeAll(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiting) wake();
  }
}

export interface PagedLogSource {
  /** Throws when `after` is a position the log does not contain. */
  validateStart(after: Position | 'start'): void;
  /** Returns the next events strictly after `after`, in position order; empty when caught up. */
  readPage(after: Position): RecordedEvent[];
  onClosed(subscription: CatchUpSubscription): void;
}

export class CatchUpSubscription implements Subscription {
  private closing = false;
  private running: Promise<void> = Promise.resolve();
  private readonly wake = new ChangeSignal();

  constructor(
    private readonly options: SubscribeOptions,
    private readonly signal: ChangeSignal,
    private readonly source: PagedLogSource,
  ) {}

  start(): void {
    this.running = this.run().catch((error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.options.onError?.(failure);
    });
  }

  async close(): Promise<void> {
    if (this.closing) return this.running;
    this.closing = true;
    this.wake.notify();
    await this.running;
    this.source.onClosed(this);
  }

  private async run(): Promise<void> {
    this.source.validateStart(this.options.after);
    let cursor: Position = this.options.after === 'start' ? 0n : this.options.after;
    let reportedCaughtUp = false;

    while (!this.closing) {
      const seen = this.signal.current;
      const page = this.source.readPage(cursor);
      if (page.length === 0) {
        if (!reportedCaughtUp) {
          this.options.onCaughtUp?.(cursor === 0n ? undefined : cursor);
          reportedCaughtUp = true;
        }
        await Promise.race([this.signal.wait(seen), this.wake.wait(this.wake.current)]);
        continue;
      }

      reportedCaughtUp = false;
      for (const event of page) {
        if (this.closing) return;
        await this.options.onEvent(event);
        // Resume point is the last event actually handled, never a position beyond it.
        cursor = event.position;
      }
    }
  }
}
