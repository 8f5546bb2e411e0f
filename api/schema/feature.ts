/** Features: the feature board (a connection), the feature page, and its verifications. */
import { resolveArrayConnection } from '@pothos/plugin-relay';
import { z } from 'zod';
import type { EvidenceCriteria, FeatureStatus, VerificationMetric, WsjfScores } from '../../domain/index.js';
import type { FeatureBoardEntry, FeatureDetail, FeatureHistoryItem, SuspectReason } from '../../projections/board.js';
import type { SuspicionRecord, VerificationRecord } from '../../projections/model.js';
import type { EvidenceCheck } from '../../projections/queue.js';
import { builder } from './builder.js';
import { AS_OF_ARG, NOW_ARG, viewAt, type View, PAGE_SIZES } from './common.js';
import { UnmetCriterionType } from './errors.js';

/** A board row with the view its fields read from; `detail` memoizes the feature page for the fields that need it. */
export type FeatureShape = FeatureBoardEntry & { readonly view: View; detail?: FeatureDetail | undefined };
export type VerificationShape = VerificationRecord & { readonly view: View };

const FEATURE_STATUSES = ['proposed', 'delivered', 'verified', 'failed', 'suspect', 'withdrawn'] as const satisfies readonly FeatureStatus[];

export const FeatureStatusEnum = builder.enumType('FeatureStatus', {
  description: 'Lifecycle of a feature: proposed → delivered → verified | failed → suspect → verified again; withdrawn at any point.',
  values: Object.fromEntries(FEATURE_STATUSES.map((status) => [status.toUpperCase(), { value: status, description: `The feature is ${status}.` }])) as Record<
    Uppercase<FeatureStatus>,
    { value: FeatureStatus; description: string }
  >,
});

export const VerificationOutcomeEnum = builder.enumType('VerificationOutcome', {
  description: 'Verdict of an on-sky verification.',
  values: {
    PASSED: { value: 'passed', description: 'The feature works on the sky; it leaves the queue.' },
    FAILED: { value: 'failed', description: 'The feature does not work; it stays in WIP.' },
    INCONCLUSIVE: { value: 'inconclusive', description: 'The evidence decides nothing; the feature stays in the queue.' },
  } as const,
});

export const WsjfScoresType = builder.simpleObject('WsjfScores', {
  description: 'The estimates behind WSJF, each on the modified Fibonacci scale 1, 2, 3, 5, 8, 13, 20.',
  fields: (t) => ({
    userBusinessValue: t.int({ description: 'User-business value.' }),
    timeCriticality: t.int({ description: 'Time criticality.' }),
    riskReductionOpportunityEnablement: t.int({ description: 'Risk reduction and/or opportunity enablement.' }),
    jobSize: t.int({ description: 'Size of the development job; the divisor of development WSJF.' }),
  }),
});

export const EvidenceCriteriaType = builder.objectRef<EvidenceCriteria>('EvidenceCriteria').implement({
  description: 'Which observations can verify the feature; an absent criterion does not restrict.',
  fields: (t) => ({
    band: t.exposeString('band', { nullable: true, description: 'Receiver band, e.g. L, UHF, S; compared without regard to case.' }),
    product: t.exposeString('product', { nullable: true, description: 'Correlator product, e.g. c856M4k.' }),
    minReceptors: t.exposeInt('minReceptors', { nullable: true, description: 'Minimum number of receptors taking part.' }),
    minOnTargetSeconds: t.exposeFloat('minOnTargetSeconds', { nullable: true, description: 'Minimum time on tagged targets (or any target when no tag is required), in seconds.' }),
    targetTags: t.exposeStringList('targetTags', { nullable: true, description: 'Tags that some observed target must carry each, e.g. bpcal, gaincal.' }),
    scanKind: t.exposeString('scanKind', { nullable: true, description: 'At least one compound scan must be of this kind, e.g. track.' }),
  }),
});

export const VerificationMetricType = builder.objectRef<VerificationMetric>('VerificationMetric').implement({
  description: 'A figure measured during a verification, e.g. astrometric offset 0.4 arcsec.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'What was measured.' }),
    value: t.exposeFloat('value', { description: 'The measured value, in `unit`.' }),
    unit: t.exposeString('unit', { description: 'Unit of `value`, e.g. arcsec, dB, ns.' }),
  }),
});

