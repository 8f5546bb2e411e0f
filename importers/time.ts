/** Timestamp readers shared by the log formats. All results are ISO 8601 strings in UTC. */
import { daysInMonth } from '../domain/index.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Value of the two digits at `start`, or -1 when either is not a digit. */
function twoDigits(text: string, start: number): number {
  const tens = text.charCodeAt(start) - 48;
  const ones = text.charCodeAt(start + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

const DASH = 45;
const COLON = 58;
const SPACE = 32;
const LETTER_T = 84;
const DOT = 46;

/**
 * Reads `YYYY-MM-DD HH:MM:SS` with an optional fraction of up to 6 digits at the start of a line,
 * without a regular expression because it runs once per line of large logs. Returns the index
 * after the timestamp, or -1 when the line does not start with a valid one.
 */
export function scanDateTime(text: string): number {
  if (text.length < 19) return -1;
  // Compares character codes, which costs less per line than comparing one-character strings.
  if (twoDigits(text, 0) < 0 || twoDigits(text, 2) < 0 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return -1;
  const separator = text.charCodeAt(10);
  if ((separator !== SPACE && separator !== LETTER_T) || text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON) return -1;

  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (month < 1 || month > 12 || day < 1 || day > 31) return -1;
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return -1;

  let end = 19;
  if (text.charCodeAt(19) === DOT) {
    end = 20;
    while (end < text.length && end < 26 && isDigit(text.charCodeAt(end))) end += 1;
    if (end === 20) return -1;
  }
  return end;
}

/** Value of the two ASCII digits at `index` of `bytes`, or -1 when either is not a digit. */
export function twoDigitBytes(bytes: Uint8Array, index: number): number {
  const tens = (bytes[index] ?? 0) - 48;
  const ones = (bytes[index + 1] ?? 0) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/**
 * `scanDateTime` on bytes: reads the timestamp at the start of `bytes[start, end)` and returns
 * its length, or -1. Reading bytes costs a third of reading a string's characters, which counts
 * once per line of a log of gigabytes.
 */
export function scanDateTimeBytes(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 19) return -1;
  if (twoDigitBytes(bytes, start) < 0 || twoDigitBytes(bytes, start + 2) < 0 || bytes[start + 4] !== DASH || bytes[start + 7] !== DASH) return -1;
  const separator = bytes[start + 10];
  if ((separator !== SPACE && separator !== LETTER_T) || bytes[start + 13] !== COLON || bytes[start + 16] !== COLON) return -1;

  const month = twoDigitBytes(bytes, start + 5);
  const day = twoDigitBytes(bytes, start + 8);
  if (month < 1 || month > 12 || day < 1 || day > 31) return -1;
  const hour = twoDigitBytes(bytes, start + 11);
  const minute = twoDigitBytes(bytes, start + 14);
  const second = twoDigitBytes(bytes, start + 17);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return -1;

  let length = 19;
  if (bytes[start + 19] === DOT) {
    length = 20;
    while (start + length < end && length < 26 && isDigit(bytes[start + length] ?? 0)) length += 1;
    if (length === 20) return -1;
  }
  return length;
}

/** Turns the first `end` characters of a `YYYY-MM-DD HH:MM:SS.fff` prefix (UTC) into ISO form. */
export function isoFromDateTime(text: string, end: number): string {
  return `${text.slice(0, 10)}T${text.slice(11, end)}Z`;
}

/** Shifts an ISO timestamp by whole seconds (for SAST, UTC+2, pass -7200), keeping milliseconds. */
export function shiftIso(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString();
}

/** Month number 1–12 from an English three-letter abbreviation, or 0 when it is not one. */
export function monthNumber(abbreviation: string): number {
  return MONTHS.indexOf(abbreviation) + 1;
}

export function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** True when the year, month and day (whole numbers) name a real Gregorian calendar date. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}
