/**
 * Entity lookups for the API (change, observation, ticket, finding, target) and the identity
 * lookups the command handler needs to find an observation's stream.
 */
import {
  compareText,
  FACT_TIME_TOLERANCE_SECONDS,
  targetLookupKey,
  type AssertedFact,
  type ChangeDefinition,
  type ChangeStatus,
  type Deployment,
  type FactConflict,
  type FindingLinks,
  type ObservationFactName,
  type ObservationIdentifier,
  type Review,
  type TargetEntry,
  type TicketSnapshot,
} from '../domain/index.js';
import { assertedFacts, factOf, reviewState, startMs, type ReviewState } from './facts.js';
import { gapOf, type DataGap } from './gaps.js';
import type { NotedAnomaly, ObservationRecord, ProductRecord, ProjectionState, RollbackRecord, TicketRecord } from './model.js';
import { lowerBound } from './queue.js';

/** A change with its deployments and rollbacks. */
export interface ChangeView {
  readonly changeId: string;
  readonly status: ChangeStatus;
  readonly definition: ChangeDefinition;
  readonly recordedAt: string | null;
  readonly recordedBy: string | null;
  readonly deployments: readonly Deployment[];
  readonly rollbacks: readonly RollbackRecord[];
  /** Features marked suspect by this change's deployments. */
  readonly suspectFeatureKeys: readonly string[];
}

/** Returns a recorded change, or `undefined`. */
export function changeView(state: ProjectionState, changeId: string): ChangeView | undefined {
  const record = state.changes.get(changeId);
  const definition = record?.state.definition;
  if (record === undefined || definition == null || record.state.status === 'absent') return undefined;
  const suspect: string[] = [];
  for (const feature of state.features.values()) {
    if (feature.suspicions.some((suspicion) => suspicion.changeId === changeId)) suspect.push(feature.featureKey);
  }
  return {
    changeId,
    status: record.state.status,
    definition,
    recordedAt: record.recordedAt,
    recordedBy: record.recordedBy,
    deployments: record.state.deployments,
    rollbacks: record.rollbacks,
    suspectFeatureKeys: suspect.sort(compareText),
  };
}

/** Everything known about one observation, each fact with its source. */
export interface ObservationDetail {
  readonly observationId: string;
  readonly facts: Readonly<Partial<Record<ObservationFactName, AssertedFact>>>;
  readonly conflicts: readonly FactConflict[];
  /** Linked identifiers, the stream id's own identifier first. */
  readonly identifiers: readonly ObservationIdentifier[];
  readonly anomalies: readonly NotedAnomaly[];
  readonly products: readonly ProductRecord[];
  readonly reviews: readonly Review[];
  readonly reviewState: ReviewState;
  readonly importers: readonly string[];
  readonly firstRecordedAt: string;
  /** Verifications that cite the observation. */
  readonly citedBy: readonly { readonly featureKey: string; readonly verificationId: string }[];
  readonly ticketKeys: readonly string[];
  readonly findingIds: readonly string[];
  readonly gap: DataGap | null;
}

/** Returns everything known about an observation, or `undefined`. */
export function observationDetail(state: ProjectionState, observationId: string): ObservationDetail | undefined {
  const record = state.observations.get(observationId);
  if (record === undefined) return undefined;
  const citedBy: { featureKey: string; verificationId: string }[] = [];
  for (const feature of state.features.values()) {
    for (const verification of feature.verifications) {
      if (verification.observationIds.includes(observationId)) citedBy.push({ featureKey: feature.featureKey, verificationId: verification.verificationId });
    }
  }
  const own = observationId.startsWith('sb-')
    ? { kind: 'schedule-block' as const, value: observationId.slice(3) }
    : { kind: 'capture-block' as const, value: observationId };
  return {
    observationId,
    facts: assertedFacts(record),
    conflicts: record.conflicts,
    identifiers: [own, ...record.identifiers],
    anomalies: record.anomalies,
    products: record.products,
    reviews: record.reviews,
    reviewState: reviewState(record),
    importers: record.importers,
    firstRecordedAt: record.firstRecordedAt,
    citedBy,
    ticketKeys: ticketsMentioning(state, record),
    findingIds: [...state.findings.values()]
      .filter((finding) => finding.state.finding?.links.observationIds.includes(observationId) ?? false)
      .map((finding) => finding.findingId)
      .sort(compareText),
    gap: gapOf(record) ?? null,
  };
}

function ticketsMentioning(state: ProjectionState, record: ObservationRecord): string[] {
  const captureBlocks = new Set<string>();
  const scheduleBlocks = new Set<string>();
  for (const identifier of [...record.identifiers, ...ownIdentifier(record)]) {
    (identifier.kind === 'capture-block' ? captureBlocks : scheduleBlocks).add(identifier.value);
  }
  const keys: string[] = [];
  for (const { ticketKey, ticket } of state.tickets.values()) {
    const mentioned =
      ticket.mentions.captureBlockIds.some((id) => captureBlocks.has(id)) || ticket.mentions.scheduleBlockIds.some((id) => scheduleBlocks.has(id));
    if (mentioned) keys.push(ticketKey);
  }
  return keys.sort(compareText);
}

function ownIdentifier(record: ObservationRecord): ObservationIdentifier[] {
  const id = record.observationId;
  return [id.startsWith('sb-') ? { kind: 'schedule-block', value: id.slice(3) } : { kind: 'capture-block', value: id }];
}

/** A ticket with its links, mentions and where it came from. */
export interface TicketView extends TicketSnapshot {
  readonly recordedAt: string;
  readonly updatedAt: string;
  /** Observation stream ids the mentioned capture and schedule blocks resolve to. */
  readonly observationIds: readonly string[];
  /** Features whose own ticket list names this ticket (a plan's `tickets:`, `setFeatureTickets`). */
  readonly trackedFeatureKeys: readonly string[];
}

