/**
 * Reading an observation record: fact values, times, review state and the facts evidence
 * criteria look at. Shared by the read models so that each one classes an observation the same way.
 */
import {
  discardReasonOf,
  OBSERVATION_FACT_NAMES,
  targetLookupKey,
  type AssertedFact,
  type EvidenceFacts,
  type ObservationFactName,
  type ObservationFactValues,
  type ReviewLevel,
} from '../domain/index.js';
import type { ObservationRecord, ProjectionState } from './model.js';

/** An observation's review state: its highest review level, or `never-reviewed`. */
export type ReviewState = 'never-reviewed' | ReviewLevel;

/** Review states from none to the final decision. */
export const REVIEW_STATES: readonly ReviewState[] = ['never-reviewed', 'automated-qa', 'inspected', 'imaged', 'discarded'];

/**
 * Rank of each review level. Discarding is the final decision about the data, so it ranks above
 * imaging: discarded data need no further look whatever was done before.
 */
const REVIEW_RANK: Readonly<Record<ReviewState, number>> = {
  'never-reviewed': 0,
  'automated-qa': 1,
  inspected: 2,
  imaged: 3,
  discarded: 4,
};

/** Returns a fact value, or `undefined` when no source gave it. The last set that names it wins. */
export function factOf<Name extends keyof ObservationFactValues>(
  record: ObservationRecord,
  name: Name,
): ObservationFactValues[Name] | undefined {
  const sets = record.factSets;
  for (let index = sets.length - 1; index >= 0; index--) {
    const value = sets[index]!.facts[name];
    if (value !== undefined) return value as ObservationFactValues[Name];
  }
  return undefined;
}

/** Returns a fact with the source that gave its value, or `undefined` when no source gave it. */
export function assertedFact(record: ObservationRecord, name: ObservationFactName): AssertedFact | undefined {
  const sets = record.factSets;
  for (let index = sets.length - 1; index >= 0; index--) {
    const set = sets[index]!;
    const value = set.facts[name];
    if (value !== undefined) return { value, source: set.source };
  }
  return undefined;
}

/** Returns every fact an observation has, each with its source, in the order of `OBSERVATION_FACT_NAMES`. */
export function assertedFacts(record: ObservationRecord): Partial<Record<ObservationFactName, AssertedFact>> {
  const facts: Partial<Record<ObservationFactName, AssertedFact>> = {};
  for (const name of OBSERVATION_FACT_NAMES) {
    const fact = assertedFact(record, name);
    if (fact !== undefined) facts[name] = fact;
  }
  return facts;
}

/** Start time in ms since the epoch, or `NaN` when no source gave it. */
export function startMs(record: ObservationRecord): number {
  const start = factOf(record, 'startUtc');
  return start === undefined ? Number.NaN : Date.parse(start);
}

/** Observed duration in seconds from start and end, or 0 when either is unknown. */
export function durationSeconds(record: ObservationRecord): number {
  const start = factOf(record, 'startUtc');
  const end = factOf(record, 'endUtc');
  if (start === undefined || end === undefined) {
    return 0;
  }
  return Math.max(0, (Date.parse(end) - Date.parse(start)) / 1000);
}

/** Returns the highest review level of an observation. */
export function reviewState(record: ObservationRecord): ReviewState {
  let best: ReviewState = 'never-reviewed';
  for (const review of record.reviews) {
    if (REVIEW_RANK[review.level] > REVIEW_RANK[best]) {
      best = review.level;
    }
  }
  return best;
}

/** "Looked at in detail" means inspected or imaged; a discarded observation needs no look. */
export function isLookedAtInDetail(state: ReviewState): boolean {
  return state === 'inspected' || state === 'imaged';
}

/** Importers that read what the archive holds: an archive search, an object-store listing, a katdal dataset. */
export const ARCHIVE_IMPORTERS: ReadonlySet<string> = new Set(['archive', 's3', 'katdal']);

/**
 * Tests whether an observation is archived: a product of it is recorded in the archive, or a
 * source that reads the archive reported it (a search listing names only what the archive holds).
 */
export function isArchived(record: ObservationRecord): boolean {
  return record.products.length > 0 || record.importers.some((importer) => ARCHIVE_IMPORTERS.has(importer));
}

/** Returns the catalogue tags of a target by name or alias; empty for an uncatalogued name. */
export function catalogueTags(state: ProjectionState, name: string): readonly string[] {
  const targetName = state.targetKeys.get(targetLookupKey(name));
  if (targetName === undefined) {
    return [];
  }
  return state.targets.get(targetName)?.entry.tags ?? [];
}

/**
 * Builds the facts evidence criteria look at, with each target's recorded tags joined by its
 * catalogue tags (looked up by name or alias).
 */
export function evidenceFacts(state: ProjectionState, record: ObservationRecord): EvidenceFacts {
  const targets = (factOf(record, 'targets') ?? []).map((target) => {
    const catalogued = catalogueTags(state, target.name);
    const tags = catalogued.length === 0 ? target.tags : [...new Set([...target.tags, ...catalogued])];
    return { name: target.name, tags };
  });
  return {
    observationId: record.observationId,
    startUtc: factOf(record, 'startUtc'),
    band: factOf(record, 'band'),
    product: factOf(record, 'product'),
    receptors: factOf(record, 'receptors') ?? [],
    targets,
    compoundScans: factOf(record, 'compoundScans') ?? [],
    ...discardReasonOf(record.reviews),
  };
}

/** Milliseconds per unit, for the age and duration arithmetic of the read models. */
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** Whole and fractional days from `fromIso` to `nowIso`; never negative. */
export function daysBetween(fromIso: string, nowIso: string): number {
  return Math.max(0, (Date.parse(nowIso) - Date.parse(fromIso)) / MS_PER_DAY);
}
