/**
 * The projections runtime. It restores the read models from a valid snapshot, or else rebuilds
 * them from the log, and subscribes to the store from the checkpoint. It reports the read models
 * each batch changed, snapshots periodically and on close, and serves as-of views.
 */
import { rmSync } from 'node:fs';
import type { EventStore, Position, RecordedEvent, Subscription } from '../store/port.js';
import { projectionCodeVersion } from './code-version.js';
import { applyEvent } from './fold.js';
import { factOf } from './facts.js';
import { createProjectionState, type ProjectionState, type ReadModelName } from './model.js';
import { ReadModels } from './read-models.js';
import { RestoredObservations } from './restored-observations.js';
import { checkCheckpoint, replayInto } from './replay.js';
import { openSnapshot, removeStaleTemporaryFiles, writeSnapshot, writeSnapshotInSteps, type SnapshotHeader } from './snapshot.js';
import { SnapshotDamagedError } from './snapshot-damage.js';

/** A pino-style logger: fields first, then the message. */
export interface ProjectionsLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Settings of the projections runtime. */
export interface ProjectionsOptions {
  /** Snapshot path. Without one the read models are rebuilt on every start. */
  readonly snapshotFile?: string;
  readonly logger?: ProjectionsLogger;
  /** Clock for the snapshot interval; injectable for tests. */
  readonly now?: () => Date;
  /** Snapshot after this many applied events; default 50 000. */
  readonly snapshotEveryEvents?: number;
  /** Snapshot at most this often while events arrive, in seconds; default 300. */
  readonly snapshotEverySeconds?: number;
  /** As-of states kept in memory; default 4. */
  readonly asOfCacheSize?: number;
  /** Version stamped on snapshots; default a hash of the projections/ and domain/ sources. */
  readonly codeVersion?: string;
}

/** The read models one applied batch of events changed. */
export interface ReadModelChange {
  readonly models: readonly ReadModelName[];
  /** Position of the last event in the batch. */
  readonly position: Position;
}

/** A listener for read-model changes; it runs after each applied batch. */
export type ReadModelListener = (change: ReadModelChange) => void;

/** The outcome of a start, for logs and tests. */
export interface StartReport {
  readonly source: 'snapshot' | 'rebuild';
  /** The reason the snapshot was not used, or `null` when it was. */
  readonly reason: string | null;
  /** Events folded from the log during start (after the snapshot, or all of them). */
  readonly eventsReplayed: number;
}

/** The times a view is folded to; both ISO 8601 UTC, both optional. */
export interface ViewTimes {
  /** Only events recorded at or before this time count. */
  readonly recordedUntil?: string;
  /** Only events that happened at or before this time count, wherever they are in the log. */
  readonly occurredUntil?: string;
}

/**
 * How far an event's own time may lie after its record time, in ms: the domain accepts times up to
 * an hour ahead of its clock. A view by event time later than every record by more is the live state.
 */
const EVENT_TIME_AHEAD_MS = 3_600_000;

/** Past views folded at once; more wait their turn. One per core of a small machine. */
const MAX_FOLDS_AT_ONCE = 2;

/** The running read models: live queries, as-of views, change notices and checkpoints. */
export interface Projections {
  /** Resolves once the read models have caught up with the log; rejects if the start fails. */
  readonly ready: Promise<StartReport>;
  /** Position of the last applied event, `undefined` before the first. */
  readonly position: Position | undefined;
  /** The live query API. */
  readonly query: ReadModels;
  /** Registers a listener; returns a function that removes it. */
  onChange(listener: ReadModelListener): () => void;
  /**
   * Returns the query API as of a record time: the log folded up to the last event recorded at or
   * before `recordTimeIso`. Each new time costs one read and fold of that prefix of the log, about
   * as long as a rebuild for a recent time. The last few views are cached, so repeated reads are free.
   */
  asOf(recordTimeIso: string): Promise<ReadModels>;
  /**
   * Returns the query API folded from the events recorded by `recordedUntil` (every event without
   * it) that had happened by `occurredUntil` by their own times, such as a delivery's date. Cached
   * and priced as `asOf`; a time after everything recorded returns the live or as-of view.
   */
  view(times: ViewTimes): Promise<ReadModels>;
  /** Writes a snapshot now (no-op without `snapshotFile` or before the first event). */
  snapshot(): void;
  /** Stops the subscription and writes a final snapshot. */
  close(): Promise<void>;
}

