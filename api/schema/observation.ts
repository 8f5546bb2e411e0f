/** Observations: search (a connection), the observation page, identity lookups and data gaps. */
import { resolveOffsetConnection } from '@pothos/plugin-relay';
import type {
  ArchivedProduct,
  AssertedFact,
  CompoundScanFact,
  FactSource,
  ObservationAnomaly,
  ObservationFactValues,
  ObservationIdentifier,
  Review,
  TaggedTarget,
} from '../../domain/index.js';
import type { ObservationDetail } from '../../projections/entities.js';
import type { DataGap } from '../../projections/gaps.js';
import type { NotedAnomaly, ProductRecord } from '../../projections/model.js';
import { builder } from './builder.js';
import { AS_OF_ARG, NOW_ARG, isoInstant, viewAt, type View, PAGE_SIZES } from './common.js';

/** An observation as resolvers pass it on: its id and the view its fields read from. */
export interface ObservationShape {
  readonly observationId: string;
  readonly view: View;
  detail?: ObservationDetail;
}

export const ReviewStateEnum = builder.enumType('ReviewState', {
  description: 'The highest review an observation has had. "Looked at in detail" means inspected or imaged.',
  values: {
    NEVER_REVIEWED: { value: 'never-reviewed', description: 'No review of any kind.' },
    AUTOMATED_QA: { value: 'automated-qa', description: 'Only automated quality assessment.' },
    INSPECTED: { value: 'inspected', description: 'A person inspected the data.' },
    IMAGED: { value: 'imaged', description: 'The data were imaged.' },
    DISCARDED: { value: 'discarded', description: 'The data were discarded, with a reason.' },
  } as const,
});

export const ReviewLevelEnum = builder.enumType('ReviewLevel', {
  description: 'Level of one review.',
  values: {
    AUTOMATED_QA: { value: 'automated-qa', description: 'Automated quality assessment.' },
    INSPECTED: { value: 'inspected', description: 'Inspected by a person.' },
    IMAGED: { value: 'imaged', description: 'Imaged.' },
    DISCARDED: { value: 'discarded', description: 'Discarded; a reason is required.' },
  } as const,
});

export const FactSourceType = builder.objectRef<FactSource>('FactSource').implement({
  description: 'Where a fact came from: importer, file and line or record key.',
  fields: (t) => ({
    importer: t.exposeString('importer', { description: 'Importer name, e.g. obslog, archive, api.' }),
    file: t.exposeString('file', { description: 'File name as imported.' }),
    locator: t.exposeString('locator', { nullable: true, description: 'Line number or record key inside the file.' }),
  }),
});

export const TaggedTargetType = builder.objectRef<TaggedTarget>('TaggedTarget').implement({
  description: 'A target an observation pointed at, with its katpoint tags.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Target name, e.g. PKS 1934-63.' }),
    tags: t.exposeStringList('tags', { description: 'katpoint tags such as radec, bpcal, gaincal.' }),
  }),
});

export const CompoundScanType = builder.objectRef<CompoundScanFact>('CompoundScan').implement({
  description: 'A compound scan of an observation.',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'Label the observation script set, e.g. track, raster.' }),
    target: t.exposeString('target', { description: 'Target name.' }),
    durationSeconds: t.exposeFloat('durationSeconds', { description: 'Duration in seconds.' }),
  }),
});

const FactEntryType = builder.simpleObject('ObservationFact', {
  description: 'One fact of an observation with the source that first asserted it.',
  fields: (t) => ({
    name: t.string({ description: 'Fact name, e.g. band, startUtc, targets.' }),
    value: t.field({ type: 'JSON', description: 'The value: a string, or a list for targets, compound scans and receptors.' }),
    source: t.field({ type: FactSourceType, description: 'Source that first asserted it.' }),
  }),
});

const FactConflictType = builder.simpleObject('FactConflict', {
  description: 'Two sources disagree on a fact: the first value is kept, the other recorded beside it.',
  fields: (t) => ({
    fact: t.string({ description: 'Fact name.' }),
    keptValue: t.field({ type: 'JSON', description: 'The value in effect.' }),
    keptSource: t.field({ type: FactSourceType, description: 'Source of the value in effect.' }),
    conflictingValue: t.field({ type: 'JSON', description: 'The disagreeing value.' }),
    conflictingSource: t.field({ type: FactSourceType, description: 'Source of the disagreeing value.' }),
  }),
});

const IdentifierType = builder.objectRef<ObservationIdentifier>('ObservationIdentifier').implement({
  description: 'An identifier naming an observation.',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'capture-block or schedule-block.' }),
    value: t.exposeString('value', { description: 'The capture block id (e.g. 1551803062) or schedule block id (e.g. 20190308-0083).' }),
  }),
});

