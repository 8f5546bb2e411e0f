/**
 * Observation events, state and `evolve`. An observation's facts are merged from several
 * sources (observation-script logs, SDP controller logs, archive listings, katdal summaries);
 * each fact keeps the source that first asserted it, and a disagreeing value from another source
 * is kept beside it as a flagged conflict rather than overwriting it.
 */
import type { DomainEvent } from './event.js';
import type { CompoundScanFact, TaggedTarget } from './evidence.js';

/** Origin of a fact: importer name and file, plus a line number or record key when known. */
export interface FactSource {
  readonly importer: string;
  readonly file: string;
  readonly locator?: string;
}

export interface ObservationFactValues {
  readonly captureBlockId: string;
  readonly scheduleBlockId: string;
  readonly proposalId: string;
  readonly observer: string;
  readonly description: string;
  /** ISO 8601 UTC. */
  readonly startUtc: string;
  readonly endUtc: string;
  readonly targets: readonly TaggedTarget[];
  readonly compoundScans: readonly CompoundScanFact[];
  /** Receptor names, e.g. `m000`, `m063`. */
  readonly receptors: readonly string[];
  /** Receiver band, e.g. `L`, `UHF`, `S`. */
  readonly band: string;
  /** Correlator product, e.g. `c856M4k`. */
  readonly product: string;
}

export type ObservationFactName = keyof ObservationFactValues;

export type ObservationFacts = Partial<ObservationFactValues>;

export type ObservationFactValue = ObservationFactValues[ObservationFactName];

export const OBSERVATION_FACT_NAMES: readonly ObservationFactName[] = [
  'captureBlockId',
  'scheduleBlockId',
  'proposalId',
  'observer',
  'description',
  'startUtc',
  'endUtc',
  'targets',
  'compoundScans',
  'receptors',
  'band',
  'product',
];

export interface AssertedFact {
  readonly value: ObservationFactValue;
  readonly source: FactSource;
}

export type IdentifierKind = 'capture-block' | 'schedule-block';

export interface ObservationIdentifier {
  readonly kind: IdentifierKind;
  readonly value: string;
}

export type ObservationAnomaly =
  | { readonly kind: 'stragglers'; readonly receptors: readonly string[]; readonly detail: string }
  | { readonly kind: 'capture-done-failed'; readonly detail: string }
  | { readonly kind: 'missing-products'; readonly products: readonly string[]; readonly detail: string };

export interface ArchivedProduct {
  /** Product name, e.g. `1551803062-sdp-l0`. */
  readonly name: string;
  /** Storage location, e.g. `s3://1551803062-sdp-l0/`, or empty when unknown. */
  readonly location: string;
  readonly archivedAt: string | null;
}

export type ReviewLevel = 'automated-qa' | 'inspected' | 'imaged' | 'discarded';

export const REVIEW_LEVELS: readonly ReviewLevel[] = ['automated-qa', 'inspected', 'imaged', 'discarded'];

export interface Review {
  readonly level: ReviewLevel;
  readonly reviewer: string;
  readonly reviewedAt: string;
  /** Reason the data were discarded, or `null` for other levels. */
  readonly reason: string | null;
  readonly notes: string;
}

export type ObservationFactsRecorded = DomainEvent<
  'ObservationFactsRecorded',
  { readonly observationId: string; readonly source: FactSource; readonly facts: ObservationFacts }
>;

export type ObservationFactConflicted = DomainEvent<
  'ObservationFactConflicted',
  {
    readonly observationId: string;
    readonly fact: ObservationFactName;
    /** The value in effect, kept. */
    readonly kept: AssertedFact;
    /** The disagreeing value, recorded beside it. */
    readonly conflicting: AssertedFact;
  }
>;

export type ObservationIdentifierLinked = DomainEvent<
  'ObservationIdentifierLinked',
  {
    readonly observationId: string;
    readonly identifier: ObservationIdentifier;
    readonly source: FactSource;
    readonly reason: string;
  }
>;