/** Returns a ticket, or `undefined`. */
export function ticketView(state: ProjectionState, ticketKey: string): TicketView | undefined {
  const record = state.tickets.get(ticketKey);
  return record === undefined ? undefined : toTicketView(state, record);
}

/** Builds a ticket view, resolving its mentions to observation stream ids. */
export function toTicketView(state: ProjectionState, record: TicketRecord): TicketView {
  const { mentions } = record.ticket;
  const observationIds = new Set<string>();
  for (const id of mentions.captureBlockIds) {
    const found = state.captureBlocks.get(id);
    if (found !== undefined) observationIds.add(found);
  }
  for (const id of mentions.scheduleBlockIds) {
    const found = state.scheduleBlocks.get(id);
    if (found !== undefined) observationIds.add(found);
  }
  const trackedFeatureKeys = [...state.features.values()]
    .filter((feature) => feature.state.definition?.ticketKeys.includes(record.ticketKey) ?? false)
    .map((feature) => feature.featureKey)
    .sort(compareText);
  return { ...record.ticket, recordedAt: record.recordedAt, updatedAt: record.updatedAt, observationIds: [...observationIds].sort(compareText), trackedFeatureKeys };
}

/** A finding with its links. */
export interface FindingView {
  readonly findingId: string;
  readonly title: string;
  readonly symptom: string;
  readonly cause: string;
  readonly workaround: string;
  readonly links: FindingLinks;
  readonly recordedBy: string;
  readonly recordedAt: string;
  readonly revisedAt: string;
}

/** Returns a finding, or `undefined`. */
export function findingView(state: ProjectionState, findingId: string): FindingView | undefined {
  const record = state.findings.get(findingId);
  const finding = record?.state.finding;
  if (record === undefined || finding == null) return undefined;
  const { recordedBy, recordedAt, revisedAt } = record;
  return { ...finding, recordedBy, recordedAt, revisedAt };
}

/** Lists findings whose title, symptom, cause, workaround or links contain every word of `text`. */
export function searchFindings(state: ProjectionState, text: string): FindingView[] {
  const words = text.toLowerCase().split(/\s+/).filter((word) => word !== '');
  const views: FindingView[] = [];
  for (const findingId of state.findings.keys()) {
    const view = findingView(state, findingId);
    if (view === undefined) continue;
    const haystack = [view.title, view.symptom, view.cause, view.workaround, ...Object.values(view.links).flat()].join(' ').toLowerCase();
    if (words.every((word) => haystack.includes(word))) views.push(view);
  }
  return views.sort((a, b) => compareText(a.findingId, b.findingId));
}

/** Returns a catalogued target by its name or any alias (compared as `targetLookupKey` does). */
export function targetByName(state: ProjectionState, nameOrAlias: string): (TargetEntry & { readonly recordedAt: string }) | undefined {
  const targetName = state.targetKeys.get(targetLookupKey(nameOrAlias));
  const record = targetName === undefined ? undefined : state.targets.get(targetName);
  return record === undefined ? undefined : { ...record.entry, recordedAt: record.recordedAt };
}

// ---- identity lookups for the command handler ----

/** Returns the observation stream id (without `observation-`) a capture block id names. */
export function observationIdForCaptureBlock(state: ProjectionState, captureBlockId: string): string | undefined {
  return state.captureBlocks.get(captureBlockId);
}

/** Returns the observation stream id a schedule block id (without `sb-`) names. */
export function observationIdForScheduleBlock(state: ProjectionState, scheduleBlockId: string): string | undefined {
  return state.scheduleBlocks.get(scheduleBlockId);
}

/**
 * Returns the observation whose start is nearest `startUtc` within `FACT_TIME_TOLERANCE_SECONDS`
 * (ties: the earlier start). `byStart` lists observations with a known start, oldest first.
 */
export function observationIdNearStart(byStart: readonly ObservationRecord[], startUtc: string): string | undefined {
  const ms = Date.parse(startUtc);
  if (Number.isNaN(ms)) return undefined;
  const tolerance = FACT_TIME_TOLERANCE_SECONDS * 1000;
  let best: ObservationRecord | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let index = lowerBound(byStart, ms - tolerance); index < byStart.length; index++) {
    const candidate = byStart[index]!;
    const distance = Math.abs(startMs(candidate) - ms);
    if (startMs(candidate) > ms + tolerance) break;
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best?.observationId;
}

/**
 * Returns the start of the earliest observation cited by the feature's latest passed
 * verification, for the deployment policy. It is `undefined` when the feature has no such
 * verification or a cited observation has no known start.
 */
export function evidenceStartOf(state: ProjectionState, featureKey: string): string | undefined {
  const verifications = state.features.get(featureKey)?.verifications ?? [];
  const latest = verifications.findLast((verification) => verification.outcome === 'passed');
  if (latest === undefined || latest.observationIds.length === 0) return undefined;
  let earliest: string | undefined;
  for (const observationId of latest.observationIds) {
    const record = state.observations.get(observationId);
    const start = record === undefined ? undefined : factOf(record, 'startUtc');
    if (start === undefined) return undefined;
    if (earliest === undefined || Date.parse(start) < Date.parse(earliest)) earliest = start;
  }
  return earliest;
}

/** Keys of the features verified now that name `component`, for the deployment policy. */
export function verifiedFeaturesWithComponent(state: ProjectionState, component: string): string[] {
  const keys: string[] = [];
  for (const record of state.features.values()) {
    if (record.state.status === 'verified' && record.state.definition?.components.includes(component) === true) keys.push(record.featureKey);
  }
  return keys.sort(compareText);
}


