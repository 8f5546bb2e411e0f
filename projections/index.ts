/**
 * The read models: start them with `startProjections(store, options)` and query them through
 * `projections.query` (live) or `await projections.asOf(time)` (as of a record time).
 */
export * from './runtime.js';
export { ReadModels } from './read-models.js';
export type { ReadModelName } from './model.js';
export type { BoardFilter, FeatureBoardEntry, FeatureDetail, FeatureHistoryItem, SuspectReason } from './board.js';
export type { CandidateEvidence, EvidenceCheck, QueueOptions, VerificationQueueEntry } from './queue.js';
export type { BackpressureReport, FlowOptions, FlowReport } from './backpressure.js';
export type { ArchiveLatency, HoursByReviewState, LedgerGroup, LedgerOptions, ObservingMode, QaCoverage, UnverifiedDataLedger } from './ledger.js';
export { observingMode } from './ledger.js';
export type { RequirementCoverage, RequirementTrace, TracedFeature } from './traceability.js';
export type { ChangeBetween, ChangesBetween, ComponentConfiguration, TimelineEntry, TimelineFilter, TimelineKind, TimelinePage } from './timeline.js';
export type { DataGap, DataGapKind, GapOptions } from './gaps.js';
export { DEFAULT_EXPECTED_PRODUCTS } from './gaps.js';
export type { ObservationPage, ObservationQuery, ObservationSummary } from './search.js';
export type { ChangeView, FindingView, ObservationDetail, TicketView } from './entities.js';
export type { ReviewState } from './facts.js';
export { REVIEW_STATES } from './facts.js';
export type { SuspicionRecord, VerificationRecord, NotedAnomaly, ProductRecord, RollbackRecord } from './model.js';
