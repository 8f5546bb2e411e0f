/**
 * Catch-up subscription to EventStoreDB's `$all` for the EventStoreDB adapter (store/esdb.ts).
 *
 * Three rules keep a read model from losing or repeating events:
 * - it resumes from the position of the last event it actually processed, never from a
 *   checkpoint message. KurrentDB has reported checkpoint positions beyond the last event, and
 *   the next event written lands exactly there. Resuming is exclusive, so it would skip that event;
 * - it checks a stored start position by reading the event at that position first, because a
 *   subscription from a position the log does not contain receives nothing and reports no error;
 * - after the server drops, it reconnects with exponential backoff from the last processed event
 *   and ignores anything at or before it, so no event is delivered twice.
 */
import {
  AccessDeniedError,
  InvalidArgumentError,
  START,
  UnsupportedError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type EventStoreDBClient,
  type Filter,
  type Position as EsdbPosition,
} from '@eventstore/db-client';
import { UnknownPositionError, type Position, type RecordedEvent, type SubscribeOptions, type Subscription } from './port.js';

export interface EsdbLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface ReconnectOptions {
  /** Milliseconds before the first reconnection attempt. Default 100. */
  readonly initialDelayMs?: number;
  /** Upper bound of the doubling delay, in milliseconds. Default 5000. */
  readonly maxDelayMs?: number;
}

export interface SubscriptionSource {
  readonly client: EventStoreDBClient;
  /** Server-side filter that drops system events (and, with a namespace, other namespaces). */
  readonly filter: Filter;
  /** The port's envelope, or undefined for events the store does not expose (system events). */
  toRecordedEvent(resolved: AllStreamResolvedEvent): RecordedEvent | undefined;
  headPosition(): Promise<Position | undefined>;
  readonly logger: EsdbLogger | undefined;
  readonly reconnect: ReconnectOptions;
}

/** Pushed into the client's stream when the server reports caught-up, behind the events before it. */
const CAUGHT_UP = Symbol('caught-up');

/** An error thrown by the consumer's `onEvent`: it ends the subscription instead of a retry. */
class HandlerFailure {
  constructor(readonly error: Error) {}
}

export class EsdbCatchUpSubscription implements Subscription {
  private closed = false;
  private running: Promise<void> = Promise.resolve();
  private current: AllStreamSubscription | undefined;
  private wakeSleep: (() => void) | undefined;
  /** Position of the last event processed, system events included; the point to resume after. */
  private resumeAfter: EsdbPosition | undefined;
  private lastDelivered: Position | undefined;

  constructor(
    private readonly options: SubscribeOptions,
    private readonly source: SubscriptionSource,
  ) {
    if (options.after !== 'start') this.lastDelivered = options.after;
  }

  start(): void {
    this.running = this.run().catch((error: unknown) => this.fail(toError(error)));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeSleep?.();
    const current = this.current;
    if (current !== undefined) {
      await current.unsubscribe().catch(() => undefined);
      current.destroy();
    }
    await this.running;
  }

  private async run(): Promise<void> {
    const { initialDelayMs = 100, maxDelayMs = 5000 } = this.source.reconnect;
    let delayMs = initialDelayMs;
    let needsValidation = this.options.after !== 'start';

    while (!this.closed) {
      try {
        if (needsValidation) {
          this.resumeAfter = await this.validateStart(this.options.after as Position);
          needsValidation = false;
        }
        await this.consume(() => {
          delayMs = initialDelayMs;
        });
        if (this.closed) return;
        this.source.logger?.warn({ resumeAfter: this.resumeAfter?.commit }, 'EventStoreDB ended the $all subscription; reconnecting');
      } catch (error) {
        if (this.closed) return;
        if (error instanceof HandlerFailure) return this.fail(error.error);
        if (isPermanent(error)) return this.fail(toError(error));
        this.source.logger?.warn(
          { err: error, resumeAfter: this.resumeAfter?.commit, retryInMs: delayMs },
          'EventStoreDB $all subscription dropped; reconnecting',
        );
      }
      await this.sleep(withJitter(delayMs));
      delayMs = Math.min(delayMs * 2, maxDelayMs);
    }
  }

  /**
   * Reads the event at the stored position. EventStoreDB reads `$all` forwards inclusively, so
   * the first event returned is that event exactly when the position is an event boundary.
   */
  private async validateStart(after: Position): Promise<EsdbPosition> {
    let first: AllStreamResolvedEvent | undefined;
    try {
      for await (const resolved of this.source.client.readAll({ fromPosition: { commit: after, prepare: after }, maxCount: 1 })) {
        first ??= resolved;
      }
    } catch (error) {
      // NOTE: a real server may reject a position inside a record with an error instead of
      // returning the next record. Both mean the position is not an event of this log.
      if (isPermanent(error)) throw new UnknownPositionError(after, await this.source.headPosition());
      throw error;
    }
    const position = first?.event?.position;
    if (position === undefined || position.commit !== after) {
      throw new UnknownPositionError(after, await this.source.headPosition());
    }
    return position;
  }

  /** Runs one server subscription until it ends, fails or the consumer closes it. */
  private async consume(onConfirmed: () => void): Promise<void> {
    const subscription = this.source.client.subscribeToAll({
      fromPosition: this.resumeAfter ?? START,
      filter: this.source.filter,
    });
    this.current = subscription;
    subscription.on('confirmation', onConfirmed);
    // The client emits `caughtUp` while it transforms the server's message. A marker pushed into
    // its readable side then sits behind every event received before that message.
    // NOTE: older servers send no caught-up message (the client reads it from version 6.1), and
    // against them `onCaughtUp` is never called.
    subscription.on('caughtUp', () => subscription.push(CAUGHT_UP));

    try {
      for await (const item of subscription as AsyncIterable<AllStreamResolvedEvent | typeof CAUGHT_UP>) {
        if (this.closed) return;
        if (item === CAUGHT_UP) {
          this.options.onCaughtUp?.(this.lastDelivered);
          continue;
        }
        await this.process(item);
      }
    } catch (error) {
      if (this.closed) return;
      throw error;
    } finally {
      this.current = undefined;
      subscription.destroy();
    }
  }

  private async process(resolved: AllStreamResolvedEvent): Promise<void> {
    const position = resolved.event?.position;
    if (position === undefined) return;
    // A reconnection starts after `resumeAfter`; anything at or before it was processed already.
    if (this.resumeAfter !== undefined && position.commit <= this.resumeAfter.commit) return;

    const event = this.source.toRecordedEvent(resolved);
    if (event !== undefined) {
      try {
        await this.options.onEvent(event);
      } catch (error) {
        throw new HandlerFailure(toError(error));
      }
      this.lastDelivered = event.position;
    }
    this.resumeAfter = position;
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.source.logger?.warn({ err: error }, 'EventStoreDB $all subscription stopped');
    this.options.onError?.(error);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeSleep = done;
    });
  }
}

/** Errors that another attempt cannot fix: wrong credentials, a bad request, a bad position. */
function isPermanent(error: unknown): boolean {
  return (
    error instanceof UnknownPositionError ||
    error instanceof AccessDeniedError ||
    error instanceof InvalidArgumentError ||
    error instanceof UnsupportedError
  );
}

/** Spreads reconnections of many onsky processes over ±20 % of the delay. */
function withJitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
