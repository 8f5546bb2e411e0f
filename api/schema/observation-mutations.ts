/** Mutations of observations: facts, identifiers, anomalies, archived products and reviews. */
import { z } from 'zod';
import type { ObservationAnomaly, ObservationFacts, ObservationIdentifier } from '../../domain/index.js';
import { builder } from './builder.js';
import { isoInstant } from './common.js';
import { FactSourceInput, commandField, runCommand, sourceOf, timeOr, withoutNulls } from './mutation.js';
import { observationShape, ObservationType, ReviewLevelEnum } from './observation.js';

const optionalTime = { required: false, description: 'When it happened (ISO 8601 with a zone); default now.', validate: isoInstant } as const;

const TaggedTargetInput = builder.inputType('TaggedTargetInput', {
  description: 'A target observed.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Target name.' }),
    tags: t.stringList({ required: false, description: 'katpoint tags; catalogue tags are added when the target is catalogued.' }),
  }),
});

const CompoundScanInput = builder.inputType('CompoundScanInput', {
  description: 'A compound scan.',
  fields: (t) => ({
    kind: t.string({ required: true, description: 'Kind, e.g. track.' }),
    target: t.string({ required: true, description: 'Target name.' }),
    durationSeconds: t.float({ required: true, description: 'Duration in seconds.', validate: z.number().min(0, 'durationSeconds must be 0 or more') }),
  }),
});

const ObservationFactsInput = builder.inputType('ObservationFactsInput', {
  description: 'Facts of an observation; a fact a source already gave is kept, and a disagreeing value is recorded as a conflict.',
  fields: (t) => ({
    captureBlockId: t.string({ required: false, description: 'Capture block id, e.g. 1551803062.' }),
    scheduleBlockId: t.string({ required: false, description: 'Schedule block id, e.g. 20190308-0083.' }),
    proposalId: t.string({ required: false, description: 'Proposal id.' }),
    observer: t.string({ required: false, description: 'Observer.' }),
    description: t.string({ required: false, description: 'Description.' }),
    startUtc: t.string({ required: false, description: 'Start (ISO 8601 UTC).' }),
    endUtc: t.string({ required: false, description: 'End (ISO 8601 UTC).' }),
    targets: t.field({ type: [TaggedTargetInput], required: false, description: 'Targets observed.' }),
    compoundScans: t.field({ type: [CompoundScanInput], required: false, description: 'Compound scans.' }),
    receptors: t.stringList({ required: false, description: 'Receptors taking part.' }),
    band: t.string({ required: false, description: 'Receiver band.' }),
    product: t.string({ required: false, description: 'Correlator product.' }),
  }),
});

const IdentifierInput = builder.inputType('ObservationIdentifierInput', {
  description: 'A capture block or schedule block identifier.',
  fields: (t) => ({
    kind: t.string({ required: true, description: 'capture-block or schedule-block.', validate: z.enum(['capture-block', 'schedule-block'], { message: 'kind must be capture-block or schedule-block' }) }),
    value: t.string({ required: true, description: 'The identifier.' }),
  }),
});

const AnomalyInput = builder.inputType('ObservationAnomalyInput', {
  description: 'An anomaly: stragglers (with receptors), capture-done-failed, or missing-products (with products).',
  fields: (t) => ({
    kind: t.string({
      required: true,
      description: 'stragglers, capture-done-failed or missing-products.',
      validate: z.enum(['stragglers', 'capture-done-failed', 'missing-products'], { message: 'kind must be stragglers, capture-done-failed or missing-products' }),
    }),
    detail: t.string({ required: true, description: 'The anomaly as the source reported it.' }),
    receptors: t.stringList({ required: false, description: 'Straggling receptors.' }),
    products: t.stringList({ required: false, description: 'Missing products.' }),
  }),
});

const ProductInput = builder.inputType('ArchivedProductInput', {
  description: 'A product recorded in the archive.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Product name.' }),
    location: t.string({ required: false, description: 'Storage location; default empty.' }),
    archivedAt: t.string({ required: false, description: 'When it was archived (ISO 8601 UTC).' }),
  }),
});

const observationIdField = { required: true, description: 'The observation id (capture block id, or sb-<schedule block id>).' } as const;

const RecordFactsInput = builder.inputType('RecordObservationFactsInput', {
  description: 'Facts about an observation; the first record creates it.',
  fields: (t) => ({
    observationId: t.string(observationIdField),
    facts: t.field({ type: ObservationFactsInput, required: true, description: 'The facts.' }),
    source: t.field({ type: FactSourceInput, required: false, description: 'Where they came from.' }),
  }),
});

const LinkInput = builder.inputType('LinkObservationIdentifierInput', {
  description: 'Links another identifier to an observation.',
  fields: (t) => ({
    observationId: t.string(observationIdField),
    identifier: t.field({ type: IdentifierInput, required: true, description: 'The identifier.' }),
    reason: t.string({ required: true, description: 'Why it names this observation.' }),
    source: t.field({ type: FactSourceInput, required: false, description: 'Where the link came from.' }),
  }),
});

const UnlinkInput = builder.inputType('UnlinkObservationIdentifierInput', {
  description: 'Undoes an identifier link.',
  fields: (t) => ({
    observationId: t.string(observationIdField),
    identifier: t.field({ type: IdentifierInput, required: true, description: 'The identifier.' }),
    reason: t.string({ required: true, description: 'Why the link was wrong.' }),
  }),
});

