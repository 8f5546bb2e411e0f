/**
 * Stream names: one stream per aggregate instance, `<aggregate>-<id>`. Observation streams are
 * named by the capture block id when it is known, else by the schedule block id (`sb-<id>`).
 */

export type AggregateName = 'feature' | 'change' | 'observation' | 'ticket' | 'finding' | 'target';

export function featureStream(featureKey: string): string {
  return `feature-${featureKey}`;
}

export function changeStream(changeId: string): string {
  return `change-${changeId}`;
}

export function observationStream(observationId: string): string {
  return `observation-${observationId}`;
}

export function ticketStream(ticketKey: string): string {
  return `ticket-${ticketKey}`;
}

export function findingStream(findingId: string): string {
  return `finding-${findingId}`;
}

/** Identifiers that name one observation; either may be missing from a given source. */
export interface ObservationIdentifiers {
  /** SDP capture block id: the Unix time in seconds at capture-init, e.g. `1551803062`. */
  readonly captureBlockId?: string;
  /** Schedule block id, e.g. `20190308-0083`. */
  readonly scheduleBlockId?: string;
}

/**
 * Returns the id an observation's stream is named by: the capture block id when known, else
 * `sb-<schedule block id>`, or `undefined` when the record carries neither.
 */
export function observationStreamId(ids: ObservationIdentifiers): string | undefined {
  if (ids.captureBlockId !== undefined && ids.captureBlockId !== '') {
    return ids.captureBlockId;
  }
  if (ids.scheduleBlockId !== undefined && ids.scheduleBlockId !== '') {
    return `sb-${ids.scheduleBlockId}`;
  }
  return undefined;
}

/** Tests whether a value is a capture block id: a Unix timestamp in whole seconds. */
export function isCaptureBlockId(value: string): boolean {
  return /^\d{9,11}$/.test(value);
}

/**
 * Returns the UTC instant a capture block id encodes (`1551803062` → `2019-03-05T16:24:22Z`),
 * or `undefined` when the value is not a capture block id.
 */
export function captureBlockStartUtc(captureBlockId: string): string | undefined {
  if (!isCaptureBlockId(captureBlockId)) {
    return undefined;
  }
  const iso = new Date(Number(captureBlockId) * 1000).toISOString();
  return iso.replace('.000Z', 'Z');
}

const AGGREGATES: readonly AggregateName[] = ['feature', 'change', 'observation', 'ticket', 'finding', 'target'];

/** Splits a stream name into aggregate and id; `undefined` for a stream no aggregate owns. */
export function parseStreamName(stream: string): { aggregate: AggregateName; id: string } | undefined {
  for (const aggregate of AGGREGATES) {
    const prefix = `${aggregate}-`;
    if (stream.startsWith(prefix) && stream.length > prefix.length) {
      return { aggregate, id: stream.slice(prefix.length) };
    }
  }
  return undefined;
}
