/** Timestamp readers shared by the log formats. All results are ISO 8601 strings in UTC. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function digitsAt(text: string, start: number, count: number): boolean {
  for (let index = start; index < start + count; index += 1) {
    if (!isDigit(text.charCodeAt(index))) return false;
  }
  return true;
}

/** Reads the two digits at `start`, which the caller has checked are digits. */
function twoDigits(text: string, start: number): number {
  return (text.charCodeAt(start) - 48) * 10 + (text.charCodeAt(start + 1) - 48);
}

/**
 * Reads `YYYY-MM-DD HH:MM:SS` with an optional fraction of up to 6 digits at the start of a line,
 * without a regular expression because it runs once per line of large logs. Returns the index
 * after the timestamp, or -1 when the line does not start with a valid one.
 */
export function scanDateTime(text: string): number {
  if (text.length < 19) return -1;
  if (!digitsAt(text, 0, 4) || text[4] !== '-' || !digitsAt(text, 5, 2) || text[7] !== '-' || !digitsAt(text, 8, 2)) return -1;
  const separator = text[10];
  if ((separator !== ' ' && separator !== 'T') || !digitsAt(text, 11, 2) || text[13] !== ':' || !digitsAt(text, 14, 2) || text[16] !== ':' || !digitsAt(text, 17, 2)) return -1;

  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (month < 1 || month > 12 || day < 1 || day > 31) return -1;
  if (twoDigits(text, 11) > 23 || twoDigits(text, 14) > 59 || twoDigits(text, 17) > 60) return -1;

  let end = 19;
  if (text[19] === '.') {
    end = 20;
    while (end < text.length && end < 26 && isDigit(text.charCodeAt(end))) end += 1;
    if (end === 20) return -1;
  }
  return end;
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

/** True when the year, month and day name a real calendar date. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
