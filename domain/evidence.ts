/**
 * Evidence criteria: a declarative filter over an observation's facts that selects the
 * observations that can verify a feature. `matchEvidence` returns every unmet criterion with a
 * message, so the decider can reject a citation and a read model can show why an observation
 * does not qualify.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { DomainError } from './errors.js';
import { checkNonNegative, checkPositiveInteger, checkText, firstError, instantMs } from './values.js';

/** Every field is optional; an absent field does not restrict. */
export interface EvidenceCriteria {
  /** Receiver band, e.g. `L`, `UHF`, `S`; compared without regard to case. */
  readonly band?: string;
  /** Correlator product, e.g. `c856M4k`; compared exactly. */
  readonly product?: string;
  readonly minReceptors?: number;
  /** Time on targets carrying a required tag, or on any target when no tag is required. */
  readonly minOnTargetSeconds?: number;
  /** Each tag must be carried by at least one observed target, e.g. `bpcal`, `gaincal`. */
  readonly targetTags?: readonly string[];
  /** At least one compound scan must be of this kind, e.g. `track`, `scan`, `raster`. */
  readonly scanKind?: string;
}

export interface TaggedTarget {
  readonly name: string;
  /** katpoint tags such as `radec`, `bpcal`, `gaincal`, `target`; resolved from catalogues. */
  readonly tags: readonly string[];
}

export interface CompoundScanFact {
  /** Compound-scan label as the observation script set it, e.g. `track`, `raster`. */
  readonly kind: string;
  /** Target name, matched against `TaggedTarget.name`. */
  readonly target: string;
  readonly durationSeconds: number;
}

/** The facts of one observation that evidence criteria look at, read from its stream. */
export interface EvidenceFacts {
  readonly observationId: string;
  readonly startUtc?: string;
  readonly band?: string;
  readonly product?: string;
  readonly receptors: readonly string[];
  readonly targets: readonly TaggedTarget[];
  readonly compoundScans: readonly CompoundScanFact[];
  /** The reason given when the observation's data were discarded; absent for data kept. */
  readonly discardReason?: string;
}

export type CriterionName =
  | 'band'
  | 'product'
  | 'min-receptors'
  | 'min-on-target-time'
  | 'target-tags'
  | 'scan-kind'
  | 'taken-after-delivery'
  | 'not-discarded';

export type CriterionValue = string | number | readonly string[] | null;

export interface UnmetCriterion {
  readonly criterion: CriterionName;
  readonly required: CriterionValue;
  /** The observation's value, or `null` when the fact is unknown. */
  readonly actual: CriterionValue;
  readonly message: string;
}

export interface MatchContext {
  /**
   * The observation must start at or after this instant (ISO 8601 UTC): the deployment of the
   * delivering change, or of the change that made the feature suspect. Omitted: not checked.
   */
  readonly takenAfterUtc?: string;
}

/** Returns every criterion the observation does not meet; an empty list means it qualifies. */
export function matchEvidence(
  facts: EvidenceFacts,
  criteria: EvidenceCriteria,
  context: MatchContext = {},
): UnmetCriterion[] {
  const checks = [
    checkBand(facts, criteria),
    checkProduct(facts, criteria),
    checkReceptors(facts, criteria),
    checkTargetTags(facts, criteria),
    checkScanKind(facts, criteria),
    checkOnTargetTime(facts, criteria),
    checkTakenAfter(facts, context),
    checkNotDiscarded(facts),
  ];
  return checks.filter((unmet): unmet is UnmetCriterion => unmet !== undefined);
}

/** Seconds spent on targets that count for the criteria (see `minOnTargetSeconds`). */
export function onTargetSeconds(facts: EvidenceFacts, criteria: EvidenceCriteria): number {
  const required = criteria.targetTags ?? [];
  const counted = new Set(
    facts.targets
      .filter((target) => required.length === 0 || target.tags.some((tag) => required.includes(tag)))
      .map((target) => target.name),
  );
  let seconds = 0;
  for (const scan of facts.compoundScans) {
    if (required.length === 0 || counted.has(scan.target)) {
      seconds += scan.durationSeconds;
    }
  }
  return seconds;
}

