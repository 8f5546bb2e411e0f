/** The verification queue: features awaiting verification by verification WSJF, with candidate evidence. */
import { z } from 'zod';
import type { CandidateEvidence, VerificationQueueEntry } from '../../projections/queue.js';
import { builder } from './builder.js';
import { AS_OF_ARG, NOW_ARG, viewAt, type View } from './common.js';

const CandidateType = builder.objectRef<CandidateEvidence>('CandidateEvidence').implement({
  description: "An archived observation that already meets every evidence criterion of a queued feature.",
  fields: (t) => ({
    observationId: t.exposeString('observationId', { description: 'The observation.' }),
    startUtc: t.exposeString('startUtc', { nullable: true, description: 'Its start (ISO 8601 UTC).' }),
    band: t.exposeString('band', { nullable: true, description: 'Receiver band.' }),
    product: t.exposeString('product', { nullable: true, description: 'Correlator product.' }),
    onTargetSeconds: t.exposeFloat('onTargetSeconds', { description: 'Seconds on targets that count for the criteria.' }),
  }),
});

export const QueueEntryType = builder.objectRef<VerificationQueueEntry>('VerificationQueueEntry').implement({
  description: 'A feature awaiting verification (delivered or suspect).',
  fields: (t) => ({
    featureKey: t.exposeString('featureKey', { description: 'The feature.' }),
    title: t.exposeString('title', { description: 'Its title.' }),
    subsystem: t.exposeString('subsystem', { description: 'Its subsystem.' }),
    status: t.exposeString('status', { description: 'delivered or suspect.' }),
    verificationWsjf: t.exposeFloat('verificationWsjf', { description: 'Cost of delay / verification effort; the queue is ordered by it, highest first.' }),
    waitingSinceUtc: t.exposeString('waitingSinceUtc', { description: 'When it started waiting (ISO 8601 UTC); ties are broken by the longest wait.' }),
    daysWaiting: t.exposeFloat('daysWaiting', { description: 'Days waited until the query\'s `now` (default the asOf time, or the request time).' }),
    evidenceNotBeforeUtc: t.exposeString('evidenceNotBeforeUtc', { nullable: true, description: 'Evidence must start at or after this instant (ISO 8601 UTC).' }),
    candidates: t.field({ type: [CandidateType], description: 'Qualifying archived observations, newest first.', resolve: (entry) => entry.candidates }),
    moreCandidates: t.exposeBoolean('moreCandidates', { description: 'True when more observations qualify than `candidates` lists.' }),
  }),
});

/** Options of the queue query, shared with the queue subscription. */
export interface QueueArgs {
  readonly subsystem?: string | null;
  readonly candidateLimit?: number | null;
}

export function queueAt(view: View, args: QueueArgs): VerificationQueueEntry[] {
  return view.reads.verificationQueue(view.now, {
    ...(args.subsystem == null ? {} : { subsystem: args.subsystem }),
    ...(args.candidateLimit == null ? {} : { candidateLimit: args.candidateLimit }),
  });
}

export const CANDIDATE_LIMIT = z.number().int().min(0, 'candidateLimit must be 0 or more').max(50, 'candidateLimit must be 50 or less');

builder.queryFields((t) => ({
  verificationQueue: t.field({
    type: [QueueEntryType],
    description: 'What to verify next: features awaiting verification ordered by verification WSJF (ties: longest waiting first), with candidate evidence.',
    args: {
      asOf: t.arg.string(AS_OF_ARG),
      now: t.arg.string(NOW_ARG),
      subsystem: t.arg.string({ required: false, description: 'Only features of this subsystem.' }),
      candidateLimit: t.arg.int({ required: false, description: 'Candidate observations listed per feature, 0 to 50; default 5.', validate: CANDIDATE_LIMIT }),
    },
    resolve: async (_root, args, context) => queueAt(await viewAt(context, args.asOf, args.now), args),
  }),
}));
