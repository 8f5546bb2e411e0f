/**
 * The unverified-data ledger. It sums observed hours by review state, by month, proposal, band
 * and product, and the hours not looked at in detail. It finds the oldest unreviewed observation,
 * measures QA coverage of qualifying observations and how long products take to reach the archive.
 */
import { compareText } from '../domain/index.js';
import {
  daysBetween,
  durationSeconds,
  factOf,
  REVIEW_STATES,
  reviewState,
  type ReviewState,
} from './facts.js';
import type { ObservationRecord, ProjectionState } from './model.js';

/** Settings of the unverified-data ledger. */
export interface LedgerOptions {
  /** The instant ages are measured to (ISO 8601 UTC). */
  readonly now: string;
  /** A continuum observation qualifies for QA with at least this much on target; default 900 s (15 min). */
  readonly continuumMinOnTargetSeconds?: number;
  /** A spectral-line observation qualifies with at least this much on target; default 10 800 s (3 h). */
  readonly spectralLineMinOnTargetSeconds?: number;
}

/** Hours per review state. */
export type HoursByReviewState = Readonly<Record<ReviewState, number>>;

/** Observations and hours of one month, proposal, band or product. */
export interface LedgerGroup {
  /** `YYYY-MM` of the start, the proposal id, band or product; `unknown` when the fact is missing. */
  readonly key: string;
  readonly observations: number;
  readonly hours: number;
  readonly hoursByReviewState: HoursByReviewState;
  /** Hours never reviewed or only through automated QA. */
  readonly hoursNotLookedAtInDetail: number;
}

/** QA coverage of the observations that qualify for it. */
export interface QaCoverage {
  readonly qualifying: number;
  /** Qualifying observations with any review (automated QA or more). */
  readonly reviewed: number;
  /** Qualifying observations inspected or imaged. */
  readonly lookedAtInDetail: number;
  /** `reviewed / qualifying`, or `null` when nothing qualifies. */
  readonly coverage: number | null;
}

/** Time from observation end to the first archived product, as a multiple of the observation's duration. */
export interface ArchiveLatency {
  readonly observations: number;
  readonly medianMultiple: number | null;
  readonly p90Multiple: number | null;
  readonly maxMultiple: number | null;
}

/** Observed hours and how much of them was reviewed. */
export interface UnverifiedDataLedger {
  readonly observations: number;
  /** Observations without both a start and an end; they count as 0 hours. */
  readonly observationsWithoutTimes: number;
  readonly hours: number;
  readonly hoursByReviewState: HoursByReviewState;
  /**
   * Hours never reviewed or only through automated QA. Discarded hours are not counted: the
   * decision to discard them ends the need for a look.
   */
  readonly hoursNotLookedAtInDetail: number;
  readonly byMonth: readonly LedgerGroup[];
  readonly byProposal: readonly LedgerGroup[];
  readonly byBand: readonly LedgerGroup[];
  readonly byProduct: readonly LedgerGroup[];
  /** The never-reviewed observation with the earliest start, with its age at `now` in days. */
  readonly oldestUnreviewed: { readonly observationId: string; readonly startUtc: string; readonly ageDays: number } | null;
  readonly qaCoverage: { readonly continuum: QaCoverage; readonly spectralLine: QaCoverage };
  readonly archiveLatency: ArchiveLatency;
}

/** The observing mode that sets the QA qualification threshold. */
export type ObservingMode = 'continuum' | 'spectral-line';

/**
 * Classes an observation as continuum or spectral line. Spectral line when the correlator
 * product has 32k channels or more (MeerKAT product names end in the channel count: `c856M32k`,
 * narrowband `c107M32k`), or when the description names line work (spectral line, HI, OH, maser).
 * Everything else, including the 1k and 4k wideband products, is continuum.
 */
export function observingMode(record: ObservationRecord): ObservingMode {
  const product = factOf(record, 'product') ?? '';
  const channels = /(\d+)k$/i.exec(product);
  if (channels !== null && Number(channels[1]) >= 32) {
    return 'spectral-line';
  }
  const description = factOf(record, 'description') ?? '';
  return /spectral[\s-]?line|\bH\s?I\b|\bOH\b|maser/i.test(description) ? 'spectral-line' : 'continuum';
}

/** Seconds on target: the compound scans' durations, or the whole observation when none are recorded. */
export function onTargetSecondsOf(record: ObservationRecord): number {
  const scans = factOf(record, 'compoundScans') ?? [];
  if (scans.length === 0) return durationSeconds(record);
  return scans.reduce((total, scan) => total + scan.durationSeconds, 0);
}

class GroupTotals {
  observations = 0;
  readonly hours: Record<ReviewState, number> = { 'never-reviewed': 0, 'automated-qa': 0, inspected: 0, imaged: 0, discarded: 0 };

  add(hours: number, state: ReviewState): void {
    this.observations += 1;
    this.hours[state] += hours;
  }

  toGroup(key: string): LedgerGroup {
    const total = REVIEW_STATES.reduce((sum, state) => sum + this.hours[state], 0);
    const notLooked = this.hours['never-reviewed'] + this.hours['automated-qa'];
    return { key, observations: this.observations, hours: total, hoursByReviewState: { ...this.hours }, hoursNotLookedAtInDetail: notLooked };
  }
}

