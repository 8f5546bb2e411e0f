/**
 * Feature commands and `decide`. Checks that depend on other streams (the cited observations'
 * facts, the deployment of the delivering change) use values the command handler read and
 * passed in with the command, so `decide` stays pure.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Decider, DomainCommand } from './event.js';
import {
  featureNotFound,
  invalidFeatureTransition,
  invalidValue,
  type DomainError,
} from './errors.js';
import { checkEvidenceCriteria, type EvidenceCriteria, type EvidenceFacts } from './evidence.js';
import {
  evolveFeature,
  initialFeatureState,
  type FeatureDefinition,
  type FeatureEvent,
  type FeatureState,
  type FeatureStatus,
  type VerificationMetric,
  type VerificationOutcome,
} from './feature-events.js';
import { checkVerification } from './verification.js';
import { checkIsoUtc, checkKey, checkName, checkNotBefore, checkText, checkTitle, checkTicketKeys, firstError, instantMs, sortedUnique } from './values.js';
import { checkWsjfScores, type WsjfScores } from './wsjf.js';

export type ProposeFeature = DomainCommand<
  'ProposeFeature',
  FeatureDefinition & { readonly proposedBy: string; readonly proposedAt: string }
>;

export type RescoreFeature = DomainCommand<
  'RescoreFeature',
  {
    readonly featureKey: string;
    readonly scores: WsjfScores;
    readonly verificationEffort: number;
    readonly rescoredBy: string;
    readonly rescoredAt: string;
  }
>;

export type SetEvidenceCriteria = DomainCommand<
  'SetEvidenceCriteria',
  { readonly featureKey: string; readonly evidenceCriteria: EvidenceCriteria; readonly setBy: string; readonly setAt: string }
>;

export type SetFeatureTickets = DomainCommand<
  'SetFeatureTickets',
  { readonly featureKey: string; readonly ticketKeys: readonly string[]; readonly setBy: string; readonly setAt: string }
>;

export type DeliverFeature = DomainCommand<
  'DeliverFeature',
  { readonly featureKey: string; readonly changeId?: string; readonly deliveredAt: string }
>;

/** Deployment of the change that delivered the feature, read from that change's stream. */
export interface DeliveringChange {
  readonly changeId: string;
  readonly deployedAt: string;
}

export type RecordVerification = DomainCommand<
  'RecordVerification',
  {
    readonly featureKey: string;
    readonly verificationId: string;
    readonly outcome: VerificationOutcome;
    readonly observationIds: readonly string[];
    readonly metrics?: readonly VerificationMetric[];
    readonly notes?: string;
    readonly verifiedBy: string;
    readonly verifiedAt: string;
    /** Required when the feature was delivered by a change. */
    readonly deliveringChange?: DeliveringChange;
    /** Facts of the cited observations that exist; a cited id without facts does not exist. */
    readonly observations: readonly EvidenceFacts[];
  }
>;

export type MarkFeatureSuspect = DomainCommand<
  'MarkFeatureSuspect',
  {
    readonly featureKey: string;
    readonly changeId: string;
    readonly deployedAt: string;
    readonly sharedComponents: readonly string[];
    readonly markedAt: string;
  }
>;

export type ClearSuspicion = DomainCommand<
  'ClearSuspicion',
  { readonly featureKey: string; readonly justification: string; readonly clearedBy: string; readonly clearedAt: string }
>;

export type WithdrawFeature = DomainCommand<
  'WithdrawFeature',
  { readonly featureKey: string; readonly reason: string; readonly withdrawnBy: string; readonly withdrawnAt: string }
>;

export type FeatureCommand =
  | ProposeFeature
  | RescoreFeature
  | SetEvidenceCriteria
  | SetFeatureTickets
  | DeliverFeature
  | RecordVerification
  | MarkFeatureSuspect
  | ClearSuspicion
  | WithdrawFeature;

type Decision = E.Either<DomainError, readonly FeatureEvent[]>;

/** Every status but withdrawn. */
const LIVE: readonly FeatureStatus[] = ['proposed', 'delivered', 'verified', 'failed', 'suspect'];

export function decideFeature(command: FeatureCommand, state: FeatureState): Decision {
  switch (command.type) {
    case 'ProposeFeature':
      return propose(command, state);
    case 'RescoreFeature':
      return rescore(command, state);
    case 'SetEvidenceCriteria':
      return setCriteria(command, state);
    case 'SetFeatureTickets':
      return setTickets(command, state);
    case 'DeliverFeature':
      return deliver(command, state);
    case 'RecordVerification':
      return recordVerification(command, state);
    case 'MarkFeatureSuspect':
      return markSuspect(command, state);
    case 'ClearSuspicion':
      return clearSuspicion(command, state);
    case 'WithdrawFeature':
      return withdraw(command, state);
  }
}

export const featureDecider: Decider<FeatureCommand, FeatureEvent, FeatureState, DomainError> = {
  decide: decideFeature,
  evolve: evolveFeature,
  initialState: initialFeatureState,
};

