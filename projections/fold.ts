/**
 * The fold: applies one recorded event to the read-model state in place. Observations, which are
 * most of the log, are updated by mutation. Features, changes, tickets, findings and targets are
 * rare enough to reuse the domain's `evolve` functions, so their state matches the deciders'.
 */
import {
  eventSchemaVersions,
  evolveChange,
  evolveFeature,
  identifierKey,
  initialChangeState,
  isOnskyEventType,
  initialFeatureState,
  REVIEW_LEVELS,
  type ArchivedProduct,
  type ChangeEvent,
  type EvidenceCriteria,
  type FactSource,
  type FeatureEvent,
  type ObservationEvent,
  type ObservationIdentifier,
  type OnskyEvent,
  type ReviewLevel,
} from '../domain/index.js';
import type { FoldEvent } from '../store/port.js';
import type { FeatureRecord, ObservationRecord, ProductRecord, ProjectionState, ReadModelName } from './model.js';
import { foldOtherEvent } from './fold-other.js';

const FEATURE_MODELS: readonly ReadModelName[] = ['board', 'queue', 'backpressure', 'traceability', 'timeline'];
const CHANGE_MODELS: readonly ReadModelName[] = ['changes', 'timeline', 'configuration', 'traceability', 'queue'];
const OBSERVATION_MODELS: readonly ReadModelName[] = ['observations', 'ledger', 'gaps', 'queue', 'timeline'];
const REVIEW_MODELS: readonly ReadModelName[] = ['observations', 'ledger'];

/**
 * Applies one event and returns the read models it changed. An event at or before the state's
 * position is ignored, so replaying an overlap after a restore cannot apply an event twice.
 */
export function applyEvent(state: ProjectionState, envelope: FoldEvent): readonly ReadModelName[] {
  if (state.position !== null && envelope.position <= state.position) {
    return [];
  }
  checkSchemaVersion(envelope);
  const models = foldEvent(state, envelope as unknown as OnskyEvent, envelope.metadata.recordedAt);
  state.version += 1;
  state.position = envelope.position;
  state.eventId = envelope.id;
  state.lastRecordedAt = envelope.metadata.recordedAt;
  return models;
}

/**
 * Rejects an event whose schema version is not the current one of its type, because folding it
 * would put wrong values in the read models. An older version means the store was opened without
 * `domainUpcasters`. A newer one means a newer onsky wrote it.
 */
export function checkSchemaVersion(envelope: FoldEvent): void {
  if (!isOnskyEventType(envelope.type)) return;
  const current = eventSchemaVersions[envelope.type];
  if (envelope.schemaVersion === current) return;
  const problem = `event ${envelope.id} at position ${envelope.position} is ${envelope.type} schema version ${envelope.schemaVersion}, but the read models fold version ${current}`;
  if (envelope.schemaVersion < current) throw new Error(`${problem}; open the store with the upcasters of domain/upcasters.ts (domainUpcasters)`);
  throw new NewerEventError(`${problem}; upgrade onsky to the version that wrote it`);
}

/** An event written by a newer onsky: the installation, not this code, needs the fix. */
export class NewerEventError extends Error {
  override readonly name = 'NewerEventError';
}

function foldEvent(state: ProjectionState, event: OnskyEvent, recordedAt: string): readonly ReadModelName[] {
  switch (event.type) {
    case 'ObservationFactsRecorded':
    case 'ObservationFactConflicted':
    case 'ObservationIdentifierLinked':
    case 'ObservationIdentifierUnlinked':
    case 'ObservationAnomalyNoted':
    case 'ObservationProductsArchived':
    case 'ObservationReviewed':
      foldObservation(state, event, recordedAt);
      return event.type === 'ObservationReviewed' ? REVIEW_MODELS : OBSERVATION_MODELS;
    case 'FeatureProposed':
    case 'FeatureRescored':
    case 'EvidenceCriteriaSet':
    case 'FeatureTicketsSet':
    case 'FeatureDelivered':
    case 'VerificationRecorded':
    case 'FeatureMarkedSuspect':
    case 'SuspicionCleared':
    case 'FeatureWithdrawn':
      foldFeature(state, event);
      return FEATURE_MODELS;
    case 'ChangeRecorded':
    case 'ChangeDeployed':
    case 'ChangeRolledBack':
      foldChange(state, event);
      return CHANGE_MODELS;
    default:
      return foldOtherEvent(state, event, recordedAt);
  }
}