export const VerificationType = builder.node(builder.objectRef<VerificationShape>('Verification'), {
  description: 'An on-sky verification of a feature: its verdict and the observations it cites.',
  id: { resolve: (verification) => `${verification.featureKey}/${verification.verificationId}` },
  loadOne: (id, context) => {
    const [featureKey = '', verificationId] = splitOnce(id, '/');
    const detail = context.reads.current().featureDetail(featureKey, context.now);
    const record = detail?.verifications.find((verification) => verification.verificationId === verificationId);
    return record === undefined ? null : { ...record, view: { reads: context.reads.current(), now: context.now } };
  },
  fields: (t) => ({
    verificationId: t.exposeString('verificationId', { description: 'Id of the verification, unique per feature.' }),
    featureKey: t.exposeString('featureKey', { description: 'The verified feature.' }),
    outcome: t.field({ type: VerificationOutcomeEnum, description: 'The verdict.', resolve: (verification) => verification.outcome }),
    observationIds: t.exposeStringList('observationIds', { description: 'Cited observations (capture block ids, or sb-<schedule block id>).' }),
    metrics: t.field({ type: [VerificationMetricType], description: 'Figures measured.', resolve: (verification) => verification.metrics }),
    notes: t.exposeString('notes', { description: 'Free-text notes of the verifier.' }),
    verifiedBy: t.exposeString('verifiedBy', { description: 'Who recorded the verification.' }),
    verifiedAt: t.exposeString('verifiedAt', { description: 'When it was verified (ISO 8601 UTC).' }),
    changeId: t.exposeString('changeId', { nullable: true, description: 'The change whose delivery it checked; null for a delivery recorded by hand.' }),
  }),
});

const LastVerdictType = builder.simpleObject('LastVerdict', {
  description: 'The latest verification of a feature.',
  fields: (t) => ({
    verificationId: t.string({ description: 'Id of the verification.' }),
    outcome: t.field({ type: VerificationOutcomeEnum, description: 'Its verdict.' }),
    verifiedAt: t.string({ description: 'When (ISO 8601 UTC).' }),
  }),
});

export const SuspectReasonType = builder.objectRef<SuspectReason>('SuspectReason').implement({
  description: 'Why a feature is suspect: a deployed change touched components it depends on.',
  fields: (t) => ({
    changeId: t.exposeString('changeId', { description: 'The change whose deployment touched the feature.' }),
    sharedComponents: t.exposeStringList('sharedComponents', { description: 'Components both the change and the feature name.' }),
    deployedAt: t.exposeString('deployedAt', { description: 'When the change was deployed (ISO 8601 UTC).' }),
    markedAt: t.exposeString('markedAt', { description: 'When the feature was marked suspect (ISO 8601 UTC).' }),
  }),
});

const SuspicionType = builder.objectRef<SuspicionRecord & { readonly changeSummary: string | null }>('Suspicion').implement({
  description: 'A suspicion raised by a deployment, with how it ended.',
  fields: (t) => ({
    changeId: t.exposeString('changeId', { description: 'The change whose deployment raised it.' }),
    changeSummary: t.exposeString('changeSummary', { nullable: true, description: "Summary of that change, when it is recorded." }),
    sharedComponents: t.exposeStringList('sharedComponents', { description: 'Components both the change and the feature name.' }),
    deployedAt: t.exposeString('deployedAt', { description: 'When the change was deployed (ISO 8601 UTC).' }),
    markedAt: t.exposeString('markedAt', { description: 'When the feature was marked suspect (ISO 8601 UTC).' }),
    endedAt: t.exposeString('endedAt', { nullable: true, description: 'When a passed verification or a justification ended it; null while open.' }),
    justification: t.exposeString('justification', { nullable: true, description: 'The justification when it was cleared by hand.' }),
  }),
});

const HistoryItemType = builder.objectRef<FeatureHistoryItem>('FeatureHistoryItem').implement({
  description: "One step of a feature's history.",
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'proposed, rescored, criteria-set, tickets-set, delivered, verification, suspect, suspicion-ended or withdrawn.' }),
    at: t.exposeString('at', { description: 'When (ISO 8601 UTC).' }),
    changeId: t.exposeString('changeId', { nullable: true, description: 'The change involved, if any.' }),
    verificationId: t.exposeString('verificationId', { nullable: true, description: 'The verification involved, if any.' }),
    detail: t.exposeString('detail', { description: 'What happened, in a phrase.' }),
  }),
});

