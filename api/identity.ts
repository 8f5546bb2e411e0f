/**
 * Observation identity: which stream a record from any source belongs to. A capture block id or
 * a schedule block id already linked to an observation names it. Failing that, a start time
 * within the domain's tolerance of a known observation's start does, unless that observation
 * carries a different identifier of the same kind. A capture block id is itself a start time
 * (the Unix time of capture-init), so an observation known only by it can still be matched.
 */
import {
  captureBlockStartUtc,
  FACT_TIME_TOLERANCE_SECONDS,
  type OnskyEvent,
} from '../domain/index.js';
import type { EventStore } from '../store/port.js';

export interface ObservationKeys {
  readonly captureBlockId?: string;
  readonly scheduleBlockId?: string;
  /** ISO 8601 UTC. */
  readonly startUtc?: string;
}

/**
 * The identifiers and start time the index keeps for one observation. The ids are arrays, not sets:
 * an observation has one or two, and the index keeps an entry for every observation in the log.
 */
export interface KnownObservation {
  captureBlockIds: string[];
  scheduleBlockIds: string[];
  /** Milliseconds since the epoch, or NaN before any start is known. */
  startMs: number;
}

const TOLERANCE_MS = FACT_TIME_TOLERANCE_SECONDS * 1000;

/** The whole state of an `ObservationIdentityIndex`, as `toSnapshot` returns it and the constructor takes it. */
export interface IdentitySnapshot {
  readonly observations: Map<string, KnownObservation>;
  readonly byCaptureBlock: Map<string, string>;
  readonly byScheduleBlock: Map<string, string>;
  readonly starts: Array<{ ms: number; observationId: string }>;
}

export class ObservationIdentityIndex {
  /** The event types `apply` folds; a reader may skip every other type. */
  static readonly EVENT_TYPES: readonly OnskyEvent['type'][] = ['ObservationFactsRecorded', 'ObservationIdentifierLinked', 'ObservationIdentifierUnlinked'];

  private readonly observations: Map<string, KnownObservation>;
  private readonly byCaptureBlock: Map<string, string>;
  private readonly byScheduleBlock: Map<string, string>;
  /** Observations by start time, kept sorted (insertion by binary search) for the tolerance match. */
  private starts: Array<{ ms: number; observationId: string }>;

  /** Starts empty, or continues from a snapshot, which the index then owns and changes. */
  constructor(snapshot?: IdentitySnapshot) {
    this.observations = snapshot?.observations ?? new Map();
    this.byCaptureBlock = snapshot?.byCaptureBlock ?? new Map();
    this.byScheduleBlock = snapshot?.byScheduleBlock ?? new Map();
    this.starts = snapshot?.starts ?? [];
  }

  /** Returns the index's state by reference, to be serialised before the index changes again. */
  toSnapshot(): IdentitySnapshot {
    return { observations: this.observations, byCaptureBlock: this.byCaptureBlock, byScheduleBlock: this.byScheduleBlock, starts: this.starts };
  }

  /** Builds the index from every observation event in the log. */
  static async fromLog(store: EventStore): Promise<ObservationIdentityIndex> {
    const index = new ObservationIdentityIndex();
    for await (const event of store.readAll()) {
      if (event.stream.startsWith('observation-')) index.apply(event as unknown as OnskyEvent);
    }
    return index;
  }

  /** Folds one event; events of other aggregates are ignored. */
  apply(event: OnskyEvent): void {
    switch (event.type) {
      case 'ObservationFactsRecorded':
        // Registered even without identifiers, so that `has` is true for every stream that exists.
        this.entry(event.data.observationId);
        this.learn(event.data.observationId, event.data.facts);
        return;
      case 'ObservationIdentifierLinked':
        this.learnIdentifier(event.data.observationId, event.data.identifier.kind, event.data.identifier.value);
        return;
      case 'ObservationIdentifierUnlinked': {
        const known = this.entry(event.data.observationId);
        const { kind, value } = event.data.identifier;
        const ids = kind === 'capture-block' ? known.captureBlockIds : known.scheduleBlockIds;
        const map = kind === 'capture-block' ? this.byCaptureBlock : this.byScheduleBlock;
        const at = ids.indexOf(value);
        if (at >= 0) ids.splice(at, 1);
        if (map.get(value) === event.data.observationId) map.delete(value);
        return;
      }
      default:
        return;
    }
  }

