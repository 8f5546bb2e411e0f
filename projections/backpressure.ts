/**
 * Flow and backpressure per subsystem and for the whole array, over a trailing window: the flow
 * figures (domain `computeFlow`), the signal with the numbers behind it (`assessBackpressure`) and
 * the recommendation sentence (`recommendBackpressureAction`).
 */
import {
  assessBackpressure,
  computeFlow,
  computeFlowBySubsystem,
  recommendBackpressureAction,
  verificationWsjf,
  type BackpressureAssessment,
  type FeatureFlowHistory,
  type FlowMetrics,
  type QueueEntry,
} from '../domain/index.js';
import type { FeatureRecord, ProjectionState } from './model.js';

/** Settings of the report; every field but `now` has the documented default. */
export interface FlowOptions {
  /** End of the window (ISO 8601 UTC). */
  readonly now: string;
  /** Trailing window in days; default 28. */
  readonly windowDays?: number;
  /** Target wait in weeks; default 2. */
  readonly targetWaitWeeks?: number;
  /** WIP limits set per subsystem; a subsystem without one gets throughput × target wait. */
  readonly wipLimits?: Readonly<Record<string, number>>;
  /** WIP limit for the whole array; default throughput × target wait. */
  readonly overallWipLimit?: number;
  /** Features the recommendation names; default 3. */
  readonly recommendCount?: number;
}

/** Flow, signal and recommendation for one subsystem, or the whole array when `subsystem` is null. */
export interface BackpressureReport {
  readonly subsystem: string | null;
  readonly flow: FlowMetrics;
  readonly assessment: BackpressureAssessment;
  readonly recommendation: string;
}

/** The flow report for the whole array and for each subsystem. */
export interface FlowReport {
  readonly overall: BackpressureReport;
  /** One report per subsystem that has a delivered feature, ordered by subsystem. */
  readonly subsystems: readonly BackpressureReport[];
}

/** Computes flow, backpressure signal and recommendation, overall and per subsystem. */
export function flowReport(state: ProjectionState, options: FlowOptions): FlowReport {
  const histories: FeatureFlowHistory[] = [];
  const queue: (QueueEntry & { subsystem: string })[] = [];
  for (const record of state.features.values()) {
    const history = flowHistory(record);
    if (history === undefined) continue;
    histories.push(history);
    const entry = queueEntry(record);
    if (entry !== undefined) queue.push(entry);
  }

  const window = { windowEndUtc: options.now, windowDays: options.windowDays };
  const overallFlow = computeFlow(histories, window);
  const overall = report(null, overallFlow, queue, options, options.overallWipLimit);
  const subsystems: BackpressureReport[] = [];
  // A subsystem whose features are all still proposed has no flow to report.
  const delivering = new Set(histories.filter((history) => history.deliveredAtUtc.length > 0).map((history) => history.subsystem));
  for (const [subsystem, flow] of computeFlowBySubsystem(histories, window)) {
    if (!delivering.has(subsystem)) continue;
    const ownQueue = queue.filter((entry) => entry.subsystem === subsystem);
    subsystems.push(report(subsystem, flow, ownQueue, options, options.wipLimits?.[subsystem]));
  }
  return { overall, subsystems };
}

function report(
  subsystem: string | null,
  flow: FlowMetrics,
  queue: readonly QueueEntry[],
  options: FlowOptions,
  wipLimit: number | undefined,
): BackpressureReport {
  const assessment = assessBackpressure(flow, { targetWaitWeeks: options.targetWaitWeeks, wipLimit });
  const recommendation = recommendBackpressureAction({
    subsystem: subsystem ?? undefined,
    assessment,
    flow,
    queue,
    count: options.recommendCount,
  });
  return { subsystem, flow, assessment, recommendation };
}

/** Collects the feature's transitions for the flow arithmetic; `undefined` before it is proposed. */
export function flowHistory(record: FeatureRecord): FeatureFlowHistory | undefined {
  const definition = record.state.definition;
  if (definition === null) return undefined;
  const cleared = record.suspicions.filter((suspicion) => suspicion.justification !== null && suspicion.endedAt !== null);
  return {
    featureKey: record.featureKey,
    subsystem: definition.subsystem,
    deliveredAtUtc: record.deliveries.map((delivery) => delivery.deliveredAt),
    verifiedAtUtc: record.verifications.filter((verification) => verification.outcome === 'passed').map((verification) => verification.verifiedAt),
    suspectAtUtc: record.suspicions.map((suspicion) => suspicion.markedAt),
    suspicionClearedAtUtc: cleared.map((suspicion) => suspicion.endedAt as string),
    withdrawnAtUtc: record.withdrawnAt,
  };
}

/** Features the recommendation may name: those that can be verified now (delivered or suspect). */
function queueEntry(record: FeatureRecord): (QueueEntry & { subsystem: string }) | undefined {
  const { status, definition } = record.state;
  if ((status !== 'delivered' && status !== 'suspect') || definition === null || record.waitingSince === null) {
    return undefined;
  }
  return {
    featureKey: record.featureKey,
    title: definition.title,
    subsystem: definition.subsystem,
    verificationWsjf: verificationWsjf(definition.scores, definition.verificationEffort),
    waitingSinceUtc: record.waitingSince,
  };
}