export function checkEvidenceCriteria(criteria: EvidenceCriteria): E.Either<DomainError, EvidenceCriteria> {
  const checks = [
    criteria.band === undefined ? E.right('') : checkText('evidenceCriteria.band', criteria.band),
    criteria.product === undefined ? E.right('') : checkText('evidenceCriteria.product', criteria.product),
    criteria.scanKind === undefined ? E.right('') : checkText('evidenceCriteria.scanKind', criteria.scanKind),
    criteria.minReceptors === undefined
      ? E.right(0)
      : checkPositiveInteger('evidenceCriteria.minReceptors', criteria.minReceptors),
    criteria.minOnTargetSeconds === undefined
      ? E.right(0)
      : checkNonNegative('evidenceCriteria.minOnTargetSeconds', criteria.minOnTargetSeconds),
    ...(criteria.targetTags ?? []).map((tag) => checkText('evidenceCriteria.targetTags', tag)),
  ];
  const error = firstError(checks);
  return error === undefined ? E.right(criteria) : E.left(error);
}

function checkBand(facts: EvidenceFacts, criteria: EvidenceCriteria): UnmetCriterion | undefined {
  if (criteria.band === undefined) {
    return undefined;
  }
  if (facts.band !== undefined && facts.band.toUpperCase() === criteria.band.toUpperCase()) {
    return undefined;
  }
  return unmet('band', criteria.band, facts.band ?? null, `band is ${facts.band ?? 'unknown'}, not ${criteria.band}`);
}

function checkProduct(facts: EvidenceFacts, criteria: EvidenceCriteria): UnmetCriterion | undefined {
  if (criteria.product === undefined || facts.product === criteria.product) {
    return undefined;
  }
  return unmet(
    'product',
    criteria.product,
    facts.product ?? null,
    `product is ${facts.product ?? 'unknown'}, not ${criteria.product}`,
  );
}

function checkReceptors(facts: EvidenceFacts, criteria: EvidenceCriteria): UnmetCriterion | undefined {
  const count = new Set(facts.receptors).size;
  if (criteria.minReceptors === undefined || count >= criteria.minReceptors) {
    return undefined;
  }
  return unmet(
    'min-receptors',
    criteria.minReceptors,
    count,
    `${count} receptors took part; at least ${criteria.minReceptors} are required`,
  );
}

function checkTargetTags(facts: EvidenceFacts, criteria: EvidenceCriteria): UnmetCriterion | undefined {
  const present = new Set(facts.targets.flatMap((target) => target.tags));
  const missing = (criteria.targetTags ?? []).filter((tag) => !present.has(tag));
  if (missing.length === 0) {
    return undefined;
  }
  return unmet(
    'target-tags',
    criteria.targetTags ?? [],
    [...present].sort(),
    `no observed target is tagged ${missing.join(', ')}`,
  );
}

function checkScanKind(facts: EvidenceFacts, criteria: EvidenceCriteria): UnmetCriterion | undefined {
  const kinds = [...new Set(facts.compoundScans.map((scan) => scan.kind))].sort();
  if (criteria.scanKind === undefined || kinds.includes(criteria.scanKind)) {
    return undefined;
  }
  const actual = kinds.length === 0 ? 'none' : kinds.join(', ');
  return unmet('scan-kind', criteria.scanKind, kinds, `no ${criteria.scanKind} compound scan (found: ${actual})`);
}

function checkOnTargetTime(facts: EvidenceFacts, criteria: EvidenceCriteria): UnmetCriterion | undefined {
  if (criteria.minOnTargetSeconds === undefined) {
    return undefined;
  }
  const seconds = onTargetSeconds(facts, criteria);
  if (seconds >= criteria.minOnTargetSeconds) {
    return undefined;
  }
  return unmet(
    'min-on-target-time',
    criteria.minOnTargetSeconds,
    seconds,
    `${seconds} s on target; at least ${criteria.minOnTargetSeconds} s are required`,
  );
}

function checkTakenAfter(facts: EvidenceFacts, context: MatchContext): UnmetCriterion | undefined {
  if (context.takenAfterUtc === undefined) {
    return undefined;
  }
  if (facts.startUtc !== undefined && instantMs(facts.startUtc) >= instantMs(context.takenAfterUtc)) {
    return undefined;
  }
  const start = facts.startUtc ?? 'unknown';
  return unmet(
    'taken-after-delivery',
    context.takenAfterUtc,
    facts.startUtc ?? null,
    `observation started at ${start}, before the deployment at ${context.takenAfterUtc}`,
  );
}

/** Discarded data show nothing on the sky, whatever else they meet; this holds for every feature. */
function checkNotDiscarded(facts: EvidenceFacts): UnmetCriterion | undefined {
  if (facts.discardReason === undefined) return undefined;
  return unmet('not-discarded', null, 'discarded', `its data were discarded (${facts.discardReason})`);
}

function unmet(
  criterion: CriterionName,
  required: CriterionValue,
  actual: CriterionValue,
  message: string,
): UnmetCriterion {
  return { criterion, required, actual, message };
}