class Grouping {
  private readonly groups = new Map<string, GroupTotals>();

  add(key: string, hours: number, state: ReviewState): void {
    let totals = this.groups.get(key);
    if (totals === undefined) {
      totals = new GroupTotals();
      this.groups.set(key, totals);
    }
    totals.add(hours, state);
  }

  list(): LedgerGroup[] {
    return [...this.groups.entries()].sort(([a], [b]) => compareText(a, b)).map(([key, totals]) => totals.toGroup(key));
  }
}

/** Computes the ledger in one pass over the observations. */
export function unverifiedDataLedger(state: ProjectionState, options: LedgerOptions): UnverifiedDataLedger {
  const minContinuum = options.continuumMinOnTargetSeconds ?? 900;
  const minLine = options.spectralLineMinOnTargetSeconds ?? 10_800;
  const all = new GroupTotals();
  const [byMonth, byProposal, byBand, byProduct] = [new Grouping(), new Grouping(), new Grouping(), new Grouping()];
  const coverage = { continuum: newCoverage(), 'spectral-line': newCoverage() };
  const multiples: number[] = [];
  let withoutTimes = 0;
  let oldest: { record: ObservationRecord; startMs: number } | undefined;

  for (const record of state.observations.values()) {
    const seconds = durationSeconds(record);
    const hours = seconds / 3600;
    const review = reviewState(record);
    const start = factOf(record, 'startUtc');
    if (start === undefined || factOf(record, 'endUtc') === undefined) withoutTimes += 1;

    all.add(hours, review);
    byMonth.add(start?.slice(0, 7) ?? 'unknown', hours, review);
    byProposal.add(factOf(record, 'proposalId') ?? 'unknown', hours, review);
    byBand.add(factOf(record, 'band') ?? 'unknown', hours, review);
    byProduct.add(factOf(record, 'product') ?? 'unknown', hours, review);

    if (review === 'never-reviewed' && start !== undefined && (oldest === undefined || Date.parse(start) < oldest.startMs)) {
      oldest = { record, startMs: Date.parse(start) };
    }
    const mode = observingMode(record);
    if (onTargetSecondsOf(record) >= (mode === 'continuum' ? minContinuum : minLine)) {
      countCoverage(coverage[mode], review);
    }
    const multiple = archiveMultiple(record, seconds);
    if (multiple !== undefined) multiples.push(multiple);
  }

  const totals = all.toGroup('all');
  const oldestStart = oldest === undefined ? undefined : factOf(oldest.record, 'startUtc');
  return {
    observations: totals.observations,
    observationsWithoutTimes: withoutTimes,
    hours: totals.hours,
    hoursByReviewState: totals.hoursByReviewState,
    hoursNotLookedAtInDetail: totals.hoursNotLookedAtInDetail,
    byMonth: byMonth.list(),
    byProposal: byProposal.list(),
    byBand: byBand.list(),
    byProduct: byProduct.list(),
    oldestUnreviewed:
      oldest === undefined || oldestStart === undefined
        ? null
        : { observationId: oldest.record.observationId, startUtc: oldestStart, ageDays: daysBetween(oldestStart, options.now) },
    qaCoverage: { continuum: finishCoverage(coverage.continuum), spectralLine: finishCoverage(coverage['spectral-line']) },
    archiveLatency: latency(multiples),
  };
}

/** (first product archived − observation end) / duration; `undefined` without the times. */
export function archiveMultiple(record: ObservationRecord, seconds: number = durationSeconds(record)): number | undefined {
  const end = factOf(record, 'endUtc');
  if (end === undefined || seconds <= 0) return undefined;
  let first = Number.POSITIVE_INFINITY;
  for (const product of record.products) {
    if (product.archivedAt !== null) first = Math.min(first, Date.parse(product.archivedAt));
  }
  if (first === Number.POSITIVE_INFINITY) return undefined;
  return (first - Date.parse(end)) / 1000 / seconds;
}

function newCoverage(): { qualifying: number; reviewed: number; detail: number } {
  return { qualifying: 0, reviewed: 0, detail: 0 };
}

function countCoverage(counts: { qualifying: number; reviewed: number; detail: number }, review: ReviewState): void {
  counts.qualifying += 1;
  if (review !== 'never-reviewed') counts.reviewed += 1;
  if (review === 'inspected' || review === 'imaged') counts.detail += 1;
}

function finishCoverage(counts: { qualifying: number; reviewed: number; detail: number }): QaCoverage {
  return {
    qualifying: counts.qualifying,
    reviewed: counts.reviewed,
    lookedAtInDetail: counts.detail,
    coverage: counts.qualifying === 0 ? null : counts.reviewed / counts.qualifying,
  };
}

/** Median, 90th percentile (nearest rank) and maximum of the multiples. */
function latency(multiples: number[]): ArchiveLatency {
  if (multiples.length === 0) {
    return { observations: 0, medianMultiple: null, p90Multiple: null, maxMultiple: null };
  }
  const sorted = multiples.sort((a, b) => a - b);
  const rank = (fraction: number): number => sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)]!;
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { observations: sorted.length, medianMultiple: median, p90Multiple: rank(0.9), maxMultiple: sorted.at(-1)! };
}


