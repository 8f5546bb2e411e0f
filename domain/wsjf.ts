/**
 * Weighted shortest job first (WSJF), as the Scaled Agile Framework (SAFe) defines it: cost of
 * delay divided by the size of the job. Scores are relative estimates on the modified Fibonacci
 * scale 1, 2, 3, 5, 8, 13, 20. Development WSJF divides by job size. Verification WSJF divides
 * by the effort to verify the feature on the sky, and it orders the verification queue.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { InvalidWsjfScore } from './errors.js';
import { compareText } from './values.js';

export const WSJF_SCALE = [1, 2, 3, 5, 8, 13, 20] as const;

export type WsjfScore = (typeof WSJF_SCALE)[number];

/** The estimates behind a feature's WSJF, each on the WSJF scale. */
export interface WsjfScores {
  readonly userBusinessValue: number;
  readonly timeCriticality: number;
  /** Risk reduction and/or opportunity enablement. */
  readonly riskReductionOpportunityEnablement: number;
  readonly jobSize: number;
}

export function isWsjfScore(value: number): value is WsjfScore {
  return (WSJF_SCALE as readonly number[]).includes(value);
}

export function checkWsjfScore(field: string, value: number): E.Either<InvalidWsjfScore, number> {
  if (isWsjfScore(value)) {
    return E.right(value);
  }
  return E.left({
    kind: 'InvalidWsjfScore',
    message: `${field} ${value} is not on the WSJF scale; use one of ${WSJF_SCALE.join(', ')}`,
    field,
    value,
    allowed: WSJF_SCALE,
  });
}

/** Checks every score and the verification effort; returns the first value off the scale. */
export function checkWsjfScores(
  scores: WsjfScores,
  verificationEffort: number,
): E.Either<InvalidWsjfScore, WsjfScores> {
  const fields: readonly [string, number][] = [
    ['userBusinessValue', scores.userBusinessValue],
    ['timeCriticality', scores.timeCriticality],
    ['riskReductionOpportunityEnablement', scores.riskReductionOpportunityEnablement],
    ['jobSize', scores.jobSize],
    ['verificationEffort', verificationEffort],
  ];
  for (const [field, value] of fields) {
    const checked = checkWsjfScore(field, value);
    if (E.isLeft(checked)) {
      return checked;
    }
  }
  return E.right(scores);
}

/** Cost of delay = user-business value + time criticality + risk reduction/opportunity enablement. */
export function costOfDelay(scores: WsjfScores): number {
  return scores.userBusinessValue + scores.timeCriticality + scores.riskReductionOpportunityEnablement;
}

export function developmentWsjf(scores: WsjfScores): number {
  return costOfDelay(scores) / scores.jobSize;
}

export function verificationWsjf(scores: WsjfScores, verificationEffort: number): number {
  return costOfDelay(scores) / verificationEffort;
}

/** One feature waiting in the verification queue. */
export interface QueueItem {
  readonly featureKey: string;
  readonly verificationWsjf: number;
  /** When the feature started waiting (ISO 8601 UTC): its delivery, or when it became suspect. */
  readonly waitingSinceUtc: string;
}

/**
 * Orders the verification queue: highest verification WSJF first, ties broken by the longest
 * wait (earliest `waitingSinceUtc`), then by feature key so the order is total.
 */
export function orderVerificationQueue<Item extends QueueItem>(items: readonly Item[]): Item[] {
  return [...items].sort((a, b) => {
    if (a.verificationWsjf !== b.verificationWsjf) {
      return b.verificationWsjf - a.verificationWsjf;
    }
    const waited = Date.parse(a.waitingSinceUtc) - Date.parse(b.waitingSinceUtc);
    if (waited !== 0) {
      return waited;
    }
    return compareText(a.featureKey, b.featureKey);
  });
}