export type ObservationIdentifierUnlinked = DomainEvent<
  'ObservationIdentifierUnlinked',
  { readonly observationId: string; readonly identifier: ObservationIdentifier; readonly reason: string }
>;

export type ObservationAnomalyNoted = DomainEvent<
  'ObservationAnomalyNoted',
  {
    readonly observationId: string;
    readonly anomaly: ObservationAnomaly;
    readonly source: FactSource;
    readonly notedAt: string;
  }
>;

export type ObservationProductsArchived = DomainEvent<
  'ObservationProductsArchived',
  { readonly observationId: string; readonly products: readonly ArchivedProduct[]; readonly source: FactSource }
>;

export type ObservationReviewed = DomainEvent<'ObservationReviewed', Review & { readonly observationId: string }>;

export type ObservationEvent =
  | ObservationFactsRecorded
  | ObservationFactConflicted
  | ObservationIdentifierLinked
  | ObservationIdentifierUnlinked
  | ObservationAnomalyNoted
  | ObservationProductsArchived
  | ObservationReviewed;

export const observationEventSchemaVersions: Record<ObservationEvent['type'], number> = {
  ObservationFactsRecorded: 1,
  ObservationFactConflicted: 1,
  ObservationIdentifierLinked: 1,
  ObservationIdentifierUnlinked: 1,
  ObservationAnomalyNoted: 1,
  ObservationProductsArchived: 1,
  ObservationReviewed: 1,
};

export interface FactConflict {
  readonly fact: ObservationFactName;
  readonly kept: AssertedFact;
  readonly conflicting: AssertedFact;
}

export interface ObservationState {
  /** `null` until the first facts are recorded. */
  readonly observationId: string | null;
  readonly facts: Partial<Record<ObservationFactName, AssertedFact>>;
  readonly conflicts: readonly FactConflict[];
  readonly identifiers: readonly ObservationIdentifier[];
  readonly anomalies: readonly ObservationAnomaly[];
  readonly products: readonly ArchivedProduct[];
  readonly reviews: readonly Review[];
}

export const initialObservationState: ObservationState = {
  observationId: null,
  facts: {},
  conflicts: [],
  identifiers: [],
  anomalies: [],
  products: [],
  reviews: [],
};

export function evolveObservation(state: ObservationState, event: ObservationEvent): ObservationState {
  switch (event.type) {
    case 'ObservationFactsRecorded': {
      const facts = { ...state.facts };
      for (const name of OBSERVATION_FACT_NAMES) {
        const value = event.data.facts[name];
        if (value !== undefined) {
          facts[name] = { value, source: event.data.source };
        }
      }
      return { ...state, observationId: event.data.observationId, facts };
    }
    case 'ObservationFactConflicted': {
      const { fact, kept, conflicting } = event.data;
      return { ...state, conflicts: [...state.conflicts, { fact, kept, conflicting }] };
    }
    case 'ObservationIdentifierLinked':
      return { ...state, identifiers: [...state.identifiers, event.data.identifier] };
    case 'ObservationIdentifierUnlinked': {
      const removed = identifierKey(event.data.identifier);
      return { ...state, identifiers: state.identifiers.filter((id) => identifierKey(id) !== removed) };
    }
    case 'ObservationAnomalyNoted':
      return { ...state, anomalies: [...state.anomalies, event.data.anomaly] };
    case 'ObservationProductsArchived':
      return { ...state, products: [...state.products, ...event.data.products] };
    case 'ObservationReviewed': {
      const { observationId: _id, ...review } = event.data;
      return { ...state, reviews: [...state.reviews, review] };
    }
  }
}

/** Returns the identifier in stream-id form: the capture block id itself, or `sb-<schedule block id>`. */
export function identifierKey(identifier: ObservationIdentifier): string {
  return identifier.kind === 'capture-block' ? identifier.value : `sb-${identifier.value}`;
}

/** "Looked at in detail" means inspected or imaged; automated QA alone does not count. */
export function isLookedAtInDetail(state: ObservationState): boolean {
  return state.reviews.some((review) => review.level === 'inspected' || review.level === 'imaged');
}
