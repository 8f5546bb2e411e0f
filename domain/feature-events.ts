/**
 * Feature events, state and `evolve`. A feature is something engineering delivers that must be
 * verified on the sky. Lifecycle: proposed → delivered (awaiting verification) → verified or
 * failed. A verified feature becomes suspect when a later change touches one of its components.
 * It is verified again by a new verification or a justified clearance. A feature can be
 * withdrawn at any point.
 */
import type { DomainEvent } from './event.js';
import type { EvidenceCriteria } from './evidence.js';
import type { WsjfScores } from './wsjf.js';

export type FeatureStatus = 'proposed' | 'delivered' | 'verified' | 'failed' | 'suspect' | 'withdrawn';

export type VerificationOutcome = 'passed' | 'failed' | 'inconclusive';

export const VERIFICATION_OUTCOMES: readonly VerificationOutcome[] = ['passed', 'failed', 'inconclusive'];

/** A measured figure from a verification, e.g. `{ name: 'astrometric offset', value: 0.4, unit: 'arcsec' }`. */
export interface VerificationMetric {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

export interface FeatureDefinition {
  readonly featureKey: string;
  readonly title: string;
  /** Owning subsystem, e.g. `CBF`, `SDP`, `CAM`, `receptor`. */
  readonly subsystem: string;
  /** Components the feature depends on, e.g. `katsdpcontroller`; changes touching them make it suspect. */
  readonly components: readonly string[];
  /** Requirement references, e.g. `R.RC.P.30`. */
  readonly requirementRefs: readonly string[];
  /** Jira keys of the tickets that track the feature, e.g. `MKAIV-449`. */
  readonly ticketKeys: readonly string[];
  readonly evidenceCriteria: EvidenceCriteria;
  readonly scores: WsjfScores;
  /** Effort to verify on the sky, on the WSJF scale; the divisor of verification WSJF. */
  readonly verificationEffort: number;
}

export type FeatureProposed = DomainEvent<
  'FeatureProposed',
  FeatureDefinition & { readonly proposedBy: string; readonly proposedAt: string }
>;

export type FeatureRescored = DomainEvent<
  'FeatureRescored',
  {
    readonly featureKey: string;
    readonly scores: WsjfScores;
    readonly verificationEffort: number;
    readonly rescoredBy: string;
    readonly rescoredAt: string;
  }
>;

export type EvidenceCriteriaSet = DomainEvent<
  'EvidenceCriteriaSet',
  { readonly featureKey: string; readonly evidenceCriteria: EvidenceCriteria; readonly setBy: string; readonly setAt: string }
>;

/** The tickets that track a feature, replacing the list in effect. */
export type FeatureTicketsSet = DomainEvent<
  'FeatureTicketsSet',
  { readonly featureKey: string; readonly ticketKeys: readonly string[]; readonly setBy: string; readonly setAt: string }
>;

export type FeatureDelivered = DomainEvent<
  'FeatureDelivered',
  {
    readonly featureKey: string;
    /** The engineering change that delivered it; `null` for a delivery recorded by hand. */
    readonly changeId: string | null;
    readonly deliveredAt: string;
  }
>;

export type VerificationRecorded = DomainEvent<
  'VerificationRecorded',
  {
    readonly featureKey: string;
    readonly verificationId: string;
    readonly outcome: VerificationOutcome;
    /** Cited observations (stream ids: capture block ids or `sb-…`). */
    readonly observationIds: readonly string[];
    readonly metrics: readonly VerificationMetric[];
    readonly notes: string;
    readonly verifiedBy: string;
    readonly verifiedAt: string;
    /** The change whose delivery this verification checked, `null` for a hand-recorded delivery. */
    readonly changeId: string | null;
  }
>;

export type FeatureMarkedSuspect = DomainEvent<
  'FeatureMarkedSuspect',
  {
    readonly featureKey: string;
    /** The change whose deployment touched the feature. */
    readonly changeId: string;
    readonly deployedAt: string;
    /** Components both the change and the feature name. */
    readonly sharedComponents: readonly string[];
    readonly markedAt: string;
  }
>;

export type SuspicionCleared = DomainEvent<
  'SuspicionCleared',
  { readonly featureKey: string; readonly justification: string; readonly clearedBy: string; readonly clearedAt: string }
>;

export type FeatureWithdrawn = DomainEvent<
  'FeatureWithdrawn',
  { readonly featureKey: string; readonly reason: string; readonly withdrawnBy: string; readonly withdrawnAt: string }
>;

export type FeatureEvent =
  | FeatureProposed
  | FeatureRescored
  | EvidenceCriteriaSet
  | FeatureTicketsSet
  | FeatureDelivered
  | VerificationRecorded
  | FeatureMarkedSuspect
  | SuspicionCleared
  | FeatureWithdrawn;

export const featureEventSchemaVersions: Record<FeatureEvent['type'], number> = {
  FeatureProposed: 2,
  FeatureRescored: 1,
  EvidenceCriteriaSet: 1,
  FeatureTicketsSet: 1,
  FeatureDelivered: 1,
  VerificationRecorded: 1,
  FeatureMarkedSuspect: 1,
  SuspicionCleared: 1,
  FeatureWithdrawn: 1,
};

export interface Suspicion {
  readonly changeId: string;
  readonly deployedAt: string;
  readonly sharedComponents: readonly string[];
}

export interface FeatureState {
  /** `absent` until the feature is proposed. */
  readonly status: FeatureStatus | 'absent';
  readonly definition: FeatureDefinition | null;
  /** When the feature was proposed; `null` before. Revisions of the definition follow it. */
  readonly proposedAt: string | null;
  /** The latest delivery; `null` before the first. */
  readonly delivery: { readonly changeId: string | null; readonly deliveredAt: string } | null;
  /** Open suspicions since the last verification; empty unless the status is `suspect`. */
  readonly suspicions: readonly Suspicion[];
  /** Every suspicion ever recorded, so that a replayed deployment does not raise it again. */
  readonly pastSuspicions: readonly Suspicion[];
  /**
   * Suspicions since the latest delivery, open or cleared. Evidence must postdate all of them:
   * a justification clears the flag, but the configuration on the sky still includes the change.
   */
  readonly suspicionsSinceDelivery: readonly Suspicion[];
  readonly verificationIds: readonly string[];
}

export const initialFeatureState: FeatureState = {
  status: 'absent',
  definition: null,
  proposedAt: null,
  delivery: null,
  suspicions: [],
  pastSuspicions: [],
  suspicionsSinceDelivery: [],
  verificationIds: [],
};

export function evolveFeature(state: FeatureState, event: FeatureEvent): FeatureState {
  switch (event.type) {
    case 'FeatureProposed': {
      const { proposedBy: _by, proposedAt, ...definition } = event.data;
      return { ...initialFeatureState, status: 'proposed', definition, proposedAt };
    }
    case 'FeatureRescored':
      return withDefinition(state, {
        scores: event.data.scores,
        verificationEffort: event.data.verificationEffort,
      });
    case 'EvidenceCriteriaSet':
      return withDefinition(state, { evidenceCriteria: event.data.evidenceCriteria });
    case 'FeatureTicketsSet':
      return withDefinition(state, { ticketKeys: event.data.ticketKeys });
    case 'FeatureDelivered':
      return {
        ...state,
        status: 'delivered',
        delivery: { changeId: event.data.changeId, deliveredAt: event.data.deliveredAt },
        suspicions: [],
        suspicionsSinceDelivery: [],
      };
    case 'VerificationRecorded':
      return evolveVerification(state, event);
    case 'FeatureMarkedSuspect': {
      const suspicion: Suspicion = {
        changeId: event.data.changeId,
        deployedAt: event.data.deployedAt,
        sharedComponents: event.data.sharedComponents,
      };
      return {
        ...state,
        status: 'suspect',
        suspicions: [...state.suspicions, suspicion],
        pastSuspicions: [...state.pastSuspicions, suspicion],
        suspicionsSinceDelivery: [...state.suspicionsSinceDelivery, suspicion],
      };
    }
    case 'SuspicionCleared':
      return { ...state, status: 'verified', suspicions: [] };
    case 'FeatureWithdrawn':
      return { ...state, status: 'withdrawn' };
  }
}

function evolveVerification(state: FeatureState, event: VerificationRecorded): FeatureState {
  const verificationIds = [...state.verificationIds, event.data.verificationId];
  switch (event.data.outcome) {
    case 'passed':
      return { ...state, status: 'verified', suspicions: [], verificationIds };
    case 'failed':
      return { ...state, status: 'failed', verificationIds };
    case 'inconclusive':
      // An inconclusive result leaves the feature waiting where it was (delivered or suspect).
      return { ...state, verificationIds };
  }
}

function withDefinition(state: FeatureState, patch: Partial<FeatureDefinition>): FeatureState {
  if (state.definition === null) {
    return state;
  }
  return { ...state, definition: { ...state.definition, ...patch } };
}
