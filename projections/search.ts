/**
 * Observation search: free text over description, targets and ids, plus filters on target,
 * proposal, schedule block, capture block, time range, band, product, receptor and review state,
 * with paging and a total count. A search is one pass over a prepared list (newest first) with a
 * lower-case text per observation, so its cost is linear in the number of observations.
 */
import { identifierKey } from '../domain/index.js';
import { factOf, isArchived, reviewState, startMs, type ReviewState } from './facts.js';
import type { ObservationRecord } from './model.js';

/** Search terms; absent fields do not restrict. */
export interface ObservationQuery {
  /** Words that must all appear (case-insensitive) in the description, target names or ids. */
  readonly text?: string;
  /** A target name observed, compared without regard to case. */
  readonly target?: string;
  readonly proposalId?: string;
  readonly scheduleBlockId?: string;
  readonly captureBlockId?: string;
  /** Start at or after this instant (ISO 8601 UTC). */
  readonly from?: string;
  /** Start at or before this instant (ISO 8601 UTC). */
  readonly to?: string;
  readonly band?: string;
  readonly product?: string;
  readonly receptor?: string;
  readonly reviewState?: ReviewState;
  readonly offset?: number;
  /** Results per page; default 50. */
  readonly limit?: number;
}

/** An observation as a search result or list row. */
export interface ObservationSummary {
  readonly observationId: string;
  readonly captureBlockId: string | null;
  readonly scheduleBlockId: string | null;
  readonly proposalId: string | null;
  readonly description: string | null;
  readonly startUtc: string | null;
  readonly endUtc: string | null;
  readonly band: string | null;
  readonly product: string | null;
  readonly targets: readonly string[];
  readonly receptorCount: number;
  readonly reviewState: ReviewState;
  readonly archived: boolean;
}

/** One page of search results. */
export interface ObservationPage {
  readonly items: readonly ObservationSummary[];
  /** Observations that match, before paging. */
  readonly total: number;
}

/** An observation with its search text prepared. */
export interface SearchRow {
  readonly record: ObservationRecord;
  /** Lower-case description, target names, observation id, capture and schedule block ids. */
  text: string;
  /** Start in ms since the epoch, `NaN` when unknown. */
  startMs: number;
  /** Upper-case band, or empty when unknown. */
  band: string;
  reviewState: ReviewState;
}

/** Builds the search row of an observation. */
export function searchRow(record: ObservationRecord): SearchRow {
  return { record, text: searchText(record), startMs: startMs(record), band: (factOf(record, 'band') ?? '').toUpperCase(), reviewState: reviewState(record) };
}

/** Refreshes a row after its observation changed; returns true when its start moved. */
export function refreshSearchRow(row: SearchRow): boolean {
  const fresh = searchRow(row.record);
  const moved = !Object.is(fresh.startMs, row.startMs);
  row.text = fresh.text;
  row.startMs = fresh.startMs;
  row.band = fresh.band;
  row.reviewState = fresh.reviewState;
  return moved;
}

/** Sorts rows newest start first, observations without a start last. */
export function sortSearchRows(rows: SearchRow[]): void {
  const key = (row: SearchRow): number => (Number.isNaN(row.startMs) ? Number.NEGATIVE_INFINITY : row.startMs);
  rows.sort((a, b) => key(b) - key(a));
}

function searchText(record: ObservationRecord): string {
  const parts = [
    record.observationId,
    factOf(record, 'description') ?? '',
    factOf(record, 'captureBlockId') ?? '',
    factOf(record, 'scheduleBlockId') ?? '',
    factOf(record, 'proposalId') ?? '',
    ...(factOf(record, 'targets') ?? []).map((target) => target.name),
    ...record.identifiers.map(identifierKey),
  ];
  return parts.join(' ').toLowerCase();
}

/** Runs a search over the prepared rows. */
export function searchObservations(rows: readonly SearchRow[], query: ObservationQuery): ObservationPage {
  const matches = matcher(query);
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 50;
  const items: ObservationSummary[] = [];
  let total = 0;
  for (const row of rows) {
    if (!matches(row)) continue;
    if (total >= offset && items.length < limit) items.push(observationSummary(row.record));
    total += 1;
  }
  return { items, total };
}

function matcher(query: ObservationQuery): (row: SearchRow) => boolean {
  const words = (query.text ?? '').toLowerCase().split(/\s+/).filter((word) => word !== '');
  const fromMs = query.from === undefined ? undefined : Date.parse(query.from);
  const toMs = query.to === undefined ? undefined : Date.parse(query.to);
  const target = query.target?.toLowerCase();
  const band = query.band?.toUpperCase();
  return (row) => {
    const { record, text } = row;
    if (fromMs !== undefined && !(row.startMs >= fromMs)) return false;
    if (toMs !== undefined && !(row.startMs <= toMs)) return false;
    if (band !== undefined && row.band !== band) return false;
    if (query.reviewState !== undefined && row.reviewState !== query.reviewState) return false;
    if (!words.every((word) => text.includes(word))) return false;
    if (query.product !== undefined && factOf(record, 'product') !== query.product) return false;
    if (query.proposalId !== undefined && factOf(record, 'proposalId') !== query.proposalId) return false;
    if (query.scheduleBlockId !== undefined && !hasIdentifier(record, 'schedule-block', query.scheduleBlockId)) return false;
    if (query.captureBlockId !== undefined && !hasIdentifier(record, 'capture-block', query.captureBlockId)) return false;
    if (query.receptor !== undefined && !(factOf(record, 'receptors') ?? []).includes(query.receptor)) return false;
    if (target !== undefined && !(factOf(record, 'targets') ?? []).some((entry) => entry.name.toLowerCase() === target)) return false;
    return true;
  };
}

function hasIdentifier(record: ObservationRecord, kind: 'capture-block' | 'schedule-block', value: string): boolean {
  const fact = factOf(record, kind === 'capture-block' ? 'captureBlockId' : 'scheduleBlockId');
  if (fact === value) return true;
  const streamForm = kind === 'capture-block' ? value : `sb-${value}`;
  return record.observationId === streamForm || record.identifiers.some((identifier) => identifier.kind === kind && identifier.value === value);
}

/** Builds the list row of an observation. */
export function observationSummary(record: ObservationRecord): ObservationSummary {
  return {
    observationId: record.observationId,
    captureBlockId: factOf(record, 'captureBlockId') ?? null,
    scheduleBlockId: factOf(record, 'scheduleBlockId') ?? null,
    proposalId: factOf(record, 'proposalId') ?? null,
    description: factOf(record, 'description') ?? null,
    startUtc: factOf(record, 'startUtc') ?? null,
    endUtc: factOf(record, 'endUtc') ?? null,
    band: factOf(record, 'band') ?? null,
    product: factOf(record, 'product') ?? null,
    targets: (factOf(record, 'targets') ?? []).map((target) => target.name),
    receptorCount: (factOf(record, 'receptors') ?? []).length,
    reviewState: reviewState(record),
    archived: isArchived(record),
  };
}