const SILENT: ProjectionsLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Starts the read models on a store; await `ready` before trusting the queries. */
export function startProjections(store: EventStore, options: ProjectionsOptions = {}): Projections {
  return new ProjectionsRuntime(store, options);
}

class ProjectionsRuntime implements Projections {
  readonly ready: Promise<StartReport>;
  private state: ProjectionState = createProjectionState();
  private readonly live: ReadModels = new ReadModels(this.state);
  private readonly listeners = new Set<ReadModelListener>();
  private readonly logger: ProjectionsLogger;
  private readonly codeVersion: string;
  private readonly asOfCache = new Map<string, Promise<ReadModels>>();
  private foldsRunning = 0;
  private readonly foldQueue: Array<() => void> = [];
  private subscription: Subscription | undefined;
  private pending = new Set<ReadModelName>();
  private flushScheduled = false;
  private eventsSinceSnapshot = 0;
  private lastSnapshotMs: number;
  private closed = false;
  /** True once the start's replay is done; damage found later is repaired by `recover`. */
  private serving = false;
  /**
   * Events the subscription delivered while the served state must not change: during a snapshot
   * written in steps, and during a rebuild after damage. Applied when neither runs any more.
   */
  private heldEvents: RecordedEvent[] | null = null;
  /** The snapshot being written in steps, if any. */
  private writing: Promise<void> | null = null;
  /** True while the read models are rebuilt after a damaged snapshot part. */
  private recovering = false;

  constructor(private readonly store: EventStore, private readonly options: ProjectionsOptions) {
    this.logger = options.logger ?? SILENT;
    this.codeVersion = options.codeVersion ?? projectionCodeVersion();
    this.lastSnapshotMs = this.nowMs();
    this.ready = this.start().catch((error: unknown) => {
      this.logger.error({ err: error }, 'projections failed to start; the read models are not serving');
      throw error;
    });
    // A failed start is reported through `ready`; this keeps it from also being an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  get position(): Position | undefined {
    return this.state.position ?? undefined;
  }

  get query(): ReadModels {
    return this.live;
  }

