import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { CHANGE_ID, DEPLOYED_AT, EARLY_OBSERVATION_ID, FEATURE_KEY, LATER_CHANGE_ID, mutate, OBSERVATION_ID, seedVerifiedFeature, verifyInput } from './scenario.js';

let server: TestServer;
/** A record time after the observation was archived and before the feature was verified. */
let beforeVerification: string;
/** A record time after the feature was verified and before the later change was deployed. */
let afterVerification: string;

function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}

async function query(document: string, variables: Record<string, unknown> = {}) {
  const { status, body } = await server.graphql(document, variables);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(status).toBe(200);
  return body.data!;
}

beforeAll(async () => {
  server = await startTestServer();
  await seedVerifiedFeature(server, undefined, { verify: false });
  await pause();
  beforeVerification = new Date().toISOString();
  await pause();
  await mutate(server, undefined, 'recordVerification', 'RecordVerificationInput', verifyInput, 'Feature');
  await pause();
  afterVerification = new Date().toISOString();
  await pause();
  await mutate(server, undefined, 'recordChange', 'RecordChangeInput', {
    changeId: LATER_CHANGE_ID,
    kind: 'software',
    subsystem: 'SDP',
    components: ['katsdpcontroller'],
    summary: 'controller upgrade',
  }, 'Change');
  await mutate(server, undefined, 'deployChange', 'DeployChangeInput', { changeId: LATER_CHANGE_ID, deploymentId: 'dep-2', deployedAt: '2019-03-10T08:00:00Z' }, 'Change');
});

afterAll(async () => {
  await server.close();
});

