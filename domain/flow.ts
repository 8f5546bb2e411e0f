/**
 * Flow of features through verification over a trailing window: arrivals (deliveries),
 * departures (passed verifications), throughput, work in progress (WIP), expected wait by
 * Little's law and the age of the oldest waiting item. Inputs are plain timestamps per feature so
 * read models can call it for one subsystem or for all.
 */
import { compareText, instantMs } from './values.js';

export const DEFAULT_FLOW_WINDOW_DAYS = 28;

const MS_PER_DAY = 86_400_000;
const DAYS_PER_WEEK = 7;

/** A feature's transitions as ISO 8601 UTC instants; order within a list does not matter. */
export interface FeatureFlowHistory {
  readonly featureKey: string;
  readonly subsystem: string;
  /** Each delivery: enters WIP and counts as an arrival. */
  readonly deliveredAtUtc: readonly string[];
  /** Each passed verification: leaves WIP and counts as a departure. */
  readonly verifiedAtUtc: readonly string[];
  /** Each time a change made the verified feature suspect: enters WIP, not an arrival. */
  readonly suspectAtUtc?: readonly string[];
  /** Each suspicion cleared by a justification: leaves WIP, not a departure. */
  readonly suspicionClearedAtUtc?: readonly string[];
  /** When the feature was withdrawn; a withdrawn feature is not in WIP. */
  readonly withdrawnAtUtc?: string | null;
}

export interface FlowWindow {
  readonly windowEndUtc: string;
  readonly windowDays?: number;
}

export interface FlowMetrics {
  readonly windowStartUtc: string;
  readonly windowEndUtc: string;
  readonly windowDays: number;
  /** Deliveries inside the window (start exclusive, end inclusive). */
  readonly arrivals: number;
  /** Passed verifications inside the window. */
  readonly departures: number;
  readonly throughputPerWeek: number;
  /** Features delivered, failed or suspect and not verified since, at the window end. */
  readonly wip: number;
  readonly wipFeatureKeys: readonly string[];
  /**
   * Little's law, WIP / throughput, in weeks: 0 with no WIP, and `null` when there is WIP but
   * nothing was verified in the window, so the wait is unbounded.
   */
  readonly expectedWaitWeeks: number | null;
  /** Arrivals minus departures: positive when the queue grows. */
  readonly netFlow: number;
  /** Days the longest-waiting WIP item has waited at the window end; `null` with no WIP. */
  readonly oldestItemAgeDays: number | null;
  readonly oldestItemFeatureKey: string | null;
}

export function computeFlow(histories: readonly FeatureFlowHistory[], window: FlowWindow): FlowMetrics {
  const windowDays = window.windowDays ?? DEFAULT_FLOW_WINDOW_DAYS;
  const endMs = instantMs(window.windowEndUtc);
  const startMs = endMs - windowDays * MS_PER_DAY;
  const inWindow = (instant: string): boolean => instantMs(instant) > startMs && instantMs(instant) <= endMs;

  const arrivals = count(histories, (history) => history.deliveredAtUtc.filter(inWindow).length);
  const departures = count(histories, (history) => history.verifiedAtUtc.filter(inWindow).length);
  const throughputPerWeek = departures / (windowDays / DAYS_PER_WEEK);

  const waiting = histories
    .map((history) => ({ featureKey: history.featureKey, sinceMs: waitingSinceMs(history, endMs) }))
    .filter((item): item is { featureKey: string; sinceMs: number } => item.sinceMs !== undefined)
    .sort((a, b) => (a.sinceMs !== b.sinceMs ? a.sinceMs - b.sinceMs : compareText(a.featureKey, b.featureKey)));
  const oldest = waiting[0];
  const wip = waiting.length;

  return {
    windowStartUtc: new Date(startMs).toISOString(),
    windowEndUtc: window.windowEndUtc,
    windowDays,
    arrivals,
    departures,
    throughputPerWeek,
    wip,
    wipFeatureKeys: waiting.map((item) => item.featureKey),
    expectedWaitWeeks: expectedWaitWeeks(wip, throughputPerWeek),
    netFlow: arrivals - departures,
    oldestItemAgeDays: oldest === undefined ? null : (endMs - oldest.sinceMs) / MS_PER_DAY,
    oldestItemFeatureKey: oldest?.featureKey ?? null,
  };
}

/** Computes flow for each subsystem named in the histories, keyed by subsystem. */
export function computeFlowBySubsystem(
  histories: readonly FeatureFlowHistory[],
  window: FlowWindow,
): ReadonlyMap<string, FlowMetrics> {
  const bySubsystem = new Map<string, FeatureFlowHistory[]>();
  for (const history of histories) {
    const group = bySubsystem.get(history.subsystem) ?? [];
    group.push(history);
    bySubsystem.set(history.subsystem, group);
  }

  const flows = new Map<string, FlowMetrics>();
  for (const subsystem of [...bySubsystem.keys()].sort(compareText)) {
    flows.set(subsystem, computeFlow(bySubsystem.get(subsystem) ?? [], window));
  }
  return flows;
}

/** Little's law: average wait = WIP / throughput. */
export function expectedWaitWeeks(wip: number, throughputPerWeek: number): number | null {
  if (wip === 0) {
    return 0;
  }
  return throughputPerWeek === 0 ? null : wip / throughputPerWeek;
}

/**
 * Returns when the feature entered WIP for the wait still open at `endMs`: the first delivery or
 * suspicion after its last exit (passed verification or cleared suspicion), or `undefined` when
 * it is not in WIP at `endMs`.
 */
function waitingSinceMs(history: FeatureFlowHistory, endMs: number): number | undefined {
  const upTo = (instants: readonly string[] | undefined): number[] =>
    (instants ?? []).map(instantMs).filter((ms) => ms <= endMs);

  const withdrawnMs = history.withdrawnAtUtc == null ? undefined : instantMs(history.withdrawnAtUtc);
  if (withdrawnMs !== undefined && withdrawnMs <= endMs) {
    return undefined;
  }
  const exits = [...upTo(history.verifiedAtUtc), ...upTo(history.suspicionClearedAtUtc)];
  const lastExitMs = exits.length === 0 ? -Infinity : Math.max(...exits);
  const openEntries = [...upTo(history.deliveredAtUtc), ...upTo(history.suspectAtUtc)].filter((ms) => ms > lastExitMs);
  return openEntries.length === 0 ? undefined : Math.min(...openEntries);
}

function count(histories: readonly FeatureFlowHistory[], countOne: (history: FeatureFlowHistory) => number): number {
  return histories.reduce((total, history) => total + countOne(history), 0);
}