export const EvidenceCheckType = builder.objectRef<EvidenceCheck>('EvidenceCheck').implement({
  description: "Whether an observation qualifies as evidence for a feature, and every criterion it does not meet.",
  fields: (t) => ({
    featureKey: t.exposeString('featureKey', { description: 'The feature.' }),
    observationId: t.exposeString('observationId', { description: 'The observation.' }),
    qualifies: t.exposeBoolean('qualifies', { description: 'True when the observation meets every criterion, so a verification citing it is accepted.' }),
    archived: t.exposeBoolean('archived', { description: 'True when at least one of its products is archived; candidate evidence must be.' }),
    evidenceNotBeforeUtc: t.exposeString('evidenceNotBeforeUtc', { nullable: true, description: 'Evidence must start at or after this instant (ISO 8601 UTC).' }),
    unmet: t.field({ type: [UnmetCriterionType], description: 'Unmet criteria; empty when it meets them all.', resolve: (check) => check.unmet }),
  }),
});

function detailOf(feature: FeatureShape): FeatureDetail | undefined {
  feature.detail ??= feature.view.reads.featureDetail(feature.featureKey, feature.view.now);
  return feature.detail;
}

export const FeatureType = builder.node(builder.objectRef<FeatureShape>('Feature'), {
  description: 'Something engineering delivers that must be verified on the sky, as the feature board shows it.',
  id: { resolve: (feature) => feature.featureKey },
  loadOne: (featureKey, context) => {
    const view = { reads: context.reads.current(), now: context.now };
    return featureShape(view, featureKey) ?? null;
  },
  fields: (t) => ({
    featureKey: t.exposeString('featureKey', { description: 'The feature key, e.g. SDP-123.' }),
    title: t.exposeString('title', { description: 'Title.' }),
    subsystem: t.exposeString('subsystem', { description: 'Owning subsystem, e.g. CBF, SDP, CAM, receptor.' }),
    components: t.exposeStringList('components', { description: 'Components it depends on; a deployed change touching one makes it suspect.' }),
    requirementRefs: t.exposeStringList('requirementRefs', { description: 'Requirement references, e.g. R.RC.P.30.' }),
    status: t.field({ type: FeatureStatusEnum, description: 'Lifecycle status.', resolve: (feature) => feature.status }),
    costOfDelay: t.exposeFloat('costOfDelay', { description: 'User-business value + time criticality + risk reduction/opportunity enablement.' }),
    developmentWsjf: t.exposeFloat('developmentWsjf', { description: 'Cost of delay / job size.' }),
    verificationWsjf: t.exposeFloat('verificationWsjf', { description: 'Cost of delay / verification effort; orders the verification queue.' }),
    deliveredAt: t.exposeString('deliveredAt', { nullable: true, description: 'Latest delivery (ISO 8601 UTC); null before the first.' }),
    deliveringChangeId: t.exposeString('deliveringChangeId', { nullable: true, description: 'The change that delivered it; null for a delivery by hand.' }),
    verifiedAt: t.exposeString('verifiedAt', { nullable: true, description: 'Latest passed verification (ISO 8601 UTC); null when never verified.' }),
    lastVerdict: t.field({ type: LastVerdictType, nullable: true, description: 'The latest verification, whatever its outcome.', resolve: (feature) => feature.lastVerdict }),
    evidenceObservationIds: t.exposeStringList('evidenceObservationIds', { description: 'Observations cited by the latest verification.' }),
    suspectReasons: t.field({ type: [SuspectReasonType], description: 'Open suspicions; empty unless the feature is suspect.', resolve: (feature) => feature.suspectReasons }),
    waitingSince: t.exposeString('waitingSince', { nullable: true, description: 'Start of the open wait for verification (ISO 8601 UTC); null when not waiting.' }),
    daysWaiting: t.exposeFloat('daysWaiting', { nullable: true, description: 'Days from waitingSince to the query\'s `now` (default the asOf time, or the request time); null when not waiting.' }),
    scores: t.field({ type: WsjfScoresType, description: 'WSJF estimates.', resolve: (feature) => detailOf(feature)?.definition.scores as WsjfScores }),
    verificationEffort: t.int({ description: 'Effort to verify on the sky, on the WSJF scale.', resolve: (feature) => detailOf(feature)?.definition.verificationEffort ?? 0 }),
    evidenceCriteria: t.field({ type: EvidenceCriteriaType, description: 'Which observations can verify it.', resolve: (feature) => detailOf(feature)?.definition.evidenceCriteria ?? {} }),
    history: t.field({ type: [HistoryItemType], description: 'Every step of its lifecycle, in time order.', resolve: (feature) => detailOf(feature)?.history ?? [] }),
    suspicions: t.field({ type: [SuspicionType], description: 'Every suspicion since it was proposed.', resolve: (feature) => detailOf(feature)?.suspicions ?? [] }),
    verifications: t.connection({
      type: VerificationType,
      description: 'Recorded verifications, oldest first.',
      resolve: (feature, args) =>
        resolveArrayConnection({ args, ...PAGE_SIZES }, (detailOf(feature)?.verifications ?? []).map((record) => ({ ...record, view: feature.view }))),
    }),
    citedObservationIds: t.stringList({ description: 'Observations cited by any verification, in first-cited order.', resolve: (feature) => detailOf(feature)?.evidenceObservationIds ?? [] }),
    changeIds: t.stringList({ description: 'Changes that deliver it, delivered it or made it suspect.', resolve: (feature) => detailOf(feature)?.changeIds ?? [] }),
    ticketKeys: t.stringList({ description: 'Tickets that track the feature (its own list, set by a plan or setFeatureTickets) or mention its key.', resolve: (feature) => detailOf(feature)?.ticketKeys ?? [] }),
    findingIds: t.stringList({ description: "Findings linked to one of its components.", resolve: (feature) => detailOf(feature)?.findingIds ?? [] }),
    evidenceCheck: t.field({
      type: EvidenceCheckType,
      nullable: true,
      description: 'Whether an observation qualifies as evidence for this feature; null when the observation is unknown.',
      args: { observationId: t.arg.string({ required: true, description: 'The observation id.' }) },
      resolve: (feature, args) => feature.view.reads.checkEvidence(feature.featureKey, args.observationId) ?? null,
    }),
  }),
});

