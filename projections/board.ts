/**
 * The feature board: per feature its status, WSJF, delivery and verification dates, last
 * verdict, evidence, suspect reasons and days waiting. Also the feature detail page.
 */
import {
  compareText,
  compareTicketKeys,
  costOfDelay,
  developmentWsjf,
  verificationWsjf,
  type FeatureDefinition,
  type FeatureStatus,
  type VerificationOutcome,
} from '../domain/index.js';
import { daysBetween } from './facts.js';
import type { FeatureRecord, ProjectionState, SuspicionRecord, VerificationRecord } from './model.js';

/** Why a feature is suspect: the change whose deployment touched components it depends on. */
export interface SuspectReason {
  readonly changeId: string;
  readonly sharedComponents: readonly string[];
  readonly deployedAt: string;
  readonly markedAt: string;
}

/** One row of the feature board. */
export interface FeatureBoardEntry {
  readonly featureKey: string;
  readonly title: string;
  readonly subsystem: string;
  readonly components: readonly string[];
  readonly requirementRefs: readonly string[];
  readonly status: FeatureStatus;
  readonly costOfDelay: number;
  readonly developmentWsjf: number;
  readonly verificationWsjf: number;
  /** The latest delivery (ISO 8601 UTC), `null` before the first. */
  readonly deliveredAt: string | null;
  readonly deliveringChangeId: string | null;
  /** The latest passed verification, `null` when never verified. */
  readonly verifiedAt: string | null;
  readonly lastVerdict: { readonly verificationId: string; readonly outcome: VerificationOutcome; readonly verifiedAt: string } | null;
  /** Observations cited by the latest verification. */
  readonly evidenceObservationIds: readonly string[];
  /** Open suspicions; empty unless the feature is suspect. */
  readonly suspectReasons: readonly SuspectReason[];
  /** Start of the open wait for verification, `null` when the feature is not waiting. */
  readonly waitingSince: string | null;
  /** Days from `waitingSince` to the query's `now`; `null` when not waiting. */
  readonly daysWaiting: number | null;
}

/** Filters of the feature board; absent fields do not restrict. */
export interface BoardFilter {
  readonly subsystem?: string;
  readonly status?: FeatureStatus;
}

/** Lists the board's features ordered by subsystem, then feature key. */
export function featureBoard(state: ProjectionState, now: string, filter: BoardFilter = {}): FeatureBoardEntry[] {
  const entries: FeatureBoardEntry[] = [];
  for (const record of state.features.values()) {
    const entry = boardEntry(record, now);
    if (entry === undefined) continue;
    if (filter.subsystem !== undefined && entry.subsystem !== filter.subsystem) continue;
    if (filter.status !== undefined && entry.status !== filter.status) continue;
    entries.push(entry);
  }
  return entries.sort((a, b) => compareText(a.subsystem, b.subsystem) || compareText(a.featureKey, b.featureKey));
}

/** Builds a feature's board row; `undefined` for a key seen only in events before its proposal. */
export function boardEntry(record: FeatureRecord, now: string): FeatureBoardEntry | undefined {
  const { definition, status, delivery } = record.state;
  if (definition === null || status === 'absent') {
    return undefined;
  }
  const last = record.verifications.at(-1);
  const passed = record.verifications.filter((verification) => verification.outcome === 'passed').at(-1);
  return {
    featureKey: record.featureKey,
    title: definition.title,
    subsystem: definition.subsystem,
    components: definition.components,
    requirementRefs: definition.requirementRefs,
    status,
    costOfDelay: costOfDelay(definition.scores),
    developmentWsjf: developmentWsjf(definition.scores),
    verificationWsjf: verificationWsjf(definition.scores, definition.verificationEffort),
    deliveredAt: delivery?.deliveredAt ?? null,
    deliveringChangeId: delivery?.changeId ?? null,
    verifiedAt: passed?.verifiedAt ?? null,
    lastVerdict: last === undefined ? null : { verificationId: last.verificationId, outcome: last.outcome, verifiedAt: last.verifiedAt },
    evidenceObservationIds: last?.observationIds ?? [],
    suspectReasons: status === 'suspect' ? record.suspicions.filter((suspicion) => suspicion.endedAt === null).map(suspectReason) : [],
    waitingSince: record.waitingSince,
    daysWaiting: record.waitingSince === null ? null : daysBetween(record.waitingSince, now),
  };
}

function suspectReason(suspicion: SuspicionRecord): SuspectReason {
  const { changeId, sharedComponents, deployedAt, markedAt } = suspicion;
  return { changeId, sharedComponents, deployedAt, markedAt };
}

/** One step of a feature's history, in time order. */
export interface FeatureHistoryItem {
  readonly kind: 'proposed' | 'rescored' | 'criteria-set' | 'tickets-set' | 'delivered' | 'verification' | 'suspect' | 'suspicion-ended' | 'withdrawn';
  readonly at: string;
  readonly changeId: string | null;
  readonly verificationId: string | null;
  readonly detail: string;
}

