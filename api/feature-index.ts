/**
 * Feature status by component, folded from feature events, and the start of each verification's
 * evidence from observation events: the lookup the deployment policy needs when no read models
 * run (an `onsky import` beside no server, or a server still catching up).
 */
import type { FeatureStatus, OnskyEvent, VerifiedFeatureLookup } from '../domain/index.js';

interface IndexedFeature {
  status: FeatureStatus;
  components: readonly string[];
  evidenceStart?: string | undefined;
}

/** The whole state of a `FeatureStatusIndex`, as `toSnapshot` returns it and the constructor takes it. */
export interface FeatureIndexSnapshot {
  readonly features: Map<string, IndexedFeature>;
  readonly observationStarts: Map<string, string>;
}

export class FeatureStatusIndex implements VerifiedFeatureLookup {
  /** The event types `apply` folds; a reader may skip every other type. */
  static readonly EVENT_TYPES: readonly OnskyEvent['type'][] = [
    'ObservationFactsRecorded',
    'FeatureProposed',
    'FeatureDelivered',
    'VerificationRecorded',
    'FeatureMarkedSuspect',
    'SuspicionCleared',
    'FeatureWithdrawn',
  ];

  private readonly features: Map<string, IndexedFeature>;
  /** First recorded start of each observation, to date a verification's evidence. */
  private readonly observationStarts: Map<string, string>;

  /** Starts empty, or continues from a snapshot, which the index then owns and changes. */
  constructor(snapshot?: FeatureIndexSnapshot) {
    this.features = snapshot?.features ?? new Map();
    this.observationStarts = snapshot?.observationStarts ?? new Map();
  }

  /** Returns the index's state by reference, to be serialised before the index changes again. */
  toSnapshot(): FeatureIndexSnapshot {
    return { features: this.features, observationStarts: this.observationStarts };
  }

  apply(event: OnskyEvent): void {
    switch (event.type) {
      case 'ObservationFactsRecorded': {
        const start = event.data.facts.startUtc;
        if (start !== undefined && !this.observationStarts.has(event.data.observationId)) this.observationStarts.set(event.data.observationId, start);
        return;
      }
      case 'FeatureProposed':
        this.features.set(event.data.featureKey, { status: 'proposed', components: event.data.components });
        return;
      case 'FeatureDelivered':
        this.setStatus(event.data.featureKey, 'delivered');
        return;
      case 'VerificationRecorded':
        if (event.data.outcome === 'passed') {
          this.setStatus(event.data.featureKey, 'verified');
          const feature = this.features.get(event.data.featureKey);
          if (feature !== undefined) feature.evidenceStart = this.earliestStart(event.data.observationIds);
        }
        if (event.data.outcome === 'failed') this.setStatus(event.data.featureKey, 'failed');
        return;
      case 'FeatureMarkedSuspect':
        this.setStatus(event.data.featureKey, 'suspect');
        return;
      case 'SuspicionCleared':
        this.setStatus(event.data.featureKey, 'verified');
        return;
      case 'FeatureWithdrawn':
        this.setStatus(event.data.featureKey, 'withdrawn');
        return;
      default:
        return;
    }
  }

  /** Keys of every proposed feature, so a change whose message names one delivers it. */
  keys(): ReadonlySet<string> {
    return new Set(this.features.keys());
  }

  verifiedFeaturesWithComponent(component: string): readonly string[] {
    const keys: string[] = [];
    for (const [key, feature] of this.features) {
      if (feature.status === 'verified' && feature.components.includes(component)) keys.push(key);
    }
    return keys;
  }

  /** Returns the feature's status, `undefined` for a key no plan proposed. */
  statusOf(featureKey: string): FeatureStatus | undefined {
    return this.features.get(featureKey)?.status;
  }

  evidenceStartOf(featureKey: string): string | undefined {
    return this.features.get(featureKey)?.evidenceStart;
  }

  /** Earliest start of the observations, `undefined` when one of them has no known start. */
  private earliestStart(observationIds: readonly string[]): string | undefined {
    let earliest: string | undefined;
    for (const observationId of observationIds) {
      const start = this.observationStarts.get(observationId);
      if (start === undefined) return undefined;
      if (earliest === undefined || Date.parse(start) < Date.parse(earliest)) earliest = start;
    }
    return earliest;
  }

  private setStatus(featureKey: string, status: FeatureStatus): void {
    const feature = this.features.get(featureKey);
    if (feature !== undefined) feature.status = status;
  }
}
