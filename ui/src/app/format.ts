/** Formatting of times and numbers for display, shared by every page; en-GB digits, UTC times. */

/** Formats an ISO 8601 instant as `2019-03-05 16:24 UTC`; `—` when missing. */
export function formatUtc(instant: string | null | undefined): string {
  if (instant === null || instant === undefined || instant === '') return '—';
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Formats an ISO 8601 instant as its date, `2019-03-05`; `—` when missing. */
export function formatDate(instant: string | null | undefined): string {
  if (instant === null || instant === undefined || instant === '') return '—';
  return instant.slice(0, 10);
}

/**
 * Formats hours to 0.01 below one hour, so that a few minutes of observing do not read as 0, and
 * to 0.1 from one hour up.
 */
export function formatHours(hours: number | null | undefined): string {
  if (hours === null || hours === undefined) return formatNumber(hours);
  return formatNumber(hours, Math.abs(hours) < 1 ? 2 : 1);
}

/** Formats a number with at most `digits` decimals; `—` for null, undefined or a non-finite number. */
export function formatNumber(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-GB', { maximumFractionDigits: digits });
}
