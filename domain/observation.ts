/**
 * Observation commands and `decide`. Recording facts keeps the first value of each fact; a source
 * that disagrees produces an `ObservationFactConflicted` event naming the fact, both values and
 * both sources. Repeating a fact or a conflict already recorded produces nothing, so re-importing
 * a file is a no-op.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Decider, DomainCommand } from './event.js';
import { observationNotFound, type DomainError } from './errors.js';
import type { EvidenceFacts } from './evidence.js';
import {
  evolveObservation,
  identifierKey,
  initialObservationState,
  OBSERVATION_FACT_NAMES,
  REVIEW_LEVELS,
  type ArchivedProduct,
  type FactSource,
  type ObservationAnomaly,
  type ObservationEvent,
  type ObservationFacts,
  type ObservationIdentifier,
  type ObservationState,
  type Review,
  type ReviewLevel,
} from './observation-events.js';
import { checkFacts, sameFactValue } from './observation-facts.js';
import { checkIsoUtc, checkKey, checkOneOf, checkText, firstError } from './values.js';

export type RecordObservationFacts = DomainCommand<
  'RecordObservationFacts',
  { readonly observationId: string; readonly source: FactSource; readonly facts: ObservationFacts }
>;

export type LinkObservationIdentifier = DomainCommand<
  'LinkObservationIdentifier',
  {
    readonly observationId: string;
    readonly identifier: ObservationIdentifier;
    readonly source: FactSource;
    readonly reason: string;
  }
>;

export type UnlinkObservationIdentifier = DomainCommand<
  'UnlinkObservationIdentifier',
  { readonly observationId: string; readonly identifier: ObservationIdentifier; readonly reason: string }
>;

export type NoteObservationAnomaly = DomainCommand<
  'NoteObservationAnomaly',
  { readonly observationId: string; readonly anomaly: ObservationAnomaly; readonly source: FactSource; readonly notedAt: string }
>;

export type RecordArchivedProducts = DomainCommand<
  'RecordArchivedProducts',
  { readonly observationId: string; readonly products: readonly ArchivedProduct[]; readonly source: FactSource }
>;

export type ReviewObservation = DomainCommand<
  'ReviewObservation',
  {
    readonly observationId: string;
    readonly level: ReviewLevel;
    readonly reviewer: string;
    readonly reviewedAt: string;
    /** Required when discarding. */
    readonly reason?: string;
    readonly notes?: string;
  }
>;

export type ObservationCommand =
  | RecordObservationFacts
  | LinkObservationIdentifier
  | UnlinkObservationIdentifier
  | NoteObservationAnomaly
  | RecordArchivedProducts
  | ReviewObservation;

type Decision = E.Either<DomainError, readonly ObservationEvent[]>;

export function decideObservation(command: ObservationCommand, state: ObservationState): Decision {
  if (command.type === 'RecordObservationFacts') {
    return recordFacts(command, state);
  }
  if (state.observationId === null) {
    return E.left(observationNotFound(command.data.observationId));
  }
  switch (command.type) {
    case 'LinkObservationIdentifier':
      return link(command, state);
    case 'UnlinkObservationIdentifier':
      return unlink(command, state);
    case 'NoteObservationAnomaly':
      return noteAnomaly(command, state);
    case 'RecordArchivedProducts':
      return recordProducts(command, state);
    case 'ReviewObservation':
      return review(command, state);
  }
}

export const observationDecider: Decider<ObservationCommand, ObservationEvent, ObservationState, DomainError> = {
  decide: decideObservation,
  evolve: evolveObservation,
  initialState: initialObservationState,
};

