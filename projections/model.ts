/**
 * Read-model state: mutable maps and arrays folded from the log. One `ProjectionState` contains
 * every read model's records; queries compute their results from it (see read-models.ts). Records
 * are plain JSON-friendly objects so that a snapshot is the state written out as it is.
 */
import type {
  ArchivedProduct,
  ChangeState,
  FactConflict,
  FactSource,
  FeatureState,
  FindingState,
  ObservationAnomaly,
  ObservationFacts,
  ObservationIdentifier,
  Review,
  TargetEntry,
  TicketSnapshot,
  VerificationMetric,
  VerificationOutcome,
} from '../domain/index.js';

/** A recorded verification of a feature, as the feature board and traceability show it. */
export interface VerificationRecord {
  readonly verificationId: string;
  readonly featureKey: string;
  readonly outcome: VerificationOutcome;
  readonly observationIds: readonly string[];
  readonly metrics: readonly VerificationMetric[];
  readonly notes: string;
  readonly verifiedBy: string;
  readonly verifiedAt: string;
  readonly changeId: string | null;
}

/** A suspicion raised by a deployment, with its clearance when one was justified. */
export interface SuspicionRecord {
  readonly changeId: string;
  readonly deployedAt: string;
  readonly sharedComponents: readonly string[];
  readonly markedAt: string;
  /** When a passed verification or a justification ended it; `null` while open. */
  endedAt: string | null;
  /** The justification text when it was cleared by hand, `null` otherwise. */
  justification: string | null;
}

/** A feature with its history, as the board, queue and flow read it. */
export interface FeatureRecord {
  readonly featureKey: string;
  /** The feature's state as the domain's `evolveFeature` folds it. */
  state: FeatureState;
  proposedAt: string | null;
  proposedBy: string | null;
  /** The tickets the proposal named; later changes are in `revisions`. */
  proposedTickets: readonly string[];
  readonly deliveries: { readonly changeId: string | null; readonly deliveredAt: string }[];
  readonly verifications: VerificationRecord[];
  readonly suspicions: SuspicionRecord[];
  /** Rescores and evidence-criteria changes after the proposal, in log order. */
  readonly revisions: FeatureRevisionRecord[];
  withdrawnAt: string | null;
  withdrawReason: string | null;
  /** Start of the open wait for verification (delivery or suspicion), `null` when not waiting. */
  waitingSince: string | null;
}

/** A rescore or a change of evidence criteria, with who made it and the values it set. */
export interface FeatureRevisionRecord {
  readonly kind: 'rescored' | 'criteria-set' | 'tickets-set';
  readonly at: string;
  readonly by: string;
  /** The new values in words, e.g. "business value 13, time criticality 8, …". */
  readonly values: string;
}

/** A rollback of a change. */
export interface RollbackRecord {
  readonly rolledBackAt: string;
  readonly reason: string;
  readonly deploymentIds: readonly string[];
}

/** An engineering change with its rollbacks. */
export interface ChangeRecord {
  readonly changeId: string;
  /** The change's state as the domain's `evolveChange` folds it. */
  state: ChangeState;
  recordedAt: string | null;
  recordedBy: string | null;
  readonly rollbacks: RollbackRecord[];
}

/** An anomaly with the source that reported it. */
export interface NotedAnomaly {
  readonly anomaly: ObservationAnomaly;
  readonly source: FactSource;
  readonly notedAt: string;
}

/** An archived product with the source that listed it. */
export interface ProductRecord extends ArchivedProduct {
  readonly source: FactSource;
}

/**
 * Facts one source recorded together. The fold keeps the event's own facts object as it is: a
 * wrapper per fact made a rebuild keep a dozen more objects per observation alive, and the
 * garbage collector's work on them cost more than the fold itself.
 */
export interface FactSet {
  readonly facts: ObservationFacts;
  readonly source: FactSource;
}

/**
 * An observation folded from its events. The fold replaces a list rather than growing it in place
 * (see fold.ts), and lists may be shared between records, so readers must not change them.
 */
