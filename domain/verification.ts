/**
 * The rules a verification must meet before it is recorded. The feature awaits verification
 * (delivered or suspect), and the deployment passed in belongs to the delivering change. A passed
 * verification cites at least one observation. Every cited observation exists, started after the
 * relevant deployment and meets the feature's evidence criteria.
 */
import * as E from 'fp-ts/lib/Either.js';
import { invalidValue, observationNotFound, type DomainError } from './errors.js';
import { matchEvidence, type EvidenceFacts } from './evidence.js';
import { VERIFICATION_OUTCOMES, type FeatureState } from './feature-events.js';
import type { DeliveringChange, RecordVerification } from './feature.js';
import { checkIsoUtc, checkKey, checkNotBefore, checkOneOf, checkText, firstError, instantMs } from './values.js';

type VerificationData = RecordVerification['data'];

export function checkVerification(data: VerificationData, state: FeatureState): DomainError | undefined {
  return (
    checkFields(data) ??
    checkAwaitingVerification(data, state) ??
    checkDeliveringChange(data, state) ??
    checkVerifiedAfter(data, state) ??
    checkEvidence(data, state)
  );
}

function checkFields(data: VerificationData): DomainError | undefined {
  const metricChecks = (data.metrics ?? []).flatMap((metric) => [
    checkText('metrics.name', metric.name),
    Number.isFinite(metric.value)
      ? E.right(metric.value)
      : E.left(invalidValue(`metrics.${metric.name}.value`, metric.value, 'a finite number')),
  ]);
  return firstError([
    checkKey('verificationId', data.verificationId),
    checkOneOf('outcome', data.outcome, VERIFICATION_OUTCOMES),
    checkText('verifiedBy', data.verifiedBy),
    checkIsoUtc('verifiedAt', data.verifiedAt),
    ...data.observationIds.map((id) => checkKey('observationIds', id)),
    ...metricChecks,
  ]);
}

function checkAwaitingVerification(data: VerificationData, state: FeatureState): DomainError | undefined {
  if (state.verificationIds.includes(data.verificationId)) {
    return {
      kind: 'VerificationAlreadyRecorded',
      message: `verification ${data.verificationId} of feature ${data.featureKey} is already recorded; use a new verification id`,
      featureKey: data.featureKey,
      verificationId: data.verificationId,
    };
  }
  if (state.status === 'delivered' || state.status === 'suspect') {
    return undefined;
  }
  return {
    kind: 'FeatureNotAwaitingVerification',
    message:
      state.status === 'withdrawn'
        ? `feature ${data.featureKey} is withdrawn, so it is no longer verified; propose it again under a new key to track it`
        : `feature ${data.featureKey} is ${state.status}; only a delivered or suspect feature can be verified, so deliver it first`,
    featureKey: data.featureKey,
    status: state.status,
  };
}

function checkDeliveringChange(data: VerificationData, state: FeatureState): DomainError | undefined {
  const expected = state.delivery?.changeId ?? null;
  if (expected === null) {
    return undefined;
  }
  const given = data.deliveringChange;
  if (given !== undefined && given.changeId === expected) {
    const deployedAt = checkIsoUtc('deliveringChange.deployedAt', given.deployedAt);
    return E.isLeft(deployedAt) ? deployedAt.left : undefined;
  }
  return {
    kind: 'DeliveringChangeMismatch',
    message:
      given === undefined
        ? `feature ${data.featureKey} was delivered by change ${expected}, which has no deployment in service (never deployed, or rolled back), ` +
          `so no observation can show it on the sky; deploy ${expected}, or deliver the feature again with the change that replaced it`
        : `feature ${data.featureKey} was delivered by change ${expected}, but the verification carries the deployment of change ${given.changeId}; pass the deployment of ${expected}`,
    featureKey: data.featureKey,
    expectedChangeId: expected,
    givenChangeId: given?.changeId ?? null,
  };
}