function recordFacts(command: RecordObservationFacts, state: ObservationState): Decision {
  const { observationId, source, facts } = command.data;
  // Checked one after another, without an array of results: every imported record comes here.
  const key = checkKey('observationId', observationId);
  if (E.isLeft(key)) return key;
  const sourceError = checkSource(source);
  if (E.isLeft(sourceError)) return sourceError;
  const factsError = checkFacts(facts);
  if (E.isLeft(factsError)) return factsError;

  const fresh: Record<string, unknown> = {};
  let freshCount = 0;
  const events: ObservationEvent[] = [];
  for (let i = 0; i < OBSERVATION_FACT_NAMES.length; i++) {
    const name = OBSERVATION_FACT_NAMES[i]!;
    const value = facts[name];
    const known = state.facts[name];
    if (value === undefined || (known !== undefined && sameFactValue(name, known.value, value))) {
      continue;
    }
    if (known === undefined) {
      fresh[name] = value;
      freshCount += 1;
      continue;
    }
    const flagged = state.conflicts.some(
      (conflict) => conflict.fact === name && sameFactValue(name, conflict.conflicting.value, value),
    );
    if (!flagged) {
      events.push({ type: 'ObservationFactConflicted', data: { observationId, fact: name, kept: known, conflicting: { value, source } } });
    }
  }

  const isFirstRecord = state.observationId === null;
  if (isFirstRecord || freshCount > 0) {
    events.unshift({ type: 'ObservationFactsRecorded', data: { observationId, source, facts: fresh as ObservationFacts } });
  }
  addLinks(events, observationId, source, facts, state);
  return E.right(events);
}

/**
 * Links each capture block id or schedule block id that arrives with facts and is not yet linked,
 * because it is another name of this observation and the identity index finds streams by it.
 */
function addLinks(events: ObservationEvent[], observationId: string, source: FactSource, facts: ObservationFacts, state: ObservationState): void {
  // Written without closures or key strings: every imported record passes through here, and its
  // ids are almost always linked already or the stream's own id.
  const { captureBlockId, scheduleBlockId } = facts;
  if (captureBlockId !== undefined && !isLinked(state, observationId, 'capture-block', captureBlockId)) {
    events.push(linkedWithFacts(observationId, { kind: 'capture-block', value: captureBlockId }, source));
  }
  if (scheduleBlockId !== undefined && !isLinked(state, observationId, 'schedule-block', scheduleBlockId)) {
    events.push(linkedWithFacts(observationId, { kind: 'schedule-block', value: scheduleBlockId }, source));
  }
}

function linkedWithFacts(observationId: string, identifier: ObservationIdentifier, source: FactSource): ObservationEvent {
  return { type: 'ObservationIdentifierLinked', data: { observationId, identifier, source, reason: `recorded with facts from ${source.importer} ${source.file}` } };
}

function isLinked(state: ObservationState, observationId: string, kind: ObservationIdentifier['kind'], value: string): boolean {
  if (hasKey(kind, value, observationId)) return true;
  for (const linked of state.identifiers) {
    if (linked.kind === kind ? linked.value === value : hasKey(linked.kind, linked.value, identifierKey({ kind, value }))) return true;
  }
  return false;
}

/** Tests whether an identifier's stream-id form (`identifierKey`) is `key`, without building it. */
function hasKey(kind: ObservationIdentifier['kind'], value: string, key: string): boolean {
  if (kind === 'capture-block') return value === key;
  return key.length === value.length + 3 && key.startsWith('sb-') && key.endsWith(value);
}

function link(command: LinkObservationIdentifier, state: ObservationState): Decision {
  const { observationId, identifier, source, reason } = command.data;
  const error = firstError([checkIdentifier(identifier), checkSource(source), checkText('reason', reason)]);
  if (error !== undefined) {
    return E.left(error);
  }
  if (isLinked(state, observationId, identifier.kind, identifier.value)) {
    return E.left({
      kind: 'IdentifierAlreadyLinked',
      message: `${identifier.kind} ${identifier.value} already names observation ${observationId}; nothing to link`,
      observationId,
      identifier: identifierKey(identifier),
    });
  }
  return E.right([{ type: 'ObservationIdentifierLinked', data: command.data }]);
}

function unlink(command: UnlinkObservationIdentifier, state: ObservationState): Decision {
  const { observationId, identifier, reason } = command.data;
  const key = identifierKey(identifier);
  const linked = state.identifiers.some((candidate) => identifierKey(candidate) === key);
  if (!linked) {
    const why = key === observationId ? 'it is the stream id, which cannot be unlinked' : 'it is not linked';
    return E.left({
      kind: 'IdentifierNotLinked',
      message: `cannot unlink ${identifier.kind} ${identifier.value} from observation ${observationId}: ${why}`,
      observationId,
      identifier: key,
    });
  }
  const error = checkText('reason', reason);
  return E.isLeft(error) ? error : E.right([{ type: 'ObservationIdentifierUnlinked', data: command.data }]);
}

