import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  checkWsjfScores,
  costOfDelay,
  developmentWsjf,
  orderVerificationQueue,
  verificationWsjf,
  WSJF_SCALE,
} from '../../domain/wsjf.js';

const scores = { userBusinessValue: 8, timeCriticality: 5, riskReductionOpportunityEnablement: 3, jobSize: 2 };

describe('WSJF arithmetic', () => {
  it('sums cost of delay', () => {
    expect(costOfDelay(scores)).toBe(16);
  });

  it('divides by job size', () => {
    expect(developmentWsjf(scores)).toBe(8);
  });

  it('divides by verification effort', () => {
    expect(verificationWsjf(scores, 3)).toBeCloseTo(5.3333, 4);
    expect(verificationWsjf({ ...scores, userBusinessValue: 20, timeCriticality: 13 }, 5)).toBeCloseTo(7.2, 10);
  });
});

describe('WSJF scale', () => {
  it('accepts every scale value', () => {
    for (const value of WSJF_SCALE) {
      expect(E.isRight(checkWsjfScores({ ...scores, jobSize: value }, value))).toBe(true);
    }
  });

  it('rejects values off the scale', () => {
    for (const value of [0, 4, 6, 21, 2.5, -1]) {
      const checked = checkWsjfScores({ ...scores, userBusinessValue: value }, 1);
      expect(E.isLeft(checked)).toBe(true);
      if (E.isLeft(checked)) {
        expect(checked.left.value).toBe(value);
      }
    }
  });
});

describe('verification queue order', () => {
  it('orders by WSJF, then longest wait', () => {
    const ordered = orderVerificationQueue([
      { featureKey: 'SDP-3', verificationWsjf: 2.5, waitingSinceUtc: '2019-03-01T00:00:00Z' },
      { featureKey: 'SDP-7', verificationWsjf: 3, waitingSinceUtc: '2019-03-05T00:00:00Z' },
      { featureKey: 'SDP-12', verificationWsjf: 4.3, waitingSinceUtc: '2019-03-10T00:00:00Z' },
      { featureKey: 'SDP-9', verificationWsjf: 3, waitingSinceUtc: '2019-03-02T00:00:00Z' },
    ]);
    expect(ordered.map((item) => item.featureKey)).toEqual(['SDP-12', 'SDP-9', 'SDP-7', 'SDP-3']);
  });
});
