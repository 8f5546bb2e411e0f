/**
 * Domain errors: one variant per unmet rule. Every variant has a `kind`, a `message` that names
 * the offending value and what to do instead, and the offending values as fields. With these the
 * API exposes each kind as a typed error, and the UI shows the message unchanged.
 */
import type { UnmetCriterion } from './evidence.js';

export type DomainError =
  | InvalidValue
  | InvalidWsjfScore
  | FeatureAlreadyExists
  | FeatureNotFound
  | FeatureNotAwaitingVerification
  | InvalidFeatureTransition
  | VerificationAlreadyRecorded
  | EvidenceMissing
  | DeliveringChangeMismatch
  | ObservationNotFound
  | ObservationBeforeDeployment
  | EvidenceCriteriaUnmet
  | ChangeAlreadyRecorded
  | ChangeNotFound
  | DeploymentAlreadyRecorded
  | ChangeNotDeployed
  | IdentifierAlreadyLinked
  | IdentifierNotLinked
  | FindingAlreadyRecorded
  | FindingNotFound;

export type DomainErrorKind = DomainError['kind'];

/** A command field whose value is malformed: an empty key, a bad timestamp, an unknown kind. */
export interface InvalidValue {
  readonly kind: 'InvalidValue';
  readonly message: string;
  readonly field: string;
  readonly value: string;
  readonly expected: string;
}

export interface InvalidWsjfScore {
  readonly kind: 'InvalidWsjfScore';
  readonly message: string;
  readonly field: string;
  readonly value: number;
  readonly allowed: readonly number[];
}

export interface FeatureAlreadyExists {
  readonly kind: 'FeatureAlreadyExists';
  readonly message: string;
  readonly featureKey: string;
}

export interface FeatureNotFound {
  readonly kind: 'FeatureNotFound';
  readonly message: string;
  readonly featureKey: string;
}

/** Only a delivered feature, or a suspect one, can have a verification recorded. */
export interface FeatureNotAwaitingVerification {
  readonly kind: 'FeatureNotAwaitingVerification';
  readonly message: string;
  readonly featureKey: string;
  readonly status: string;
}

export interface InvalidFeatureTransition {
  readonly kind: 'InvalidFeatureTransition';
  readonly message: string;
  readonly featureKey: string;
  readonly status: string;
  readonly command: string;
  readonly allowedStatuses: readonly string[];
}

export interface VerificationAlreadyRecorded {
  readonly kind: 'VerificationAlreadyRecorded';
  readonly message: string;
  readonly featureKey: string;
  readonly verificationId: string;
}

/** A passed verification must cite at least one observation. */
export interface EvidenceMissing {
  readonly kind: 'EvidenceMissing';
  readonly message: string;
  readonly featureKey: string;
}

/** The deployment passed with a verification is missing or belongs to another change. */
export interface DeliveringChangeMismatch {
  readonly kind: 'DeliveringChangeMismatch';
  readonly message: string;
  readonly featureKey: string;
  readonly expectedChangeId: string;
  readonly givenChangeId: string | null;
}

export interface ObservationNotFound {
  readonly kind: 'ObservationNotFound';
  readonly message: string;
  readonly observationId: string;
}

export interface ObservationBeforeDeployment {
  readonly kind: 'ObservationBeforeDeployment';
  readonly message: string;
  readonly featureKey: string;
  readonly observationId: string;
  readonly observationStartUtc: string | null;
  /** Deployment of the delivering change, or of the change that made the feature suspect. */
  readonly requiredAfterUtc: string;
}

export interface EvidenceCriteriaUnmet {
  readonly kind: 'EvidenceCriteriaUnmet';
  readonly message: string;
  readonly featureKey: string;
  readonly observationId: string;
  readonly unmet: readonly UnmetCriterion[];
}

export interface ChangeAlreadyRecorded {
  readonly kind: 'ChangeAlreadyRecorded';
  readonly message: string;
  readonly changeId: string;
}

export interface ChangeNotFound {
  readonly kind: 'ChangeNotFound';
  readonly message: string;
  readonly changeId: string;
}

export interface DeploymentAlreadyRecorded {
  readonly kind: 'DeploymentAlreadyRecorded';
  readonly message: string;
  readonly changeId: string;
  readonly deploymentId: string;
  readonly rolledBack: boolean;
}

export interface ChangeNotDeployed {
  readonly kind: 'ChangeNotDeployed';
  readonly message: string;
  readonly changeId: string;
  readonly status: string;
}

export interface IdentifierAlreadyLinked {
  readonly kind: 'IdentifierAlreadyLinked';
  readonly message: string;
  readonly observationId: string;
  readonly identifier: string;
}

export interface IdentifierNotLinked {
  readonly kind: 'IdentifierNotLinked';
  readonly message: string;
  readonly observationId: string;
  readonly identifier: string;
}

export interface FindingAlreadyRecorded {
  readonly kind: 'FindingAlreadyRecorded';
  readonly message: string;
  readonly findingId: string;
}

export interface FindingNotFound {
  readonly kind: 'FindingNotFound';
  readonly message: string;
  readonly findingId: string;
}

export function invalidValue(field: string, value: unknown, expected: string): InvalidValue {
  const shown = typeof value === 'string' ? value : String(value);
  return {
    kind: 'InvalidValue',
    message: `${field} "${shown}" is invalid; expected ${expected}`,
    field,
    value: shown,
    expected,
  };
}

export function featureNotFound(featureKey: string): FeatureNotFound {
  return {
    kind: 'FeatureNotFound',
    message: `feature ${featureKey} not found; propose it first`,
    featureKey,
  };
}

export function changeNotFound(changeId: string): ChangeNotFound {
  return {
    kind: 'ChangeNotFound',
    message: `change ${changeId} not found; record it first`,
    changeId,
  };
}

export function observationNotFound(observationId: string): ObservationNotFound {
  return {
    kind: 'ObservationNotFound',
    message: `observation ${observationId} not found; record its facts first or check the id`,
    observationId,
  };
}

/** The verb phrase of each feature command in error messages, as in "cannot rescore feature X". */
const FEATURE_ACTIONS: Readonly<Record<string, string>> = {
  RescoreFeature: 'rescore',
  SetEvidenceCriteria: 'set the evidence criteria of',
  SetFeatureTickets: 'set the tickets of',
  DeliverFeature: 'deliver',
  RecordVerification: 'record a verification of',
  MarkFeatureSuspect: 'mark suspect',
  ClearSuspicion: 'clear the suspicion of',
  WithdrawFeature: 'withdraw',
};

export function invalidFeatureTransition(
  featureKey: string,
  status: string,
  command: string,
  allowedStatuses: readonly string[],
): InvalidFeatureTransition {
  const allowed = allowedStatuses.length <= 1 ? (allowedStatuses[0] ?? '') : `${allowedStatuses.slice(0, -1).join(', ')} or ${allowedStatuses.at(-1)}`;
  const fix = status === 'withdrawn' ? '; a withdrawn feature takes no change, so propose it again under a new key to track it' : '';
  return {
    kind: 'InvalidFeatureTransition',
    message: `cannot ${FEATURE_ACTIONS[command] ?? command} feature ${featureKey}: it is ${status}, and this needs a feature that is ${allowed}${fix}`,
    featureKey,
    status,
    command,
    allowedStatuses,
  };
}
