/**
 * A commissioning history entered through the GraphQL API, shared by the API tests: a CBF feature
 * delivered by a change, the PKS 1934-63 calibrator catalogued, an observation of it (capture block
 * 1552039941) archived and verifying the feature, a ticket and a finding, and a later change that
 * makes the feature suspect again.
 */
import { expect } from 'vitest';
import type { TestServer } from '../support/server.js';

export const FEATURE_KEY = 'CBF-1K-DELAY';
export const CHANGE_ID = 'CBF-REL-5.1';
export const LATER_CHANGE_ID = 'CBF-REL-5.2';
export const OBSERVATION_ID = '1552039941';
export const EARLY_OBSERVATION_ID = '1551803062';
export const DEPLOYED_AT = '2019-03-07T12:00:00Z';

export const PROPOSE = `mutation Propose($input: ProposeFeatureInput!) {
  proposeFeature(input: $input) { __typename ... on Feature { featureKey status } ... on DomainError { kind message } }
}`;

export const proposeInput = {
  featureKey: FEATURE_KEY,
  title: '1K mode start-delay correction',
  subsystem: 'CBF',
  components: ['cbf-fengine', 'katsdpcontroller'],
  requirementRefs: ['R.RC.P.30'],
  evidenceCriteria: { band: 'L', product: 'c856M1k', minReceptors: 4, minOnTargetSeconds: 180, targetTags: ['delaycal'], scanKind: 'track' },
  scores: { userBusinessValue: 8, timeCriticality: 5, riskReductionOpportunityEnablement: 3, jobSize: 2 },
  verificationEffort: 3,
  proposedAt: '2019-03-01T08:00:00Z',
};

/** Runs a mutation and fails the test unless it returned the expected success type. */
export async function mutate(server: TestServer, token: string | undefined, field: string, inputType: string, input: unknown, typename: string): Promise<Record<string, unknown>> {
  const document = `mutation Run($input: ${inputType}!) { ${field}(input: $input) { __typename ... on DomainError { kind message } } }`;
  const { status, body } = await server.graphql(document, { input }, token);
  expect(body.errors, `${field} errors`).toBeUndefined();
  expect(status).toBe(200);
  expect(body.data?.[field], `${field} result`).toMatchObject({ __typename: typename });
  return body.data![field] as Record<string, unknown>;
}

/** Observation facts of capture block 1552039941 (schedule block 20190308-0083), which meet every criterion. */
export const qualifyingFacts = {
  captureBlockId: OBSERVATION_ID,
  scheduleBlockId: '20190308-0083',
  proposalId: 'COMM-AR1',
  description: 'delay calibration on PKS 1934-63',
  startUtc: '2019-03-08T10:12:21Z',
  endUtc: '2019-03-08T10:32:21Z',
  band: 'L',
  product: 'c856M1k',
  receptors: ['m000', 'm001', 'm002', 'm010', 'm043'],
  targets: [{ name: 'PKS 1934-63', tags: ['radec'] }],
  compoundScans: [{ kind: 'track', target: 'PKS 1934-63', durationSeconds: 300 }],
};

export const verifyInput = {
  featureKey: FEATURE_KEY,
  verificationId: 'v-1',
  outcome: 'PASSED',
  observationIds: [OBSERVATION_ID],
  metrics: [{ name: 'residual delay', value: 0.4, unit: 'ns' }],
  verifiedAt: '2019-03-09T08:00:00Z',
};

/**
 * Builds the story up to a verified feature with an archived observation, a ticket and a
 * finding; with `verify: false` the feature stays delivered, awaiting verification.
 */
export async function seedVerifiedFeature(server: TestServer, token?: string, options: { verify?: boolean } = {}): Promise<void> {
  await mutate(server, token, 'proposeFeature', 'ProposeFeatureInput', proposeInput, 'Feature');
  await mutate(server, token, 'recordChange', 'RecordChangeInput', {
    changeId: CHANGE_ID,
    kind: 'firmware',
    subsystem: 'CBF',
    components: ['cbf-fengine'],
    version: 'cbf 5.1',
    summary: 'F-engine start-delay fix',
    deliversFeatures: [FEATURE_KEY],
    recordedAt: '2019-03-06T09:00:00Z',
  }, 'Change');
  await mutate(server, token, 'deployChange', 'DeployChangeInput', { changeId: CHANGE_ID, deploymentId: 'dep-1', deployedAt: DEPLOYED_AT }, 'Change');
  await mutate(server, token, 'recordTarget', 'RecordTargetInput', { targetName: 'PKS 1934-63', aliases: ['J1939-6342'], tags: ['radec', 'bpcal', 'delaycal'], coordinates: '19:39:25.03 -63:42:45.6' }, 'Target');
  await mutate(server, token, 'recordObservationFacts', 'RecordObservationFactsInput', { observationId: EARLY_OBSERVATION_ID, facts: { ...qualifyingFacts, captureBlockId: EARLY_OBSERVATION_ID, scheduleBlockId: '20190305-0012', startUtc: '2019-03-05T16:24:22Z', endUtc: '2019-03-05T16:44:22Z' }, source: { importer: 'obslog', file: 'obslog-1551803062.log' } }, 'Observation');
  await mutate(server, token, 'recordObservationFacts', 'RecordObservationFactsInput', { observationId: OBSERVATION_ID, facts: qualifyingFacts, source: { importer: 'obslog', file: 'obslog-1552039941.log', locator: '17' } }, 'Observation');
  await mutate(server, token, 'recordArchivedProducts', 'RecordArchivedProductsInput', {
    observationId: OBSERVATION_ID,
    products: [{ name: `${OBSERVATION_ID}-sdp-l0`, location: `s3://${OBSERVATION_ID}-sdp-l0/`, archivedAt: '2019-03-08T11:00:00Z' }],
  }, 'Observation');
  await mutate(server, token, 'recordTicket', 'RecordTicketInput', {
    ticketKey: 'SR-1446',
    summary: 'Start delay wrong in 1K mode',
    status: 'Done',
    featureKeys: [FEATURE_KEY],
    captureBlockIds: [OBSERVATION_ID],
  }, 'Ticket');
  await mutate(server, token, 'recordFinding', 'RecordFindingInput', {
    findingId: 'F-7',
    title: 'F-engine delay offset after restart',
    symptom: 'fringes drift after an F-engine restart',
    cause: 'stale delay model',
    links: { components: ['cbf-fengine'], observationIds: [OBSERVATION_ID] },
  }, 'Finding');
  if (options.verify === false) return;
  await mutate(server, token, 'recordVerification', 'RecordVerificationInput', verifyInput, 'Feature');
}