const AnomalyType = builder.objectRef<NotedAnomaly>('ObservationAnomaly').implement({
  description: 'Something that went wrong during an observation: stragglers, a failed capture-done, missing products.',
  fields: (t) => ({
    kind: t.string({ description: 'stragglers, capture-done-failed or missing-products.', resolve: (noted) => noted.anomaly.kind }),
    detail: t.string({ description: 'The anomaly as the source reported it.', resolve: (noted) => noted.anomaly.detail }),
    receptors: t.stringList({ description: 'Straggling receptors; empty for other kinds.', resolve: (noted) => receptorsOf(noted.anomaly) }),
    products: t.stringList({ description: 'Missing products; empty for other kinds.', resolve: (noted) => (noted.anomaly.kind === 'missing-products' ? [...noted.anomaly.products] : []) }),
    source: t.field({ type: FactSourceType, description: 'Where it was noted.', resolve: (noted) => noted.source }),
    notedAt: t.exposeString('notedAt', { description: 'When (ISO 8601 UTC).' }),
  }),
});

function receptorsOf(anomaly: ObservationAnomaly): string[] {
  return anomaly.kind === 'stragglers' ? [...anomaly.receptors] : [];
}

const ProductType = builder.objectRef<ProductRecord | ArchivedProduct>('ArchivedProduct').implement({
  description: 'A data product recorded in the archive.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Product name, e.g. 1551803062-sdp-l0.' }),
    location: t.exposeString('location', { description: 'Storage location, e.g. s3://1551803062-sdp-l0/; empty when unknown.' }),
    archivedAt: t.exposeString('archivedAt', { nullable: true, description: 'When it was archived (ISO 8601 UTC), when known.' }),
  }),
});

