/**
 * Subscriptions over server-sent events: the feature board, the verification queue and the
 * backpressure report, pushed once at subscription and again after each batch of events that
 * changes them, and the log position, pushed when any read model moves. Changes that land while
 * a client is still receiving are coalesced into one push.
 */
import { GraphQLError } from 'graphql';
import type { ApiContext } from '../context.js';
import type { ReadModelName } from '../../projections/model.js';
import type { ReadSide } from '../read-side.js';
import { builder } from './builder.js';
import type { View } from './common.js';
import { featureShapes, FeatureStatusEnum, FeatureType } from './feature.js';
import { flowAt, FlowReportType, FLOW_ARGS_DESCRIPTIONS } from './flow.js';
import { CANDIDATE_LIMIT, queueAt, QueueEntryType } from './queue.js';

/**
 * Minimum time between two `logMoved` pushes, in milliseconds. The projections report a change
 * once per batch of events, and a large import lands as many batches. Every push makes each open
 * page fetch its queries again, so a burst becomes at most one push per interval, and the last
 * change still gets a push when the interval ends.
 */
export const LOG_MOVED_INTERVAL_MS = 1000;

/**
 * Yields a sequence number now and after each change of one of `models` (any model when `models`
 * is `'all'`), until the client leaves. With `minIntervalMs`, a yield waits until that long after
 * the previous one, and the changes in between become one yield. `checkAccess` runs before each
 * yield and ends the stream by throwing.
 */
export function changesOf(
  reads: ReadSide,
  models: readonly ReadModelName[] | 'all',
  minIntervalMs = 0,
  checkAccess: () => void = () => undefined,
): AsyncIterableIterator<number> {
  let pending = true;
  let finished = false;
  let sequence = 0;
  let lastYieldMs = Number.NEGATIVE_INFINITY;
  let wake: (() => void) | undefined;
  const stop = reads.onChange((changed) => {
    if (models !== 'all' && !changed.some((model) => models.includes(model))) return;
    pending = true;
    wake?.();
  });
  const sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        // Only the client leaving ends the wait early; a change during the interval just stays pending.
        if (!finished) return;
        clearTimeout(timer);
        resolve();
      };
    });

  const iterator: AsyncIterableIterator<number> = {
    async next() {
      while (!finished && !pending) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      const waitMs = lastYieldMs + minIntervalMs - Date.now();
      if (!finished && waitMs > 0) await sleep(waitMs);
      wake = undefined;
      if (finished) return { done: true, value: undefined };
      // A token revoked or expired while the stream is open ends it at the next push.
      checkAccess();
      pending = false;
      sequence += 1;
      lastYieldMs = Date.now();
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

/** Throws when the subscriber's token was revoked or expired after the stream opened. */
function checkToken(context: ApiContext): void {
  const tokenId = context.actor.tokenId;
  if (tokenId === null) return;
  const problem = context.tokens.problemWith(tokenId);
  if (problem !== undefined) {
    throw new GraphQLError(`the bearer token ${problem}, so this subscription ends; ask an admin for a new token (onsky token create)`, {
      extensions: { code: 'UNAUTHENTICATED' },
    });
  }
}

function liveView(reads: ReadSide): View {
  return { reads: reads.current(), now: new Date().toISOString() };
}

/** The position of the last applied event and its record time. */
interface LogMove {
  readonly position: string | null;
  readonly recordedAt: string | null;
}

const LogMoveType = builder.objectRef<LogMove>('LogMove').implement({
  description: 'The position of the log the read models reflect.',
  fields: (t) => ({
    position: t.exposeString('position', {
      nullable: true,
      description: 'Position of the last event the read models applied, as a decimal string (positions can pass 2^53); null before the first.',
    }),
    recordedAt: t.exposeString('recordedAt', { nullable: true, description: 'Record time of that event (ISO 8601 UTC); null before the first.' }),
  }),
});

builder.subscriptionFields((t) => ({
  logMoved: t.field({
    type: LogMoveType,
    description: `The log position, pushed at subscription and when events change any read model; at most one push per ${LOG_MOVED_INTERVAL_MS} ms, so a burst of events (an import) arrives as one or a few pushes. Clients refetch their queries when the position moves.`,
    subscribe: (_root, _args, context) => changesOf(context.reads, 'all', LOG_MOVED_INTERVAL_MS, () => checkToken(context)),
    resolve: (_sequence, _args, context) => ({
      position: context.reads.position()?.toString() ?? null,
      recordedAt: context.reads.current().lastRecordedAt,
    }),
  }),
  boardChanged: t.field({
    type: [FeatureType],
    description: 'The feature board, pushed at subscription and whenever an event changes it.',
    args: {
      subsystem: t.arg.string({ required: false, description: 'Only features of this subsystem.' }),
      status: t.arg({ type: FeatureStatusEnum, required: false, description: 'Only features with this status.' }),
    },
    subscribe: (_root, _args, context) => changesOf(context.reads, ['board'], 0, () => checkToken(context)),
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
    subscribe: (_root, _args, context) => changesOf(context.reads, ['queue'], 0, () => checkToken(context)),
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
    subscribe: (_root, _args, context) => changesOf(context.reads, ['backpressure'], 0, () => checkToken(context)),
    resolve: (_sequence, args, context) => flowAt(liveView(context.reads), args),
  }),
}));
