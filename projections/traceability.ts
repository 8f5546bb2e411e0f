/**
 * Traceability: requirement → features → changes → observations → verifications → tickets,
 * with the coverage of each requirement.
 */
import { compareText, compareTicketKeys, type FeatureStatus, type VerificationOutcome } from '../domain/index.js';
import type { FeatureRecord, ProjectionState } from './model.js';

/**
 * Coverage of a requirement by its features, where withdrawn features do not count. It is
 * `not-covered` without a feature and `has-failures` when one failed its latest verification.
 * Otherwise it is `fully-verified` when every feature is verified, `partially-verified` when
 * some are, and `not-verified` when none is. A suspect feature is not verified.
 */
export type RequirementCoverage = 'not-covered' | 'not-verified' | 'partially-verified' | 'fully-verified' | 'has-failures';

/** A feature as traceability shows it, with everything linked to it. */
export interface TracedFeature {
  readonly featureKey: string;
  readonly title: string;
  readonly status: FeatureStatus;
  /** Changes that deliver it, delivered it or made it suspect. */
  readonly changeIds: readonly string[];
  readonly verifications: readonly {
    readonly verificationId: string;
    readonly outcome: VerificationOutcome;
    readonly verifiedAt: string;
    readonly observationIds: readonly string[];
  }[];
  /** Observations cited by its verifications. */
  readonly observationIds: readonly string[];
  /** Tickets that track the feature or mention it, are named by one of its changes or mention a cited observation. */
  readonly ticketKeys: readonly string[];
}

/** A requirement with its features and coverage. */
export interface RequirementTrace {
  readonly requirementRef: string;
  readonly coverage: RequirementCoverage;
  readonly featureCount: number;
  readonly verifiedFeatureCount: number;
  readonly features: readonly TracedFeature[];
}

/**
 * Traces every requirement the features name, plus `requirementRefs` given by the caller (for
 * requirements no feature covers yet), ordered by requirement reference.
 */
export function traceability(state: ProjectionState, requirementRefs: readonly string[] = []): RequirementTrace[] {
  const byRequirement = new Map<string, FeatureRecord[]>();
  for (const ref of requirementRefs) byRequirement.set(ref, []);
  for (const record of state.features.values()) {
    for (const ref of record.state.definition?.requirementRefs ?? []) {
      const list = byRequirement.get(ref) ?? [];
      list.push(record);
      byRequirement.set(ref, list);
    }
  }
  const tickets = ticketIndex(state);
  const deliveringChanges = changesByDeliveredFeature(state);
  return [...byRequirement.keys()].sort(compareText).map((ref) => {
    const live = (byRequirement.get(ref) ?? []).filter((record) => record.state.status !== 'withdrawn');
    const features = live.map((record) => tracedFeature(state, record, tickets, deliveringChanges)).sort((a, b) => compareText(a.featureKey, b.featureKey));
    const verified = features.filter((feature) => feature.status === 'verified').length;
    return { requirementRef: ref, coverage: coverageOf(features, verified), featureCount: features.length, verifiedFeatureCount: verified, features };
  });
}

function coverageOf(features: readonly TracedFeature[], verified: number): RequirementCoverage {
  if (features.length === 0) return 'not-covered';
  if (features.some((feature) => feature.status === 'failed')) return 'has-failures';
  if (verified === features.length) return 'fully-verified';
  return verified > 0 ? 'partially-verified' : 'not-verified';
}

/** Tickets by the feature keys, capture block ids and schedule block ids they mention. */
interface TicketIndex {
  readonly byFeature: Map<string, string[]>;
  readonly byObservationKey: Map<string, string[]>;
}

function ticketIndex(state: ProjectionState): TicketIndex {
  const byFeature = new Map<string, string[]>();
  const byObservationKey = new Map<string, string[]>();
  const add = (index: Map<string, string[]>, key: string, ticketKey: string): void => {
    const list = index.get(key) ?? [];
    list.push(ticketKey);
    index.set(key, list);
  };
  for (const { ticketKey, ticket } of state.tickets.values()) {
    for (const key of ticket.mentions.featureKeys) add(byFeature, key, ticketKey);
    for (const id of ticket.mentions.captureBlockIds) add(byObservationKey, state.captureBlocks.get(id) ?? id, ticketKey);
    for (const id of ticket.mentions.scheduleBlockIds) add(byObservationKey, state.scheduleBlocks.get(id) ?? `sb-${id}`, ticketKey);
  }
  return { byFeature, byObservationKey };
}

/** Change ids by the feature keys their definitions deliver. */
function changesByDeliveredFeature(state: ProjectionState): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const change of state.changes.values()) {
    for (const featureKey of change.state.definition?.deliversFeatures ?? []) {
      const list = index.get(featureKey) ?? [];
      list.push(change.changeId);
      index.set(featureKey, list);
    }
  }
  return index;
}

function tracedFeature(state: ProjectionState, record: FeatureRecord, tickets: TicketIndex, deliveringChanges: Map<string, string[]>): TracedFeature {
  const changeIds = new Set<string>(deliveringChanges.get(record.featureKey) ?? []);
  for (const delivery of record.deliveries) if (delivery.changeId !== null) changeIds.add(delivery.changeId);
  for (const suspicion of record.suspicions) changeIds.add(suspicion.changeId);

  const observationIds = [...new Set(record.verifications.flatMap((verification) => verification.observationIds))];
  const ticketKeys = new Set([...(record.state.definition?.ticketKeys ?? []), ...(tickets.byFeature.get(record.featureKey) ?? [])]);
  for (const changeId of changeIds) {
    for (const key of state.changes.get(changeId)?.state.definition?.ticketKeys ?? []) ticketKeys.add(key);
  }
  for (const observationId of observationIds) {
    for (const key of tickets.byObservationKey.get(observationId) ?? []) ticketKeys.add(key);
  }
  return {
    featureKey: record.featureKey,
    title: record.state.definition?.title ?? '',
    status: record.state.status === 'absent' ? 'proposed' : record.state.status,
    changeIds: [...changeIds].sort(compareText),
    verifications: record.verifications.map(({ verificationId, outcome, verifiedAt, observationIds: cited }) => ({
      verificationId,
      outcome,
      verifiedAt,
      observationIds: cited,
    })),
    observationIds,
    ticketKeys: [...ticketKeys].sort(compareTicketKeys),
  };
}
