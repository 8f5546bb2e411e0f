/** As-of views: the read models as they were at a past record time. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjections, type Projections } from '../../projections/index.js';
import { NOW, O1, O2, smallHistory } from './small-history.js';
import { openTestStore, type TestStore } from './support.js';

let test: TestStore;
let projections: Projections;

beforeAll(async () => {
  test = openTestStore();
  await smallHistory().writeTo(test.store);
  projections = startProjections(test.store, { asOfCacheSize: 2 });
  await projections.ready;
});

afterAll(async () => {
  await projections.close();
  await test.close();
});

describe('as-of views', () => {
  it('shows a feature verified before its suspicion', async () => {
    // V1 was recorded 2019-03-03T15:00 and CHG-3 made the feature suspect on 03-06T12:00.
    const then = await projections.asOf('2019-03-05T00:00:00Z');
    const entry = then.featureBoard(NOW).find((row) => row.featureKey === 'CBF-1K-DELAY');
    expect(entry?.status).toBe('verified');
    expect(entry?.suspectReasons).toEqual([]);
    expect(projections.query.featureBoard(NOW).find((row) => row.featureKey === 'CBF-1K-DELAY')?.status).toBe('suspect');
  });

  it('includes events recorded exactly at the time', async () => {
    // CHG-1's deployment and the delivery it caused were recorded at 2019-03-02T12:00:00Z.
    const then = await projections.asOf('2019-03-02T12:00:00Z');
    expect(then.featureBoard(NOW, { status: 'delivered' }).map((entry) => entry.featureKey)).toEqual(['CBF-1K-DELAY']);
    expect(then.lastRecordedAt).toBe('2019-03-02T12:00:00.000Z');
  });

  it('hides observations recorded later', async () => {
    // O2's facts were recorded 2019-03-04T13:50; at 13:00 only O1 is known.
    const then = await projections.asOf('2019-03-04T13:00:00Z');
    expect(then.searchObservations().items.map((item) => item.observationId)).toEqual([O1]);
    expect(then.observation(O2)).toBeUndefined();
    expect(then.unverifiedData({ now: NOW }).hours).toBe(1);
  });

  it('is empty before the first event', async () => {
    const then = await projections.asOf('2019-01-01T00:00:00Z');
    expect(then.featureBoard(NOW)).toEqual([]);
    expect(then.position).toBeUndefined();
  });

  it('reuses a cached view', async () => {
    const first = await projections.asOf('2019-03-05T00:00:00Z');
    const second = await projections.asOf('2019-03-05T00:00:00Z');
    expect(second).toBe(first);
  });

  it('rejects a time that is not ISO 8601', async () => {
    await expect(projections.asOf('yesterday')).rejects.toThrow('as-of time "yesterday" is not an ISO 8601 time');
  });
});
