import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { CHANGE_ID, EARLY_OBSERVATION_ID, FEATURE_KEY, mutate, OBSERVATION_ID, PROPOSE, proposeInput, seedVerifiedFeature, verifyInput } from './scenario.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.close();
});

async function run(document: string, input: unknown) {
  const { status, body } = await server.graphql(document, { input });
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(status).toBe(200);
  return Object.values(body.data!)[0] as Record<string, any>;
}

describe('feature mutations', () => {
  it('propose returns the feature', async () => {
    const result = await run(PROPOSE, proposeInput);
    expect(result).toEqual({ __typename: 'Feature', featureKey: FEATURE_KEY, status: 'PROPOSED' });
  });

  it('records the token label as actor', async () => {
    const token = server.createToken('commissioner', 'lead commissioner');
    await server.graphql(PROPOSE, { input: proposeInput }, token);
    const { body } = await server.graphql(`{ feature(featureKey: "${FEATURE_KEY}") { history { detail } } }`, {}, token);
    expect(body.data!.feature.history[0].detail).toBe('proposed by lead commissioner');
  });

  it('proposes with tickets', async () => {
    await run(PROPOSE, { ...proposeInput, ticketKeys: ['MKAIV-449'] });
    await run('mutation($input: RecordTicketInput!) { recordTicket(input: $input) { __typename } }', { ticketKey: 'MKAIV-449', summary: 'Three-calibrator imaging', status: 'Open' });
    const { body } = await server.graphql(`{ feature(featureKey: "${FEATURE_KEY}") { ticketKeys } ticket(ticketKey: "MKAIV-449") { trackedFeatureKeys } }`, {});
    expect(body.data!.feature.ticketKeys).toEqual(['MKAIV-449']);
    expect(body.data!.ticket.trackedFeatureKeys).toEqual([FEATURE_KEY]);
  });

  it('propose twice returns FeatureAlreadyExists', async () => {
    await run(PROPOSE, proposeInput);
    const result = await run(`mutation($input: ProposeFeatureInput!) { proposeFeature(input: $input) { __typename ... on FeatureAlreadyExists { kind message featureKey } } }`, proposeInput);
    expect(result).toEqual({ __typename: 'FeatureAlreadyExists', kind: 'FeatureAlreadyExists', featureKey: FEATURE_KEY, message: `feature ${FEATURE_KEY} already exists; choose another key or rescore the existing feature` });
  });

  it('rejects a score off the WSJF scale', async () => {
    const result = await run(
      `mutation($input: ProposeFeatureInput!) { proposeFeature(input: $input) { __typename ... on InvalidWsjfScore { field value allowed message } } }`,
      { ...proposeInput, scores: { ...proposeInput.scores, jobSize: 4 } },
    );
    expect(result).toEqual({ __typename: 'InvalidWsjfScore', field: 'jobSize', value: 4, allowed: [1, 2, 3, 5, 8, 13, 20], message: 'jobSize 4 is not on the WSJF scale; use one of 1, 2, 3, 5, 8, 13, 20' });
  });

  it('rescores, sets criteria, delivers and withdraws', async () => {
    await run(PROPOSE, proposeInput);
    const rescored = await run('mutation($input: RescoreFeatureInput!) { rescoreFeature(input: $input) { ... on Feature { verificationEffort verificationWsjf } } }', { featureKey: FEATURE_KEY, scores: { ...proposeInput.scores, userBusinessValue: 20 }, verificationEffort: 2 });
    expect(rescored).toEqual({ verificationEffort: 2, verificationWsjf: 14 });
    const criteria = await run('mutation($input: SetEvidenceCriteriaInput!) { setEvidenceCriteria(input: $input) { ... on Feature { evidenceCriteria { band minReceptors } } } }', { featureKey: FEATURE_KEY, evidenceCriteria: { band: 'UHF' } });
    expect(criteria.evidenceCriteria).toEqual({ band: 'UHF', minReceptors: null });
    const tickets = await run('mutation($input: SetFeatureTicketsInput!) { setFeatureTickets(input: $input) { ... on Feature { ticketKeys history { kind detail } } } }', { featureKey: FEATURE_KEY, ticketKeys: ['MKAIV-450', 'MKAIV-449'] });
    expect(tickets.ticketKeys).toEqual(['MKAIV-449', 'MKAIV-450']);
    expect(tickets.history.at(-1)).toEqual({ kind: 'tickets-set', detail: expect.stringMatching(/^tickets set by .+: MKAIV-450, MKAIV-449$/) });
    const delivered = await run('mutation($input: DeliverFeatureInput!) { deliverFeature(input: $input) { ... on Feature { status deliveredAt deliveringChangeId } } }', { featureKey: FEATURE_KEY, deliveredAt: '2019-03-07T12:00:00Z' });
    expect(delivered).toEqual({ status: 'DELIVERED', deliveredAt: '2019-03-07T12:00:00Z', deliveringChangeId: null });
    const withdrawn = await run('mutation($input: WithdrawFeatureInput!) { withdrawFeature(input: $input) { ... on Feature { status } } }', { featureKey: FEATURE_KEY, reason: 'superseded' });
    expect(withdrawn).toEqual({ status: 'WITHDRAWN' });
  });

  it('rejects a time in the future', async () => {
    await run(PROPOSE, proposeInput);
    const result = await run('mutation($input: DeliverFeatureInput!) { deliverFeature(input: $input) { __typename ... on InvalidValue { field message } } }', { featureKey: FEATURE_KEY, deliveredAt: '2150-01-01T00:00:00Z' });
    expect(result.__typename).toBe('InvalidValue');
    expect(result.field).toBe('deliveredAt');
    expect(result.message).toMatch(/^deliveredAt "2150-01-01T00:00:00Z" is invalid; expected a time that has passed \(the server's clock reads 20\d\d-/);
  });

  it('rejects a delivery by an unknown change', async () => {
    await run(PROPOSE, proposeInput);
    const result = await run('mutation($input: DeliverFeatureInput!) { deliverFeature(input: $input) { __typename ... on ChangeNotFound { changeId message } } }', { featureKey: FEATURE_KEY, changeId: 'does-not-exist', deliveredAt: '2019-03-07T12:00:00Z' });
    expect(result).toEqual({ __typename: 'ChangeNotFound', changeId: 'does-not-exist', message: 'change does-not-exist not found; record it first' });
    const { body } = await server.graphql(`{ feature(featureKey: "${FEATURE_KEY}") { status } }`);
    expect(body.data!.feature.status).toBe('PROPOSED');
  });

  it('rejects a transition with the allowed statuses', async () => {
    await run(PROPOSE, proposeInput);
    const result = await run('mutation($input: ClearSuspicionInput!) { clearSuspicion(input: $input) { __typename ... on InvalidFeatureTransition { status command allowedStatuses message } } }', { featureKey: FEATURE_KEY, justification: 'fine' });
    expect(result).toEqual({ __typename: 'InvalidFeatureTransition', status: 'proposed', command: 'ClearSuspicion', allowedStatuses: ['suspect'], message: `cannot clear the suspicion of feature ${FEATURE_KEY}: it is proposed, and this needs a feature that is suspect` });
  });

  it('verifies with evidence', async () => {
    await seedVerifiedFeature(server, undefined, { verify: false });
    const verified = await run('mutation($input: RecordVerificationInput!) { recordVerification(input: $input) { ... on Feature { status verifiedAt lastVerdict { verificationId } } } }', verifyInput);
    expect(verified).toEqual({ status: 'VERIFIED', verifiedAt: '2019-03-09T08:00:00Z', lastVerdict: { verificationId: 'v-1' } });
  });

  it('rejects evidence taken before deployment', async () => {
    await seedVerifiedFeature(server, undefined, { verify: false });
    const result = await run(
      'mutation($input: RecordVerificationInput!) { recordVerification(input: $input) { __typename ... on DomainError { message } ... on ObservationBeforeDeployment { observationId observationStartUtc requiredAfterUtc } ... on EvidenceCriteriaUnmet { observationId unmet { criterion required actual } } } }',
      { ...verifyInput, observationIds: [EARLY_OBSERVATION_ID] },
    );
    expect(['ObservationBeforeDeployment', 'EvidenceCriteriaUnmet']).toContain(result.__typename);
    expect(result.observationId).toBe(EARLY_OBSERVATION_ID);
    expect(result.message).toContain(EARLY_OBSERVATION_ID);
  });

  it('rejects an unknown observation', async () => {
    await seedVerifiedFeature(server, undefined, { verify: false });
    const result = await run('mutation($input: RecordVerificationInput!) { recordVerification(input: $input) { __typename ... on ObservationNotFound { observationId message } } }', { ...verifyInput, observationIds: ['999'] });
    expect(result).toEqual({ __typename: 'ObservationNotFound', observationId: '999', message: 'observation 999 not found; record its facts first or check the id' });
  });

  it('marks suspect and clears suspicion', async () => {
    await seedVerifiedFeature(server);
    const unknown = await run('mutation($input: MarkFeatureSuspectInput!) { markFeatureSuspect(input: $input) { __typename } }', { featureKey: FEATURE_KEY, changeId: 'CBF-REL-6', deployedAt: '2019-04-01T00:00:00Z', sharedComponents: ['cbf-fengine'] });
    expect(unknown).toEqual({ __typename: 'ChangeNotFound' });
    await mutate(server, undefined, 'recordChange', 'RecordChangeInput', { changeId: 'CBF-REL-6', kind: 'firmware', subsystem: 'CBF', components: ['cbf-fengine'], summary: 'B-engine gains' }, 'Change');
    const suspect = await run('mutation($input: MarkFeatureSuspectInput!) { markFeatureSuspect(input: $input) { ... on Feature { status suspectReasons { changeId } } } }', { featureKey: FEATURE_KEY, changeId: 'CBF-REL-6', deployedAt: '2019-04-01T00:00:00Z', sharedComponents: ['cbf-fengine'] });
    expect(suspect).toEqual({ status: 'SUSPECT', suspectReasons: [{ changeId: 'CBF-REL-6' }] });
    const cleared = await run('mutation($input: ClearSuspicionInput!) { clearSuspicion(input: $input) { ... on Feature { status suspicions { justification } } } }', { featureKey: FEATURE_KEY, justification: 'only the B-engine changed' });
    expect(cleared).toEqual({ status: 'VERIFIED', suspicions: [{ justification: 'only the B-engine changed' }] });
  });
});

describe('change mutations', () => {
  it('deploying delivers the feature through the policy', async () => {
    await run(PROPOSE, proposeInput);
    await mutate(server, undefined, 'recordChange', 'RecordChangeInput', { changeId: CHANGE_ID, kind: 'firmware', subsystem: 'CBF', components: ['cbf-fengine'], summary: 'fix', deliversFeatures: [FEATURE_KEY] }, 'Change');
    const deployed = await run('mutation($input: DeployChangeInput!) { deployChange(input: $input) { ... on Change { status deployments { deploymentId scope { subarray receptors hosts } } } } }', {
      changeId: CHANGE_ID,
      deploymentId: 'dep-1',
      deployedAt: '2019-03-07T12:00:00Z',
      scope: { subarray: 'array_1', receptors: ['m000'] },
    });
    expect(deployed).toEqual({ status: 'deployed', deployments: [{ deploymentId: 'dep-1', scope: { subarray: 'array_1', receptors: ['m000'], hosts: [] } }] });
    const { body } = await server.graphql(`{ feature(featureKey: "${FEATURE_KEY}") { status deliveringChangeId } }`);
    expect(body.data!.feature).toEqual({ status: 'DELIVERED', deliveringChangeId: CHANGE_ID });
  });

  it('recognises a retried deployment without an id', async () => {
    await mutate(server, undefined, 'recordChange', 'RecordChangeInput', { changeId: CHANGE_ID, kind: 'software', subsystem: 'SDP', components: ['katsdpcontroller'], summary: 'fix' }, 'Change');
    const input = { changeId: CHANGE_ID, deployedAt: '2019-03-07T12:00:00Z', scope: { subarray: 'array_1' } };
    await mutate(server, undefined, 'deployChange', 'DeployChangeInput', input, 'Change');
    const again = await run('mutation($input: DeployChangeInput!) { deployChange(input: $input) { __typename } }', input);
    expect(again).toEqual({ __typename: 'DeploymentAlreadyRecorded' });
    const later = await run('mutation($input: DeployChangeInput!) { deployChange(input: $input) { ... on Change { deployments { deployedAt } } } }', { ...input, deployedAt: '2019-03-08T12:00:00Z' });
    expect(later.deployments).toEqual([{ deployedAt: '2019-03-07T12:00:00Z' }, { deployedAt: '2019-03-08T12:00:00Z' }]);
  });

  it('rolls back and rejects a second rollback', async () => {
    await mutate(server, undefined, 'recordChange', 'RecordChangeInput', { changeId: CHANGE_ID, kind: 'software', subsystem: 'SDP', components: ['katsdpcontroller'], summary: 'fix' }, 'Change');
    await mutate(server, undefined, 'deployChange', 'DeployChangeInput', { changeId: CHANGE_ID }, 'Change');
    const rolled = await run('mutation($input: RollBackChangeInput!) { rollBackChange(input: $input) { ... on Change { status rollbacks { reason } } } }', { changeId: CHANGE_ID, reason: 'regression' });
    expect(rolled).toEqual({ status: 'rolled-back', rollbacks: [{ reason: 'regression' }] });
    const again = await run('mutation($input: RollBackChangeInput!) { rollBackChange(input: $input) { __typename ... on ChangeNotDeployed { changeId status } } }', { changeId: CHANGE_ID, reason: 'again' });
    expect(again).toEqual({ __typename: 'ChangeNotDeployed', changeId: CHANGE_ID, status: 'rolled-back' });
  });

  it('rejects an unknown change kind before the domain', async () => {
    const { body } = await server.graphql('mutation($input: RecordChangeInput!) { recordChange(input: $input) { __typename } }', { input: { changeId: 'C-1', kind: 'magic', subsystem: 'SDP', components: [], summary: 's' } });
    expect(body.errors?.[0]?.message).toContain('kind must be one of software, firmware');
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('observation mutations', () => {
  it('links, notes, archives and reviews', async () => {
    await mutate(server, undefined, 'recordObservationFacts', 'RecordObservationFactsInput', { observationId: OBSERVATION_ID, facts: { startUtc: '2019-03-08T10:12:21Z', band: 'L' } }, 'Observation');
    const linked = await run('mutation($input: LinkObservationIdentifierInput!) { linkObservationIdentifier(input: $input) { ... on Observation { identifiers { kind value } } } }', { observationId: OBSERVATION_ID, identifier: { kind: 'schedule-block', value: '20190308-0083' }, reason: 'same start time' });
    expect(linked.identifiers).toContainEqual({ kind: 'schedule-block', value: '20190308-0083' });
    const noted = await run('mutation($input: NoteObservationAnomalyInput!) { noteObservationAnomaly(input: $input) { ... on Observation { anomalies { kind receptors detail } } } }', { observationId: OBSERVATION_ID, anomaly: { kind: 'stragglers', detail: 'm010 late', receptors: ['m010'] } });
    expect(noted.anomalies).toEqual([{ kind: 'stragglers', receptors: ['m010'], detail: 'm010 late' }]);
    const archived = await run('mutation($input: RecordArchivedProductsInput!) { recordArchivedProducts(input: $input) { ... on Observation { products { name location archivedAt } } } }', { observationId: OBSERVATION_ID, products: [{ name: 'l0', location: 's3://l0/' }] });
    expect(archived.products).toEqual([{ name: 'l0', location: 's3://l0/', archivedAt: null }]);
    const reviewed = await run('mutation($input: ReviewObservationInput!) { reviewObservation(input: $input) { ... on Observation { reviewState reviews { level reviewer notes } } } }', { observationId: OBSERVATION_ID, level: 'INSPECTED', notes: 'clean bandpass' });
    expect(reviewed).toEqual({ reviewState: 'INSPECTED', reviews: [{ level: 'INSPECTED', reviewer: 'local', notes: 'clean bandpass' }] });
    const unlinked = await run('mutation($input: UnlinkObservationIdentifierInput!) { unlinkObservationIdentifier(input: $input) { ... on Observation { identifiers { value } } } }', { observationId: OBSERVATION_ID, identifier: { kind: 'schedule-block', value: '20190308-0083' }, reason: 'wrong match' });
    expect(unlinked.identifiers).not.toContainEqual({ value: '20190308-0083' });
  });

  it('reviews an observation by its schedule block', async () => {
    await mutate(server, undefined, 'recordObservationFacts', 'RecordObservationFactsInput', { observationId: OBSERVATION_ID, facts: { startUtc: '2019-03-08T10:12:21Z', scheduleBlockId: '20190308-0083' } }, 'Observation');
    for (const observationId of ['sb-20190308-0083', '20190308-0083']) {
      const reviewed = await run('mutation($input: ReviewObservationInput!) { reviewObservation(input: $input) { ... on Observation { observationId reviewState } } }', { observationId, level: 'INSPECTED', reviewedAt: '2019-03-09T00:00:00Z' });
      expect(reviewed).toEqual({ observationId: OBSERVATION_ID, reviewState: 'INSPECTED' });
    }
  });

  it('rejects a review of an unknown observation', async () => {
    const result = await run('mutation($input: ReviewObservationInput!) { reviewObservation(input: $input) { __typename ... on ObservationNotFound { observationId } } }', { observationId: '42', level: 'IMAGED' });
    expect(result).toEqual({ __typename: 'ObservationNotFound', observationId: '42' });
  });
});

describe('record mutations', () => {
  it('records and updates a ticket', async () => {
    const first = await run('mutation($input: RecordTicketInput!) { recordTicket(input: $input) { ... on Ticket { ticketKey status links { relation ticketKey } } } }', { ticketKey: 'SR-1446', summary: 's', status: 'Open', links: [{ direction: 'outward', relation: 'relates to', ticketKey: 'SR-1' }] });
    expect(first).toEqual({ ticketKey: 'SR-1446', status: 'Open', links: [{ relation: 'relates to', ticketKey: 'SR-1' }] });
    const second = await run('mutation($input: RecordTicketInput!) { recordTicket(input: $input) { ... on Ticket { status } } }', { ticketKey: 'SR-1446', summary: 's', status: 'Done' });
    expect(second).toEqual({ status: 'Done' });
  });

  it('records, revises and links a finding', async () => {
    await mutate(server, undefined, 'recordFinding', 'RecordFindingInput', { findingId: 'F-1', title: 'drift', symptom: 'fringes drift' }, 'Finding');
    const revised = await run('mutation($input: ReviseFindingInput!) { reviseFinding(input: $input) { ... on Finding { cause workaround } } }', { findingId: 'F-1', cause: 'stale model' });
    expect(revised).toEqual({ cause: 'stale model', workaround: '' });
    const linked = await run('mutation($input: LinkFindingInput!) { linkFinding(input: $input) { ... on Finding { links { hosts } } } }', { findingId: 'F-1', links: { hosts: ['cbf1'] } });
    expect(linked).toEqual({ links: { hosts: ['cbf1'] } });
    const missing = await run('mutation($input: ReviseFindingInput!) { reviseFinding(input: $input) { __typename ... on FindingNotFound { findingId } } }', { findingId: 'F-9', cause: 'x' });
    expect(missing).toEqual({ __typename: 'FindingNotFound', findingId: 'F-9' });
  });

  it('records a target', async () => {
    const target = await run('mutation($input: RecordTargetInput!) { recordTarget(input: $input) { ... on Target { targetName aliases tags } } }', { targetName: 'PKS 1934-63', aliases: ['1934-638'], tags: ['radec', 'bpcal'] });
    expect(target).toEqual({ targetName: 'PKS 1934-63', aliases: ['1934-638'], tags: ['bpcal', 'radec'] });
  });
});

describe('token mutations', () => {
  it('creates a usable token and revokes it', async () => {
    const admin = server.createToken('admin');
    const { body } = await server.graphql('mutation { createToken(role: ENGINEER, label: "ingest script") { secret token { tokenId role label } } }', {}, admin);
    const created = body.data!.createToken;
    expect(created.token).toMatchObject({ role: 'ENGINEER', label: 'ingest script' });
    const identity = await server.graphql('{ whoAmI { name role } }', {}, created.secret);
    expect(identity.body.data!.whoAmI).toEqual({ name: 'ingest script', role: 'engineer' });

    await server.graphql('mutation($id: String!) { revokeToken(tokenId: $id) { revokedAt } }', { id: created.token.tokenId }, admin);
    const rejected = await server.graphql('{ whoAmI { name } }', {}, created.secret);
    expect(rejected.status).toBe(401);
    expect(rejected.body.errors?.[0]?.message).toContain('was revoked');
  });

  it('rejects revoking an unknown token', async () => {
    const admin = server.createToken('admin');
    const { body } = await server.graphql('mutation { revokeToken(tokenId: "abc") { revokedAt } }', {}, admin);
    expect(body.errors?.[0]).toMatchObject({ message: 'token abc not found; list the tokens to find its id', extensions: { code: 'NOT_FOUND' } });
  });
});