/** Everything the feature page shows. */
export interface FeatureDetail {
  readonly entry: FeatureBoardEntry;
  readonly definition: FeatureDefinition;
  readonly history: readonly FeatureHistoryItem[];
  readonly verifications: readonly VerificationRecord[];
  /** Every suspicion since the feature was proposed, with when and how it ended. */
  readonly suspicions: readonly (SuspicionRecord & { readonly changeSummary: string | null })[];
  /** Observations cited by any verification, in first-cited order. */
  readonly evidenceObservationIds: readonly string[];
  /** Changes that deliver it, delivered it or made it suspect. */
  readonly changeIds: readonly string[];
  /** Tickets that track the feature (its own list) or mention its key. */
  readonly ticketKeys: readonly string[];
  readonly requirementRefs: readonly string[];
  /** Findings linked to one of the feature's components. */
  readonly findingIds: readonly string[];
}

/** Builds the feature page; `undefined` for an unknown or never proposed feature. */
export function featureDetail(state: ProjectionState, featureKey: string, now: string): FeatureDetail | undefined {
  const record = state.features.get(featureKey);
  const entry = record === undefined ? undefined : boardEntry(record, now);
  const definition = record?.state.definition;
  if (record === undefined || entry === undefined || definition == null) {
    return undefined;
  }
  const components = new Set(definition.components);
  return {
    entry,
    definition,
    history: featureHistory(record),
    verifications: record.verifications,
    suspicions: record.suspicions.map((suspicion) => ({
      ...suspicion,
      changeSummary: state.changes.get(suspicion.changeId)?.state.definition?.summary ?? null,
    })),
    evidenceObservationIds: [...new Set(record.verifications.flatMap((verification) => verification.observationIds))],
    changeIds: linkedChangeIds(state, record),
    ticketKeys: [
      ...new Set([
        ...definition.ticketKeys,
        ...[...state.tickets.values()].filter((ticket) => ticket.ticket.mentions.featureKeys.includes(featureKey)).map((ticket) => ticket.ticketKey),
      ]),
    ].sort(compareTicketKeys),
    requirementRefs: definition.requirementRefs,
    findingIds: [...state.findings.values()]
      .filter((finding) => finding.state.finding?.links.components.some((component) => components.has(component)) ?? false)
      .map((finding) => finding.findingId)
      .sort(compareText),
  };
}

function linkedChangeIds(state: ProjectionState, record: FeatureRecord): string[] {
  const ids = new Set<string>();
  for (const change of state.changes.values()) {
    if (change.state.definition?.deliversFeatures.includes(record.featureKey) === true) ids.add(change.changeId);
  }
  for (const delivery of record.deliveries) {
    if (delivery.changeId !== null) ids.add(delivery.changeId);
  }
  for (const suspicion of record.suspicions) ids.add(suspicion.changeId);
  return [...ids].sort(compareText);
}

const REVISION_WORDS: Readonly<Record<FeatureRecord['revisions'][number]['kind'], string>> = {
  rescored: 'rescored',
  'criteria-set': 'evidence criteria set',
  'tickets-set': 'tickets set',
};

function featureHistory(record: FeatureRecord): FeatureHistoryItem[] {
  const items: FeatureHistoryItem[] = [];
  const add = (kind: FeatureHistoryItem['kind'], at: string, changeId: string | null, verificationId: string | null, detail: string): void => {
    items.push({ kind, at, changeId, verificationId, detail });
  };
  if (record.proposedAt !== null) {
    const tickets = record.proposedTickets.length === 0 ? '' : ` with tickets ${record.proposedTickets.join(', ')}`;
    add('proposed', record.proposedAt, null, null, `proposed by ${record.proposedBy ?? 'unknown'}${tickets}`);
  }
  for (const revision of record.revisions) {
    add(revision.kind, revision.at, null, null, `${REVISION_WORDS[revision.kind]} by ${revision.by}: ${revision.values}`);
  }
  for (const delivery of record.deliveries) {
    add('delivered', delivery.deliveredAt, delivery.changeId, null, delivery.changeId === null ? 'delivered by hand' : `delivered by ${delivery.changeId}`);
  }
  for (const verification of record.verifications) {
    const cited = verification.observationIds.join(', ') || 'no observations';
    add('verification', verification.verifiedAt, verification.changeId, verification.verificationId, `${verification.outcome} by ${verification.verifiedBy} citing ${cited}`);
  }
  for (const suspicion of record.suspicions) {
    add('suspect', suspicion.markedAt, suspicion.changeId, null, `${suspicion.changeId} touched ${suspicion.sharedComponents.join(', ')}`);
    if (suspicion.endedAt !== null) {
      const how = suspicion.justification === null ? 'passed verification' : `justified: ${suspicion.justification}`;
      add('suspicion-ended', suspicion.endedAt, suspicion.changeId, null, how);
    }
  }
  if (record.withdrawnAt !== null) add('withdrawn', record.withdrawnAt, null, null, record.withdrawReason ?? '');
  // A stable sort keeps events at the same instant in the order they were added above.
  return items.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