function noteAnomaly(command: NoteObservationAnomaly, state: ObservationState): Decision {
  const { anomaly, source, notedAt } = command.data;
  const error = firstError([
    checkOneOf('anomaly.kind', anomaly.kind, ['stragglers', 'capture-done-failed', 'missing-products']),
    checkSource(source),
    checkIsoUtc('notedAt', notedAt),
  ]);
  if (error !== undefined) {
    return E.left(error);
  }
  const noted = JSON.stringify(anomaly);
  const seen = state.anomalies.some((known) => JSON.stringify(known) === noted);
  return E.right(seen ? [] : [{ type: 'ObservationAnomalyNoted', data: command.data }]);
}

function recordProducts(command: RecordArchivedProducts, state: ObservationState): Decision {
  const { observationId, products, source } = command.data;
  const error = firstError([
    checkSource(source),
    ...products.map((product) => checkText('products.name', product.name)),
    ...products.map((product) => (product.archivedAt === null ? E.right('') : checkIsoUtc('products.archivedAt', product.archivedAt))),
  ]);
  if (error !== undefined) {
    return E.left(error);
  }
  const known = new Set(state.products.map((product) => product.name));
  const fresh = products.filter((product) => !known.has(product.name));
  return E.right(fresh.length === 0 ? [] : [{ type: 'ObservationProductsArchived', data: { observationId, products: fresh, source } }]);
}

function review(command: ReviewObservation, state: ObservationState): Decision {
  const { observationId, level, reviewer, reviewedAt, reason, notes } = command.data;
  const error = firstError([
    checkOneOf('level', level, REVIEW_LEVELS),
    checkText('reviewer', reviewer),
    checkIsoUtc('reviewedAt', reviewedAt),
    level === 'discarded' ? checkText('reason', reason ?? '') : E.right(''),
  ]);
  if (error !== undefined) {
    return E.left(error);
  }
  const data = { observationId, level, reviewer, reviewedAt, reason: level === 'discarded' ? (reason ?? null) : null, notes: notes ?? '' };
  // The same review again (a retried request) is a no-op; another time, level or note is a new review.
  const repeated = state.reviews.some(
    (known) => known.level === data.level && known.reviewer === data.reviewer && known.reviewedAt === data.reviewedAt && known.reason === data.reason && known.notes === data.notes,
  );
  return E.right(repeated ? [] : [{ type: 'ObservationReviewed', data }]);
}

function checkSource(source: FactSource): E.Either<DomainError, FactSource> {
  const importer = checkText('source.importer', source.importer);
  if (E.isLeft(importer)) return importer;
  const file = checkText('source.file', source.file);
  return E.isLeft(file) ? file : E.right(source);
}

function checkIdentifier(identifier: ObservationIdentifier): E.Either<DomainError, ObservationIdentifier> {
  const error = firstError([
    checkOneOf('identifier.kind', identifier.kind, ['capture-block', 'schedule-block']),
    checkKey('identifier.value', identifier.value),
  ]);
  return error === undefined ? E.right(identifier) : E.left(error);
}

/**
 * Returns the facts evidence criteria look at, or `undefined` before the first facts are
 * recorded. `tagsOf` adds catalogue tags for a target name (the command handler resolves them);
 * tags already recorded with the target are kept.
 */
export function evidenceFactsOf(
  state: ObservationState,
  tagsOf: (targetName: string) => readonly string[] = () => [],
): EvidenceFacts | undefined {
  if (state.observationId === null) {
    return undefined;
  }
  const fact = <Name extends keyof ObservationFacts>(name: Name): ObservationFacts[Name] =>
    state.facts[name]?.value as ObservationFacts[Name];
  const targets = (fact('targets') ?? []).map((target) => ({
    name: target.name,
    tags: [...new Set([...target.tags, ...tagsOf(target.name)])],
  }));
  return {
    observationId: state.observationId,
    startUtc: fact('startUtc'),
    band: fact('band'),
    product: fact('product'),
    receptors: fact('receptors') ?? [],
    targets,
    compoundScans: fact('compoundScans') ?? [],
    ...discardReasonOf(state.reviews),
  };
}

/** Returns the reason of the observation's discard review, as evidence facts carry it; empty when kept. */
export function discardReasonOf(reviews: readonly Review[]): { discardReason?: string } {
  const discard = reviews.find((review) => review.level === 'discarded');
  return discard === undefined ? {} : { discardReason: discard.reason ?? 'no reason given' };
}