/**
 * The lists of a new observation. Shared and frozen: the fold replaces an empty list instead of
 * pushing onto it.
 */
const NONE: readonly never[] = Object.freeze([]);

/**
 * Returns `list` with `item` at its end. An empty list is replaced by a list of one, made at its
 * length: a `push` onto an empty array reserves room for 17 items, and most lists of an
 * observation hold one. A longer list belongs to its record, so it grows in place.
 */
function appended<T>(list: readonly T[], item: T): readonly T[] {
  if (list.length === 0) return [item];
  (list as T[]).push(item);
  return list;
}

function observationRecord(state: ProjectionState, observationId: string, recordedAt: string): ObservationRecord {
  let record = state.observations.get(observationId);
  if (record === undefined) {
    record = {
      observationId,
      factSets: NONE,
      conflicts: NONE,
      identifiers: NONE,
      anomalies: NONE,
      products: NONE,
      reviews: NONE,
      importers: NONE,
      firstRecordedAt: recordedAt,
    };
    state.observations.set(observationId, record);
    indexIdentifier(state, observationId, streamIdentifier(observationId));
  }
  return record;
}

function foldObservation(state: ProjectionState, event: ObservationEvent, recordedAt: string): void {
  const record = observationRecord(state, event.data.observationId, recordedAt);
  if (state.tracksTouched) state.touchedObservations.add(record.observationId);
  switch (event.type) {
    case 'ObservationFactsRecorded':
      record.factSets = appended(record.factSets, { facts: event.data.facts, source: event.data.source });
      noteImporter(record, event.data.source);
      return;
    case 'ObservationFactConflicted':
      record.conflicts = appended(record.conflicts, { fact: event.data.fact, kept: event.data.kept, conflicting: event.data.conflicting });
      return;
    case 'ObservationIdentifierLinked': {
      const { kind, value } = event.data.identifier;
      // The kind as a constant: each parsed "schedule-block" is a string of its own.
      const identifier: ObservationIdentifier = kind === 'schedule-block' ? { kind: 'schedule-block', value } : { kind: 'capture-block', value };
      record.identifiers = appended(record.identifiers, identifier);
      indexIdentifier(state, record.observationId, identifier);
      return;
    }
    case 'ObservationIdentifierUnlinked':
      unlinkIdentifier(state, record, event.data.identifier);
      return;
    case 'ObservationAnomalyNoted':
      record.anomalies = appended(record.anomalies, { anomaly: event.data.anomaly, source: event.data.source, notedAt: event.data.notedAt });
      noteImporter(record, event.data.source);
      return;
    case 'ObservationProductsArchived': {
      const products = productRecords(event.data.products, event.data.source);
      record.products = record.products.length === 0 ? products : [...record.products, ...products];
      noteImporter(record, event.data.source);
      return;
    }
    case 'ObservationReviewed': {
      const { level, reviewer, reviewedAt, reason, notes } = event.data;
      record.reviews = appended(record.reviews, { level: REVIEW_LEVEL_NAMES.get(level) ?? level, reviewer, reviewedAt, reason, notes });
      return;
    }
  }
}

/** Each review level as one string, so that reviews do not each keep a copy of their level's name. */
const REVIEW_LEVEL_NAMES: ReadonlyMap<string, ReviewLevel> = new Map(REVIEW_LEVELS.map((level) => [level, level]));

/**
 * Product records with their source. Fields are named, not spread: `{ ...product, source }` gave
 * every product record a V8 map (hidden class) of its own, about 200 bytes each. Products listed
 * together mostly share one archive time, which is then kept once.
 */
function productRecords(products: readonly ArchivedProduct[], source: FactSource): ProductRecord[] {
  let sharedTime: string | null = null;
  return products.map(({ name, location, archivedAt }) => {
    if (archivedAt !== null && archivedAt === sharedTime) return { name, location, archivedAt: sharedTime, source };
    sharedTime = archivedAt;
    return { name, location, archivedAt, source };
  });
}

/**
 * Lists of importer names, shared between the observations that have the same list: there are few
 * such lists, and an array per observation kept about 100 bytes alive for each.
 */
const IMPORTER_LISTS = new Map<string, readonly string[]>();
/** Past this many distinct lists (only a hostile log has them), lists are no longer shared. */
const MAX_SHARED_IMPORTER_LISTS = 1000;