describe('feature board', () => {
  it('lists features as a connection', async () => {
    const data = await query('{ features(first: 10) { edges { cursor node { id featureKey status subsystem deliveringChangeId verificationWsjf costOfDelay } } pageInfo { hasNextPage } } }');
    expect(data.features.edges).toHaveLength(1);
    expect(data.features.edges[0].node).toMatchObject({ featureKey: FEATURE_KEY, status: 'SUSPECT', subsystem: 'CBF', deliveringChangeId: CHANGE_ID, costOfDelay: 16 });
    expect(data.features.edges[0].node.verificationWsjf).toBeCloseTo(16 / 3);
    expect(data.features.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by status', async () => {
    const verified = await query('{ features(status: VERIFIED) { edges { node { featureKey } } } }');
    const suspect = await query('{ features(status: SUSPECT) { edges { node { featureKey } } } }');
    expect(verified.features.edges).toHaveLength(0);
    expect(suspect.features.edges).toHaveLength(1);
  });

  it('shows the board as of a past time', async () => {
    const data = await query('query($asOf: String) { features(asOf: $asOf) { edges { node { featureKey status suspectReasons { changeId } } } } }', { asOf: afterVerification });
    expect(data.features.edges[0].node).toMatchObject({ status: 'VERIFIED', suspectReasons: [] });
  });

  it('shows suspect reasons now', async () => {
    const data = await query(`{ feature(featureKey: "${FEATURE_KEY}") { suspectReasons { changeId sharedComponents } } }`);
    expect(data.feature.suspectReasons).toEqual([{ changeId: LATER_CHANGE_ID, sharedComponents: ['katsdpcontroller'] }]);
  });
});

describe('feature page', () => {
  it('returns history, verifications and links', async () => {
    const data = await query(`{ feature(featureKey: "${FEATURE_KEY}") {
      scores { userBusinessValue jobSize } verificationEffort
      evidenceCriteria { band product minReceptors targetTags scanKind }
      history { kind changeId }
      verifications(first: 5) { edges { node { id verificationId outcome observationIds metrics { name value unit } changeId } } }
      suspicions { changeId endedAt }
      changeIds ticketKeys findingIds citedObservationIds
      lastVerdict { verificationId outcome }
    } }`);
    const feature = data.feature;
    expect(feature.scores).toEqual({ userBusinessValue: 8, jobSize: 2 });
    expect(feature.verificationEffort).toBe(3);
    expect(feature.evidenceCriteria).toEqual({ band: 'L', product: 'c856M1k', minReceptors: 4, targetTags: ['delaycal'], scanKind: 'track' });
    expect(feature.history.map((item: { kind: string }) => item.kind)).toEqual(['proposed', 'delivered', 'verification', 'suspect']);
    expect(feature.verifications.edges[0].node).toMatchObject({ verificationId: 'v-1', outcome: 'PASSED', observationIds: [OBSERVATION_ID], changeId: CHANGE_ID });
    expect(feature.verifications.edges[0].node.metrics).toEqual([{ name: 'residual delay', value: 0.4, unit: 'ns' }]);
    expect(feature.suspicions).toEqual([{ changeId: LATER_CHANGE_ID, endedAt: null }]);
    expect(feature.changeIds).toEqual([CHANGE_ID, LATER_CHANGE_ID]);
    expect(feature.ticketKeys).toEqual(['SR-1446']);
    expect(feature.findingIds).toEqual(['F-7']);
    expect(feature.citedObservationIds).toEqual([OBSERVATION_ID]);
    expect(feature.lastVerdict).toEqual({ verificationId: 'v-1', outcome: 'PASSED' });
  });

  it('returns null for an unknown key', async () => {
    const data = await query('{ feature(featureKey: "NOPE-1") { featureKey } }');
    expect(data.feature).toBeNull();
  });

  it('checks evidence with unmet criteria', async () => {
    const data = await query(`{ feature(featureKey: "${FEATURE_KEY}") {
      good: evidenceCheck(observationId: "${OBSERVATION_ID}") { qualifies archived unmet { criterion } }
      early: evidenceCheck(observationId: "${EARLY_OBSERVATION_ID}") { qualifies archived evidenceNotBeforeUtc unmet { criterion required actual message } }
    } }`);
    // Suspect since the later deployment, so even the verifying observation is now too early.
    expect(data.feature.good.archived).toBe(true);
    expect(data.feature.early.qualifies).toBe(false);
    expect(data.feature.early.archived).toBe(false);
    const criteria = data.feature.early.unmet.map((unmet: { criterion: string }) => unmet.criterion);
    expect(criteria).toContain('taken-after-delivery');
  });

  it('resolves a feature by global id', async () => {
    const listed = await query('{ features { edges { node { id } } } }');
    const id = listed.features.edges[0].node.id;
    const data = await query('query($id: ID!) { node(id: $id) { __typename ... on Feature { featureKey } } }', { id });
    expect(data.node).toEqual({ __typename: 'Feature', featureKey: FEATURE_KEY });
  });

  it('resolves other objects by global id', async () => {
    const ids = await query(`{
      feature(featureKey: "${FEATURE_KEY}") { verifications { edges { node { id } } } }
      observation(observationId: "${OBSERVATION_ID}") { id }
      change(changeId: "${CHANGE_ID}") { id }
      ticket(ticketKey: "SR-1446") { id }
      finding(findingId: "F-7") { id }
    }`);
    const list = [ids.feature.verifications.edges[0].node.id, ids.observation.id, ids.change.id, ids.ticket.id, ids.finding.id];
    const data = await query(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename
      ... on Verification { verificationId } ... on Observation { observationId } ... on Change { changeId } ... on Ticket { ticketKey } ... on Finding { findingId } } }`, { ids: list });
    expect(data.nodes).toEqual([
      { __typename: 'Verification', verificationId: 'v-1' },
      { __typename: 'Observation', observationId: OBSERVATION_ID },
      { __typename: 'Change', changeId: CHANGE_ID },
      { __typename: 'Ticket', ticketKey: 'SR-1446' },
      { __typename: 'Finding', findingId: 'F-7' },
    ]);
  });

  it('lists verified features by component', async () => {
    const now = await query('{ verifiedFeatures(component: "cbf-fengine") }');
    const before = await query('query($asOf: String) { verifiedFeatures(component: "cbf-fengine", asOf: $asOf) }', { asOf: afterVerification });
    expect(now.verifiedFeatures).toEqual([]);
    expect(before.verifiedFeatures).toEqual([FEATURE_KEY]);
  });
});

describe('verification queue', () => {
  it('lists the suspect feature', async () => {
    const data = await query('{ verificationQueue { featureKey status verificationWsjf evidenceNotBeforeUtc candidates { observationId } moreCandidates } }');
    expect(data.verificationQueue).toEqual([
      { featureKey: FEATURE_KEY, status: 'suspect', verificationWsjf: 16 / 3, evidenceNotBeforeUtc: '2019-03-10T08:00:00Z', candidates: [], moreCandidates: false },
    ]);
  });

  it('lists candidate evidence while delivered', async () => {
    const delivered = await query('query($asOf: String) { verificationQueue(asOf: $asOf) { featureKey status evidenceNotBeforeUtc candidates { observationId band product onTargetSeconds } } }', { asOf: beforeVerification });
    expect(delivered.verificationQueue).toEqual([
      { featureKey: FEATURE_KEY, status: 'delivered', evidenceNotBeforeUtc: DEPLOYED_AT, candidates: [{ observationId: OBSERVATION_ID, band: 'L', product: 'c856M1k', onTargetSeconds: 300 }] },
    ]);
  });

  it('drops a verified feature from the queue', async () => {
    const verified = await query('query($asOf: String) { verificationQueue(asOf: $asOf) { featureKey } }', { asOf: afterVerification });
    expect(verified.verificationQueue).toEqual([]);
  });

  it('rejects a candidate limit out of range', async () => {
    const { body } = await server.graphql('{ verificationQueue(candidateLimit: 500) { featureKey } }');
    expect(body.errors?.[0]?.message).toContain('candidateLimit must be 50 or less');
  });
});

describe('flow and ledger', () => {
  it('reports backpressure', async () => {
    const data = await query('{ flow(windowDays: 3650) { overall { subsystem flow { arrivals departures wip wipFeatureKeys } assessment { signal wipLimit reasons } recommendation } subsystems { subsystem } } }');
    expect(data.flow.overall.subsystem).toBeNull();
    expect(data.flow.overall.flow).toMatchObject({ arrivals: 1, departures: 1, wip: 1, wipFeatureKeys: [FEATURE_KEY] });
    expect(['green', 'amber', 'red']).toContain(data.flow.overall.assessment.signal);
    expect(data.flow.overall.recommendation.length).toBeGreaterThan(0);
    expect(data.flow.subsystems).toEqual([{ subsystem: 'CBF' }]);
  });

  it('applies wip limits', async () => {
    const data = await query('{ flow(windowDays: 3650, wipLimits: [{ subsystem: "CBF", limit: 0 }]) { subsystems { assessment { signal wipLimit wipLimitIsDefault } } } }');
    expect(data.flow.subsystems[0].assessment).toEqual({ signal: 'red', wipLimit: 0, wipLimitIsDefault: false });
  });

  it('reports unverified data', async () => {
    const data = await query('{ unverifiedData(continuumMinOnTargetSeconds: 60) { observations hours hoursByReviewState { neverReviewed inspected } hoursNotLookedAtInDetail byBand { key observations } oldestUnreviewed { observationId } continuumQaCoverage { qualifying } archiveLatency { observations } } }');
    const ledger = data.unverifiedData;
    expect(ledger.observations).toBe(2);
    expect(ledger.hours).toBeCloseTo(40 / 60);
    expect(ledger.hoursByReviewState.neverReviewed).toBeCloseTo(40 / 60);
    expect(ledger.byBand).toEqual([{ key: 'L', observations: 2 }]);
    expect(ledger.oldestUnreviewed.observationId).toBe(EARLY_OBSERVATION_ID);
    expect(ledger.continuumQaCoverage.qualifying).toBe(2);
  });
});

describe('traceability and timeline', () => {
  it('traces a requirement', async () => {
    const data = await query('{ traceability { requirementRef coverage featureCount features { featureKey changeIds observationIds ticketKeys verifications { verificationId outcome } } } }');
    expect(data.traceability).toHaveLength(1);
    expect(data.traceability[0]).toMatchObject({ requirementRef: 'R.RC.P.30', featureCount: 1 });
    expect(data.traceability[0].features[0]).toMatchObject({ featureKey: FEATURE_KEY, observationIds: [OBSERVATION_ID], ticketKeys: ['SR-1446'] });
  });

  it('lists the timeline in time order', async () => {
    const data = await query('{ timeline { total entries { kind at changeId observationId } } }');
    const times = data.timeline.entries.map((entry: { at: string }) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const kinds = data.timeline.entries.map((entry: { kind: string }) => entry.kind);
    expect(kinds).toContain('change-deployed');
    expect(kinds).toContain('observation');
    expect(kinds).toContain('verification');
    expect(data.timeline.total).toBe(data.timeline.entries.length);
  });

  it('filters the timeline by kind', async () => {
    const data = await query('{ timeline(kinds: ["observation"]) { entries { kind observationId } } }');
    expect(data.timeline.entries.map((entry: { observationId: string }) => entry.observationId)).toEqual([EARLY_OBSERVATION_ID, OBSERVATION_ID]);
  });

  it('rejects an unknown timeline kind', async () => {
    const { body } = await server.graphql('{ timeline(kinds: ["party"]) { total } }');
    expect(body.errors?.[0]?.message).toContain('each kind must be one of');
  });
});

describe('changes and configuration', () => {
  it('lists changes', async () => {
    const data = await query('{ changes(first: 10) { edges { node { changeId status kind components deployments { deploymentId deployedAt scope { subarray receptors } } suspectFeatureKeys } } } }');
    const byId = Object.fromEntries(data.changes.edges.map((edge: { node: { changeId: string } }) => [edge.node.changeId, edge.node]));
    expect(byId[CHANGE_ID]).toMatchObject({ status: 'deployed', kind: 'firmware', deployments: [{ deploymentId: 'dep-1', deployedAt: DEPLOYED_AT, scope: { subarray: null, receptors: [] } }] });
    expect(byId[LATER_CHANGE_ID].suspectFeatureKeys).toEqual([FEATURE_KEY]);
  });

  it('returns one change', async () => {
    const data = await query(`{ change(changeId: "${CHANGE_ID}") { changeId version summary deliversFeatures } }`);
    expect(data.change).toEqual({ changeId: CHANGE_ID, version: 'cbf 5.1', summary: 'F-engine start-delay fix', deliversFeatures: [FEATURE_KEY] });
  });

  it('returns the configuration at a time', async () => {
    const data = await query('{ configuration(at: "2019-03-09T00:00:00Z") { component changeId } }');
    expect(data.configuration).toEqual([{ component: 'cbf-fengine', changeId: CHANGE_ID }]);
  });

  it('returns changes between observations', async () => {
    const data = await query(`{ changesBetween(observationA: "${EARLY_OBSERVATION_ID}", observationB: "${OBSERVATION_ID}") { fromObservationId toObservationId changes { changeId action } } }`);
    expect(data.changesBetween).toEqual({ fromObservationId: EARLY_OBSERVATION_ID, toObservationId: OBSERVATION_ID, changes: [{ changeId: CHANGE_ID, action: 'deployed' }] });
  });

  it('reads a date as the end of that day', async () => {
    // Every event of the scenario is recorded today, so the end of a day in 2019 shows none of them.
    const data = await query('{ features(asOf: "2019-03-31") { edges { node { featureKey } } } }');
    expect(data.features).toEqual({ edges: [] });
    const { body } = await server.graphql('{ features(asOf: "2019-02-30") { edges { node { featureKey } } } }');
    expect(body.errors?.[0]?.message).toContain('expected a time that exists: February 2019 has 28 days');
  });

  it('measures at a given now', async () => {
    const now = '2019-03-12T20:00:00Z';
    const data = await query('query($now: String) { features(now: $now) { edges { node { featureKey status waitingSince daysWaiting } } } }', { now });
    expect(data.features.edges[0].node).toMatchObject({ featureKey: FEATURE_KEY, status: 'SUSPECT', waitingSince: '2019-03-10T08:00:00Z' });
    // From 2019-03-10 08:00 to 2019-03-12 20:00 is two and a half days.
    expect(data.features.edges[0].node.daysWaiting).toBeCloseTo(2.5, 6);
    const detail = await query(`query($now: String) { feature(featureKey: "${FEATURE_KEY}", now: $now) { daysWaiting } }`, { now });
    expect(detail.feature.daysWaiting).toBeCloseTo(2.5, 6);
  });

  it('reads a now date as the end of that day', async () => {
    const data = await query('{ features(now: "2019-03-11") { edges { node { daysWaiting } } } }');
    // From 2019-03-10 08:00 to the last millisecond of 2019-03-11.
    expect(data.features.edges[0].node.daysWaiting).toBeCloseTo((Date.parse('2019-03-11T23:59:59.999Z') - Date.parse('2019-03-10T08:00:00Z')) / 86_400_000, 6);
  });

  it('counts the window before now', async () => {
    const document = 'query($now: String) { flow(now: $now, windowDays: 7) { overall { flow { arrivals departures } } } }';
    // The week before 2019-03-12 08:00 contains the delivery (03-07 12:00) and the passed verification (03-09).
    const then = await query(document, { now: '2019-03-12T08:00:00Z' });
    expect(then.flow.overall.flow).toEqual({ arrivals: 1, departures: 1 });
    const today = await query(document);
    expect(today.flow.overall.flow).toEqual({ arrivals: 0, departures: 0 });
  });

  it('ages the oldest unreviewed observation at now', async () => {
    const data = await query('{ unverifiedData(now: "2019-03-15T16:24:22Z") { oldestUnreviewed { observationId startUtc ageDays } } }');
    expect(data.unverifiedData.oldestUnreviewed).toEqual({ observationId: EARLY_OBSERVATION_ID, startUtc: '2019-03-05T16:24:22Z', ageDays: 10 });
  });

  it('shows what had happened by now', async () => {
    const document = 'query($now: String) { features(now: $now) { edges { node { featureKey status daysWaiting } } } verificationQueue(now: $now) { featureKey } }';
    // Proposed 03-01, delivered when CHG deployed on 03-07 12:00, verified on 03-09, all recorded today.
    const proposed = await query(document, { now: '2019-03-05T00:00:00Z' });
    expect(proposed.features.edges.map((edge: { node: unknown }) => edge.node)).toEqual([{ featureKey: FEATURE_KEY, status: 'PROPOSED', daysWaiting: null }]);
    expect(proposed.verificationQueue).toEqual([]);
    const delivered = await query(document, { now: '2019-03-08T12:00:00Z' });
    expect(delivered.features.edges.map((edge: { node: unknown }) => edge.node)).toEqual([{ featureKey: FEATURE_KEY, status: 'DELIVERED', daysWaiting: 1 }]);
    expect(delivered.verificationQueue).toEqual([{ featureKey: FEATURE_KEY }]);
    const before = await query(document, { now: '2019-02-01T00:00:00Z' });
    expect(before.features.edges).toEqual([]);
  });

  it('orders the queue at now', async () => {
    const data = await query('{ verificationQueue(now: "2019-03-12T08:00:00Z") { featureKey daysWaiting } }');
    expect(data.verificationQueue).toEqual([{ featureKey: FEATURE_KEY, daysWaiting: 2 }]);
  });

  it('keeps the records of asOf with another now', async () => {
    const data = await query('query($asOf: String, $now: String) { features(asOf: $asOf, now: $now) { edges { node { status daysWaiting } } } }', { asOf: afterVerification, now: '2019-03-12T08:00:00Z' });
    expect(data.features.edges[0].node).toEqual({ status: 'VERIFIED', daysWaiting: null });
  });

  it('rejects a now that does not exist', async () => {
    const { body } = await server.graphql('{ flow(now: "2019-02-30") { overall { flow { arrivals } } } }');
    expect(body.errors?.[0]?.message).toContain('now: expected a time that exists: February 2019 has 28 days');
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('rejects a time whose UTC year is out of range', async () => {
    const { body } = await server.graphql('{ flow(asOf: "1900-01-01T00:30:00+01:00") { overall { flow { arrivals } } } }');
    expect(body.errors?.[0]?.message).toContain('expected a time between the years 1900 and 2199 in UTC, but 1900-01-01T00:30:00+01:00 is in 1899 in UTC');
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('rejects a day that does not exist', async () => {
    const { body } = await server.graphql('{ configuration(at: "2019-02-30T00:00:00Z") { component } }');
    expect(body.errors?.[0]?.message).toContain('expected a time that exists: February 2019 has 28 days');
  });

  it('rejects a malformed time', async () => {
    const { body } = await server.graphql('{ configuration(at: "yesterday") { component } }');
    expect(body.errors?.[0]?.message).toContain('expected an ISO 8601 time with a zone');
  });
});

describe('observations', () => {
  it('searches observations', async () => {
    const data = await query('{ observations(first: 1, band: "L") { totalCount edges { node { observationId } } pageInfo { hasNextPage endCursor } } }');
    expect(data.observations.totalCount).toBe(2);
    expect(data.observations.edges.map((edge: { node: { observationId: string } }) => edge.node.observationId)).toEqual([OBSERVATION_ID]);
    expect(data.observations.pageInfo.hasNextPage).toBe(true);
    const next = await query('query($after: String) { observations(first: 1, band: "L", after: $after) { edges { node { observationId } } } }', { after: data.observations.pageInfo.endCursor });
    expect(next.observations.edges[0].node.observationId).toBe(EARLY_OBSERVATION_ID);
  });

  it('returns an observation with facts and links', async () => {
    const data = await query(`{ observation(observationId: "${OBSERVATION_ID}") {
      captureBlockId scheduleBlockId band product startUtc receptors
      targets { name tags } compoundScans { kind durationSeconds }
      facts { name source { importer file locator } }
      identifiers { kind value } products { name } reviewState citedBy { featureKey verificationId } ticketKeys findingIds gap { kinds }
    } }`);
    const observation = data.observation;
    expect(observation).toMatchObject({ captureBlockId: OBSERVATION_ID, scheduleBlockId: '20190308-0083', band: 'L', product: 'c856M1k', reviewState: 'NEVER_REVIEWED' });
    expect(observation.receptors).toHaveLength(5);
    expect(observation.compoundScans).toEqual([{ kind: 'track', durationSeconds: 300 }]);
    expect(observation.facts.find((fact: { name: string }) => fact.name === 'band').source).toEqual({ importer: 'obslog', file: 'obslog-1552039941.log', locator: '17' });
    expect(observation.products).toEqual([{ name: `${OBSERVATION_ID}-sdp-l0` }]);
    expect(observation.citedBy).toEqual([{ featureKey: FEATURE_KEY, verificationId: 'v-1' }]);
    expect(observation.ticketKeys).toEqual(['SR-1446']);
    expect(observation.findingIds).toEqual(['F-7']);
  });

  it('looks up identities', async () => {
    const data = await query('{ byCaptureBlock: observationIdFor(captureBlockId: "1552039941") bySchedule: observationIdFor(scheduleBlockId: "20190308-0083") byStart: observationIdFor(startUtc: "2019-03-08T10:12:40Z") unknown: observationIdFor(captureBlockId: "1") }');
    expect(data).toEqual({ byCaptureBlock: OBSERVATION_ID, bySchedule: OBSERVATION_ID, byStart: OBSERVATION_ID, unknown: null });
  });

  it('lists data gaps', async () => {
    const data = await query('{ dataGaps { observationId kinds } }');
    const gaps = Object.fromEntries(data.dataGaps.map((gap: { observationId: string; kinds: string[] }) => [gap.observationId, gap.kinds]));
    expect(gaps[EARLY_OBSERVATION_ID]).toContain('not-archived');
  });
});

describe('tickets, findings and targets', () => {
  it('lists tickets', async () => {
    const data = await query('{ tickets { edges { node { ticketKey status featureKeys observationIds } } } ticket(ticketKey: "SR-1446") { summary } }');
    expect(data.tickets.edges[0].node).toEqual({ ticketKey: 'SR-1446', status: 'Done', featureKeys: [FEATURE_KEY], observationIds: [OBSERVATION_ID] });
    expect(data.ticket.summary).toBe('Start delay wrong in 1K mode');
  });

  it('searches findings', async () => {
    const data = await query('{ hit: findings(text: "fringes drift") { edges { node { findingId cause links { components } } } } miss: findings(text: "quorum") { edges { node { findingId } } } finding(findingId: "F-7") { title } }');
    expect(data.hit.edges[0].node).toEqual({ findingId: 'F-7', cause: 'stale delay model', links: { components: ['cbf-fengine'] } });
    expect(data.miss.edges).toEqual([]);
    expect(data.finding.title).toBe('F-engine delay offset after restart');
  });

  it('finds a target by alias', async () => {
    const data = await query('{ target(name: "j1939-6342") { targetName tags } targets { targetName } }');
    expect(data.target).toEqual({ targetName: 'PKS 1934-63', tags: ['bpcal', 'delaycal', 'radec'] });
    expect(data.targets).toEqual([{ targetName: 'PKS 1934-63' }]);
  });

  it('reports log position and identity', async () => {
    const data = await query('{ logPosition whoAmI { name role localMode } }');
    expect(BigInt(data.logPosition)).toBeGreaterThan(0n);
    expect(data.whoAmI).toEqual({ name: 'local', role: 'admin', localMode: true });
  });
});