/** Returns a feature as the schema shows it, or `undefined` when no proposed feature has the key. */
export function featureShape(view: View, featureKey: string): FeatureShape | undefined {
  const detail = view.reads.featureDetail(featureKey, view.now);
  return detail === undefined ? undefined : { ...detail.entry, view, detail };
}

export function featureShapes(view: View, filter: { subsystem?: string; status?: FeatureStatus } = {}): FeatureShape[] {
  return view.reads.featureBoard(view.now, filter).map((entry) => ({ ...entry, view }));
}

function splitOnce(text: string, separator: string): [string, string] {
  const index = text.indexOf(separator);
  return index < 0 ? [text, ''] : [text.slice(0, index), text.slice(index + separator.length)];
}

builder.queryFields((t) => ({
  features: t.connection({
    type: FeatureType,
    description: 'The feature board: every proposed feature with status, WSJF, delivery and verification dates, ordered by subsystem then key.',
    args: {
      asOf: t.arg.string(AS_OF_ARG),
      now: t.arg.string(NOW_ARG),
      subsystem: t.arg.string({ required: false, description: 'Only features of this subsystem, e.g. SDP.' }),
      status: t.arg({ type: FeatureStatusEnum, required: false, description: 'Only features with this status.' }),
    },
    resolve: async (_root, args, context) => {
      const view = await viewAt(context, args.asOf, args.now);
      const filter = { ...(args.subsystem == null ? {} : { subsystem: args.subsystem }), ...(args.status == null ? {} : { status: args.status }) };
      return resolveArrayConnection({ args, ...PAGE_SIZES }, featureShapes(view, filter));
    },
  }),
  feature: t.field({
    type: FeatureType,
    nullable: true,
    description: 'One feature with its history, verifications and links; null when no feature has the key.',
    args: {
      featureKey: t.arg.string({ required: true, description: 'The feature key.', validate: z.string().min(1, 'featureKey must not be empty') }),
      asOf: t.arg.string(AS_OF_ARG),
      now: t.arg.string(NOW_ARG),
    },
    resolve: async (_root, args, context) => featureShape(await viewAt(context, args.asOf, args.now), args.featureKey) ?? null,
  }),
  verifiedFeatures: t.stringList({
    description: 'Keys of verified features that depend on a component; a deployment touching it would make them suspect.',
    args: { component: t.arg.string({ required: true, description: 'Component name, e.g. katsdpcontroller.' }), asOf: t.arg.string(AS_OF_ARG), now: t.arg.string(NOW_ARG) },
    resolve: async (_root, args, context) => [...(await viewAt(context, args.asOf, args.now)).reads.verifiedFeaturesWithComponent(args.component)],
  }),
}));