function noteImporter(record: ObservationRecord, source: FactSource): void {
  if (record.importers.includes(source.importer)) return;
  // JSON, not a joined text: an importer name may contain any separator.
  const key = JSON.stringify([...record.importers, source.importer]);
  let list = IMPORTER_LISTS.get(key);
  if (list === undefined) {
    list = Object.freeze([...record.importers, source.importer]);
    if (IMPORTER_LISTS.size < MAX_SHARED_IMPORTER_LISTS) IMPORTER_LISTS.set(key, list);
  }
  record.importers = list;
}

/** Returns the identifier a stream id is named by: a capture block id, or `sb-<schedule block id>`. */
function streamIdentifier(observationId: string): ObservationIdentifier {
  return observationId.startsWith('sb-')
    ? { kind: 'schedule-block', value: observationId.slice(3) }
    : { kind: 'capture-block', value: observationId };
}

function indexIdentifier(state: ProjectionState, observationId: string, identifier: ObservationIdentifier): void {
  const index = identifier.kind === 'capture-block' ? state.captureBlocks : state.scheduleBlocks;
  if (!index.has(identifier.value)) {
    index.set(identifier.value, observationId);
  }
}

function unlinkIdentifier(state: ProjectionState, record: ObservationRecord, identifier: ObservationIdentifier): void {
  const key = identifierKey(identifier);
  record.identifiers = record.identifiers.filter((linked) => identifierKey(linked) !== key);
  const index = identifier.kind === 'capture-block' ? state.captureBlocks : state.scheduleBlocks;
  if (index.get(identifier.value) === record.observationId) {
    index.delete(identifier.value);
  }
}

function featureRecord(state: ProjectionState, featureKey: string): FeatureRecord {
  let record = state.features.get(featureKey);
  if (record === undefined) {
    record = {
      featureKey,
      state: initialFeatureState,
      proposedAt: null,
      proposedBy: null,
      proposedTickets: [],
      deliveries: [],
      verifications: [],
      suspicions: [],
      revisions: [],
      withdrawnAt: null,
      withdrawReason: null,
      waitingSince: null,
    };
    state.features.set(featureKey, record);
  }
  return record;
}

function foldFeature(state: ProjectionState, event: FeatureEvent): void {
  const record = featureRecord(state, event.data.featureKey);
  record.state = evolveFeature(record.state, event);
  switch (event.type) {
    case 'FeatureProposed':
      record.proposedAt = event.data.proposedAt;
      record.proposedBy = event.data.proposedBy;
      record.proposedTickets = event.data.ticketKeys;
      return;
    case 'FeatureDelivered':
      record.deliveries.push({ changeId: event.data.changeId, deliveredAt: event.data.deliveredAt });
      record.waitingSince ??= event.data.deliveredAt;
      logFeature(state, 'feature-delivered', event.data.deliveredAt, event.data.changeId, record.featureKey, [], `${record.featureKey} delivered`);
      return;
    case 'VerificationRecorded':
      foldVerification(state, record, event.data);
      return;
    case 'FeatureMarkedSuspect': {
      const { changeId, deployedAt, sharedComponents, markedAt } = event.data;
      record.suspicions.push({ changeId, deployedAt, sharedComponents, markedAt, endedAt: null, justification: null });
      record.waitingSince ??= markedAt;
      const summary = `${record.featureKey} suspect after ${changeId} touched ${sharedComponents.join(', ')}`;
      logFeature(state, 'suspicion', markedAt, changeId, record.featureKey, sharedComponents, summary);
      return;
    }
    case 'SuspicionCleared':
      endSuspicions(record, event.data.clearedAt, event.data.justification);
      record.waitingSince = null;
      logFeature(state, 'suspicion-cleared', event.data.clearedAt, null, record.featureKey, [], `${record.featureKey} cleared: ${event.data.justification}`);
      return;
    case 'FeatureRescored': {
      const { scores, verificationEffort, rescoredAt, rescoredBy } = event.data;
      const values = `business value ${scores.userBusinessValue}, time criticality ${scores.timeCriticality}, risk reduction ${scores.riskReductionOpportunityEnablement}, job size ${scores.jobSize}, verification effort ${verificationEffort}`;
      record.revisions.push({ kind: 'rescored', at: rescoredAt, by: rescoredBy, values });
      return;
    }
    case 'EvidenceCriteriaSet':
      record.revisions.push({ kind: 'criteria-set', at: event.data.setAt, by: event.data.setBy, values: criteriaInWords(event.data.evidenceCriteria) });
      return;
    case 'FeatureTicketsSet':
      record.revisions.push({ kind: 'tickets-set', at: event.data.setAt, by: event.data.setBy, values: event.data.ticketKeys.length === 0 ? 'no tickets' : event.data.ticketKeys.join(', ') });
      return;
    case 'FeatureWithdrawn':
      record.withdrawnAt = event.data.withdrawnAt;
      record.withdrawReason = event.data.reason;
      record.waitingSince = null;
      return;
    default:
      return;
  }
}

