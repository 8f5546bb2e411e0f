/** Flow and backpressure: is engineering delivering faster than commissioning can verify? */
import { z } from 'zod';
import type { BackpressureAssessment, FlowMetrics } from '../../domain/index.js';
import type { BackpressureReport, FlowReport } from '../../projections/backpressure.js';
import { builder } from './builder.js';
import { AS_OF_ARG, NOW_ARG, viewAt, type View } from './common.js';

const FlowMetricsType = builder.objectRef<FlowMetrics>('FlowMetrics').implement({
  description: 'Flow over a trailing window.',
  fields: (t) => ({
    windowStartUtc: t.exposeString('windowStartUtc', { description: 'Window start, exclusive (ISO 8601 UTC).' }),
    windowEndUtc: t.exposeString('windowEndUtc', { description: 'Window end, inclusive (ISO 8601 UTC).' }),
    windowDays: t.exposeFloat('windowDays', { description: 'Window length in days.' }),
    arrivals: t.exposeInt('arrivals', { description: 'Features delivered in the window.' }),
    departures: t.exposeInt('departures', { description: 'Passed verifications in the window.' }),
    throughputPerWeek: t.exposeFloat('throughputPerWeek', { description: 'Departures per week.' }),
    wip: t.exposeInt('wip', { description: 'Features delivered, failed or suspect and not verified since, at the window end.' }),
    wipFeatureKeys: t.exposeStringList('wipFeatureKeys', { description: 'Those features.' }),
    expectedWaitWeeks: t.exposeFloat('expectedWaitWeeks', { nullable: true, description: "Little's law, WIP / throughput, in weeks; null when there is WIP but no throughput." }),
    netFlow: t.exposeInt('netFlow', { description: 'Arrivals minus departures; positive when the queue grows.' }),
    oldestItemAgeDays: t.exposeFloat('oldestItemAgeDays', { nullable: true, description: 'Days the longest-waiting WIP item has waited; null with no WIP.' }),
    oldestItemFeatureKey: t.exposeString('oldestItemFeatureKey', { nullable: true, description: 'That feature.' }),
  }),
});

const AssessmentType = builder.objectRef<BackpressureAssessment>('BackpressureAssessment').implement({
  description: 'The backpressure signal and the numbers behind it.',
  fields: (t) => ({
    signal: t.exposeString('signal', { description: 'green, amber (arrivals exceed departures or the wait exceeds the target) or red (WIP exceeds the limit).' }),
    wip: t.exposeInt('wip', { description: 'Work in progress.' }),
    wipLimit: t.exposeFloat('wipLimit', { description: 'The WIP limit.' }),
    wipLimitIsDefault: t.exposeBoolean('wipLimitIsDefault', { description: 'True when the limit is throughput × target wait, not set for the subsystem.' }),
    targetWaitWeeks: t.exposeFloat('targetWaitWeeks', { description: 'Target wait in weeks.' }),
    reasons: t.exposeStringList('reasons', { description: 'One sentence per rule that raised the signal above green.' }),
  }),
});

const ReportType = builder.objectRef<BackpressureReport>('BackpressureReport').implement({
  description: 'Flow, signal and recommendation for one subsystem or the whole array.',
  fields: (t) => ({
    subsystem: t.exposeString('subsystem', { nullable: true, description: 'The subsystem; null for the whole array.' }),
    flow: t.field({ type: FlowMetricsType, description: 'Flow figures.', resolve: (report) => report.flow }),
    assessment: t.field({ type: AssessmentType, description: 'Signal and the numbers behind it.', resolve: (report) => report.assessment }),
    recommendation: t.exposeString('recommendation', { description: 'What to do, e.g. pause deliveries to SDP until WIP ≤ 6 and verify these first.' }),
  }),
});

export const FlowReportType = builder.objectRef<FlowReport>('FlowReport').implement({
  description: 'Flow and backpressure for the whole array and per subsystem.',
  fields: (t) => ({
    overall: t.field({ type: ReportType, description: 'The whole array.', resolve: (report) => report.overall }),
    subsystems: t.field({ type: [ReportType], description: 'One report per subsystem with a delivered feature, ordered by subsystem.', resolve: (report) => report.subsystems }),
  }),
});

const WipLimitInput = builder.inputType('WipLimitInput', {
  description: 'A WIP limit set for one subsystem.',
  fields: (t) => ({
    subsystem: t.string({ required: true, description: 'The subsystem, e.g. SDP.' }),
    limit: t.float({ required: true, description: 'Maximum features in WIP.', validate: z.number().min(0, 'limit must be 0 or more') }),
  }),
});

/** Options of the flow query, shared with the backpressure subscription. */
export interface FlowArgs {
  readonly windowDays?: number | null;
  readonly targetWaitWeeks?: number | null;
  readonly recommendCount?: number | null;
  readonly overallWipLimit?: number | null;
  readonly wipLimits?: readonly { subsystem: string; limit: number }[] | null;
}

export function flowAt(view: View, args: FlowArgs): FlowReport {
  return view.reads.flowReport({
    now: view.now,
    ...(args.windowDays == null ? {} : { windowDays: args.windowDays }),
    ...(args.targetWaitWeeks == null ? {} : { targetWaitWeeks: args.targetWaitWeeks }),
    ...(args.recommendCount == null ? {} : { recommendCount: args.recommendCount }),
    ...(args.overallWipLimit == null ? {} : { overallWipLimit: args.overallWipLimit }),
    ...(args.wipLimits == null ? {} : { wipLimits: Object.fromEntries(args.wipLimits.map((limit) => [limit.subsystem, limit.limit])) }),
  });
}

export const FLOW_ARGS_DESCRIPTIONS = {
  windowDays: 'Trailing window in days, 1 to 3650; default 28.',
  targetWaitWeeks: 'Target wait in weeks; default 2.',
  recommendCount: 'Features the recommendation names, 0 to 20; default 3.',
  overallWipLimit: 'WIP limit for the whole array; default throughput × target wait.',
  wipLimits: 'WIP limits per subsystem; others get throughput × target wait.',
} as const;

builder.queryFields((t) => ({
  flow: t.field({
    type: FlowReportType,
    description: 'Flow and backpressure: arrivals, departures, throughput, WIP, expected wait, the signal and a recommendation.',
    args: {
      asOf: t.arg.string(AS_OF_ARG),
      now: t.arg.string(NOW_ARG),
      windowDays: t.arg.float({ required: false, description: FLOW_ARGS_DESCRIPTIONS.windowDays, validate: z.number().gt(0, 'windowDays must be more than 0').max(3650, 'windowDays must be 3650 or less') }),
      targetWaitWeeks: t.arg.float({ required: false, description: FLOW_ARGS_DESCRIPTIONS.targetWaitWeeks, validate: z.number().gt(0, 'targetWaitWeeks must be more than 0') }),
      recommendCount: t.arg.int({ required: false, description: FLOW_ARGS_DESCRIPTIONS.recommendCount, validate: z.number().int().min(0).max(20, 'recommendCount must be 20 or less') }),
      overallWipLimit: t.arg.float({ required: false, description: FLOW_ARGS_DESCRIPTIONS.overallWipLimit, validate: z.number().min(0, 'overallWipLimit must be 0 or more') }),
      wipLimits: t.arg({ type: [WipLimitInput], required: false, description: FLOW_ARGS_DESCRIPTIONS.wipLimits }),
    },
    resolve: async (_root, args, context) => flowAt(await viewAt(context, args.asOf, args.now), args),
  }),
}));
