/**
 * Burn-up series from the feature board: features delivered and verified, cumulative, per day.
 *
 * NOTE: the board carries each feature's latest delivery and latest passed verification, so a
 * feature delivered twice (or re-verified after a suspicion) counts at its latest date. The curve
 * is exact for features delivered and verified once.
 */

export interface BurnUpInput {
  readonly deliveredAt: string | null;
  readonly verifiedAt: string | null;
}

export interface BurnUp {
  /** Day starts in Unix seconds (UTC), ascending. */
  readonly days: number[];
  readonly delivered: number[];
  readonly verified: number[];
}

const DAY_SECONDS = 86_400;

function dayOf(instant: string): number | null {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return null;
  return Math.floor(ms / 1000 / DAY_SECONDS) * DAY_SECONDS;
}

/**
 * Counts deliveries and verifications per day and accumulates them; `until` (ISO 8601) adds a
 * last point with the final totals, so the lines run on to today or to the `asOf` time.
 */
export function burnUp(features: readonly BurnUpInput[], until: string | null = null): BurnUp {
  const deliveredPerDay = new Map<number, number>();
  const verifiedPerDay = new Map<number, number>();
  for (const feature of features) {
    const delivered = feature.deliveredAt === null ? null : dayOf(feature.deliveredAt);
    const verified = feature.verifiedAt === null ? null : dayOf(feature.verifiedAt);
    if (delivered !== null) deliveredPerDay.set(delivered, (deliveredPerDay.get(delivered) ?? 0) + 1);
    if (verified !== null) verifiedPerDay.set(verified, (verifiedPerDay.get(verified) ?? 0) + 1);
  }

  const days = [...new Set([...deliveredPerDay.keys(), ...verifiedPerDay.keys()])].sort((a, b) => a - b);
  const delivered: number[] = [];
  const verified: number[] = [];
  let deliveredTotal = 0;
  let verifiedTotal = 0;
  for (const day of days) {
    deliveredTotal += deliveredPerDay.get(day) ?? 0;
    verifiedTotal += verifiedPerDay.get(day) ?? 0;
    delivered.push(deliveredTotal);
    verified.push(verifiedTotal);
  }

  const end = until === null ? null : dayOf(until);
  const lastDay = days.at(-1);
  if (end !== null && lastDay !== undefined && end > lastDay) {
    days.push(end);
    delivered.push(deliveredTotal);
    verified.push(verifiedTotal);
  }
  return { days, delivered, verified };
}

/** `YYYY-MM` to the month's first second in Unix seconds (UTC); `null` for `unknown`. */
export function monthStart(key: string): number | null {
  const match = /^(\d{4})-(\d{2})$/.exec(key);
  if (match === null) return null;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, 1) / 1000;
}