const NoteAnomalyInput = builder.inputType('NoteObservationAnomalyInput', {
  description: 'Notes an anomaly of an observation.',
  fields: (t) => ({
    observationId: t.string(observationIdField),
    anomaly: t.field({ type: AnomalyInput, required: true, description: 'The anomaly.' }),
    source: t.field({ type: FactSourceInput, required: false, description: 'Where it was seen.' }),
    notedAt: t.string(optionalTime),
  }),
});

const ProductsInput = builder.inputType('RecordArchivedProductsInput', {
  description: 'Products of an observation found in the archive.',
  fields: (t) => ({
    observationId: t.string(observationIdField),
    products: t.field({ type: [ProductInput], required: true, description: 'The products.' }),
    source: t.field({ type: FactSourceInput, required: false, description: 'Where they were listed.' }),
  }),
});

const ReviewInput = builder.inputType('ReviewObservationInput', {
  description: 'A review of an observation; the reviewer is the token holder.',
  fields: (t) => ({
    observationId: t.string(observationIdField),
    level: t.field({ type: ReviewLevelEnum, required: true, description: 'Review level.' }),
    reason: t.string({ required: false, description: 'Why the data were discarded; required for DISCARDED.' }),
    notes: t.string({ required: false, description: 'Notes.' }),
    reviewedAt: t.string(optionalTime),
  }),
});

function anomalyOf(input: { kind: string; detail: string; receptors?: string[] | null; products?: string[] | null }): ObservationAnomaly {
  if (input.kind === 'stragglers') return { kind: 'stragglers', receptors: input.receptors ?? [], detail: input.detail };
  if (input.kind === 'missing-products') return { kind: 'missing-products', products: input.products ?? [], detail: input.detail };
  return { kind: 'capture-done-failed', detail: input.detail };
}

function factsOf(input: Record<string, unknown>): ObservationFacts {
  const facts = withoutNulls(input) as Record<string, unknown>;
  if (Array.isArray(facts.targets)) {
    facts.targets = (facts.targets as { name: string; tags?: string[] | null }[]).map((target) => ({ name: target.name, tags: target.tags ?? [] }));
  }
  return facts as ObservationFacts;
}

builder.mutationFields((t) => ({
  recordObservationFacts: t.field({
    type: ObservationType,
    description: 'Records facts about an observation.',
    args: { input: t.arg({ type: RecordFactsInput, required: true, description: 'The facts.' }) },
    ...commandField('recordObservationFacts'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'RecordObservationFacts',
        data: { observationId: input.observationId, source: sourceOf(input.source), facts: factsOf(input.facts) },
      });
      return observationShape(view, input.observationId)!;
    },
  }),
  linkObservationIdentifier: t.field({
    type: ObservationType,
    description: 'Links another identifier to an observation.',
    args: { input: t.arg({ type: LinkInput, required: true, description: 'The link.' }) },
    ...commandField('linkObservationIdentifier'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'LinkObservationIdentifier',
        data: { observationId: input.observationId, identifier: input.identifier as ObservationIdentifier, source: sourceOf(input.source), reason: input.reason },
      });
      return observationShape(view, input.observationId)!;
    },
  }),
  unlinkObservationIdentifier: t.field({
    type: ObservationType,
    description: 'Undoes an identifier link.',
    args: { input: t.arg({ type: UnlinkInput, required: true, description: 'The link to undo.' }) },
    ...commandField('unlinkObservationIdentifier'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'UnlinkObservationIdentifier',
        data: { observationId: input.observationId, identifier: input.identifier as ObservationIdentifier, reason: input.reason },
      });
      return observationShape(view, input.observationId)!;
    },
  }),
  noteObservationAnomaly: t.field({
    type: ObservationType,
    description: 'Notes an anomaly.',
    args: { input: t.arg({ type: NoteAnomalyInput, required: true, description: 'The anomaly.' }) },
    ...commandField('noteObservationAnomaly'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'NoteObservationAnomaly',
        data: { observationId: input.observationId, anomaly: anomalyOf(input.anomaly), source: sourceOf(input.source), notedAt: timeOr(input.notedAt) },
      });
      return observationShape(view, input.observationId)!;
    },
  }),
  recordArchivedProducts: t.field({
    type: ObservationType,
    description: 'Records archived products; an observation with one is archived and can be candidate evidence.',
    args: { input: t.arg({ type: ProductsInput, required: true, description: 'The products.' }) },
    ...commandField('recordArchivedProducts'),
    resolve: async (_root, { input }, context) => {
      const products = input.products.map((product) => ({ name: product.name, location: product.location ?? '', archivedAt: product.archivedAt ?? null }));
      const { view } = await runCommand(context, {
        type: 'RecordArchivedProducts',
        data: { observationId: input.observationId, products, source: sourceOf(input.source) },
      });
      return observationShape(view, input.observationId)!;
    },
  }),
  reviewObservation: t.field({
    type: ObservationType,
    description: 'Records a review of an observation.',
    args: { input: t.arg({ type: ReviewInput, required: true, description: 'The review.' }) },
    ...commandField('reviewObservation'),
    resolve: async (_root, { input }, context) => {
      // A schedule block or capture block id names the observation it was merged into.
      const observationId = context.reads.current().resolveObservationId(input.observationId) ?? input.observationId;
      const { view } = await runCommand(context, {
        type: 'ReviewObservation',
        data: {
          observationId,
          level: input.level,
          reviewer: context.actor.name,
          reviewedAt: timeOr(input.reviewedAt),
          ...(input.reason == null ? {} : { reason: input.reason }),
          ...(input.notes == null ? {} : { notes: input.notes }),
        },
      });
      return observationShape(view, observationId)!;
    },
  }),
}));
