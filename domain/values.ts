/**
 * Checks for the plain values commands carry (keys, texts, UTC timestamps, counts), shared by
 * every aggregate so that the same mistake gets the same error everywhere.
 */
import * as E from 'fp-ts/lib/Either.js';
import { invalidValue, type DomainError } from './errors.js';

/** An ISO 8601 instant in UTC with a `Z` suffix, e.g. `2019-03-05T16:24:22Z` or `…22.230Z`. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export function isIsoUtc(value: string): boolean {
  return ISO_UTC.test(value) && calendarProblem(value) === undefined;
}

/**
 * The date and time fields at the start of an ISO 8601 string: year (at 0), month (5), day (8),
 * hour (11), minute (14) and, after a colon at 16, second (17).
 */
const ISO_FIELDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** Earliest and first rejected year of a stored time; no radio telescope data predate 1900. */
export const EARLIEST_YEAR = 1900;
export const YEAR_LIMIT = 2200;

/** Days of each month in a common year. */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Applies the Gregorian rule: every fourth year is a leap year, except centuries not divisible by 400. */
function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** Returns the number of days in a month (1–12) of a Gregorian year. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

function isDigitAt(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  return code >= 0x30 && code <= 0x39;
}

/**
 * Returns the value of `count` decimal digits at `start` of a text the caller has matched already.
 * Read by character code: a regular expression's groups make a string for each field, and every
 * imported time and schedule block id is read this way.
 */
export function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let at = start; at < start + count; at++) value = value * 10 + (text.charCodeAt(at) - 48);
  return value;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * Returns why the fields of an ISO 8601 time name no real instant (30 February, hour 24, a leap
 * second, a year outside 1900–2199), or `undefined` when they do or the text is not ISO 8601.
 * JavaScript's `Date.parse` accepts 30 February and 24:00 and moves them to the next day.
 */
export function calendarProblem(value: string): string | undefined {
  if (!ISO_FIELDS.test(value)) return undefined;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 2);
  const day = digitsAt(value, 8, 2);
  const hour = digitsAt(value, 11, 2);
  const minute = digitsAt(value, 14, 2);
  const second = value.charCodeAt(16) === 0x3a && isDigitAt(value, 17) && isDigitAt(value, 18) ? digitsAt(value, 17, 2) : 0;
  if (year < EARLIEST_YEAR || year >= YEAR_LIMIT) return `the year ${year} is outside ${EARLIEST_YEAR}–${YEAR_LIMIT - 1}`;
  if (month < 1 || month > 12) return `there is no month ${value.slice(5, 7)}`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return `${MONTH_NAMES[month - 1]} ${year} has ${days} days`;
  if (hour === 24) return 'hour 24 is not used; write 00:00 of the next day';
  if (hour > 23) return `there is no hour ${value.slice(11, 13)}`;
  if (minute > 59) return `there is no minute ${value.slice(14, 16)}`;
  if (second === 60) return 'a leap second (:60) cannot be stored; write :59';
  if (second > 60) return `there is no second ${value.slice(17, 19)}`;
  return undefined;
}

/** Milliseconds since the Unix epoch of an ISO 8601 string; callers pass checked timestamps. */
export function instantMs(isoUtc: string): number {
  return Date.parse(isoUtc);
}

export function checkIsoUtc(field: string, value: string): E.Either<DomainError, string> {
  if (typeof value === 'string' && isIsoUtc(value)) {
    return E.right(value);
  }
  const problem = typeof value === 'string' && ISO_UTC.test(value) ? calendarProblem(value) : undefined;
  if (problem !== undefined) {
    return E.left(invalidValue(field, value, `a time that exists (${problem})`));
  }
  return E.left(invalidValue(field, value, 'an ISO 8601 UTC timestamp such as 2019-03-05T16:24:22Z'));
}

/**
 * Rejects a time before an earlier event it follows, e.g. a verification dated before the
 * delivery it verifies. `bound` is checked ISO 8601; `undefined` means there is nothing to follow.
 */
export function checkNotBefore(field: string, value: string, bound: string | undefined, boundName: string): DomainError | undefined {
  if (bound === undefined || instantMs(value) >= instantMs(bound)) return undefined;
  return invalidValue(field, value, `a time at or after ${boundName} (${bound})`);
}

/**
 * Characters that show nothing themselves: the soft hyphen, the combining grapheme joiner, the
 * Arabic letter mark, Hangul and Khmer fillers, the Mongolian vowel separator, zero-width spaces
 * and joiners, direction marks and overrides, and the BOM.
 */
const INVISIBLE_CHARACTERS = '\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u3164\uffa0\ufeff';
/**
 * Matches a character that shows something: neither white space (what `trim` removes, which is
 * what `\s` matches) nor invisible. Tested rather than stripping, because every imported record's
 * text facts pass through `checkText`.
 */
const VISIBLE = new RegExp(`[^\\s${INVISIBLE_CHARACTERS}]`);

export function checkText(field: string, value: string): E.Either<DomainError, string> {
  if (typeof value === 'string' && VISIBLE.test(value)) {
    return E.right(value);
  }
  return E.left(invalidValue(field, value, 'a non-empty text'));
}

/**
 * Maximum length of a one-line title or summary, in UTF-16 code units. Jira limits a summary to
 * 255 characters. Titles appear on every board row and report, so a pasted document must not be one.
 */
export const MAX_TITLE_LENGTH = 500;