export interface ObservationRecord {
  readonly observationId: string;
  /**
   * The fact sets in log order; a fact's value is the one in the last set that names it (see
   * `factOf` and `assertedFact` in facts.ts).
   */
  factSets: readonly FactSet[];
  conflicts: readonly FactConflict[];
  identifiers: readonly ObservationIdentifier[];
  anomalies: readonly NotedAnomaly[];
  products: readonly ProductRecord[];
  reviews: readonly Review[];
  /** Importer names that contributed facts, anomalies or products, e.g. `obslog`, `archive`. */
  importers: readonly string[];
  /** Record time of the observation's first event. */
  readonly firstRecordedAt: string;
}

/** A Jira ticket as last recorded. */
export interface TicketRecord {
  readonly ticketKey: string;
  ticket: TicketSnapshot;
  readonly source: FactSource | null;
  readonly recordedAt: string;
  updatedAt: string;
}

/** A finding with its record and revision times. */
export interface FindingRecord {
  readonly findingId: string;
  /** The finding as the domain's `evolveFinding` folds it. */
  state: FindingState;
  readonly recordedBy: string;
  readonly recordedAt: string;
  revisedAt: string;
}

/** A catalogued target. */
export interface TargetRecord {
  readonly targetName: string;
  entry: TargetEntry;
  readonly recordedAt: string;
}

/** Kinds of timeline entries that come from the log in order; observations are added at query time. */
export type LoggedTimelineKind =
  | 'change-recorded'
  | 'change-deployed'
  | 'change-rolled-back'
  | 'feature-delivered'
  | 'verification'
  | 'suspicion'
  | 'suspicion-cleared';

/** A timeline entry folded from a change or feature event. */
export interface LoggedTimelineEntry {
  readonly kind: LoggedTimelineKind;
  /** When it happened (ISO 8601 UTC), from the event's own time field. */
  readonly at: string;
  readonly changeId: string | null;
  readonly featureKey: string | null;
  readonly components: readonly string[];
  readonly observationIds: readonly string[];
  readonly summary: string;
}

/** Every read model's records, mutated in place by the fold. */
export interface ProjectionState {
  /** Events applied; bumps on every event, so caches keyed on it stay correct. */
  version: number;
  /** Position of the last applied event, `null` before the first. */
  position: bigint | null;
  /** Id of the last applied event, stored with a checkpoint to detect a replaced log. */
  eventId: string | null;
  lastRecordedAt: string | null;
  readonly features: Map<string, FeatureRecord>;
  readonly changes: Map<string, ChangeRecord>;
  readonly observations: Map<string, ObservationRecord>;
  readonly tickets: Map<string, TicketRecord>;
  readonly findings: Map<string, FindingRecord>;
  readonly targets: Map<string, TargetRecord>;
  /** `targetLookupKey` of each target name and alias → target name. */
  readonly targetKeys: Map<string, string>;
  /** Capture block id → observation stream id. */
  readonly captureBlocks: Map<string, string>;
  /** Schedule block id (without `sb-`) → observation stream id. */
  readonly scheduleBlocks: Map<string, string>;
  readonly timeline: LoggedTimelineEntry[];
  /**
   * Observations changed since the query caches last caught up, so the search index updates
   * only those. Not part of a snapshot: a restored state starts with fresh caches.
   */
  readonly touchedObservations: Set<string>;
  /**
   * Whether the fold records touched observations: set once a search index exists. Before that,
   * the index is built from every observation, and a rebuild would fill the set for nothing.
   */
  tracksTouched: boolean;
}

/** Creates the empty state, as before the first event. */
export function createProjectionState(): ProjectionState {
  return {
    version: 0,
    position: null,
    eventId: null,
    lastRecordedAt: null,
    features: new Map(),
    changes: new Map(),
    observations: new Map(),
    tickets: new Map(),
    findings: new Map(),
    targets: new Map(),
    targetKeys: new Map(),
    captureBlocks: new Map(),
    scheduleBlocks: new Map(),
    timeline: [],
    touchedObservations: new Set(),
    tracksTouched: false,
  };
}

/** Names of the read models, as `onChange` reports them. */
export type ReadModelName =
  | 'board'
  | 'queue'
  | 'backpressure'
  | 'ledger'
  | 'traceability'
  | 'timeline'
  | 'configuration'
  | 'gaps'
  | 'observations'
  | 'changes'
  | 'tickets'
  | 'findings'
  | 'targets';
