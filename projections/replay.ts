/**
 * Folding a log into a fresh or restored state: the rebuild path and the as-of path. The SQLite
 * store's `readFoldPagesAhead` is used when present, because one promise per event (`readAll`)
 * costs more than the fold itself, and its reads run on another thread.
 */
import type { EventStore, FoldEvent, Position } from '../store/port.js';
import { eventTimeOf } from './event-time.js';
import { applyEvent } from './fold.js';
import type { ProjectionState } from './model.js';

/**
 * A store that can hand out the log in pages of decoded events with their record times, as the
 * SQLite adapter does, read ahead on another thread.
 */
interface PagedStore {
  readFoldPagesAhead(after?: Position, pageSize?: number): AsyncIterable<FoldEvent[]>;
}

function isPaged(store: EventStore): store is EventStore & PagedStore {
  return typeof (store as Partial<PagedStore>).readFoldPagesAhead === 'function';
}

/** Settings of a replay. */
export interface ReplayOptions {
  /** Stop before the first event recorded after this instant (ISO 8601 UTC). */
  readonly recordedUntil?: string;
  /**
   * Skip the events that happened after this instant (ISO 8601 UTC) by their own times, such as
   * a delivery's `deliveredAt` (see event-time.ts), wherever they are in the log.
   */
  readonly occurredUntil?: string;
  /**
   * An observation's start as known from every source, for its events without a time of their
   * own: facts recorded before the source that gives the start would otherwise be judged by
   * their record time.
   */
  readonly observationStart?: (observationId: string) => string | undefined;
  /**
   * Rows per page on the paged path, default 500. Pages that size or smaller die young. With 2000
   * rows a page outlived a scavenge, and a rebuild spent about a tenth longer in garbage collection.
   */
  readonly pageSize?: number;
  /** Called between pages, so a long rebuild can yield to the event loop. */
  readonly betweenPages?: () => Promise<void>;
}

/** Folds every event after the state's position (up to `recordedUntil`) into the state. */
export async function replayInto(store: EventStore, state: ProjectionState, options: ReplayOptions = {}): Promise<void> {
  const until = options.recordedUntil;
  const happened = happenedBy(options.occurredUntil, options.observationStart);
  const after = state.position ?? 0n;
  if (isPaged(store)) {
    for await (const page of store.readFoldPagesAhead(after, options.pageSize ?? 500)) {
      for (const event of page) {
        if (until !== undefined && event.metadata.recordedAt > until) return;
        if (happened(state, event)) applyEvent(state, event);
      }
      await options.betweenPages?.();
    }
    return;
  }
  const events = state.position === null ? store.readAll() : store.readAll({ after });
  for await (const event of events) {
    if (until !== undefined && event.metadata.recordedAt > until) return;
    if (happened(state, event)) applyEvent(state, event);
  }
}

/** Returns a test of whether an event happened by `occurredUntil`; every event passes without one. */
function happenedBy(occurredUntil: string | undefined, observationStart: ReplayOptions['observationStart']): (state: ProjectionState, event: FoldEvent) => boolean {
  if (occurredUntil === undefined) return () => true;
  const untilMs = Date.parse(occurredUntil);
  return (state, event) => {
    const time = eventTimeOf(state, event, observationStart);
    return time === null || Date.parse(time) <= untilMs;
  };
}

/**
 * Checks that the log still contains the event a checkpoint names: same id at the same position.
 * Returns a reason when it does not (store replaced, restored or truncated).
 */
export async function checkCheckpoint(store: EventStore, position: Position, eventId: string): Promise<string | undefined> {
  try {
    return await compareEventAt(store, position, eventId);
  } catch (error) {
    // NOTE: reading from `position - 1` is exact for SQLite row ids. An EventStoreDB server may
    // reject it as a position inside another event, and then the checkpoint counts as unverified.
    return `reading the log at position ${position} failed: ${(error as Error).message}`;
  }
}

async function compareEventAt(store: EventStore, position: Position, eventId: string): Promise<string | undefined> {
  for await (const event of store.readAll({ after: position - 1n, maxCount: 1 })) {
    if (event.position !== position) {
      return `the log has no event at position ${position} (next is ${event.position})`;
    }
    return event.id === eventId ? undefined : `the event at position ${position} is ${event.id}, not ${eventId}`;
  }
  const head = await store.headPosition();
  return `the log ends at position ${head ?? 'none (empty)'}, before the checkpoint's position ${position}`;
}
