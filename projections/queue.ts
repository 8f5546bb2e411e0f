/**
 * The verification queue: features awaiting verification (delivered or suspect), ordered by
 * verification WSJF with ties broken by the longest wait, each with candidate evidence: archived
 * observations that already meet its criteria and were taken after its delivery or suspicion.
 */
import {
  evidenceNotBeforeUtc,
  matchEvidence,
  onTargetSeconds,
  orderVerificationQueue,
  verificationWsjf,
  type DeliveringChange,
  type UnmetCriterion,
} from '../domain/index.js';
import { daysBetween, evidenceFacts, factOf, isArchived, startMs } from './facts.js';
import type { FeatureRecord, ObservationRecord, ProjectionState } from './model.js';

/** An archived observation that meets every evidence criterion of a queued feature. */
export interface CandidateEvidence {
  readonly observationId: string;
  readonly startUtc: string | null;
  readonly band: string | null;
  readonly product: string | null;
  /** Seconds on targets that count for the criteria. */
  readonly onTargetSeconds: number;
}

/** One feature in the verification queue. */
export interface VerificationQueueEntry {
  readonly featureKey: string;
  readonly title: string;
  readonly subsystem: string;
  readonly status: 'delivered' | 'suspect';
  readonly verificationWsjf: number;
  readonly waitingSinceUtc: string;
  readonly daysWaiting: number;
  /** Evidence must start at or after this instant: the delivery's deployment or a later suspicion. */
  readonly evidenceNotBeforeUtc: string | null;
  /** Newest first, at most `candidateLimit`. */
  readonly candidates: readonly CandidateEvidence[];
  /** True when more observations qualify than `candidates` lists. */
  readonly moreCandidates: boolean;
}

/** Settings of the verification queue. */
export interface QueueOptions {
  readonly subsystem?: string;
  /** Candidate observations listed per feature; default 5. */
  readonly candidateLimit?: number;
}

/**
 * Lists the queue. `archivedByStart` lists archived observations with a known start, oldest first.
 * Candidates are searched newest first and the search stops at the limit. So the cost grows with
 * the limit and the observations that fail the criteria, not with the archive's size.
 */
export function verificationQueue(
  state: ProjectionState,
  archivedByStart: readonly ObservationRecord[],
  now: string,
  options: QueueOptions = {},
): VerificationQueueEntry[] {
  const limit = options.candidateLimit ?? 5;
  const entries: VerificationQueueEntry[] = [];
  for (const record of state.features.values()) {
    const { status, definition } = record.state;
    if ((status !== 'delivered' && status !== 'suspect') || definition === null) continue;
    if (options.subsystem !== undefined && definition.subsystem !== options.subsystem) continue;

    const notBefore = evidenceStart(state, record) ?? null;
    const { candidates, more } = findCandidates(state, record, archivedByStart, notBefore, limit);
    const waitingSinceUtc = record.waitingSince ?? record.state.delivery?.deliveredAt ?? now;
    entries.push({
      featureKey: record.featureKey,
      title: definition.title,
      subsystem: definition.subsystem,
      status,
      verificationWsjf: verificationWsjf(definition.scores, definition.verificationEffort),
      waitingSinceUtc,
      daysWaiting: daysBetween(waitingSinceUtc, now),
      evidenceNotBeforeUtc: notBefore,
      candidates,
      moreCandidates: more,
    });
  }
  return orderVerificationQueue(entries);
}

/** Finds the delivering change's deployment in place at delivery, if the log has it. */
function deliveringChange(state: ProjectionState, record: FeatureRecord): DeliveringChange | undefined {
  const delivery = record.state.delivery;
  if (delivery === null || delivery.changeId === null) return undefined;
  const deployments = state.changes.get(delivery.changeId)?.state.deployments ?? [];
  const deliveredMs = Date.parse(delivery.deliveredAt);
  const atDelivery = deployments.filter((deployment) => Date.parse(deployment.deployedAt) <= deliveredMs).at(-1);
  const deployment = atDelivery ?? deployments[0];
  return deployment === undefined ? undefined : { changeId: delivery.changeId, deployedAt: deployment.deployedAt };
}

/** Returns the instant evidence for the feature must start at or after, as the decider checks it. */
export function evidenceStart(state: ProjectionState, record: FeatureRecord): string | undefined {
  return evidenceNotBeforeUtc(record.state, deliveringChange(state, record));
}

function findCandidates(
  state: ProjectionState,
  record: FeatureRecord,
  archivedByStart: readonly ObservationRecord[],
  notBefore: string | null,
  limit: number,
): { candidates: CandidateEvidence[]; more: boolean } {
  const criteria = record.state.definition?.evidenceCriteria ?? {};
  const context = notBefore === null ? {} : { takenAfterUtc: notBefore };
  const firstIndex = notBefore === null ? 0 : lowerBound(archivedByStart, Date.parse(notBefore));
  const band = criteria.band?.toUpperCase();
  const candidates: CandidateEvidence[] = [];

  for (let index = archivedByStart.length - 1; index >= firstIndex; index--) {
    const observation = archivedByStart[index]!;
    // Cheap checks first: most observations fail on band or product.
    if (band !== undefined && factOf(observation, 'band')?.toUpperCase() !== band) continue;
    if (criteria.product !== undefined && factOf(observation, 'product') !== criteria.product) continue;
    const facts = evidenceFacts(state, observation);
    if (matchEvidence(facts, criteria, context).length > 0) continue;
    if (candidates.length === limit) return { candidates, more: true };
    candidates.push({
      observationId: observation.observationId,
      startUtc: facts.startUtc ?? null,
      band: facts.band ?? null,
      product: facts.product ?? null,
      onTargetSeconds: onTargetSeconds(facts, criteria),
    });
  }
  return { candidates, more: false };
}

/** Index of the first observation starting at or after `ms` in a list sorted by start. */
export function lowerBound(byStart: readonly ObservationRecord[], ms: number): number {
  let low = 0;
  let high = byStart.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (startMs(byStart[middle]!) < ms) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The result of checking one observation against one feature's evidence criteria. */
export interface EvidenceCheck {
  readonly featureKey: string;
  readonly observationId: string;
  /**
   * True when the observation meets every criterion, so a verification citing it is accepted.
   * The queue lists only archived ones as candidates, and `archived` reports whether this one is.
   */
  readonly qualifies: boolean;
  /** True when the archive contains the observation: a product of it is recorded, or an archive source reported it. */
  readonly archived: boolean;
  readonly evidenceNotBeforeUtc: string | null;
  readonly unmet: readonly UnmetCriterion[];
}

/** Checks one observation against one feature's criteria; `undefined` when either is unknown. */
export function checkEvidence(state: ProjectionState, featureKey: string, observationId: string): EvidenceCheck | undefined {
  const feature = state.features.get(featureKey);
  const observation = state.observations.get(observationId);
  const definition = feature?.state.definition;
  if (feature === undefined || observation === undefined || definition == null) {
    return undefined;
  }
  const notBefore = evidenceStart(state, feature) ?? null;
  const context = notBefore === null ? {} : { takenAfterUtc: notBefore };
  const unmet = matchEvidence(evidenceFacts(state, observation), definition.evidenceCriteria, context);
  const archived = isArchived(observation);
  return { featureKey, observationId, qualifies: unmet.length === 0, archived, evidenceNotBeforeUtc: notBefore, unmet };
}