function propose(command: ProposeFeature, state: FeatureState): Decision {
  const data = command.data;
  if (state.status !== 'absent') {
    return E.left({
      kind: 'FeatureAlreadyExists',
      message: `feature ${data.featureKey} already exists; choose another key or rescore the existing feature`,
      featureKey: data.featureKey,
    });
  }
  const error = firstError([
    checkKey('featureKey', data.featureKey),
    checkTitle('title', data.title),
    checkName('subsystem', data.subsystem),
    ...data.components.map((component) => checkName('components', component)),
    checkText('proposedBy', data.proposedBy),
    checkIsoUtc('proposedAt', data.proposedAt),
    checkWsjfScores(data.scores, data.verificationEffort),
    checkEvidenceCriteria(data.evidenceCriteria),
    checkTicketKeys('ticketKeys', data.ticketKeys),
  ]);
  // A key named twice is one ticket; the event keeps the first place of each.
  return error === undefined ? E.right([{ type: 'FeatureProposed', data: { ...data, ticketKeys: [...new Set(data.ticketKeys)] } }]) : E.left(error);
}

function rescore(command: RescoreFeature, state: FeatureState): Decision {
  const data = command.data;
  const error =
    requireStatus(state, data.featureKey, 'RescoreFeature', LIVE) ??
    firstError([
      checkText('rescoredBy', data.rescoredBy),
      checkIsoUtc('rescoredAt', data.rescoredAt),
      checkWsjfScores(data.scores, data.verificationEffort),
    ]) ??
    checkNotBefore('rescoredAt', data.rescoredAt, state.proposedAt ?? undefined, 'the proposal');
  if (error !== undefined) return E.left(error);
  // The scores in effect already: recording them again would only add noise to the history.
  if (state.definition !== null && scoresInEffect(state.definition, data.scores, data.verificationEffort)) return E.right([]);
  return E.right([{ type: 'FeatureRescored', data }]);
}

function setCriteria(command: SetEvidenceCriteria, state: FeatureState): Decision {
  const data = command.data;
  const error =
    requireStatus(state, data.featureKey, 'SetEvidenceCriteria', LIVE) ??
    firstError([
      checkText('setBy', data.setBy),
      checkIsoUtc('setAt', data.setAt),
      checkEvidenceCriteria(data.evidenceCriteria),
    ]) ??
    checkNotBefore('setAt', data.setAt, state.proposedAt ?? undefined, 'the proposal');
  if (error !== undefined) return E.left(error);
  if (state.definition !== null && criteriaInEffect(state.definition, data.evidenceCriteria)) return E.right([]);
  return E.right([{ type: 'EvidenceCriteriaSet', data }]);
}

function setTickets(command: SetFeatureTickets, state: FeatureState): Decision {
  const data = command.data;
  const error =
    requireStatus(state, data.featureKey, 'SetFeatureTickets', LIVE) ??
    firstError([checkText('setBy', data.setBy), checkIsoUtc('setAt', data.setAt), checkTicketKeys('ticketKeys', data.ticketKeys)]) ??
    checkNotBefore('setAt', data.setAt, state.proposedAt ?? undefined, 'the proposal');
  if (error !== undefined) return E.left(error);
  if (state.definition !== null && ticketsInEffect(state.definition, data.ticketKeys)) return E.right([]);
  return E.right([{ type: 'FeatureTicketsSet', data: { ...data, ticketKeys: [...new Set(data.ticketKeys)] } }]);
}

/** Tests whether a feature already has these tickets, in any order. */
export function ticketsInEffect(definition: FeatureDefinition, ticketKeys: readonly string[]): boolean {
  return sameJson(sortedUnique(definition.ticketKeys), sortedUnique(ticketKeys));
}

/** Tests whether a feature already has these scores and verification effort, so a rescore would change nothing. */
export function scoresInEffect(definition: FeatureDefinition, scores: WsjfScores, verificationEffort: number): boolean {
  return sameJson(definition.scores, scores) && definition.verificationEffort === verificationEffort;
}

/** Tests whether a feature already has these evidence criteria, whatever the order of their keys. */
export function criteriaInEffect(definition: FeatureDefinition, criteria: EvidenceCriteria): boolean {
  return sameJson(definition.evidenceCriteria, criteria);
}

/** Compares two JSON values by content, whatever the order of their object keys. */
function sameJson(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftKeys = definedKeys(left);
  const rightKeys = definedKeys(right);
  if (leftKeys.length !== rightKeys.length) return false;
  return leftKeys.every((key) => sameJson((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]));
}

/** Returns the keys of an object whose values are not `undefined`, which JSON leaves out. */
function definedKeys(value: object): string[] {
  return Object.keys(value).filter((key) => (value as Record<string, unknown>)[key] !== undefined);
}