  onChange(listener: ReadModelListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  asOf(recordTimeIso: string): Promise<ReadModels> {
    return this.view({ recordedUntil: recordTimeIso });
  }

  view(times: ViewTimes): Promise<ReadModels> {
    for (const [name, time] of [['as-of', times.recordedUntil], ['event', times.occurredUntil]] as const) {
      if (time !== undefined && Number.isNaN(Date.parse(time))) {
        return Promise.reject(new Error(`${name} time ${JSON.stringify(time)} is not an ISO 8601 time; pass e.g. 2019-03-08T12:00:00Z`));
      }
    }
    const occurredUntil = this.afterEveryRecord(times) ? undefined : times.occurredUntil;
    if (times.recordedUntil === undefined && occurredUntil === undefined) return Promise.resolve(this.live);
    // A view up to a record time before the last record is fixed, because records never go back in
    // time. Any other view would take in events recorded later, so its key contains the position
    // it was folded at, and the next event makes it fold again.
    const lastRecordedAt = this.state.lastRecordedAt;
    const fixed = times.recordedUntil !== undefined && lastRecordedAt !== null && Date.parse(times.recordedUntil) < Date.parse(lastRecordedAt);
    const key = `${times.recordedUntil ?? ''}|${occurredUntil ?? ''}|${fixed ? '' : String(this.state.position ?? '')}`;
    const cached = this.asOfCache.get(key);
    if (cached !== undefined) {
      // Refresh its place in the least-recently-used order.
      this.asOfCache.delete(key);
      this.asOfCache.set(key, cached);
      return cached;
    }
    const folded = this.foldUntil({ recordedUntil: times.recordedUntil, occurredUntil });
    this.asOfCache.set(key, folded);
    folded.catch(() => this.asOfCache.delete(key));
    const limit = this.options.asOfCacheSize ?? 4;
    while (this.asOfCache.size > limit) {
      const oldest = this.asOfCache.keys().next().value as string;
      this.asOfCache.delete(oldest);
    }
    return folded;
  }

  snapshot(): void {
    const file = this.options.snapshotFile;
    if (file === undefined || this.state.position === null) return;
    const started = performance.now();
    try {
      this.noteSnapshot(file, writeSnapshot(file, this.state, this.codeVersion), started);
    } catch (error) {
      this.logger.error({ file, err: error }, 'projection snapshot failed; the read models keep running from memory');
    }
  }

  /**
   * Writes a snapshot in steps between other work, holding the events that arrive meanwhile so the
   * state stays as written: a snapshot of a million events takes seconds, which a server must not
   * spend unresponsive. Does nothing while another write or a rebuild runs.
   */
  private snapshotInSteps(): void {
    const file = this.options.snapshotFile;
    if (file === undefined || this.state.position === null || this.writing !== null || this.recovering || this.closed) return;
    const started = performance.now();
    this.heldEvents ??= [];
    this.writing = writeSnapshotInSteps(file, this.state, this.codeVersion, yieldToEventLoop)
      .then((header) => this.noteSnapshot(file, header, started))
      .catch((error: unknown) => this.logger.error({ file, err: error }, 'projection snapshot failed; the read models keep running from memory'))
      .finally(() => {
        this.writing = null;
        this.releaseHeld();
      });
  }

  private noteSnapshot(file: string, header: SnapshotHeader, started: number): void {
    this.eventsSinceSnapshot = 0;
    this.lastSnapshotMs = this.nowMs();
    this.logger.info({ file, position: header.position, events: header.events, ms: Math.round(performance.now() - started) }, 'projection snapshot written');
  }

  /** Applies the events kept back while the state could not change, once no write or rebuild runs. */
  private releaseHeld(): void {
    if (this.writing !== null || this.recovering || this.heldEvents === null) return;
    const released = this.heldEvents;
    this.heldEvents = null;
    for (const event of released) this.apply(event);
    // Reported at once as one batch, so a reader that finds the new position also finds its change.
    if (released.length > 0) this.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ready.catch(() => undefined);
    await this.subscription?.close();
    await this.writing;
    this.flush();
    if (this.eventsSinceSnapshot > 0) this.snapshot();
    this.logger.info({ position: this.state.position?.toString() ?? null }, 'projections stopped');
  }

  private async start(): Promise<StartReport> {
    let restored = await this.restore();
    let before = this.state.version;
    try {
      await replayInto(this.store, this.state, { betweenPages: yieldToEventLoop });
    } catch (error) {
      // Replaying onto the restored state read a damaged part of the snapshot: start over from the log.
      if (!(error instanceof SnapshotDamagedError)) throw error;
      restored = { source: 'rebuild', reason: this.discardDamagedSnapshot(error) };
      this.state = createProjectionState();
      this.live.rebind(this.state);
      before = 0;
      await replayInto(this.store, this.state, { betweenPages: yieldToEventLoop });
    }
    this.serving = true;
    const report: StartReport = { ...restored, eventsReplayed: this.state.version - before };
    if (report.eventsReplayed > 0) this.eventsSinceSnapshot += report.eventsReplayed;
    if (this.closed) return report;

    const caughtUp = new Promise<void>((resolve, reject) => {
      this.subscription = this.store.subscribe({
        after: this.state.position ?? 'start',
        onEvent: (event) => this.apply(event),
        onCaughtUp: () => {
          this.flush();
          resolve();
        },
        onError: (error) => {
          this.logger.error({ err: error, position: this.state.position?.toString() ?? null }, 'projection subscription stopped');
          reject(error);
        },
      });
    });
    await caughtUp;
    this.logger.info({ ...report, position: this.state.position?.toString() ?? null }, 'projections ready');
    this.expandInBackground();
    if (report.eventsReplayed > 0) {
      // Checkpoint a long catch-up right away, after `ready`, so a crash does not repeat it.
      setImmediate(() => {
        if (!this.closed && this.eventsSinceSnapshot > 0) this.snapshotInSteps();
      });
    }
    return report;
  }

  /** Loads the snapshot when it is valid for this code and this log; otherwise starts empty. */
  private async restore(): Promise<Omit<StartReport, 'eventsReplayed'>> {
    const file = this.options.snapshotFile;
    if (file === undefined) return { source: 'rebuild', reason: 'no snapshot file configured' };
    const removed = removeStaleTemporaryFiles(file);
    if (removed.length > 0) this.logger.warn({ file, removed }, 'removed unfinished snapshot files of writers that were killed');
    const result = await openSnapshot(file, this.codeVersion, (error) => {
      if (this.serving) this.recover(error);
    });
    if (!result.ok) {
      const log = result.missing ? this.logger.info : this.logger.warn;
      log.call(this.logger, { file, reason: result.reason }, 'rebuilding the read models from the log');
      return { source: 'rebuild', reason: result.reason };
    }
    const position = BigInt(result.header.position);
    const mismatch = await checkCheckpoint(this.store, position, result.header.eventId);
    if (mismatch !== undefined) {
      const reason = `snapshot does not match the log: ${mismatch}`;
      this.logger.warn({ file, reason }, 'rebuilding the read models from the log');
      return { source: 'rebuild', reason };
    }
    this.state = result.state;
    this.live.rebind(this.state);
    this.logger.info({ file, position: result.header.position, events: result.header.events }, 'read models restored from snapshot');
    return { source: 'snapshot', reason: null };
  }

  /**
   * Builds the observations a snapshot left unexpanded, one batch per turn of the event loop, so
   * the first query over every observation does not pay for all of them while requests wait.
   */
  private expandInBackground(): void {
    const observations = this.state.observations;
    if (!(observations instanceof RestoredObservations)) return;
    const started = performance.now();
    const step = (): void => {
      if (this.closed || observations !== this.state.observations) return;
      let more: boolean;
      try {
        more = observations.expandNext();
      } catch (error) {
        // The damage listener has started the rebuild; a damaged batch stays damaged.
        if (error instanceof SnapshotDamagedError) return;
        throw error;
      }
      if (more) {
        setImmediate(step);
        return;
      }
      this.logger.info({ observations: observations.size, ms: Math.round(performance.now() - started) }, 'observations from the snapshot expanded');
    };
    setImmediate(step);
  }

  /** Logs the damage and deletes the snapshot, so no later start reads it again; returns the reason. */
  private discardDamagedSnapshot(error: SnapshotDamagedError): string {
    const file = this.options.snapshotFile;
    const reason = `snapshot ${file ?? ''} is damaged: ${error.message}`;
    this.logger.error({ file, reason }, 'rebuilding the read models from the log');
    if (file !== undefined) rmSync(file, { force: true });
    return reason;
  }

  /**
   * Rebuilds the read models from the log after a restored part proved damaged while serving,
   * then swaps them in. Until then queries read the damaged state, and those that need the damaged
   * part fail. Events arriving meanwhile are held and applied to the new state after the swap.
   */
  private recover(error: SnapshotDamagedError): void {
    if (this.recovering || this.closed) return;
    this.discardDamagedSnapshot(error);
    this.recovering = true;
    this.heldEvents ??= [];
    const fresh = createProjectionState();
    replayInto(this.store, fresh, { betweenPages: yieldToEventLoop })
      .then(() => this.swapIn(fresh))
      .catch((failure: unknown) => {
        this.recovering = false;
        this.logger.error({ err: failure }, 'rebuilding the read models after a damaged snapshot failed; restart the server');
        this.releaseHeld();
      });
  }

  private swapIn(fresh: ProjectionState): void {
    this.recovering = false;
    if (this.closed) return;
    this.state = fresh;
    this.live.rebind(fresh);
    this.eventsSinceSnapshot = Math.max(1, fresh.version);
    for (const model of ALL_MODELS) this.pending.add(model);
    // Events up to the replay's last page are in `fresh` already, and applyEvent skips them.
    this.releaseHeld();
    this.flush();
    this.logger.info({ position: fresh.position?.toString() ?? null, events: fresh.version }, 'read models rebuilt after a damaged snapshot');
  }

  private apply(event: RecordedEvent): void {
    if (this.heldEvents !== null) {
      this.heldEvents.push(event);
      return;
    }
    let models: readonly ReadModelName[];
    try {
      models = applyEvent(this.state, event);
    } catch (error) {
      if (!(error instanceof SnapshotDamagedError)) throw error;
      // The damage listener has started the rebuild, which reads this event from the log.
      return;
    }
    if (models.length === 0) return;
    for (const model of models) this.pending.add(model);
    this.eventsSinceSnapshot += 1;
    if (!this.flushScheduled) {
      // Events of one page arrive without a macrotask between them, so this reports once per batch.
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    this.snapshotIfDue();
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.size === 0 || this.state.position === null) return;
    const change: ReadModelChange = { models: [...this.pending].sort(), position: this.state.position };
    this.pending = new Set();
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error({ err: error, models: change.models }, 'read-model change listener failed');
      }
    }
  }

  private snapshotIfDue(): void {
    const everyEvents = this.options.snapshotEveryEvents ?? 50_000;
    const everyMs = (this.options.snapshotEverySeconds ?? 300) * 1000;
    if (this.eventsSinceSnapshot >= everyEvents || this.nowMs() - this.lastSnapshotMs >= everyMs) this.snapshotInSteps();
  }

  private async foldUntil(times: ViewTimes): Promise<ReadModels> {
    // Each fold builds a whole state, so a burst of distinct times would hold one per request.
    await this.foldSlot();
    try {
      const state = createProjectionState();
      await replayInto(this.store, state, {
        ...times,
        // The live state has each observation's start from all its sources, whatever order they
        // were recorded in.
        observationStart: (observationId) => {
          const record = this.state.observations.get(observationId);
          return record === undefined ? undefined : factOf(record, 'startUtc');
        },
        betweenPages: yieldToEventLoop,
      });
      return new ReadModels(state);
    } finally {
      // The place passes straight to the next waiting fold, so that no new fold takes it between.
      const next = this.foldQueue.shift();
      if (next === undefined) this.foldsRunning -= 1;
      else next();
    }
  }

  /** Waits until fewer than `MAX_FOLDS_AT_ONCE` views are folding, and takes a place. */
  private async foldSlot(): Promise<void> {
    if (this.foldsRunning < MAX_FOLDS_AT_ONCE) {
      this.foldsRunning += 1;
      return;
    }
    // Resolved by a finishing fold, which hands over its place.
    await new Promise<void>((resolve) => this.foldQueue.push(resolve));
  }

  /** Tests whether everything the view may fold happened before `occurredUntil`, which then filters nothing. */
  private afterEveryRecord(times: ViewTimes): boolean {
    if (times.occurredUntil === undefined) return true;
    const lastRecorded = times.recordedUntil ?? this.state.lastRecordedAt;
    if (lastRecorded === null) return true;
    return Date.parse(times.occurredUntil) > Date.parse(lastRecorded) + EVENT_TIME_AHEAD_MS;
  }

  private nowMs(): number {
    return (this.options.now?.() ?? new Date()).getTime();
  }
}

/** Every read model, reported as changed when a rebuilt state replaces the served one. */
const ALL_MODELS: readonly ReadModelName[] = ['board', 'queue', 'backpressure', 'ledger', 'traceability', 'timeline', 'configuration', 'gaps', 'observations', 'changes', 'tickets', 'findings', 'targets'];

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
