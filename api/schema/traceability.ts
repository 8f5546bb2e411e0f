/** Traceability: requirement → feature → change → observation → verification → ticket, with coverage. */
import type { RequirementTrace, TracedFeature } from '../../projections/traceability.js';
import { builder } from './builder.js';
import { AS_OF_ARG, NOW_ARG, viewAt } from './common.js';
import { FeatureStatusEnum, VerificationOutcomeEnum } from './feature.js';

const TracedVerificationType = builder.objectRef<TracedFeature['verifications'][number]>('TracedVerification').implement({
  description: 'A verification in a trace.',
  fields: (t) => ({
    verificationId: t.exposeString('verificationId', { description: 'Id of the verification.' }),
    outcome: t.field({ type: VerificationOutcomeEnum, description: 'Verdict.', resolve: (verification) => verification.outcome }),
    verifiedAt: t.exposeString('verifiedAt', { description: 'When (ISO 8601 UTC).' }),
    observationIds: t.exposeStringList('observationIds', { description: 'Cited observations.' }),
  }),
});

const TracedFeatureType = builder.objectRef<TracedFeature>('TracedFeature').implement({
  description: 'A feature in a trace, with everything linked to it.',
  fields: (t) => ({
    featureKey: t.exposeString('featureKey', { description: 'The feature.' }),
    title: t.exposeString('title', { description: 'Its title.' }),
    status: t.field({ type: FeatureStatusEnum, description: 'Its status.', resolve: (feature) => feature.status }),
    changeIds: t.exposeStringList('changeIds', { description: 'Changes that deliver it, delivered it or made it suspect.' }),
    verifications: t.field({ type: [TracedVerificationType], description: 'Its verifications.', resolve: (feature) => feature.verifications }),
    observationIds: t.exposeStringList('observationIds', { description: 'Observations its verifications cite.' }),
    ticketKeys: t.exposeStringList('ticketKeys', { description: 'Tickets that track it or mention it, are named by its changes or mention a cited observation.' }),
  }),
});

const RequirementTraceType = builder.objectRef<RequirementTrace>('RequirementTrace').implement({
  description: 'One requirement and how far its features are verified.',
  fields: (t) => ({
    requirementRef: t.exposeString('requirementRef', { description: 'Requirement reference, e.g. R.RC.P.30.' }),
    coverage: t.exposeString('coverage', { description: 'not-covered, not-verified, partially-verified, fully-verified or has-failures.' }),
    featureCount: t.exposeInt('featureCount', { description: 'Features naming the requirement.' }),
    verifiedFeatureCount: t.exposeInt('verifiedFeatureCount', { description: 'Those verified.' }),
    features: t.field({ type: [TracedFeatureType], description: 'The features.', resolve: (trace) => trace.features }),
  }),
});

builder.queryFields((t) => ({
  traceability: t.field({
    type: [RequirementTraceType],
    description: 'Traceability per requirement with coverage.',
    args: {
      asOf: t.arg.string(AS_OF_ARG),
      now: t.arg.string(NOW_ARG),
      requirementRefs: t.arg.stringList({ required: false, description: 'Requirements to trace; omitted, every requirement a feature names.' }),
    },
    resolve: async (_root, args, context) => (await viewAt(context, args.asOf, args.now)).reads.traceability(args.requirementRefs ?? []),
  }),
}));
