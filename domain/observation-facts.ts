/**
 * Checking and comparing observation facts. Two values of a fact agree when they describe the
 * same thing: list facts compare regardless of order and duplicates, and times compare within a
 * tolerance, because sources stamp the start of one observation a few seconds apart.
 */
import * as E from 'fp-ts/lib/Either.js';
import { invalidValue, type DomainError } from './errors.js';
import type { CompoundScanFact, TaggedTarget } from './evidence.js';
import type { ObservationFactName, ObservationFacts, ObservationFactValue } from './observation-events.js';
import { checkIsoUtc, checkNonNegative, checkText, compareText, firstError, instantMs, sortedUnique } from './values.js';

/**
 * Start and end times from different sources that differ by at most this many seconds agree.
 * The SDP controller logs capture-init a few seconds before the archive's start time (5 s in
 * the 2019-03-08 samples), and katdal's first dump comes a few seconds after the capture block id.
 */
export const FACT_TIME_TOLERANCE_SECONDS = 60;

export function sameFactValue(name: ObservationFactName, a: ObservationFactValue, b: ObservationFactValue): boolean {
  switch (name) {
    case 'startUtc':
    case 'endUtc':
      return Math.abs(instantMs(a as string) - instantMs(b as string)) <= FACT_TIME_TOLERANCE_SECONDS * 1000;
    case 'band':
      return (a as string).toUpperCase() === (b as string).toUpperCase();
    case 'receptors':
      return canonical(sortedUnique(a as readonly string[])) === canonical(sortedUnique(b as readonly string[]));
    case 'targets':
      return canonical(canonicalTargets(a as readonly TaggedTarget[])) === canonical(canonicalTargets(b as readonly TaggedTarget[]));
    case 'compoundScans':
      return canonical(canonicalScans(a as readonly CompoundScanFact[])) === canonical(canonicalScans(b as readonly CompoundScanFact[]));
    default:
      return a === b;
  }
}

/** Text facts, checked in this order so that the first problem reported is always the same. */
const TEXT_FACTS: readonly (keyof ObservationFacts)[] = ['captureBlockId', 'scheduleBlockId', 'proposalId', 'observer', 'band', 'product'];

export function checkFacts(facts: ObservationFacts): E.Either<DomainError, ObservationFacts> {
  const error = firstFactError(facts);
  if (error !== undefined) {
    return E.left(error);
  }
  return checkTimeOrder(facts);
}

/**
 * Returns the problem of the first fact that fails its check. Written as a loop that stops at the first problem, because
 * every imported record passes through here and most have none.
 */
function firstFactError(facts: ObservationFacts): DomainError | undefined {
  for (const name of TEXT_FACTS) {
    const value = facts[name];
    if (typeof value === 'string') {
      const checked = checkText(name, value);
      if (E.isLeft(checked)) return checked.left;
    }
  }
  if (facts.startUtc !== undefined) {
    const checked = checkIsoUtc('startUtc', facts.startUtc);
    if (E.isLeft(checked)) return checked.left;
  }
  if (facts.endUtc !== undefined) {
    const checked = checkIsoUtc('endUtc', facts.endUtc);
    if (E.isLeft(checked)) return checked.left;
  }
  for (const receptor of facts.receptors ?? []) {
    const checked = checkText('receptors', receptor);
    if (E.isLeft(checked)) return checked.left;
  }
  for (const target of facts.targets ?? []) {
    const checked = checkText('targets.name', target.name);
    if (E.isLeft(checked)) return checked.left;
  }
  for (const scan of facts.compoundScans ?? []) {
    const error = firstError([checkText('compoundScans.kind', scan.kind), checkNonNegative('compoundScans.durationSeconds', scan.durationSeconds)]);
    if (error !== undefined) return error;
  }
  return undefined;
}

function checkTimeOrder(facts: ObservationFacts): E.Either<DomainError, ObservationFacts> {
  const { startUtc, endUtc } = facts;
  if (startUtc !== undefined && endUtc !== undefined && instantMs(endUtc) < instantMs(startUtc)) {
    return E.left(invalidValue('endUtc', endUtc, `a time at or after startUtc ${startUtc}`));
  }
  return E.right(facts);
}

function canonicalTargets(targets: readonly TaggedTarget[]): readonly TaggedTarget[] {
  return [...targets]
    .map((target) => ({ name: target.name, tags: sortedUnique(target.tags) }))
    .sort((a, b) => compareText(a.name, b.name));
}

/** Compound scans keep their order, which is the order they were observed in. */
function canonicalScans(scans: readonly CompoundScanFact[]): readonly CompoundScanFact[] {
  return scans.map((scan) => ({ kind: scan.kind, target: scan.target, durationSeconds: scan.durationSeconds }));
}

function canonical(value: unknown): string {
  return JSON.stringify(value);
}
