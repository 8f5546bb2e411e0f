/** Mutations of the feature lifecycle: propose, rescore, set criteria, deliver, verify, suspect, clear, withdraw. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { EvidenceCriteria } from '../../domain/index.js';
import { builder } from './builder.js';
import { isoInstant, utcInstant } from './common.js';
import { featureShape, FeatureType, VerificationOutcomeEnum } from './feature.js';
import { commandField, runCommand, timeOr, withoutNulls } from './mutation.js';

const TIME_DESCRIPTION = 'When it happened (ISO 8601 with a zone); default now.';
const optionalTime = { required: false, description: TIME_DESCRIPTION, validate: isoInstant } as const;
const listOfKeys = z.array(z.string().max(200, 'each entry must be 200 characters or fewer')).max(1000, 'at most 1000 entries');

const WsjfScoresInput = builder.inputType('WsjfScoresInput', {
  description: 'WSJF estimates, each one of 1, 2, 3, 5, 8, 13, 20.',
  fields: (t) => ({
    userBusinessValue: t.int({ required: true, description: 'User-business value.' }),
    timeCriticality: t.int({ required: true, description: 'Time criticality.' }),
    riskReductionOpportunityEnablement: t.int({ required: true, description: 'Risk reduction and/or opportunity enablement.' }),
    jobSize: t.int({ required: true, description: 'Size of the development job.' }),
  }),
});

const EvidenceCriteriaInput = builder.inputType('EvidenceCriteriaInput', {
  description: 'Which observations can verify a feature; omit a field to leave it unrestricted.',
  fields: (t) => ({
    band: t.string({ required: false, description: 'Receiver band, e.g. L.' }),
    product: t.string({ required: false, description: 'Correlator product, e.g. c856M4k.' }),
    minReceptors: t.int({ required: false, description: 'Minimum receptors taking part.' }),
    minOnTargetSeconds: t.float({ required: false, description: 'Minimum seconds on tagged targets.' }),
    targetTags: t.stringList({ required: false, description: 'Tags some observed target must carry each, e.g. bpcal.' }),
    scanKind: t.string({ required: false, description: 'A compound-scan kind that must occur, e.g. track.' }),
  }),
});

function criteriaOf(input: Record<string, unknown> | null | undefined): EvidenceCriteria {
  return input == null ? {} : (withoutNulls(input) as EvidenceCriteria);
}

const ProposeFeatureInput = builder.inputType('ProposeFeatureInput', {
  description: 'A new feature; the proposer is the token holder.',
  fields: (t) => ({
    featureKey: t.string({ required: true, description: 'Unique key without spaces, e.g. SDP-123.' }),
    title: t.string({ required: true, description: 'Title.' }),
    subsystem: t.string({ required: true, description: 'Owning subsystem, e.g. SDP.' }),
    components: t.stringList({ required: true, description: 'Components it depends on.', validate: listOfKeys }),
    requirementRefs: t.stringList({ required: false, description: 'Requirement references, e.g. R.RC.P.30.', validate: listOfKeys }),
    ticketKeys: t.stringList({ required: false, description: 'Jira keys of the tickets that track it, e.g. MKAIV-449.', validate: listOfKeys }),
    evidenceCriteria: t.field({ type: EvidenceCriteriaInput, required: false, description: 'Evidence criteria; default none.' }),
    scores: t.field({ type: WsjfScoresInput, required: true, description: 'WSJF estimates.' }),
    verificationEffort: t.int({ required: true, description: 'Effort to verify on the sky, on the WSJF scale.' }),
    proposedAt: t.string(optionalTime),
  }),
});

const RescoreFeatureInput = builder.inputType('RescoreFeatureInput', {
  description: 'New WSJF estimates for a feature.',
  fields: (t) => ({
    featureKey: t.string({ required: true, description: 'The feature.' }),
    scores: t.field({ type: WsjfScoresInput, required: true, description: 'WSJF estimates.' }),
    verificationEffort: t.int({ required: true, description: 'Effort to verify, on the WSJF scale.' }),
    rescoredAt: t.string(optionalTime),
  }),
});

const SetEvidenceCriteriaInput = builder.inputType('SetEvidenceCriteriaInput', {
  description: "Replaces a feature's evidence criteria.",
  fields: (t) => ({
    featureKey: t.string({ required: true, description: 'The feature.' }),
    evidenceCriteria: t.field({ type: EvidenceCriteriaInput, required: true, description: 'The new criteria.' }),
    setAt: t.string(optionalTime),
  }),
});

const SetFeatureTicketsInput = builder.inputType('SetFeatureTicketsInput', {
  description: 'Replaces the list of tickets that track a feature.',
  fields: (t) => ({
    featureKey: t.string({ required: true, description: 'The feature.' }),
    ticketKeys: t.stringList({ required: true, description: "Jira keys, e.g. MKAIV-449; an empty list removes the feature's own tickets (tickets that mention it still show).", validate: listOfKeys }),
    setAt: t.string(optionalTime),
  }),
});

const DeliverFeatureInput = builder.inputType('DeliverFeatureInput', {
  description: 'Marks a feature delivered, by a change or by hand.',
  fields: (t) => ({
    featureKey: t.string({ required: true, description: 'The feature.' }),
    changeId: t.string({ required: false, description: 'The delivering change; omitted for a delivery by hand.' }),
    deliveredAt: t.string(optionalTime),
  }),
});

const VerificationMetricInput = builder.inputType('VerificationMetricInput', {
  description: 'A figure measured during a verification.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'What was measured.' }),
    value: t.float({ required: true, description: 'The value.' }),
    unit: t.string({ required: true, description: 'Its unit.' }),
  }),
});

const RecordVerificationInput = builder.inputType('RecordVerificationInput', {
  description: 'An on-sky verification; the verifier is the token holder. Observation facts and the delivering deployment are read from the log.',
  fields: (t) => ({
    featureKey: t.string({ required: true, description: 'The feature.' }),
    verificationId: t.string({ required: false, description: 'Id of the verification; default a new UUID.' }),
    outcome: t.field({ type: VerificationOutcomeEnum, required: true, description: 'Verdict.' }),
    observationIds: t.stringList({ required: true, description: 'Cited observations; a passed verification needs at least one.', validate: listOfKeys }),
    metrics: t.field({ type: [VerificationMetricInput], required: false, description: 'Figures measured.' }),
    notes: t.string({ required: false, description: 'Notes.' }),
    verifiedAt: t.string(optionalTime),
  }),
});

const MarkFeatureSuspectInput = builder.inputType('MarkFeatureSuspectInput', {
  description: 'Marks a verified feature suspect because a deployed change touched it (the deployment policy does this automatically).',
  fields: (t) => ({
    featureKey: t.string({ required: true, description: 'The feature.' }),
    changeId: t.string({ required: true, description: 'The change whose deployment touched it.' }),
    deployedAt: t.string({ required: true, description: 'When that change was deployed (ISO 8601).', validate: isoInstant }),
    sharedComponents: t.stringList({ required: true, description: 'Components both name.', validate: listOfKeys }),
    markedAt: t.string(optionalTime),
  }),
});

const ClearSuspicionInput = builder.inputType('ClearSuspicionInput', {
  description: 'Clears a suspicion with a justification, without a new verification.',
  fields: (t) => ({
    featureKey: t.string({ required: true, description: 'The feature.' }),
    justification: t.string({ required: true, description: 'Why the feature is still trusted.' }),
    clearedAt: t.string(optionalTime),
  }),
});

const WithdrawFeatureInput = builder.inputType('WithdrawFeatureInput', {
  description: 'Withdraws a feature.',
  fields: (t) => ({
    featureKey: t.string({ required: true, description: 'The feature.' }),
    reason: t.string({ required: true, description: 'Why.' }),
    withdrawnAt: t.string(optionalTime),
  }),
});

builder.mutationFields((t) => ({
  proposeFeature: t.field({
    type: FeatureType,
    description: 'Proposes a feature.',
    args: { input: t.arg({ type: ProposeFeatureInput, required: true, description: 'The feature.' }) },
    ...commandField('proposeFeature'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'ProposeFeature',
        data: {
          featureKey: input.featureKey,
          title: input.title,
          subsystem: input.subsystem,
          components: input.components,
          requirementRefs: input.requirementRefs ?? [],
          ticketKeys: input.ticketKeys ?? [],
          evidenceCriteria: criteriaOf(input.evidenceCriteria),
          scores: input.scores,
          verificationEffort: input.verificationEffort,
          proposedBy: context.actor.name,
          proposedAt: timeOr(input.proposedAt),
        },
      });
      return featureShape(view, input.featureKey)!;
    },
  }),
  rescoreFeature: t.field({
    type: FeatureType,
    description: "Replaces a feature's WSJF estimates.",
    args: { input: t.arg({ type: RescoreFeatureInput, required: true, description: 'The new estimates.' }) },
    ...commandField('rescoreFeature'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'RescoreFeature',
        data: { featureKey: input.featureKey, scores: input.scores, verificationEffort: input.verificationEffort, rescoredBy: context.actor.name, rescoredAt: timeOr(input.rescoredAt) },
      });
      return featureShape(view, input.featureKey)!;
    },
  }),
  setEvidenceCriteria: t.field({
    type: FeatureType,
    description: "Replaces a feature's evidence criteria.",
    args: { input: t.arg({ type: SetEvidenceCriteriaInput, required: true, description: 'The criteria.' }) },
    ...commandField('setEvidenceCriteria'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'SetEvidenceCriteria',
        data: { featureKey: input.featureKey, evidenceCriteria: criteriaOf(input.evidenceCriteria), setBy: context.actor.name, setAt: timeOr(input.setAt) },
      });
      return featureShape(view, input.featureKey)!;
    },
  }),
  setFeatureTickets: t.field({
    type: FeatureType,
    description: 'Replaces the list of tickets that track a feature.',
    args: { input: t.arg({ type: SetFeatureTicketsInput, required: true, description: 'The tickets.' }) },
    ...commandField('setFeatureTickets'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'SetFeatureTickets',
        data: { featureKey: input.featureKey, ticketKeys: input.ticketKeys, setBy: context.actor.name, setAt: timeOr(input.setAt) },
      });
      return featureShape(view, input.featureKey)!;
    },
  }),
  deliverFeature: t.field({
    type: FeatureType,
    description: 'Marks a feature delivered; it then waits for verification.',
    args: { input: t.arg({ type: DeliverFeatureInput, required: true, description: 'The delivery.' }) },
    ...commandField('deliverFeature'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'DeliverFeature',
        data: { featureKey: input.featureKey, ...(input.changeId == null ? {} : { changeId: input.changeId }), deliveredAt: timeOr(input.deliveredAt) },
      });
      return featureShape(view, input.featureKey)!;
    },
  }),
  recordVerification: t.field({
    type: FeatureType,
    description: 'Records an on-sky verification; every cited observation must exist, follow the deployment and meet the criteria.',
    args: { input: t.arg({ type: RecordVerificationInput, required: true, description: 'The verification.' }) },
    ...commandField('recordVerification'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'RecordVerification',
        data: {
          featureKey: input.featureKey,
          verificationId: input.verificationId ?? randomUUID(),
          outcome: input.outcome,
          // A schedule block or capture block id names the observation it was merged into.
          observationIds: input.observationIds.map((id) => context.reads.current().resolveObservationId(id) ?? id),
          metrics: input.metrics ?? [],
          notes: input.notes ?? '',
          verifiedBy: context.actor.name,
          verifiedAt: timeOr(input.verifiedAt),
          // The handler replaces these with facts read from the log.
          observations: [],
        },
      });
      return featureShape(view, input.featureKey)!;
    },
  }),
  markFeatureSuspect: t.field({
    type: FeatureType,
    description: 'Marks a verified feature suspect because of a deployed change.',
    args: { input: t.arg({ type: MarkFeatureSuspectInput, required: true, description: 'The suspicion.' }) },
    ...commandField('markFeatureSuspect'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'MarkFeatureSuspect',
        data: {
          featureKey: input.featureKey,
          changeId: input.changeId,
          deployedAt: utcInstant(input.deployedAt),
          sharedComponents: input.sharedComponents,
          markedAt: timeOr(input.markedAt),
        },
      });
      return featureShape(view, input.featureKey)!;
    },
  }),
  clearSuspicion: t.field({
    type: FeatureType,
    description: 'Clears a suspicion with a justification.',
    args: { input: t.arg({ type: ClearSuspicionInput, required: true, description: 'The justification.' }) },
    ...commandField('clearSuspicion'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'ClearSuspicion',
        data: { featureKey: input.featureKey, justification: input.justification, clearedBy: context.actor.name, clearedAt: timeOr(input.clearedAt) },
      });
      return featureShape(view, input.featureKey)!;
    },
  }),
  withdrawFeature: t.field({
    type: FeatureType,
    description: 'Withdraws a feature.',
    args: { input: t.arg({ type: WithdrawFeatureInput, required: true, description: 'The reason.' }) },
    ...commandField('withdrawFeature'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'WithdrawFeature',
        data: { featureKey: input.featureKey, reason: input.reason, withdrawnBy: context.actor.name, withdrawnAt: timeOr(input.withdrawnAt) },
      });
      return featureShape(view, input.featureKey)!;
    },
  }),
}));
