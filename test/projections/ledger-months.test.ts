/**
 * The unverified-data ledger's hours by month and review state, over a history with
 * observations in two months, every review state, a later review that raises the state and
 * one observation without a start. The expected hours are worked out by hand in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observationDecider, observationStream, type ReviewLevel } from '../../domain/index.js';
import type { Projections } from '../../projections/index.js';
import type { LedgerGroup } from '../../projections/ledger.js';
import { LogBuilder } from './small-history.js';
import { projectLog, type ProjectedLog } from './support.js';

const NOW = '2019-06-01T00:00:00Z';
const source = { importer: 'obslog', file: 'obslog.log', locator: '1' };

let projected: ProjectedLog;
let projections: Projections;

function observe(log: LogBuilder, observationId: string, startUtc: string | null, minutes: number, at: string): void {
  const facts: Record<string, unknown> = { band: 'L', product: 'c856M4k' };
  if (startUtc !== null) {
    facts['startUtc'] = startUtc;
    facts['endUtc'] = new Date(Date.parse(startUtc) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
  }
  log.run(observationDecider, observationStream(observationId), { type: 'RecordObservationFacts', data: { observationId, source, facts } }, at);
}

function review(log: LogBuilder, observationId: string, level: ReviewLevel, at: string): void {
  // A discard must give its reason.
  const reason = level === 'discarded' ? { reason: 'RFI across the band' } : {};
  log.run(observationDecider, observationStream(observationId), { type: 'ReviewObservation', data: { observationId, level, reviewer: 'commissioner', reviewedAt: at, ...reason } }, at);
}

beforeAll(async () => {
  const log = new LogBuilder();
  // March 2019: A 90 min never reviewed; B 60 min automated QA; C 30 min inspected.
  observe(log, 'A', '2019-03-02T10:00:00Z', 90, '2019-03-02T12:00:00Z');
  observe(log, 'B', '2019-03-10T20:00:00Z', 60, '2019-03-11T00:00:00Z');
  review(log, 'B', 'automated-qa', '2019-03-11T01:00:00Z');
  observe(log, 'C', '2019-03-31T23:00:00Z', 30, '2019-04-01T00:00:00Z');
  review(log, 'C', 'inspected', '2019-04-01T01:00:00Z');
  // April 2019: D 120 min, automated QA then imaged, so imaged; E 45 min discarded; F 15 min never reviewed.
  observe(log, 'D', '2019-04-05T08:00:00Z', 120, '2019-04-05T11:00:00Z');
  review(log, 'D', 'automated-qa', '2019-04-05T12:00:00Z');
  review(log, 'D', 'imaged', '2019-04-06T12:00:00Z');
  observe(log, 'E', '2019-04-20T08:00:00Z', 45, '2019-04-20T09:00:00Z');
  review(log, 'E', 'discarded', '2019-04-21T09:00:00Z');
  observe(log, 'F', '2019-04-30T23:45:00Z', 15, '2019-05-01T00:00:00Z');
  // No start: counted under "unknown" with 0 hours.
  observe(log, 'G', null, 0, '2019-05-02T00:00:00Z');

  projected = await projectLog(log);
  projections = projected.projections;
});

afterAll(async () => {
  await projected.close();
});

function month(key: string): LedgerGroup {
  const group = projections.query.unverifiedData({ now: NOW }).byMonth.find((candidate) => candidate.key === key);
  if (group === undefined) throw new Error(`no ledger month ${key}`);
  return group;
}

describe('ledger hours by month and review state', () => {
  it('lists months in order', () => {
    expect(projections.query.unverifiedData({ now: NOW }).byMonth.map((group) => group.key)).toEqual(['2019-03', '2019-04', 'unknown']);
  });

  it('splits March by review state', () => {
    const march = month('2019-03');
    expect(march.observations).toBe(3);
    // A 1.5 h never reviewed, B 1 h automated QA, C 0.5 h inspected (it starts on 31 March).
    expect(march.hoursByReviewState).toEqual({ 'never-reviewed': 1.5, 'automated-qa': 1, inspected: 0.5, imaged: 0, discarded: 0 });
    expect(march.hours).toBe(3);
    expect(march.hoursNotLookedAtInDetail).toBe(2.5);
  });

  it('takes the highest review', () => {
    const april = month('2019-04');
    expect(april.observations).toBe(3);
    // D 2 h imaged (its automated QA no longer counts), E 0.75 h discarded, F 0.25 h never reviewed.
    expect(april.hoursByReviewState).toEqual({ 'never-reviewed': 0.25, 'automated-qa': 0, inspected: 0, imaged: 2, discarded: 0.75 });
    expect(april.hours).toBe(3);
    expect(april.hoursNotLookedAtInDetail).toBe(0.25);
  });

  it('counts an observation without a start', () => {
    const unknown = month('unknown');
    expect(unknown.observations).toBe(1);
    expect(unknown.hoursByReviewState).toEqual({ 'never-reviewed': 0, 'automated-qa': 0, inspected: 0, imaged: 0, discarded: 0 });
  });

  it('sums the months to the ledger total', () => {
    const ledger = projections.query.unverifiedData({ now: NOW });
    // 3 h in March + 3 h in April.
    expect(ledger.hours).toBe(6);
    expect(ledger.hoursByReviewState).toEqual({ 'never-reviewed': 1.75, 'automated-qa': 1, inspected: 0.5, imaged: 2, discarded: 0.75 });
  });
});
