/**
 * Checks for the plain values commands carry (keys, texts, UTC timestamps, counts), shared by
 * every aggregate so that the same mistake gets the same error everywhere.
 */
import * as E from 'fp-ts/lib/Either.js';
import { invalidValue, type DomainError } from './errors.js';

/** An ISO 8601 instant in UTC with a `Z` suffix, e.g. `2019-03-05T16:24:22Z` or `…22.230Z`. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export function isIsoUtc(value: string): boolean {
  return ISO_UTC.test(value) && !Number.isNaN(Date.parse(value));
}

/** Milliseconds since the Unix epoch of an ISO 8601 string; callers pass checked timestamps. */
export function instantMs(isoUtc: string): number {
  return Date.parse(isoUtc);
}

export function checkIsoUtc(field: string, value: string): E.Either<DomainError, string> {
  if (typeof value === 'string' && isIsoUtc(value)) {
    return E.right(value);
  }
  return E.left(invalidValue(field, value, 'an ISO 8601 UTC timestamp such as 2019-03-05T16:24:22Z'));
}

export function checkText(field: string, value: string): E.Either<DomainError, string> {
  if (typeof value === 'string' && value.trim() !== '') {
    return E.right(value);
  }
  return E.left(invalidValue(field, value, 'a non-empty text'));
}

/** Keys and ids become part of stream names, so they must be non-empty and free of whitespace. */
export function checkKey(field: string, value: string): E.Either<DomainError, string> {
  if (typeof value === 'string' && /^\S+$/.test(value)) {
    return E.right(value);
  }
  return E.left(invalidValue(field, value, 'a non-empty key without spaces, e.g. SDP-123'));
}

/**
 * A Jira issue key: a project key of two or more characters (a capital letter, then capitals,
 * digits or underscores), a hyphen and the issue number, e.g. `MKAIV-449`.
 */
export const TICKET_KEY = /^[A-Z][A-Z0-9_]+-\d+$/;

/** Tickets one feature may name; a longer list is a mistake (a pasted export), not a plan. */
export const MAX_TICKET_KEYS = 1000;

/** Checks a list of Jira keys: each one well formed, and not more than `MAX_TICKET_KEYS` of them. */
export function checkTicketKeys(field: string, keys: readonly string[]): E.Either<DomainError, readonly string[]> {
  if (keys.length > MAX_TICKET_KEYS) return E.left(invalidValue(field, `${keys.length} keys`, `at most ${MAX_TICKET_KEYS} ticket keys`));
  const bad = keys.find((key) => typeof key !== 'string' || !TICKET_KEY.test(key));
  return bad === undefined ? E.right(keys) : E.left(invalidValue(field, bad, 'a Jira key such as MKAIV-449: a project key of two or more capitals or digits, a hyphen and a number'));
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