/** Words each evidence criterion for the feature history, e.g. "band L; at least 16 receptors". */
function criteriaInWords(criteria: EvidenceCriteria): string {
  const parts = [
    criteria.band === undefined ? undefined : `band ${criteria.band}`,
    criteria.product === undefined ? undefined : `product ${criteria.product}`,
    criteria.minReceptors === undefined ? undefined : `at least ${criteria.minReceptors} receptors`,
    criteria.minOnTargetSeconds === undefined ? undefined : `at least ${criteria.minOnTargetSeconds / 60} min on target`,
    criteria.targetTags === undefined || criteria.targetTags.length === 0 ? undefined : `targets tagged ${criteria.targetTags.join(', ')}`,
    criteria.scanKind === undefined ? undefined : `a ${criteria.scanKind} scan`,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? 'any observation after delivery' : parts.join('; ');
}

function foldVerification(state: ProjectionState, record: FeatureRecord, data: Extract<FeatureEvent, { type: 'VerificationRecorded' }>['data']): void {
  const { featureKey, verificationId, outcome, observationIds, metrics, notes, verifiedBy, verifiedAt, changeId } = data;
  record.verifications.push({ verificationId, featureKey, outcome, observationIds, metrics, notes, verifiedBy, verifiedAt, changeId });
  if (outcome === 'passed') {
    endSuspicions(record, verifiedAt, null);
    record.waitingSince = null;
  }
  logFeature(state, 'verification', verifiedAt, changeId, featureKey, [], `${featureKey} verification ${verificationId}: ${outcome}`, observationIds);
}

function endSuspicions(record: FeatureRecord, endedAt: string, justification: string | null): void {
  for (const suspicion of record.suspicions) {
    if (suspicion.endedAt === null) {
      suspicion.endedAt = endedAt;
      suspicion.justification = justification;
    }
  }
}

function logFeature(
  state: ProjectionState,
  kind: 'feature-delivered' | 'verification' | 'suspicion' | 'suspicion-cleared',
  at: string,
  changeId: string | null,
  featureKey: string,
  components: readonly string[],
  summary: string,
  observationIds: readonly string[] = [],
): void {
  state.timeline.push({ kind, at, changeId, featureKey, components, observationIds, summary });
}

function foldChange(state: ProjectionState, event: ChangeEvent): void {
  const changeId = event.data.changeId;
  let record = state.changes.get(changeId);
  if (record === undefined) {
    record = { changeId, state: initialChangeState, recordedAt: null, recordedBy: null, rollbacks: [] };
    state.changes.set(changeId, record);
  }
  record.state = evolveChange(record.state, event);
  const components = record.state.definition?.components ?? [];
  switch (event.type) {
    case 'ChangeRecorded':
      record.recordedAt = event.data.recordedAt;
      record.recordedBy = event.data.recordedBy;
      state.timeline.push(changeEntry('change-recorded', event.data.recordedAt, changeId, components, `${changeId} recorded: ${event.data.summary}`));
      return;
    case 'ChangeDeployed':
      state.timeline.push(changeEntry('change-deployed', event.data.deployedAt, changeId, components, `${changeId} deployed (${event.data.deploymentId})`));
      return;
    case 'ChangeRolledBack':
      record.rollbacks.push({ rolledBackAt: event.data.rolledBackAt, reason: event.data.reason, deploymentIds: event.data.deploymentIds });
      state.timeline.push(changeEntry('change-rolled-back', event.data.rolledBackAt, changeId, components, `${changeId} rolled back: ${event.data.reason}`));
      return;
  }
}

function changeEntry(
  kind: 'change-recorded' | 'change-deployed' | 'change-rolled-back',
  at: string,
  changeId: string,
  components: readonly string[],
  summary: string,
): ProjectionState['timeline'][number] {
  return { kind, at, changeId, featureKey: null, components, observationIds: [], summary };
}