export const ReviewType = builder.objectRef<Review>('Review').implement({
  description: 'A review of an observation.',
  fields: (t) => ({
    level: t.field({ type: ReviewLevelEnum, description: 'Review level.', resolve: (review) => review.level }),
    reviewer: t.exposeString('reviewer', { description: 'Who reviewed.' }),
    reviewedAt: t.exposeString('reviewedAt', { description: 'When (ISO 8601 UTC).' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why the data were discarded; null for other levels.' }),
    notes: t.exposeString('notes', { description: 'Notes.' }),
  }),
});

const CitationType = builder.simpleObject('EvidenceCitation', {
  description: 'A verification citing an observation.',
  fields: (t) => ({
    featureKey: t.string({ description: 'The verified feature.' }),
    verificationId: t.string({ description: 'The verification.' }),
  }),
});

export const DataGapType = builder.objectRef<DataGap>('DataGap').implement({
  description: 'An observation seen in logs but not archived, or missing expected products.',
  fields: (t) => ({
    observationId: t.exposeString('observationId', { description: 'The observation.' }),
    startUtc: t.exposeString('startUtc', { nullable: true, description: 'Its start (ISO 8601 UTC), when known.' }),
    kinds: t.exposeStringList('kinds', { description: 'not-archived, missing-products and/or missing-products-anomaly.' }),
    seenBy: t.exposeStringList('seenBy', { description: 'Importers that reported the observation, e.g. obslog, sdpmc.' }),
    missingProducts: t.exposeStringList('missingProducts', { description: 'Expected products not listed, and products named by a missing-products anomaly.' }),
  }),
});

function detailOf(shape: ObservationShape): ObservationDetail {
  shape.detail ??= shape.view.reads.observation(shape.observationId);
  if (shape.detail === undefined) {
    throw new Error(`observation ${shape.observationId} disappeared from its view`);
  }
  return shape.detail;
}

function fact<Name extends keyof ObservationFactValues>(shape: ObservationShape, name: Name): ObservationFactValues[Name] | null {
  const asserted: AssertedFact | undefined = detailOf(shape).facts[name];
  return (asserted?.value as ObservationFactValues[Name] | undefined) ?? null;
}

export const ObservationType = builder.node(builder.objectRef<ObservationShape>('Observation'), {
  description: 'An observation, its facts merged from every source, with reviews, products, anomalies and links.',
  id: { resolve: (shape) => shape.observationId },
  loadOne: (observationId, context) => observationShape({ reads: context.reads.current(), now: context.now }, observationId) ?? null,
  fields: (t) => ({
    observationId: t.exposeString('observationId', { description: 'Stream id: the capture block id, or sb-<schedule block id>.' }),
    captureBlockId: t.string({ nullable: true, description: 'SDP capture block id (Unix time of capture-init).', resolve: (shape) => fact(shape, 'captureBlockId') }),
    scheduleBlockId: t.string({ nullable: true, description: 'Schedule block id, e.g. 20190308-0083.', resolve: (shape) => fact(shape, 'scheduleBlockId') }),
    proposalId: t.string({ nullable: true, description: 'Proposal id.', resolve: (shape) => fact(shape, 'proposalId') }),
    observer: t.string({ nullable: true, description: 'Observer.', resolve: (shape) => fact(shape, 'observer') }),
    description: t.string({ nullable: true, description: 'Description of the observation.', resolve: (shape) => fact(shape, 'description') }),
    startUtc: t.string({ nullable: true, description: 'Start (ISO 8601 UTC).', resolve: (shape) => fact(shape, 'startUtc') }),
    endUtc: t.string({ nullable: true, description: 'End (ISO 8601 UTC).', resolve: (shape) => fact(shape, 'endUtc') }),
    band: t.string({ nullable: true, description: 'Receiver band, e.g. L.', resolve: (shape) => fact(shape, 'band') }),
    product: t.string({ nullable: true, description: 'Correlator product, e.g. c856M4k.', resolve: (shape) => fact(shape, 'product') }),
    targets: t.field({ type: [TaggedTargetType], description: 'Targets observed.', resolve: (shape) => fact(shape, 'targets') ?? [] }),
    compoundScans: t.field({ type: [CompoundScanType], description: 'Compound scans.', resolve: (shape) => fact(shape, 'compoundScans') ?? [] }),
    receptors: t.stringList({ description: 'Receptors taking part, e.g. m000.', resolve: (shape) => [...(fact(shape, 'receptors') ?? [])] }),
    facts: t.field({
      type: [FactEntryType],
      description: 'Every known fact with the source that first asserted it.',
      resolve: (shape) => Object.entries(detailOf(shape).facts).map(([name, asserted]) => ({ name, value: asserted!.value, source: asserted!.source })),
    }),
    conflicts: t.field({
      type: [FactConflictType],
      description: 'Facts on which sources disagree.',
      resolve: (shape) =>
        detailOf(shape).conflicts.map((conflict) => ({
          fact: conflict.fact,
          keptValue: conflict.kept.value,
          keptSource: conflict.kept.source,
          conflictingValue: conflict.conflicting.value,
          conflictingSource: conflict.conflicting.source,
        })),
    }),
    identifiers: t.field({ type: [IdentifierType], description: "Linked identifiers, the stream id's own first.", resolve: (shape) => detailOf(shape).identifiers }),
    anomalies: t.field({ type: [AnomalyType], description: 'Noted anomalies.', resolve: (shape) => detailOf(shape).anomalies }),
    products: t.field({ type: [ProductType], description: 'Archived products.', resolve: (shape) => detailOf(shape).products }),
    reviews: t.field({ type: [ReviewType], description: 'Reviews, oldest first.', resolve: (shape) => detailOf(shape).reviews }),
    reviewState: t.field({ type: ReviewStateEnum, description: 'The highest review so far.', resolve: (shape) => detailOf(shape).reviewState }),
    importers: t.stringList({ description: 'Importers that contributed facts, anomalies or products.', resolve: (shape) => [...detailOf(shape).importers] }),
    firstRecordedAt: t.string({ description: 'Record time of its first event (ISO 8601 UTC).', resolve: (shape) => detailOf(shape).firstRecordedAt }),
    citedBy: t.field({ type: [CitationType], description: 'Verifications that cite it.', resolve: (shape) => detailOf(shape).citedBy }),
    ticketKeys: t.stringList({ description: 'Tickets mentioning its capture or schedule block.', resolve: (shape) => [...detailOf(shape).ticketKeys] }),
    findingIds: t.stringList({ description: 'Findings linked to it.', resolve: (shape) => [...detailOf(shape).findingIds] }),
    gap: t.field({ type: DataGapType, nullable: true, description: 'Why its data are incomplete; null when nothing is missing.', resolve: (shape) => detailOf(shape).gap }),
  }),
});

export function observationShape(view: View, observationId: string): ObservationShape | undefined {
  const detail = view.reads.observation(observationId);
  return detail === undefined ? undefined : { observationId, view, detail };
}

builder.queryFields((t) => ({
  observations: t.connection(
    {
      type: ObservationType,
      description: 'Observation search, newest first. Every given filter must match.',
      args: {
        asOf: t.arg.string(AS_OF_ARG),
        now: t.arg.string(NOW_ARG),
        text: t.arg.string({ required: false, description: 'Words that must all appear in the description, target names or ids (case-insensitive).' }),
        target: t.arg.string({ required: false, description: 'A target name observed.' }),
        proposalId: t.arg.string({ required: false, description: 'Proposal id.' }),
        scheduleBlockId: t.arg.string({ required: false, description: 'Schedule block id.' }),
        captureBlockId: t.arg.string({ required: false, description: 'Capture block id.' }),
        from: t.arg.string({ required: false, description: 'Start at or after (ISO 8601).', validate: isoInstant }),
        to: t.arg.string({ required: false, description: 'Start at or before (ISO 8601).', validate: isoInstant }),
        band: t.arg.string({ required: false, description: 'Receiver band.' }),
        product: t.arg.string({ required: false, description: 'Correlator product.' }),
        receptor: t.arg.string({ required: false, description: 'A receptor taking part, e.g. m010.' }),
        reviewState: t.arg({ type: ReviewStateEnum, required: false, description: 'Highest review state.' }),
      },
      resolve: async (_root, args, context) => {
        const view = await viewAt(context, args.asOf, args.now);
        const { asOf: _asOf, first: _first, last: _last, before: _before, after: _after, ...filters } = args;
        const query = Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== null && value !== undefined));
        let total = 0;
        const connection = await resolveOffsetConnection({ args, ...PAGE_SIZES }, ({ offset, limit }) => {
          const page = view.reads.searchObservations({ ...query, offset, limit });
          total = page.total;
          return page.items.map((summary) => ({ observationId: summary.observationId, view }));
        });
        return { ...connection, totalCount: total };
      },
    },
    {
      description: 'A page of matching observations.',
      fields: (connection) => ({
        totalCount: connection.int({ description: 'Observations that match, before paging.', resolve: (page) => (page as { totalCount?: number }).totalCount ?? 0 }),
      }),
    },
  ),
  observation: t.field({
    type: ObservationType,
    nullable: true,
    description: 'One observation by its id (capture block id or sb-<schedule block id>); null when unknown.',
    args: { observationId: t.arg.string({ required: true, description: 'The observation id.' }), asOf: t.arg.string(AS_OF_ARG), now: t.arg.string(NOW_ARG) },
    resolve: async (_root, args, context) => observationShape(await viewAt(context, args.asOf, args.now), args.observationId) ?? null,
  }),
  observationIdFor: t.string({
    nullable: true,
    description: 'Identity lookup: the observation a capture block id, schedule block id or start time names; null when none does.',
    args: {
      captureBlockId: t.arg.string({ required: false, description: 'A capture block id, e.g. 1551803062.' }),
      scheduleBlockId: t.arg.string({ required: false, description: 'A schedule block id without sb-, e.g. 20190308-0083.' }),
      startUtc: t.arg.string({ required: false, description: 'A start time; matches within the identity tolerance.', validate: isoInstant }),
      asOf: t.arg.string(AS_OF_ARG),
      now: t.arg.string(NOW_ARG),
    },
    resolve: async (_root, args, context) => {
      const { reads } = await viewAt(context, args.asOf, args.now);
      if (args.captureBlockId != null) return reads.observationIdForCaptureBlock(args.captureBlockId) ?? null;
      if (args.scheduleBlockId != null) return reads.observationIdForScheduleBlock(args.scheduleBlockId.replace(/^sb-/, '')) ?? null;
      if (args.startUtc != null) return reads.observationIdNearStart(new Date(args.startUtc).toISOString()) ?? null;
      return null;
    },
  }),
  dataGaps: t.field({
    type: [DataGapType],
    description: 'Observations seen in logs but missing from the archive, or missing expected products.',
    args: {
      asOf: t.arg.string(AS_OF_ARG),
      now: t.arg.string(NOW_ARG),
      expectedProducts: t.arg.stringList({ required: false, description: 'Products an archived observation must have; default correlator_data, flags, weights.' }),
      from: t.arg.string({ required: false, description: 'Start at or after (ISO 8601).', validate: isoInstant }),
      to: t.arg.string({ required: false, description: 'Start at or before (ISO 8601).', validate: isoInstant }),
    },
    resolve: async (_root, args, context) => {
      const { reads } = await viewAt(context, args.asOf, args.now);
      return reads.dataGaps({
        ...(args.expectedProducts == null ? {} : { expectedProducts: args.expectedProducts }),
        ...(args.from == null ? {} : { from: new Date(args.from).toISOString() }),
        ...(args.to == null ? {} : { to: new Date(args.to).toISOString() }),
      });
    },
  }),
}));