/** Shortens a title from another system (a commit subject, a Jira summary) to the longest allowed, ending in "…". */
export function clipTitle(text: string): string {
  if (text.length <= MAX_TITLE_LENGTH) return text;
  let end = MAX_TITLE_LENGTH - 1;
  // A cut between the two halves of a surrogate pair would leave half a character (an emoji, say).
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** Checks a one-line title or summary: non-empty text of at most `MAX_TITLE_LENGTH` characters. */
export function checkTitle(field: string, value: string): E.Either<DomainError, string> {
  const text = checkText(field, value);
  if (E.isLeft(text) || value.length <= MAX_TITLE_LENGTH) return text;
  return E.left(invalidValue(field, `${value.slice(0, 60)}…`, `at most ${MAX_TITLE_LENGTH} characters (this one has ${value.length}); shorten it to one line`));
}

/**
 * Control characters, invisible characters and lone UTF-16 surrogates. A key containing one looks
 * like another key, or cannot be typed, so keys may not contain them.
 */
const NOT_IN_KEYS = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${INVISIBLE_CHARACTERS}]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]`);

/**
 * Keys and ids become part of stream names, so they must be non-empty and free of whitespace.
 * They must be in Unicode's composed form (NFC), or MÜNSTER-1 typed with a combining accent would
 * be a second key that looks the same.
 */
export function checkKey(field: string, value: string): E.Either<DomainError, string> {
  if (typeof value === 'string' && /^\S+$/.test(value) && !NOT_IN_KEYS.test(value) && value.normalize('NFC') === value) {
    return E.right(value);
  }
  return E.left(invalidValue(field, value, 'a non-empty key without spaces, control or invisible characters, in composed form (NFC), e.g. SDP-123'));
}

/**
 * Checks a name such as a subsystem or component: visible text of at most 200 characters, in
 * composed form, without control or invisible characters. Spaces are allowed.
 */
export function checkName(field: string, value: string): E.Either<DomainError, string> {
  const text = checkText(field, value);
  if (E.isLeft(text)) return text;
  if (value.length <= 200 && !NOT_IN_KEYS.test(value) && value.normalize('NFC') === value) return text;
  return E.left(invalidValue(field, value, 'a name of at most 200 characters without control or invisible characters, in composed form (NFC), e.g. SDP'));
}

/**
 * A Jira issue key: a project key of two or more characters (a capital letter, then capitals,
 * digits or underscores), a hyphen and the issue number, e.g. `MKAIV-449`. Jira numbers issues
 * from 1 without leading zeros, so COMM-0305 is not a way of writing COMM-305.
 */
export const TICKET_KEY = /^[A-Z][A-Z0-9_]+-[1-9]\d{0,9}$/;

/** The form of a valid Jira key, in words for messages. */
export const TICKET_KEY_FORM = 'a Jira key such as MKAIV-449: a project key of two or more capitals or digits, a hyphen and an issue number without leading zeros';

/** Tickets one feature may name; a longer list is a mistake (a pasted export), not a plan. */
export const MAX_TICKET_KEYS = 1000;

/** Checks a list of Jira keys: each one well formed, and not more than `MAX_TICKET_KEYS` of them. */
export function checkTicketKeys(field: string, keys: readonly string[]): E.Either<DomainError, readonly string[]> {
  if (keys.length > MAX_TICKET_KEYS) return E.left(invalidValue(field, `${keys.length} keys`, `at most ${MAX_TICKET_KEYS} ticket keys`));
  const bad = keys.find((key) => typeof key !== 'string' || !TICKET_KEY.test(key));
  return bad === undefined ? E.right(keys) : E.left(invalidValue(field, bad, TICKET_KEY_FORM));
}

export function checkNonNegative(field: string, value: number): E.Either<DomainError, number> {
  if (Number.isFinite(value) && value >= 0) {
    return E.right(value);
  }
  return E.left(invalidValue(field, String(value), 'a finite number >= 0'));
}

export function checkPositiveInteger(field: string, value: number): E.Either<DomainError, number> {
  if (Number.isInteger(value) && value > 0) {
    return E.right(value);
  }
  return E.left(invalidValue(field, String(value), 'a whole number >= 1'));
}

export function checkOneOf<T extends string>(
  field: string,
  value: string,
  allowed: readonly T[],
): E.Either<DomainError, T> {
  const match = allowed.find((candidate) => candidate === value);
  if (match !== undefined) {
    return E.right(match);
  }
  return E.left(invalidValue(field, value, `one of ${allowed.join(', ')}`));
}

/** Returns the first error of a list of checks, or `undefined` when every check passed. */
export function firstError(checks: readonly E.Either<DomainError, unknown>[]): DomainError | undefined {
  for (const check of checks) {
    if (E.isLeft(check)) {
      return check.left;
    }
  }
  return undefined;
}

/**
 * Compares Jira keys by project, then by issue number, so that BIG-2 sorts before BIG-10. Text
 * that is no Jira key compares by code unit after the keys.
 */
export function compareTicketKeys(a: string, b: string): number {
  const first = /^(.*)-(\d+)$/.exec(a);
  const second = /^(.*)-(\d+)$/.exec(b);
  if (first === null || second === null) return first === second ? compareText(a, b) : first === null ? 1 : -1;
  return compareText(first[1]!, second[1]!) || Number(first[2]) - Number(second[2]) || compareText(a, b);
}

/** Compares two strings by code unit, for sorts that must not depend on the locale. */
export function compareText(a: string, b: string): number {
  if (a < b) {
    return -1;
  }
  return a > b ? 1 : 0;
}

/** Sorted copy without duplicates, so that list facts compare independently of source order. */
export function sortedUnique(values: readonly string[]): readonly string[] {
  return [...new Set(values)].sort();
}