  /** Records the identifiers and start time a source gave for an observation. */
  learn(observationId: string, keys: ObservationKeys): void {
    if (keys.captureBlockId !== undefined) this.learnIdentifier(observationId, 'capture-block', keys.captureBlockId);
    if (keys.scheduleBlockId !== undefined) this.learnIdentifier(observationId, 'schedule-block', keys.scheduleBlockId);
    if (keys.startUtc !== undefined) this.learnStart(observationId, Date.parse(keys.startUtc));
  }

  /**
   * Tells whether the folded log contains the observation's stream. Every observation stream starts
   * with ObservationFactsRecorded (the decider accepts no other command on a new stream), so
   * `false` means the stream was empty when the log was folded. A writer since then is caught by
   * the append's expected revision.
   */
  has(observationId: string): boolean {
    return this.observations.has(observationId);
  }

  /** Returns the stream id of the observation these keys name, or `undefined` for a new one. */
  resolve(keys: ObservationKeys): string | undefined {
    if (keys.captureBlockId !== undefined) {
      const known = this.byCaptureBlock.get(keys.captureBlockId);
      if (known !== undefined) return known;
    }
    if (keys.scheduleBlockId !== undefined) {
      const known = this.byScheduleBlock.get(keys.scheduleBlockId);
      if (known !== undefined) return known;
    }
    const startUtc = keys.startUtc ?? (keys.captureBlockId === undefined ? undefined : captureBlockStartUtc(keys.captureBlockId));
    return startUtc === undefined ? undefined : this.nearestStart(Date.parse(startUtc), keys);
  }

  private nearestStart(ms: number, keys: ObservationKeys): string | undefined {
    if (Number.isNaN(ms)) return undefined;
    let best: { distance: number; observationId: string } | undefined;
    for (let i = lowerBound(this.starts, ms - TOLERANCE_MS); i < this.starts.length; i++) {
      const candidate = this.starts[i]!;
      if (candidate.ms > ms + TOLERANCE_MS) break;
      if (this.contradicts(candidate.observationId, keys)) continue;
      const distance = Math.abs(candidate.ms - ms);
      if (best === undefined || distance < best.distance) best = { distance, observationId: candidate.observationId };
    }
    return best?.observationId;
  }

  /** Two observations that carry different ids of the same kind are different observations. */
  private contradicts(observationId: string, keys: ObservationKeys): boolean {
    const known = this.observations.get(observationId);
    if (known === undefined) return false;
    if (keys.captureBlockId !== undefined && known.captureBlockIds.length > 0 && !known.captureBlockIds.includes(keys.captureBlockId)) return true;
    if (keys.scheduleBlockId !== undefined && known.scheduleBlockIds.length > 0 && !known.scheduleBlockIds.includes(keys.scheduleBlockId)) return true;
    return false;
  }

  private learnIdentifier(observationId: string, kind: 'capture-block' | 'schedule-block', value: string): void {
    const known = this.entry(observationId);
    if (kind === 'capture-block') {
      if (!known.captureBlockIds.includes(value)) known.captureBlockIds.push(value);
      if (!this.byCaptureBlock.has(value)) this.byCaptureBlock.set(value, observationId);
      const start = captureBlockStartUtc(value);
      if (start !== undefined && Number.isNaN(known.startMs)) this.learnStart(observationId, Date.parse(start));
    } else {
      if (!known.scheduleBlockIds.includes(value)) known.scheduleBlockIds.push(value);
      if (!this.byScheduleBlock.has(value)) this.byScheduleBlock.set(value, observationId);
    }
  }

  private learnStart(observationId: string, ms: number): void {
    const known = this.entry(observationId);
    if (Number.isNaN(ms) || known.startMs === ms) return;
    if (!Number.isNaN(known.startMs)) this.starts = this.starts.filter((start) => start.observationId !== observationId);
    known.startMs = ms;
    this.starts.splice(lowerBound(this.starts, ms), 0, { ms, observationId });
  }

  private entry(observationId: string): KnownObservation {
    let known = this.observations.get(observationId);
    if (known === undefined) {
      known = { captureBlockIds: [], scheduleBlockIds: [], startMs: Number.NaN };
      this.observations.set(observationId, known);
      // The stream id is itself an identifier: a capture block id, or `sb-` and a schedule block id.
      if (observationId.startsWith('sb-')) this.learnIdentifier(observationId, 'schedule-block', observationId.slice(3));
      else if (/^\d{9,11}$/.test(observationId)) this.learnIdentifier(observationId, 'capture-block', observationId);
    }
    return known;
  }
}

function lowerBound(starts: ReadonlyArray<{ ms: number }>, ms: number): number {
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (starts[middle]!.ms < ms) low = middle + 1;
    else high = middle;
  }
  return low;
}
