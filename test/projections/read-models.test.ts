/**
 * Every read model over the small history (small-history.ts), with the expected values worked
 * out by hand in the comments. "Now" is 2019-03-10T12:00:00Z.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureDecider, featureStream, observationDecider, observationStream } from '../../domain/index.js';
import { startProjections, type Projections, type ReadModels } from '../../projections/index.js';
import { NOW, O1, O2, O3, smallHistory } from './small-history.js';
import { openTestStore, type TestStore } from './support.js';

let test: TestStore;
let projections: Projections;
let query: ReadModels;

beforeAll(async () => {
  test = openTestStore();
  await smallHistory().writeTo(test.store);
  projections = startProjections(test.store);
  await projections.ready;
  query = projections.query;
});

afterAll(async () => {
  await projections.close();
  await test.close();
});

describe('feature board', () => {
  it('lists every feature by subsystem and key', () => {
    expect(query.featureBoard(NOW).map((entry) => entry.featureKey)).toEqual(['CAM-PORTAL', 'CBF-1K-DELAY', 'SDP-NOISE-DIODE', 'SDP-QUORUM']);
  });

  it('shows a suspect feature with its reasons', () => {
    const entry = query.featureBoard(NOW).find((row) => row.featureKey === 'CBF-1K-DELAY')!;
    expect(entry.status).toBe('suspect');
    // Cost of delay 8 + 5 + 3 = 16; development 16 / job size 2 = 8; verification 16 / effort 8 = 2.
    expect(entry.costOfDelay).toBe(16);
    expect(entry.developmentWsjf).toBe(8);
    expect(entry.verificationWsjf).toBe(2);
    expect(entry.deliveredAt).toBe('2019-03-02T12:00:00Z');
    expect(entry.verifiedAt).toBe('2019-03-03T15:00:00Z');
    expect(entry.lastVerdict).toEqual({ verificationId: 'V1', outcome: 'passed', verifiedAt: '2019-03-03T15:00:00Z' });
    expect(entry.evidenceObservationIds).toEqual([O1]);
    expect(entry.suspectReasons).toEqual([{ changeId: 'CHG-3', sharedComponents: ['cbf-fengine'], deployedAt: '2019-03-06T12:00:00Z', markedAt: '2019-03-06T12:00:00Z' }]);
    // Waiting since the suspicion, 2019-03-06T12:00, to now 2019-03-10T12:00: 4 days.
    expect(entry.daysWaiting).toBe(4);
  });

  it('counts days waiting for a failed feature from its delivery', () => {
    const entry = query.featureBoard(NOW).find((row) => row.featureKey === 'SDP-NOISE-DIODE')!;
    expect(entry.status).toBe('failed');
    expect(entry.lastVerdict?.outcome).toBe('failed');
    // Delivered by CHG-2 on 2019-03-03T12:00; a failed verification does not end the wait: 7 days.
    expect(entry.daysWaiting).toBe(7);
  });

  it('filters by subsystem and status', () => {
    expect(query.featureBoard(NOW, { subsystem: 'SDP' }).map((entry) => entry.featureKey)).toEqual(['SDP-NOISE-DIODE', 'SDP-QUORUM']);
    expect(query.featureBoard(NOW, { status: 'verified' }).map((entry) => entry.featureKey)).toEqual(['CAM-PORTAL']);
    expect(query.featureBoard(NOW, { subsystem: 'SDP', status: 'delivered' }).map((entry) => entry.featureKey)).toEqual(['SDP-QUORUM']);
  });

  it('details a feature with its links', () => {
    const detail = query.featureDetail('CBF-1K-DELAY', NOW)!;
    expect(detail.history.map((item) => item.kind)).toEqual(['proposed', 'delivered', 'verification', 'suspect']);
    expect(detail.changeIds).toEqual(['CHG-1', 'CHG-3']);
    // MKAIV-1 is named by the proposal and mentions the key: listed once.
    expect(detail.ticketKeys).toEqual(['MKAIV-1']);
    expect(detail.findingIds).toEqual(['F-1']);
    expect(detail.requirementRefs).toEqual(['R.RC.P.30', 'R.CAM.2']);
    expect(detail.suspicions[0]?.changeSummary).toBe('CHG-3 summary');
    expect(query.featureDetail('NO-SUCH', NOW)).toBeUndefined();
  });
});

describe('verification queue', () => {
  it('orders a WSJF tie by longest wait', () => {
    // Waiting and verifiable: CBF-1K-DELAY (suspect, 16 / 8 = 2, since 03-06) and SDP-QUORUM
    // (delivered, 10 / 5 = 2, since 03-03): a tie that the longer wait wins.
    // SDP-NOISE-DIODE failed, so it needs a new delivery before it can be verified.
    const queue = query.verificationQueue(NOW);
    expect(queue.map((entry) => [entry.featureKey, entry.verificationWsjf])).toEqual([['SDP-QUORUM', 2], ['CBF-1K-DELAY', 2]]);
    expect(queue.map((entry) => entry.daysWaiting)).toEqual([7, 4]);
  });

  it('filters the queue by subsystem', () => {
    expect(query.verificationQueue(NOW, { subsystem: 'CBF' }).map((entry) => entry.featureKey)).toEqual(['CBF-1K-DELAY']);
  });

  it('bounds candidate evidence by delivery and suspicion', () => {
    const [quorum, suspect] = query.verificationQueue(NOW);
    // CBF-1K-DELAY: evidence must follow CHG-3's deployment (2019-03-06T12:00); no archived observation does.
    expect(suspect?.evidenceNotBeforeUtc).toBe('2019-03-06T12:00:00Z');
    expect(suspect?.candidates).toEqual([]);
    // SDP-QUORUM has no criteria; O2 (2019-03-04) follows CHG-2 (2019-03-03T12:00), O1 (08:00 that day) does not.
    expect(quorum?.evidenceNotBeforeUtc).toBe('2019-03-03T12:00:00Z');
    expect(quorum?.candidates.map((candidate) => candidate.observationId)).toEqual([O2]);
    expect(quorum?.candidates[0]?.onTargetSeconds).toBe(3600);
  });

  it('lists the unmet criteria of an observation', () => {
    const check = query.checkEvidence('CBF-1K-DELAY', O2)!;
    expect(check.qualifies).toBe(false);
    expect(check.archived).toBe(true);
    // O2 is c856M4k, looks at a gaincal only (0 s on a delaycal target) and started before CHG-3.
    expect(check.unmet.map((unmet) => unmet.criterion)).toEqual(['product', 'target-tags', 'min-on-target-time', 'taken-after-delivery']);
  });

  it('tags targets named by alias from the catalogue', () => {
    // O1 names 1934-638 without tags; the catalogue entry J1939-6342 lists it as an alias with delaycal.
    const check = query.checkEvidence('CBF-1K-DELAY', O1)!;
    expect(check.unmet.map((unmet) => unmet.criterion)).toEqual(['taken-after-delivery']);
  });
});

describe('flow and backpressure', () => {
  it('computes the overall signal', () => {
    const report = query.flowReport({ now: NOW }).overall;
    // Window 2019-02-10T12:00 to now. Deliveries: CBF 03-02, NOISE and QUORUM 03-03, PORTAL 03-04 = 4.
    // Passed verifications: V1, V3 = 2, so throughput 2 / 4 weeks = 0.5 per week.
    // WIP: CBF (suspect), NOISE (failed), QUORUM (delivered) = 3; wait 3 / 0.5 = 6 weeks.
    expect(report.flow.arrivals).toBe(4);
    expect(report.flow.departures).toBe(2);
    expect(report.flow.throughputPerWeek).toBe(0.5);
    expect(report.flow.wip).toBe(3);
    expect(report.flow.expectedWaitWeeks).toBe(6);
    // Default limit floor(0.5 × 2) = 1 < 3: red.
    expect(report.assessment.signal).toBe('red');
    expect(report.assessment.wipLimit).toBe(1);
    expect(report.recommendation).toBe('Pause deliveries until WIP ≤ 1 (now 3); verify these two first (by WSJF): SDP-QUORUM (2), CBF-1K-DELAY (2).');
  });

  it('computes a signal per subsystem', () => {
    const reports = query.flowReport({ now: NOW, wipLimits: { CBF: 2 } }).subsystems;
    expect(reports.map((report) => [report.subsystem, report.assessment.signal])).toEqual([['CAM', 'green'], ['CBF', 'amber'], ['SDP', 'red']]);
    // CBF: 1 delivered, 1 verified, WIP 1 ≤ 2, but the wait 1 / 0.25 = 4 weeks exceeds 2.
    const cbf = reports[1]!;
    expect(cbf.assessment.reasons).toEqual(['the expected wait of 4 weeks exceeds the target of 2 weeks']);
    expect(reports[0]!.recommendation).toBe('CAM is within limits: WIP 0 ≤ 1, 1 delivered and 1 verified in the last 28 days; no backpressure needed.');
  });

  it('honours the window length', () => {
    // A 3-day window (2019-03-07T12:00 to now) contains no delivery and no verification.
    const flow = query.flowReport({ now: NOW, windowDays: 3 }).overall.flow;
    expect([flow.arrivals, flow.departures, flow.wip]).toEqual([0, 0, 3]);
  });
});

describe('unverified-data ledger', () => {
  it('sums hours by review state', () => {
    const ledger = query.unverifiedData({ now: NOW });
    // O1 1 h inspected, O2 2 h automated QA, O3 0.5 h never reviewed.
    expect(ledger.observations).toBe(3);
    expect(ledger.hours).toBe(3.5);
    expect(ledger.hoursByReviewState).toEqual({ 'never-reviewed': 0.5, 'automated-qa': 2, inspected: 1, imaged: 0, discarded: 0 });
    expect(ledger.hoursNotLookedAtInDetail).toBe(2.5);
  });

  it('groups by month, proposal, band and product', () => {
    const ledger = query.unverifiedData({ now: NOW });
    expect(ledger.byMonth.map((group) => [group.key, group.hours])).toEqual([['2019-03', 3.5]]);
    expect(ledger.byProposal.map((group) => [group.key, group.hours, group.hoursNotLookedAtInDetail])).toEqual([['COM-1', 3, 2], ['SCI-2', 0.5, 0.5]]);
    expect(ledger.byBand.map((group) => [group.key, group.observations])).toEqual([['L', 2], ['UHF', 1]]);
    expect(ledger.byProduct.map((group) => group.key)).toEqual(['c544M32k', 'c856M1k', 'c856M4k']);
  });

  it('finds the oldest unreviewed observation', () => {
    // O3 started 2019-03-05T10:00, 5 days and 2 hours before now.
    expect(query.unverifiedData({ now: NOW }).oldestUnreviewed).toEqual({ observationId: O3, startUtc: '2019-03-05T10:00:00Z', ageDays: 5 + 2 / 24 });
  });

  it('measures QA coverage of qualifying observations', () => {
    const coverage = query.unverifiedData({ now: NOW }).qaCoverage;
    // O1 is continuum (1k channels) with 600 + 300 = 900 s on target: qualifies and was reviewed.
    // O2 is spectral line (its description names HI) with 3600 s < 3 h; O3 (32k) has 1800 s.
    expect(coverage.continuum).toEqual({ qualifying: 1, reviewed: 1, lookedAtInDetail: 1, coverage: 1 });
    expect(coverage.spectralLine).toEqual({ qualifying: 0, reviewed: 0, lookedAtInDetail: 0, coverage: null });
    // With a 1 h spectral-line threshold O2 qualifies, reviewed only by automated QA.
    const lowered = query.unverifiedData({ now: NOW, spectralLineMinOnTargetSeconds: 3600 }).qaCoverage.spectralLine;
    expect(lowered).toEqual({ qualifying: 1, reviewed: 1, lookedAtInDetail: 0, coverage: 1 });
  });

  it('measures archive latency as a multiple of duration', () => {
    // O1: archived 1 h after a 1 h observation = 1; O2: 30 min after a 2 h one = 0.25.
    expect(query.unverifiedData({ now: NOW }).archiveLatency).toEqual({ observations: 2, medianMultiple: 0.625, p90Multiple: 1, maxMultiple: 1 });
  });
});

describe('traceability', () => {
  it('grades coverage per requirement', () => {
    const traces = query.traceability(['R.CAM.1']);
    expect(traces.map((trace) => [trace.requirementRef, trace.coverage])).toEqual([
      ['R.CAM.1', 'not-covered'],
      ['R.CAM.2', 'partially-verified'],
      ['R.CAM.3', 'fully-verified'],
      ['R.RC.P.30', 'has-failures'],
      ['R.SDP.8', 'not-verified'],
    ]);
  });

  it('links features to changes, observations and tickets', () => {
    const trace = query.traceability().find((entry) => entry.requirementRef === 'R.RC.P.30')!;
    const cbf = trace.features.find((feature) => feature.featureKey === 'CBF-1K-DELAY')!;
    expect(cbf.changeIds).toEqual(['CHG-1', 'CHG-3']);
    expect(cbf.observationIds).toEqual([O1]);
    expect(cbf.verifications.map((verification) => verification.verificationId)).toEqual(['V1']);
    expect(cbf.ticketKeys).toEqual(['MKAIV-1']);
  });

  it('lists the features a ticket tracks', () => {
    expect(query.ticket('MKAIV-1')?.trackedFeatureKeys).toEqual(['CBF-1K-DELAY']);
  });

  it("lists a proposal's own tickets", () => {
    const trace = query.traceability().find((entry) => entry.requirementRef === 'R.SDP.8')!;
    expect(trace.features.map((feature) => [feature.featureKey, feature.ticketKeys])).toEqual([['SDP-QUORUM', ['SDP-77']]]);
    expect(query.featureDetail('SDP-QUORUM', NOW)!.ticketKeys).toEqual(['SDP-77']);
  });
});

describe('timeline and configuration', () => {
  it('filters the timeline by range', () => {
    const page = query.timeline({ from: '2019-03-06T00:00:00Z', to: '2019-03-07T23:00:00Z' });
    expect(page.entries.map((entry) => [entry.kind, entry.at])).toEqual([
      ['change-recorded', '2019-03-06T08:00:00Z'],
      ['change-deployed', '2019-03-06T12:00:00Z'],
      ['suspicion', '2019-03-06T12:00:00Z'],
      ['change-rolled-back', '2019-03-07T12:00:00Z'],
    ]);
    expect(page.total).toBe(4);
  });

  it('filters the timeline by kind', () => {
    const page = query.timeline({ kinds: ['observation'] });
    expect(page.entries.map((entry) => entry.observationId)).toEqual([O1, O2, O3]);
    const verifications = query.timeline({ kinds: ['verification'], limit: 1, offset: 1 });
    expect(verifications.total).toBe(3);
    expect(verifications.entries.map((entry) => entry.featureKey)).toEqual(['SDP-NOISE-DIODE']);
  });

  it('returns the configuration at a time', () => {
    const during = query.configurationAt('2019-03-06T13:00:00Z');
    expect(during.map((entry) => [entry.component, entry.changeId])).toEqual([['cbf-fengine', 'CHG-3'], ['katsdpcontroller', 'CHG-2']]);
    // After CHG-3's rollback (2019-03-07T12:00) CHG-1 is live again on cbf-fengine.
    const after = query.configurationAt('2019-03-08T00:00:00Z');
    expect(after.map((entry) => [entry.component, entry.changeId])).toEqual([['cbf-fengine', 'CHG-1'], ['katsdpcontroller', 'CHG-2']]);
    expect(query.configurationAt('2019-03-02T11:00:00Z')).toEqual([]);
  });

  it('lists changes between two observations', () => {
    // O1 starts 2019-03-03T08:00, O3 2019-03-05T10:00: only CHG-2's deployment (03-03T12:00) lies between.
    const between = query.changesBetween(O3, O1)!;
    expect([between.fromUtc, between.toUtc]).toEqual(['2019-03-03T08:00:00Z', '2019-03-05T10:00:00Z']);
    expect(between.changes.map((change) => [change.changeId, change.action, change.components])).toEqual([['CHG-2', 'deployed', ['katsdpcontroller']]]);
    expect(query.changesBetween(O1, 'missing')).toBeUndefined();
  });
});

describe('data gaps and search', () => {
  it('finds observations missing from the archive or missing products', () => {
    const gaps = query.dataGaps();
    expect(gaps.map((gap) => [gap.observationId, gap.kinds, gap.missingProducts])).toEqual([
      [O2, ['missing-products'], ['weights']],
      [O3, ['not-archived', 'missing-products-anomaly'], ['correlator_data']],
    ]);
    expect(gaps[1]?.seenBy).toEqual(['obslog', 'sdpmc']);
  });

  it('searches observations by text and filters', () => {
    expect(query.searchObservations({ text: 'delay' }).items.map((item) => item.observationId)).toEqual([O1]);
    expect(query.searchObservations({ band: 'l' }).items.map((item) => item.observationId)).toEqual([O2, O1]);
    expect(query.searchObservations({ receptor: 'm004' }).items.map((item) => item.observationId)).toEqual([O3, O1]);
    expect(query.searchObservations({ reviewState: 'never-reviewed' }).items.map((item) => item.observationId)).toEqual([O3]);
    expect(query.searchObservations({ scheduleBlockId: '20190303-0001' }).items.map((item) => item.observationId)).toEqual([O1]);
    expect(query.searchObservations({ target: '0008-421' }).total).toBe(0);
    expect(query.searchObservations({ target: 'j0010-4153', from: '2019-03-04T00:00:00Z' }).items.map((item) => item.observationId)).toEqual([O2]);
  });

  it('pages search results with a total', () => {
    const page = query.searchObservations({ limit: 1, offset: 1 });
    expect(page.total).toBe(3);
    expect(page.items.map((item) => item.observationId)).toEqual([O2]);
  });
});

describe('entity and identity lookups', () => {
  it('details an observation', () => {
    const detail = query.observation(O1)!;
    expect(detail.reviewState).toBe('inspected');
    expect(detail.facts.band?.source.importer).toBe('obslog');
    expect(detail.identifiers).toEqual([{ kind: 'capture-block', value: O1 }, { kind: 'schedule-block', value: '20190303-0001' }]);
    expect(detail.citedBy).toEqual([{ featureKey: 'CBF-1K-DELAY', verificationId: 'V1' }]);
    expect(detail.ticketKeys).toEqual(['MKAIV-1']);
    expect(detail.findingIds).toEqual(['F-1']);
    expect(detail.products.map((product) => product.name)).toEqual([`${O1}-sdp-l0/correlator_data`, `${O1}-sdp-l0/flags`, `${O1}-sdp-l0/weights`]);
  });

  it('looks up changes, tickets, findings and targets', () => {
    expect(query.change('CHG-3')?.status).toBe('rolled-back');
    expect(query.change('CHG-3')?.suspectFeatureKeys).toEqual(['CBF-1K-DELAY']);
    expect(query.changes().map((change) => change.changeId)).toEqual(['CHG-1', 'CHG-2', 'CHG-3']);
    expect(query.ticket('MKAIV-1')?.observationIds).toEqual([O1]);
    expect(query.findings('xfs writer').map((finding) => finding.findingId)).toEqual(['F-1']);
    expect(query.findings('nothing like this')).toEqual([]);
    expect(query.target('pks 1934-63')?.targetName).toBe('J1939-6342');
    expect(query.targets().map((target) => target.targetName)).toEqual(['J0010-4153', 'J1939-6342']);
  });

  it('resolves observation identifiers', () => {
    expect(query.observationIdForCaptureBlock(O1)).toBe(O1);
    expect(query.observationIdForScheduleBlock('20190303-0001')).toBe(O1);
    expect(query.observationIdForScheduleBlock('20190305-0002')).toBe(O3);
    expect(query.observationIdForCaptureBlock('1551699999')).toBeUndefined();
    // O2 starts 11:46:40; 40 s later is within the 60 s tolerance, 80 s is not.
    expect(query.observationIdNearStart('2019-03-04T11:47:20Z')).toBe(O2);
    expect(query.observationIdNearStart('2019-03-04T11:48:00Z')).toBeUndefined();
  });

  it('serves the deployment policy and target tags', () => {
    expect(query.verifiedFeaturesWithComponent('katportal')).toEqual(['CAM-PORTAL']);
    expect(query.verifiedFeaturesWithComponent('cbf-fengine')).toEqual([]);
    expect(query.targetTags('PKS 1934-63')).toEqual(['bpcal', 'delaycal', 'radec']);
    expect(query.targetTags('Fornax A')).toEqual([]);
  });
});

describe('discarded evidence', () => {
  it('leaves discarded data out of the candidates', async () => {
    const discarded = openTestStore();
    const log = smallHistory();
    log.run(observationDecider, observationStream(O2), { type: 'ReviewObservation', data: { observationId: O2, level: 'discarded', reviewer: 'commissioner', reviewedAt: '2019-03-08T09:00:00Z', reason: 'RFI' } }, '2019-03-08T09:00:00Z');
    await log.writeTo(discarded.store);
    const running = startProjections(discarded.store);
    await running.ready;
    const quorum = running.query.verificationQueue(NOW).find((entry) => entry.featureKey === 'SDP-QUORUM');
    // O2 was the only candidate before its data were discarded.
    expect(quorum?.candidates).toEqual([]);
    await running.close();
    await discarded.close();
  });
});

describe('flow per subsystem', () => {
  it('leaves out a subsystem with nothing delivered', async () => {
    const withProposal = openTestStore();
    const log = smallHistory();
    const at = '2019-03-08T10:00:00Z';
    log.run(featureDecider, featureStream('REC-1'), {
      type: 'ProposeFeature',
      data: { featureKey: 'REC-1', title: 'Receptor indexer', subsystem: 'receptor', components: ['rsc'], requirementRefs: [], ticketKeys: [], evidenceCriteria: {}, scores: { userBusinessValue: 1, timeCriticality: 1, riskReductionOpportunityEnablement: 1, jobSize: 1 }, verificationEffort: 1, proposedBy: 'lead', proposedAt: at },
    }, at);
    await log.writeTo(withProposal.store);
    const running = startProjections(withProposal.store);
    await running.ready;
    expect(running.query.flowReport({ now: NOW }).subsystems.map((report) => report.subsystem)).toEqual(['CAM', 'CBF', 'SDP']);
    await running.close();
    await withProposal.close();
  });
});