function deliver(command: DeliverFeature, state: FeatureState): Decision {
  const { featureKey, changeId, deliveredAt } = command.data;
  const error =
    requireStatus(state, featureKey, 'DeliverFeature', LIVE) ??
    firstError([
      checkIsoUtc('deliveredAt', deliveredAt),
      changeId === undefined ? E.right('') : checkKey('changeId', changeId),
    ]);
  if (error !== undefined) {
    return E.left(error);
  }

  // A policy may deliver the same deployment twice (a replay, a retry), and a client may retry a
  // hand-recorded delivery, even after the feature was verified: the repeat is a no-op. A later
  // deployment of the same change delivers again.
  const alreadyDelivered = state.delivery?.changeId === (changeId ?? null) && state.delivery?.deliveredAt === deliveredAt;
  if (alreadyDelivered) {
    return E.right([]);
  }
  // A delivery moves the time evidence must follow. A deployment should move it. A hand delivery
  // of a feature already waiting for verification would only discard the evidence gathered since.
  if (changeId === undefined && state.status === 'delivered') {
    return E.left(invalidFeatureTransition(featureKey, state.status, 'DeliverFeature', ['proposed', 'verified', 'failed', 'suspect']));
  }
  return E.right([{ type: 'FeatureDelivered', data: { featureKey, changeId: changeId ?? null, deliveredAt } }]);
}

function recordVerification(command: RecordVerification, state: FeatureState): Decision {
  const data = command.data;
  if (state.status === 'absent') {
    return E.left(featureNotFound(data.featureKey));
  }
  const error = checkVerification(data, state);
  if (error !== undefined) {
    return E.left(error);
  }
  return E.right([
    {
      type: 'VerificationRecorded',
      data: {
        featureKey: data.featureKey,
        verificationId: data.verificationId,
        outcome: data.outcome,
        observationIds: [...new Set(data.observationIds)],
        metrics: data.metrics ?? [],
        notes: data.notes ?? '',
        verifiedBy: data.verifiedBy,
        verifiedAt: data.verifiedAt,
        changeId: state.delivery?.changeId ?? null,
      },
    },
  ]);
}

function markSuspect(command: MarkFeatureSuspect, state: FeatureState): Decision {
  const data = command.data;
  const error =
    requireStatus(state, data.featureKey, 'MarkFeatureSuspect', ['verified', 'suspect']) ??
    firstError([
      checkKey('changeId', data.changeId),
      checkIsoUtc('deployedAt', data.deployedAt),
      checkIsoUtc('markedAt', data.markedAt),
    ]) ??
    checkSharedComponents(data.sharedComponents, state);
  if (error !== undefined) {
    return E.left(error);
  }

  // The same deployment seen again (a replay, a retry) is a no-op, even after re-verification.
  const alreadySuspected = state.pastSuspicions.some(
    (suspicion) => suspicion.changeId === data.changeId && suspicion.deployedAt === data.deployedAt,
  );
  return E.right(alreadySuspected ? [] : [{ type: 'FeatureMarkedSuspect', data }]);
}

function clearSuspicion(command: ClearSuspicion, state: FeatureState): Decision {
  const data = command.data;
  const error =
    requireStatus(state, data.featureKey, 'ClearSuspicion', ['suspect']) ??
    firstError([
      checkText('justification', data.justification),
      checkText('clearedBy', data.clearedBy),
      checkIsoUtc('clearedAt', data.clearedAt),
    ]) ??
    checkNotBefore('clearedAt', data.clearedAt, latestDeployment(state.suspicions), 'the deployment that made it suspect');
  return error === undefined ? E.right([{ type: 'SuspicionCleared', data }]) : E.left(error);
}

function withdraw(command: WithdrawFeature, state: FeatureState): Decision {
  const data = command.data;
  const error =
    requireStatus(state, data.featureKey, 'WithdrawFeature', LIVE) ??
    firstError([
      checkText('reason', data.reason),
      checkText('withdrawnBy', data.withdrawnBy),
      checkIsoUtc('withdrawnAt', data.withdrawnAt),
    ]);
  return error === undefined ? E.right([{ type: 'FeatureWithdrawn', data }]) : E.left(error);
}

/**
 * Rejects a suspicion that names no component, or one the feature does not depend on, because a
 * suspicion records which of the feature's components the change touched.
 */
function checkSharedComponents(shared: readonly string[], state: FeatureState): DomainError | undefined {
  const components = state.definition?.components ?? [];
  if (shared.length === 0) return invalidValue('sharedComponents', '[]', `at least one of the feature's components (${components.join(', ')}) that the change touched`);
  const foreign = shared.find((component) => !components.includes(component));
  return foreign === undefined ? undefined : invalidValue('sharedComponents', foreign, `one of the feature's components (${components.join(', ')})`);
}

/** Returns the latest deployment time of the suspicions, or `undefined` for none. */
function latestDeployment(suspicions: FeatureState['suspicions']): string | undefined {
  let latest: string | undefined;
  for (const { deployedAt } of suspicions) {
    if (latest === undefined || instantMs(deployedAt) > instantMs(latest)) latest = deployedAt;
  }
  return latest;
}

function requireStatus(
  state: FeatureState,
  featureKey: string,
  command: FeatureCommand['type'],
  allowed: readonly FeatureStatus[],
): DomainError | undefined {
  if (state.status === 'absent') {
    return featureNotFound(featureKey);
  }
  if (!allowed.includes(state.status)) {
    return invalidFeatureTransition(featureKey, state.status, command, allowed);
  }
  return undefined;
}
