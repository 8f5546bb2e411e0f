/**
 * Data gaps: observations seen in the logs (observation-script or SDP controller logs) that the
 * archive does not have, and archived observations missing expected products.
 */
import { compareText } from '../domain/index.js';
import { factOf, isArchived } from './facts.js';
import type { ObservationRecord, ProjectionState } from './model.js';

/** Importers that read logs written while observing. */
const LOG_IMPORTERS = new Set(['obslog', 'sdpmc']);

/** Products MeerKAT's SDP writes for every capture block of the sdp-l0 stream. */
export const DEFAULT_EXPECTED_PRODUCTS: readonly string[] = ['correlator_data', 'flags', 'weights'];

/** Kinds of gap: not archived though seen in logs, lacking expected products, or reported missing. */
export type DataGapKind = 'not-archived' | 'missing-products' | 'missing-products-anomaly';

/** An observation with data missing. */
export interface DataGap {
  readonly observationId: string;
  readonly startUtc: string | null;
  readonly kinds: readonly DataGapKind[];
  /** Importers that reported the observation, e.g. `obslog`, `sdpmc`. */
  readonly seenBy: readonly string[];
  /** Expected products not listed, and products named by a missing-products anomaly. */
  readonly missingProducts: readonly string[];
}

/** Settings of the data-gap query. */
export interface GapOptions {
  /** Products an archived observation must have; default correlator_data, flags, weights. */
  readonly expectedProducts?: readonly string[];
  readonly from?: string;
  readonly to?: string;
}

/** Lists the observations with a gap, oldest start first (unknown starts last). */
export function dataGaps(state: ProjectionState, options: GapOptions = {}): DataGap[] {
  const expected = options.expectedProducts ?? DEFAULT_EXPECTED_PRODUCTS;
  const fromMs = options.from === undefined ? Number.NEGATIVE_INFINITY : Date.parse(options.from);
  const toMs = options.to === undefined ? Number.POSITIVE_INFINITY : Date.parse(options.to);
  const gaps: DataGap[] = [];
  for (const record of state.observations.values()) {
    const start = factOf(record, 'startUtc');
    if (start !== undefined && (Date.parse(start) < fromMs || Date.parse(start) > toMs)) continue;
    const gap = gapOf(record, expected);
    if (gap !== undefined) gaps.push(gap);
  }
  return gaps.sort((a, b) => compareText(a.startUtc ?? '~', b.startUtc ?? '~') || compareText(a.observationId, b.observationId));
}

/** Returns the observation's gap, or `undefined` when it has none. */
export function gapOf(record: ObservationRecord, expected: readonly string[] = DEFAULT_EXPECTED_PRODUCTS): DataGap | undefined {
  const kinds: DataGapKind[] = [];
  const missing = new Set<string>();
  const inLogs = record.importers.some((importer) => LOG_IMPORTERS.has(importer));
  if (inLogs && !isArchived(record)) kinds.push('not-archived');

  const lacking = missingExpectedProducts(record, expected);
  if (lacking.length > 0) {
    kinds.push('missing-products');
    lacking.forEach((product) => missing.add(product));
  }
  for (const { anomaly } of record.anomalies) {
    if (anomaly.kind !== 'missing-products') continue;
    if (!kinds.includes('missing-products-anomaly')) kinds.push('missing-products-anomaly');
    anomaly.products.forEach((product) => missing.add(product));
  }
  if (kinds.length === 0) return undefined;
  return {
    observationId: record.observationId,
    startUtc: factOf(record, 'startUtc') ?? null,
    kinds,
    seenBy: [...record.importers].sort(compareText),
    missingProducts: [...missing].sort(compareText),
  };
}

/**
 * Returns the expected products an archived observation lacks. A product's kind is the last path
 * segment of its name (`1551803062-sdp-l0/flags` → `flags`). The check applies only when the
 * observation lists at least one expected kind, because an archive listing that names buckets
 * alone (`1551803062-sdp-l0`) shows nothing of the products inside them.
 */
export function missingExpectedProducts(record: ObservationRecord, expected: readonly string[]): string[] {
  const kinds = new Set(record.products.map((product) => productKind(product.name)));
  if (!expected.some((product) => kinds.has(product))) return [];
  return expected.filter((product) => !kinds.has(product));
}

function productKind(name: string): string {
  const segments = name.split('/').filter((segment) => segment !== '');
  return segments.at(-1) ?? name;
}