/**
 * Rejects a verification dated before the delivery it verifies or before a cited observation
 * started: the verdict is given on evidence that exists by then.
 */
function checkVerifiedAfter(data: VerificationData, state: FeatureState): DomainError | undefined {
  const delivered = checkNotBefore('verifiedAt', data.verifiedAt, state.delivery?.deliveredAt, 'the delivery it verifies');
  if (delivered !== undefined) return delivered;
  for (const facts of data.observations) {
    if (facts.startUtc === undefined || !data.observationIds.includes(facts.observationId)) continue;
    const started = checkNotBefore('verifiedAt', data.verifiedAt, facts.startUtc, `the start of observation ${facts.observationId}`);
    if (started !== undefined) return started;
  }
  return undefined;
}

/**
 * Returns the instant evidence must start at or after: the latest of the delivering change's
 * deployment (or the hand-recorded delivery time) and every deployment that made the feature
 * suspect since that delivery, including suspicions already cleared.
 */
export function evidenceNotBeforeUtc(state: FeatureState, deliveringChange?: DeliveringChange): string | undefined {
  // A deployment passed in counts only for a delivery by that change: a hand-recorded delivery
  // is bounded by its own time, whatever deployment a caller passes along.
  const byChange = state.delivery?.changeId != null && deliveringChange?.changeId === state.delivery.changeId;
  const deliveryBound = byChange ? deliveringChange?.deployedAt : state.delivery?.deliveredAt;
  const candidates = [
    deliveryBound,
    ...state.suspicionsSinceDelivery.map((suspicion) => suspicion.deployedAt),
  ].filter((instant): instant is string => instant !== undefined);
  if (candidates.length === 0) {
    return undefined;
  }
  return candidates.reduce((latest, instant) => (instantMs(instant) > instantMs(latest) ? instant : latest));
}

function checkEvidence(data: VerificationData, state: FeatureState): DomainError | undefined {
  if (data.outcome === 'passed' && data.observationIds.length === 0) {
    return {
      kind: 'EvidenceMissing',
      message: `a passed verification of feature ${data.featureKey} must cite at least one observation`,
      featureKey: data.featureKey,
    };
  }
  const notBefore = evidenceNotBeforeUtc(state, data.deliveringChange);
  for (const observationId of new Set(data.observationIds)) {
    const facts = data.observations.find((candidate) => candidate.observationId === observationId);
    const error =
      facts === undefined ? observationNotFound(observationId) : checkObservation(data, state, facts, notBefore);
    if (error !== undefined) {
      return error;
    }
  }
  return undefined;
}

function checkObservation(
  data: VerificationData,
  state: FeatureState,
  facts: EvidenceFacts,
  notBefore: string | undefined,
): DomainError | undefined {
  const { featureKey } = data;
  const startedBefore =
    notBefore !== undefined && (facts.startUtc === undefined || instantMs(facts.startUtc) < instantMs(notBefore));
  if (startedBefore) {
    return {
      kind: 'ObservationBeforeDeployment',
      message:
        `observation ${facts.observationId} started at ${facts.startUtc ?? 'an unknown time'}, before ${notBefore}, ` +
        `when the change under test was deployed; cite an observation taken after the deployment`,
      featureKey,
      observationId: facts.observationId,
      observationStartUtc: facts.startUtc ?? null,
      requiredAfterUtc: notBefore,
    };
  }

  const criteria = state.definition?.evidenceCriteria ?? {};
  const unmet = matchEvidence(facts, criteria);
  if (unmet.length === 0) {
    return undefined;
  }
  return {
    kind: 'EvidenceCriteriaUnmet',
    message:
      `observation ${facts.observationId} does not meet the evidence criteria of feature ${featureKey}: ` +
      `${unmet.map((criterion) => criterion.message).join('; ')}; cite an observation that does`,
    featureKey,
    observationId: facts.observationId,
    unmet,
  };
}
