import { describe, expect, it } from 'vitest';
import { assessBackpressure, defaultWipLimit, recommendBackpressureAction } from '../../domain/backpressure.js';
import { computeFlow, computeFlowBySubsystem, expectedWaitWeeks, type FeatureFlowHistory } from '../../domain/flow.js';

// Window: the 28 days ending 2019-03-29T00:00Z, so it starts 2019-03-01T00:00Z (exclusive).
const window = { windowEndUtc: '2019-03-29T00:00:00Z' };

function history(featureKey: string, fields: Partial<FeatureFlowHistory>): FeatureFlowHistory {
  return { featureKey, subsystem: 'CBF', deliveredAtUtc: [], verifiedAtUtc: [], ...fields };
}

// Hand-computed: arrivals A, B, D, E, G = 5; departures A, C, E, G = 4; WIP B, C, F = 3.
const histories: FeatureFlowHistory[] = [
  history('A', { deliveredAtUtc: ['2019-03-02T00:00:00Z'], verifiedAtUtc: ['2019-03-10T00:00:00Z'] }),
  history('B', { deliveredAtUtc: ['2019-03-05T00:00:00Z'] }),
  history('C', {
    deliveredAtUtc: ['2019-02-20T00:00:00Z'],
    verifiedAtUtc: ['2019-03-03T00:00:00Z'],
    suspectAtUtc: ['2019-03-20T00:00:00Z'],
  }),
  history('D', { deliveredAtUtc: ['2019-03-15T00:00:00Z'], withdrawnAtUtc: '2019-03-16T00:00:00Z' }),
  history('E', { deliveredAtUtc: ['2019-03-25T00:00:00Z'], verifiedAtUtc: ['2019-03-28T00:00:00Z'] }),
  history('F', { deliveredAtUtc: ['2019-02-01T00:00:00Z'] }),
  history('G', {
    deliveredAtUtc: ['2019-03-10T00:00:00Z'],
    verifiedAtUtc: ['2019-03-12T00:00:00Z'],
    suspectAtUtc: ['2019-03-14T00:00:00Z'],
    suspicionClearedAtUtc: ['2019-03-15T00:00:00Z'],
  }),
  history('H', { deliveredAtUtc: ['2019-03-29T00:00:01Z'] }),
];

describe('computeFlow', () => {
  const flow = computeFlow(histories, window);

  it('bounds the window', () => {
    expect(flow.windowStartUtc).toBe('2019-03-01T00:00:00.000Z');
    expect(flow.windowDays).toBe(28);
  });

  it('counts arrivals and departures', () => {
    expect(flow.arrivals).toBe(5);
    expect(flow.departures).toBe(4);
    expect(flow.netFlow).toBe(1);
  });

  it('computes weekly throughput', () => {
    expect(flow.throughputPerWeek).toBe(1);
  });

  it('finds WIP at the window end', () => {
    expect(flow.wip).toBe(3);
    expect(flow.wipFeatureKeys).toEqual(['F', 'B', 'C']);
  });

  it('applies Little law', () => {
    expect(flow.expectedWaitWeeks).toBe(3);
  });

  it('ages the oldest item', () => {
    expect(flow.oldestItemFeatureKey).toBe('F');
    expect(flow.oldestItemAgeDays).toBe(56);
  });

  it('honours the window length', () => {
    const week = computeFlow(histories, { ...window, windowDays: 7 });
    expect(week.arrivals).toBe(1);
    expect(week.departures).toBe(1);
    expect(week.throughputPerWeek).toBe(1);
  });

  it('reports an empty history', () => {
    const empty = computeFlow([], window);
    expect(empty.wip).toBe(0);
    expect(empty.expectedWaitWeeks).toBe(0);
    expect(empty.oldestItemAgeDays).toBeNull();
  });
});

describe('computeFlowBySubsystem', () => {
  it('splits flow by subsystem', () => {
    const mixed = [...histories, { ...history('S1', { deliveredAtUtc: ['2019-03-20T00:00:00Z'] }), subsystem: 'SDP' }];
    const flows = computeFlowBySubsystem(mixed, window);
    expect([...flows.keys()]).toEqual(['CBF', 'SDP']);
    expect(flows.get('CBF')?.wip).toBe(3);
    expect(flows.get('SDP')?.wip).toBe(1);
    expect(flows.get('SDP')?.arrivals).toBe(1);
    expect(flows.get('SDP')?.oldestItemAgeDays).toBe(9);
  });
});

describe('expectedWaitWeeks', () => {
  it('is unbounded without throughput', () => {
    expect(expectedWaitWeeks(2, 0)).toBeNull();
    expect(expectedWaitWeeks(0, 0)).toBe(0);
    expect(expectedWaitWeeks(6, 1.5)).toBe(4);
  });
});

