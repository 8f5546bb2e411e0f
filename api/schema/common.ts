/** Arguments and helpers shared by the entity files: the `asOf` argument and the view it selects. */
import { z } from 'zod';
import { calendarProblem, EARLIEST_YEAR, YEAR_LIMIT } from '../../domain/values.js';
import type { ReadModels } from '../../projections/read-models.js';
import type { ApiContext } from '../context.js';

/** The read models a resolver reads, and the instant that clock-dependent figures are measured to. */
export interface View {
  readonly reads: ReadModels;
  /** ISO 8601 UTC: the request's "now", or `asOf` for a past view. */
  readonly now: string;
}

/** ISO 8601 with a `Z` or an offset, e.g. `2019-03-05T16:24:22Z`; normalised to UTC. */
export const isoInstant = z.string().superRefine((value, context) => {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    context.addIssue({ code: 'custom', message: 'expected an ISO 8601 time with a zone, e.g. 2019-03-05T16:24:22Z' });
    return;
  }
  const problem = calendarProblem(value);
  const ms = Date.parse(value);
  if (problem !== undefined || Number.isNaN(ms)) {
    context.addIssue({ code: 'custom', message: `expected a time that exists: ${problem ?? 'the offset is out of range'}` });
    return;
  }
  // The written year may be in range while the instant is not: 1900-01-01T00:30:00+01:00 is in 1899.
  const utcYear = new Date(ms).getUTCFullYear();
  if (utcYear < EARLIEST_YEAR || utcYear >= YEAR_LIMIT) {
    context.addIssue({ code: 'custom', message: `expected a time between the years ${EARLIEST_YEAR} and ${YEAR_LIMIT - 1} in UTC, but ${value} is in ${utcYear} in UTC` });
  }
});

export const AS_OF_DESCRIPTION =
  'Show the read model as it was at this time (ISO 8601 with a zone, e.g. 2019-03-05T16:24:22Z, or a date, 2019-03-05, for the end of that day in UTC as the CLI reads it): only events recorded at or before it count. Omitted: now.';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Schema of an as-of time: an ISO 8601 instant with a zone, or a date for the end of that day in UTC. */
export const asOfInstant = z.string().superRefine((value, context) => {
  const instant = DATE_ONLY.test(value) ? endOfDay(value) : value;
  const checked = isoInstant.safeParse(instant);
  if (!checked.success) context.addIssue({ code: 'custom', message: checked.error.issues[0]?.message ?? 'expected an ISO 8601 time with a zone, e.g. 2019-03-05T16:24:22Z' });
});

/** Returns the last millisecond of a date (YYYY-MM-DD) in UTC. */
function endOfDay(date: string): string {
  return `${date}T23:59:59.999Z`;
}

/** Converts a checked ISO 8601 time to UTC; one already in UTC (`…Z`) is kept as written. */
export function utcInstant(value: string): string {
  return value.endsWith('Z') ? value : new Date(value).toISOString();
}

/** Converts a checked as-of or `now` argument to an ISO 8601 UTC instant; a date means the end of that day. */
export function instantOf(value: string): string {
  return new Date(DATE_ONLY.test(value) ? endOfDay(value) : value).toISOString();
}

/**
 * Returns the view for `asOf` and `now`: the read models folded from the events recorded by
 * `asOf` (every event without it) that had happened by `now` by their own dates, measured at
 * `now`. Without `now` the clock is the `asOf` time, or the request's.
 */
export async function viewAt(context: ApiContext, asOf: string | null | undefined, now?: string | null): Promise<View> {
  const measuredAt = now === null || now === undefined ? undefined : instantOf(now);
  const recordedUntil = asOf === null || asOf === undefined ? undefined : instantOf(asOf);
  if (measuredAt !== undefined) {
    return { reads: await context.reads.view({ recordedUntil, occurredUntil: measuredAt }), now: measuredAt };
  }
  if (recordedUntil === undefined) return { reads: context.reads.current(), now: context.now };
  return { reads: await context.reads.asOf(recordedUntil), now: recordedUntil };
}

/** Options of the `asOf` argument every read-model query takes: `t.arg.string(AS_OF_ARG)`. */
export const AS_OF_ARG = { required: false, description: AS_OF_DESCRIPTION, validate: asOfInstant } as const;

const NOW_DESCRIPTION =
  'Show what had happened by this time (ISO 8601 with a zone, or a date for the end of that day in UTC) by the events\' own dates (a delivery at its delivery time, an observation at its start), and measure ages, waits and trailing windows at it, so a history imported today can be reviewed for a past period. Records made later count when they tell of earlier events; with `asOf`, only records made by then. Omitted: the `asOf` time, or now.';

/** Options of the `now` argument of the read models that measure with a clock: `t.arg.string(NOW_ARG)`. */
export const NOW_ARG = { required: false, description: NOW_DESCRIPTION, validate: asOfInstant } as const;

/**
 * Page sizes of every connection: 20 items unless the client requests more, at most 1000, so the UI can
 * fill a virtualised table in few requests without one query returning an unbounded list.
 */
export const PAGE_SIZES = { defaultSize: 20, maxSize: 1000 } as const;
