/**
 * Subscriptions over server-sent events: the feature board, the verification queue and the
 * backpressure report, pushed once at subscription and again after each batch of events that
 * changes them. Changes that land while a client is still receiving are coalesced into one push.
 */
import type { ReadModelName } from '../../projections/model.js';
import type { ReadSide } from '../read-side.js';
import { builder } from './builder.js';
import type { View } from './common.js';
import { featureShapes, FeatureStatusEnum, FeatureType } from './feature.js';
import { flowAt, FlowReportType, FLOW_ARGS_DESCRIPTIONS } from './flow.js';
import { CANDIDATE_LIMIT, queueAt, QueueEntryType } from './queue.js';

/** Yields a sequence number now and after each change of one of `models`, until the client leaves. */
export function changesOf(reads: ReadSide, models: readonly ReadModelName[]): AsyncIterableIterator<number> {
  let pending = true;
  let finished = false;
  let sequence = 0;
  let wake: (() => void) | undefined;
  const stop = reads.onChange((changed) => {
    if (!changed.some((model) => models.includes(model))) return;
    pending = true;
    wake?.();
  });

  const iterator: AsyncIterableIterator<number> = {
    async next() {
      while (!finished && !pending) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      wake = undefined;
      if (finished) return { done: true, value: undefined };
      pending = false;
      sequence += 1;
      return { done: false, value: sequence };
    },
    async return() {
      finished = true;
      stop();
      wake?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

function liveView(reads: ReadSide): View {
  return { reads: reads.current(), now: new Date().toISOString() };
}

builder.subscriptionFields((t) => ({
  boardChanged: t.field({
    type: [FeatureType],
    description: 'The feature board, pushed at subscription and whenever an event changes it.',
    args: {
      subsystem: t.arg.string({ required: false, description: 'Only features of this subsystem.' }),
      status: t.arg({ type: FeatureStatusEnum, required: false, description: 'Only features with this status.' }),
    },
    subscribe: (_root, _args, context) => changesOf(context.reads, ['board']),
    resolve: (_sequence, args, context) =>
      featureShapes(liveView(context.reads), {
        ...(args.subsystem == null ? {} : { subsystem: args.subsystem }),
        ...(args.status == null ? {} : { status: args.status }),
      }),
  }),
  queueChanged: t.field({
    type: [QueueEntryType],
    description: 'The verification queue, pushed at subscription and whenever an event changes it.',
    args: {
      subsystem: t.arg.string({ required: false, description: 'Only features of this subsystem.' }),
      candidateLimit: t.arg.int({ required: false, description: 'Candidate observations per feature, 0 to 50; default 5.', validate: CANDIDATE_LIMIT }),
    },
    subscribe: (_root, _args, context) => changesOf(context.reads, ['queue']),
    resolve: (_sequence, args, context) => queueAt(liveView(context.reads), args),
  }),
  backpressureChanged: t.field({
    type: FlowReportType,
    description: 'Flow and backpressure, pushed at subscription and whenever an event changes them.',
    args: {
      windowDays: t.arg.float({ required: false, description: FLOW_ARGS_DESCRIPTIONS.windowDays }),
      targetWaitWeeks: t.arg.float({ required: false, description: FLOW_ARGS_DESCRIPTIONS.targetWaitWeeks }),
      recommendCount: t.arg.int({ required: false, description: FLOW_ARGS_DESCRIPTIONS.recommendCount }),
    },
    subscribe: (_root, _args, context) => changesOf(context.reads, ['backpressure']),
    resolve: (_sequence, args, context) => flowAt(liveView(context.reads), args),
  }),
}));
