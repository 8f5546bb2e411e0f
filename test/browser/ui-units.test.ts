/** Pure helpers of the UI, run in Node: the burn-up series, month keys and display formats. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDate, formatHours, formatNumber, formatUtc } from '../../ui/src/app/format.js';
import { burnUp, monthStart } from '../../ui/src/pages/burn-up.js';
import { labelWidthPx, thinLabels } from '../../ui/src/widgets/axis-labels.js';

describe('burn-up', () => {
  it('accumulates per day', () => {
    const series = burnUp([
      { deliveredAt: '2019-03-01T08:00:00Z', verifiedAt: '2019-03-05T10:00:00Z' },
      { deliveredAt: '2019-03-01T20:00:00Z', verifiedAt: null },
      { deliveredAt: '2019-03-03T08:00:00Z', verifiedAt: null },
      { deliveredAt: null, verifiedAt: null },
    ]);
    expect(series.days.map((day) => new Date(day * 1000).toISOString().slice(0, 10))).toEqual(['2019-03-01', '2019-03-03', '2019-03-05']);
    expect(series.delivered).toEqual([2, 3, 3]);
    expect(series.verified).toEqual([0, 0, 1]);
  });

  it('extends to the end day', () => {
    const series = burnUp([{ deliveredAt: '2019-03-01T08:00:00Z', verifiedAt: null }], '2019-04-01T00:00:00Z');
    expect(series.days).toHaveLength(2);
    expect(series.delivered).toEqual([1, 1]);
  });

  it('never decreases and ends at totals', () => {
    const instant = fc.option(fc.integer({ min: Date.UTC(2016, 0, 1), max: Date.UTC(2026, 0, 1) }).map((ms) => new Date(ms).toISOString()), { nil: null });
    fc.assert(
      fc.property(fc.array(fc.record({ deliveredAt: instant, verifiedAt: instant }), { maxLength: 60 }), (features) => {
        const series = burnUp(features);
        for (let index = 1; index < series.days.length; index++) {
          expect(series.days[index]!).toBeGreaterThan(series.days[index - 1]!);
          expect(series.delivered[index]!).toBeGreaterThanOrEqual(series.delivered[index - 1]!);
          expect(series.verified[index]!).toBeGreaterThanOrEqual(series.verified[index - 1]!);
        }
        expect(series.delivered.at(-1) ?? 0).toBe(features.filter((feature) => feature.deliveredAt !== null).length);
        expect(series.verified.at(-1) ?? 0).toBe(features.filter((feature) => feature.verifiedAt !== null).length);
      }),
    );
  });

  it('month keys to UTC seconds', () => {
    expect(monthStart('2019-03')).toBe(Date.UTC(2019, 2, 1) / 1000);
    expect(monthStart('unknown')).toBeNull();
  });
});

describe('display formats', () => {
  it('hours below one to 0.01', () => {
    // Three minutes of observing must not read as 0.
    expect(formatHours(3 / 60)).toBe('0.05');
    expect(formatHours(0.999)).toBe('1');
  });

  it('hours from one to 0.1', () => {
    expect(formatHours(1.26)).toBe('1.3');
    expect(formatHours(1234.56)).toBe('1,234.6');
  });

  it('missing values as a dash', () => {
    expect(formatHours(null)).toBe('—');
    expect(formatNumber(Number.NaN)).toBe('—');
    expect(formatUtc('')).toBe('—');
    expect(formatDate(undefined)).toBe('—');
  });

  it('instants in UTC', () => {
    expect(formatUtc('2019-03-05T18:24:07+02:00')).toBe('2019-03-05 16:24 UTC');
    expect(formatUtc('not a time')).toBe('not a time');
    expect(formatDate('2019-03-05T16:24:07Z')).toBe('2019-03-05');
  });
});

describe('bar axis labels', () => {
  const months = Array.from({ length: 120 }, (_, index) => `${2016 + Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`);

  it('keeps every label that fits', () => {
    expect(thinLabels(months.slice(0, 6), 800)).toEqual(months.slice(0, 6));
  });

  it('thins ten years of months', () => {
    const labels = thinLabels(months, 800);
    const labelled = labels.filter((label) => label !== '');
    expect(labelled.length).toBeGreaterThan(1);
    expect(labelled.length * labelWidthPx('2016-01')).toBeLessThanOrEqual(800);
    // The first month stays labelled, so the axis shows where it starts.
    expect(labels[0]).toBe('2016-01');
    expect(labels.length).toBe(months.length);
  });

  it('never overlaps neighbours', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 100, max: 3000 }), (count, width) => {
        const labels = thinLabels(months.concat(months, months, months).slice(0, count), width);
        const labelledIndexes = labels.flatMap((label, index) => (label === '' ? [] : [index]));
        // Bars apart × slot width (width / count) ≥ label width, multiplied out to stay in integers.
        for (let next = 1; next < labelledIndexes.length; next++) {
          expect((labelledIndexes[next]! - labelledIndexes[next - 1]!) * width).toBeGreaterThanOrEqual(labelWidthPx('2016-01') * count);
        }
      }),
    );
  });
});