describe('assessBackpressure', () => {
  const flow = computeFlow(histories, window);

  it('is red over the default limit', () => {
    const assessment = assessBackpressure(flow);
    expect(assessment.wipLimit).toBe(2);
    expect(assessment.wipLimitIsDefault).toBe(true);
    expect(assessment.signal).toBe('red');
    expect(assessment.reasons[0]).toBe('WIP 3 exceeds the limit of 2');
  });

  it('is amber under a set limit', () => {
    const assessment = assessBackpressure(flow, { wipLimit: 5 });
    expect(assessment.signal).toBe('amber');
    expect(assessment.reasons).toEqual([
      '5 features were delivered but 4 verified in the last 28 days',
      'the expected wait of 3 weeks exceeds the target of 2 weeks',
    ]);
  });

  it('is amber on a long wait alone', () => {
    const balanced = { ...flow, arrivals: 4 };
    expect(assessBackpressure(balanced, { wipLimit: 5 }).signal).toBe('amber');
    expect(assessBackpressure(balanced, { wipLimit: 5, targetWaitWeeks: 3 }).signal).toBe('green');
  });

  it('is amber when nothing was verified', () => {
    const stalled = computeFlow([history('B', { deliveredAtUtc: ['2019-03-05T00:00:00Z'] })], window);
    const assessment = assessBackpressure(stalled, { wipLimit: 4 });
    expect(assessment.signal).toBe('amber');
    expect(assessment.reasons).toContain('nothing was verified in the last 28 days, so the expected wait is unbounded');
  });

  it('rounds the default limit down', () => {
    expect(defaultWipLimit(1.75, 2)).toBe(3);
    expect(defaultWipLimit(1.5, 2)).toBe(3);
  });
});

describe('recommendBackpressureAction', () => {
  const flow = computeFlow(histories, window);
  const queue = [
    { featureKey: 'SDP-3', verificationWsjf: 2.5, waitingSinceUtc: '2019-03-01T00:00:00Z' },
    { featureKey: 'SDP-12', verificationWsjf: 13 / 3, waitingSinceUtc: '2019-03-10T00:00:00Z' },
    { featureKey: 'SDP-7', verificationWsjf: 3, waitingSinceUtc: '2019-03-05T00:00:00Z' },
    { featureKey: 'SDP-1', verificationWsjf: 1, waitingSinceUtc: '2019-02-05T00:00:00Z' },
  ];

  it('pauses deliveries when red', () => {
    const sentence = recommendBackpressureAction({ subsystem: 'SDP', assessment: assessBackpressure(flow), flow, queue });
    expect(sentence).toBe('Pause deliveries to SDP until WIP ≤ 2 (now 3); verify these three first (by WSJF): SDP-12 (4.33), SDP-7 (3), SDP-3 (2.5).');
  });

  it('slows deliveries when amber', () => {
    const assessment = assessBackpressure(flow, { wipLimit: 5 });
    const sentence = recommendBackpressureAction({ subsystem: 'SDP', assessment, flow, queue, count: 1 });
    expect(sentence).toBe(
      'Slow deliveries to SDP: 5 features were delivered but 4 verified in the last 28 days; ' +
        'the expected wait of 3 weeks exceeds the target of 2 weeks; verify this one first (by WSJF): SDP-12 (4.33).',
    );
  });

  it('keeps a default limit of one while anything is verified', () => {
    // One verification in 28 days is 0.25 a week; × 2 weeks is 0.5, which would round down to 0.
    expect(defaultWipLimit(0.25, 2)).toBe(1);
    expect(defaultWipLimit(0, 2)).toBe(0);
    expect(defaultWipLimit(1.5, 2)).toBe(3);
  });

  it('asks to verify first when nothing was verified', () => {
    const stalled = computeFlow([history('B', { deliveredAtUtc: ['2019-03-05T00:00:00Z'] })], window);
    const assessment = assessBackpressure(stalled);
    expect(assessment.wipLimit).toBe(0);
    expect(assessment.signal).toBe('red');
    const sentence = recommendBackpressureAction({ subsystem: 'SDP', assessment, flow: stalled, queue, count: 1 });
    expect(sentence).toBe('Nothing was verified in the last 28 days: verify before delivering more to SDP (WIP 1); verify this one first (by WSJF): SDP-12 (4.33).');
    expect(sentence).not.toContain('≤ 0');
  });

  it('counts one feature in the singular', () => {
    const single = { ...flow, arrivals: 1, departures: 0 };
    expect(assessBackpressure(single, { wipLimit: 5 }).reasons).toContain('1 feature was delivered but 0 verified in the last 28 days');
  });

  it('states the figures when green', () => {
    const calm = { ...flow, arrivals: 2, wip: 1, expectedWaitWeeks: 1 };
    const sentence = recommendBackpressureAction({ assessment: assessBackpressure(calm), flow: calm, queue: [] });
    expect(sentence).toBe('The array is within limits: WIP 1 ≤ 2, 2 delivered and 4 verified in the last 28 days; no backpressure needed.');
  });
});
