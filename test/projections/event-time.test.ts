/**
 * Views by event time: every record counts, but only what had happened by the view's time by the
 * events' own dates. The small history is extended by an observation imported on 2019-03-09 that
 * ran on 2019-03-02, as a late import of an old log would record it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjections, type Projections } from '../../projections/index.js';
import { archive, NOW, O1, observe, smallHistory } from './small-history.js';
import { openTestStore, type TestStore } from './support.js';

/** Imported on 2019-03-09, observed 20:00–22:00 on 2019-03-02 and archived at 23:00. */
const LATE = '1551556800';
/** Observed 06:00–07:00 on 2019-03-03; its band came in a source without a start, read first. */
const SPLIT = '1551592800';
/** After CHG-2's deployment (12:00) on 2019-03-03, before V1 (15:00) and O1's inspection (03-04). */
const THEN = '2019-03-03T12:30:00Z';

let test: TestStore;
let projections: Projections;

beforeAll(async () => {
  test = openTestStore();
  const log = smallHistory();
  observe(log, LATE, '2019-03-09T10:00:00Z', {
    captureBlockId: LATE, proposalId: 'COM-1', description: 'Imported late', startUtc: '2019-03-02T20:00:00Z', endUtc: '2019-03-02T22:00:00Z', band: 'L', product: 'c856M4k',
  });
  archive(log, LATE, '2019-03-02T23:00:00Z', ['correlator_data'], '2019-03-09T10:00:00Z');
  // An observation whose first source gives no start: a controller log read before the archive.
  observe(log, SPLIT, '2019-03-09T11:00:00Z', { captureBlockId: SPLIT, band: 'UHF', product: 'c544M4k' });
  observe(log, SPLIT, '2019-03-09T12:00:00Z', { captureBlockId: SPLIT, proposalId: 'COM-2', startUtc: '2019-03-03T06:00:00Z', endUtc: '2019-03-03T07:00:00Z' });
  await log.writeTo(test.store);
  projections = startProjections(test.store);
  await projections.ready;
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the read models did not catch up within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

afterAll(async () => {
  await projections.close();
  await test.close();
});

describe('views by event time', () => {
  it('keeps observations that had started, whenever recorded', async () => {
    const then = await projections.view({ occurredUntil: THEN });
    // By start, newest first: O1 (03-03 08:00), SPLIT (03-03 06:00) and the late import (03-02
    // 20:00); O2 and O3 started later.
    expect(then.searchObservations().items.map((item) => item.observationId)).toEqual([O1, SPLIT, LATE]);
    // One hour each of O1 and SPLIT, two of the late import.
    expect(then.unverifiedData({ now: THEN }).hours).toBe(4);
  });

  it('keeps facts recorded before the start was known', async () => {
    const then = await projections.view({ occurredUntil: THEN });
    const facts = then.observation(SPLIT)?.facts;
    expect(facts?.band?.value).toBe('UHF');
    expect(facts?.product?.value).toBe('c544M4k');
    expect(facts?.proposalId?.value).toBe('COM-2');
  });

  it('takes in events recorded after the view was first read', async () => {
    const before = await projections.view({ occurredUntil: THEN });
    expect(before.observation(LATE)?.reviewState).toBe('never-reviewed');
    // A review of the late import, recorded now but dated before THEN.
    const appended = await test.store.append(`observation-${LATE}`, [
      {
        id: '00000000-0000-4000-8000-900000000001',
        type: 'ObservationReviewed',
        schemaVersion: 1,
        data: { observationId: LATE, level: 'inspected', reviewer: 'lead', reviewedAt: '2019-03-03T09:00:00Z', reason: null, notes: '' },
        metadata: { actor: 'lead', correlationId: 'c', causationId: 'c' },
      },
    ], 'any');
    if (appended._tag !== 'Right') throw new Error('the review was not appended');
    await waitFor(() => projections.position === appended.right.position);
    const after = await projections.view({ occurredUntil: THEN });
    expect(after.observation(LATE)?.reviewState).toBe('inspected');
  });

  it('folds a burst of distinct times two at a time', async () => {
    let reading = 0;
    let peak = 0;
    const counting = new Proxy(test.store, {
      get(target, name, receiver) {
        if (name !== 'readFoldPagesAhead') return Reflect.get(target, name, receiver);
        return async function* (...args: Parameters<typeof target.readFoldPagesAhead>) {
          reading += 1;
          peak = Math.max(peak, reading);
          try {
            yield* target.readFoldPagesAhead(...args);
          } finally {
            reading -= 1;
          }
        };
      },
    });
    const burst = startProjections(counting);
    await burst.ready;
    try {
      const days = ['2019-03-02', '2019-03-03', '2019-03-04', '2019-03-05', '2019-03-06', '2019-03-07'];
      const views = await Promise.all(days.map((day) => burst.view({ occurredUntil: `${day}T00:00:00Z` })));
      expect(views.map((view) => view.searchObservations().total)).toEqual([0, 1, 3, 4, 5, 5]);
      expect(peak).toBe(2);
    } finally {
      await burst.close();
    }
  });

  it('shows reviews made by then', async () => {
    const then = await projections.view({ occurredUntil: THEN });
    // O1 was checked by automated QA at 11:00 on 03-03 and inspected only on 03-04.
    expect(then.observation(O1)?.reviewState).toBe('automated-qa');
    expect(projections.query.observation(O1)?.reviewState).toBe('inspected');
  });

  it('shows feature statuses of the time', async () => {
    const then = await projections.view({ occurredUntil: THEN });
    const statuses = Object.fromEntries(then.featureBoard(THEN).map((entry) => [entry.featureKey, entry.status]));
    // CHG-1 delivered CBF-1K-DELAY on 03-02 and CHG-2 the two SDP features at 12:00 on 03-03; V1
    // (15:00), CAM-PORTAL's delivery (03-04) and CHG-3's suspicion (03-06) came later.
    expect(statuses).toEqual({ 'CBF-1K-DELAY': 'delivered', 'SDP-NOISE-DIODE': 'delivered', 'SDP-QUORUM': 'delivered', 'CAM-PORTAL': 'proposed' });
    const queue = then.verificationQueue(THEN).map((entry) => entry.featureKey);
    expect(queue.sort()).toEqual(['CBF-1K-DELAY', 'SDP-NOISE-DIODE', 'SDP-QUORUM']);
  });

  it('keeps only records made by asOf as well', async () => {
    const both = await projections.view({ recordedUntil: '2019-03-05T00:00:00Z', occurredUntil: THEN });
    expect(both.searchObservations().items.map((item) => item.observationId)).toEqual([O1]);
  });

  it('keeps catalogue targets at any time', async () => {
    const before = await projections.view({ occurredUntil: '2019-02-01T00:00:00Z' });
    expect(before.featureBoard('2019-02-01T00:00:00Z')).toEqual([]);
    expect(before.searchObservations().items).toEqual([]);
    expect(before.target('J1939-6342')?.targetName).toBe('J1939-6342');
  });

  it('is the live view after every record', async () => {
    expect(await projections.view({ occurredUntil: '2100-01-01T00:00:00Z' })).toBe(projections.query);
    expect(await projections.view({})).toBe(projections.query);
    expect((await projections.view({ occurredUntil: NOW })).featureBoard(NOW)).toEqual(projections.query.featureBoard(NOW));
  });

  it('rejects a time that is not ISO 8601', async () => {
    await expect(projections.view({ occurredUntil: 'last week' })).rejects.toThrow('event time "last week" is not an ISO 8601 time');
  });
});
