/**
 * When each event happened in the world, as opposed to when it was recorded: a delivery at its
 * `deliveredAt`, an observation's facts at the observation's start. A view at a past time by event
 * time folds every record made since, but only what had happened by then, so history imported
 * today can be reviewed for a past period (see `ReplayOptions.occurredUntil`).
 */
import type { OnskyEvent } from '../domain/index.js';
import type { FoldEvent } from '../store/port.js';
import { factOf } from './facts.js';
import type { ProjectionState } from './model.js';

/**
 * Returns when an event happened (ISO 8601 UTC), or `null` for reference data that holds at any
 * time: catalogue targets and Jira tickets, whose records carry only when they were read.
 *
 * Events of an observation without a time of their own (identifiers, fact conflicts, facts
 * without a start) happen at the observation's start. `knownStart` gives it from every source
 * (the live state), else the facts folded so far do. Without either they happen at their record
 * time: an observation cannot be recorded before it starts, so that time never drops one that
 * had started.
 */
export function eventTimeOf(state: ProjectionState, envelope: FoldEvent, knownStart?: (observationId: string) => string | undefined): string | null {
  const event = envelope as unknown as OnskyEvent;
  switch (event.type) {
    case 'FeatureProposed':
      return event.data.proposedAt;
    case 'FeatureRescored':
      return event.data.rescoredAt;
    case 'EvidenceCriteriaSet':
    case 'FeatureTicketsSet':
      return event.data.setAt;
    case 'FeatureDelivered':
      return event.data.deliveredAt;
    case 'VerificationRecorded':
      return event.data.verifiedAt;
    case 'FeatureMarkedSuspect':
      return event.data.markedAt;
    case 'SuspicionCleared':
      return event.data.clearedAt;
    case 'FeatureWithdrawn':
      return event.data.withdrawnAt;
    case 'ChangeRecorded':
      return event.data.recordedAt;
    case 'ChangeDeployed':
      return event.data.deployedAt;
    case 'ChangeRolledBack':
      return event.data.rolledBackAt;
    case 'ObservationFactsRecorded':
      return event.data.facts.startUtc ?? observationTime(state, event.data.observationId, envelope, knownStart);
    case 'ObservationFactConflicted':
    case 'ObservationIdentifierLinked':
    case 'ObservationIdentifierUnlinked':
      return observationTime(state, event.data.observationId, envelope, knownStart);
    case 'ObservationAnomalyNoted':
      return event.data.notedAt;
    case 'ObservationProductsArchived':
      return latestArchiveTime(event.data.products) ?? observationTime(state, event.data.observationId, envelope, knownStart);
    case 'ObservationReviewed':
      return event.data.reviewedAt;
    case 'FindingRecorded':
      return event.data.recordedAt;
    case 'FindingRevised':
      return event.data.revisedAt;
    case 'FindingLinked':
      return event.data.linkedAt;
    case 'TicketRecorded':
    case 'TicketUpdated':
    case 'TargetRecorded':
    case 'TargetUpdated':
      return null;
    default:
      // An event of another application in a shared store is not folded, whatever its time.
      return null;
  }
}

/**
 * Returns the observation's start: from `knownStart` (every source, also those recorded later),
 * else from the facts folded so far, else the record time of this event.
 */
function observationTime(state: ProjectionState, observationId: string, envelope: FoldEvent, knownStart: ((observationId: string) => string | undefined) | undefined): string {
  const known = knownStart?.(observationId);
  if (known !== undefined) return known;
  const record = state.observations.get(observationId);
  return (record === undefined ? undefined : factOf(record, 'startUtc')) ?? envelope.metadata.recordedAt;
}

/** Returns the latest archive time of products listed together; `null` when none is known. */
function latestArchiveTime(products: readonly { readonly archivedAt: string | null }[]): string | null {
  let latest: string | null = null;
  let latestMs = Number.NEGATIVE_INFINITY;
  for (const { archivedAt } of products) {
    if (archivedAt === null) continue;
    const ms = Date.parse(archivedAt);
    if (ms > latestMs) {
      latest = archivedAt;
      latestMs = ms;
    }
  }
  return latest;
}
