/** The time schema of the hand-written formats (journals and plans): ISO 8601 with a zone. */
import { z } from 'zod';
import { calendarProblem } from '../domain/values.js';

/** Times outside these years are typing mistakes, and the domain cannot store their UTC form. */
const EARLIEST_YEAR = 1900;
const LATEST_YEAR = 2200;

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Schema of a time with a zone that exists, in the years the domain stores, with one message per mistake. */
export const zonedInstant = z.string({ error: 'must be an ISO 8601 time with a zone, such as 2019-03-07T14:00:00Z' }).superRefine((value, context) => {
  if (!ISO_WITH_ZONE.test(value)) {
    context.addIssue({ code: 'custom', message: 'must be an ISO 8601 time with a zone, such as 2019-03-07T14:00:00Z' });
    return;
  }
  const yearMessage = `must be between the years ${EARLIEST_YEAR} and ${LATEST_YEAR} in UTC; check the year, e.g. 2019-03-07T14:00:00Z`;
  const year = Number(value.slice(0, 4));
  if (year < EARLIEST_YEAR || year > LATEST_YEAR) {
    context.addIssue({ code: 'custom', message: yearMessage });
    return;
  }
  // Date.parse accepts 30 February and 24:00 and moves them on, so the fields are checked here.
  const problem = calendarProblem(value);
  if (problem !== undefined) {
    context.addIssue({ code: 'custom', message: `must be a time that exists (${problem}), e.g. 2019-03-07T14:00:00Z` });
    return;
  }
  const utcYear = new Date(value).getUTCFullYear();
  if (utcYear < EARLIEST_YEAR || utcYear > LATEST_YEAR) context.addIssue({ code: 'custom', message: yearMessage });
});

/** Converts a checked time with any zone to the UTC form events store, e.g. `2019-03-07T12:00:00Z`. */
export function utcOf(value: string): string {
  return new Date(value).toISOString().replace('.000Z', 'Z');
}
