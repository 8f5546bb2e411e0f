import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MUTATION_ROLES, ROLES, roleAllows, type MutationName, type Role } from '../../api/auth/roles.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { CHANGE_ID, FEATURE_KEY, OBSERVATION_ID, proposeInput } from './scenario.js';

/** One valid request per mutation; the domain may still reject it, which counts as authorized. */
const REQUESTS: Record<Exclude<MutationName, 'importFile'>, { readonly document: string; readonly variables: Record<string, unknown> }> = {
  recordChange: command('recordChange', 'RecordChangeInput', { changeId: CHANGE_ID, kind: 'software', subsystem: 'CBF', components: ['cbf-fengine'], summary: 'fix' }),
  deployChange: command('deployChange', 'DeployChangeInput', { changeId: CHANGE_ID }),
  rollBackChange: command('rollBackChange', 'RollBackChangeInput', { changeId: CHANGE_ID, reason: 'regression' }),
  recordObservationFacts: command('recordObservationFacts', 'RecordObservationFactsInput', { observationId: OBSERVATION_ID, facts: { band: 'L' } }),
  linkObservationIdentifier: command('linkObservationIdentifier', 'LinkObservationIdentifierInput', { observationId: OBSERVATION_ID, identifier: { kind: 'schedule-block', value: '20190308-0083' }, reason: 'same start' }),
  unlinkObservationIdentifier: command('unlinkObservationIdentifier', 'UnlinkObservationIdentifierInput', { observationId: OBSERVATION_ID, identifier: { kind: 'schedule-block', value: '20190308-0083' }, reason: 'wrong' }),
  noteObservationAnomaly: command('noteObservationAnomaly', 'NoteObservationAnomalyInput', { observationId: OBSERVATION_ID, anomaly: { kind: 'stragglers', detail: 'm010 late', receptors: ['m010'] } }),
  recordArchivedProducts: command('recordArchivedProducts', 'RecordArchivedProductsInput', { observationId: OBSERVATION_ID, products: [{ name: 'l0' }] }),
  recordTicket: command('recordTicket', 'RecordTicketInput', { ticketKey: 'SR-1', summary: 's', status: 'Open' }),
  recordFinding: command('recordFinding', 'RecordFindingInput', { findingId: 'F-1', title: 't', symptom: 's' }),
  reviseFinding: command('reviseFinding', 'ReviseFindingInput', { findingId: 'F-1', cause: 'c' }),
  linkFinding: command('linkFinding', 'LinkFindingInput', { findingId: 'F-1', links: { hosts: ['cbf1'] } }),
  recordTarget: command('recordTarget', 'RecordTargetInput', { targetName: 'PKS 1934-63', tags: ['bpcal'] }),
  proposeFeature: command('proposeFeature', 'ProposeFeatureInput', proposeInput),
  deliverFeature: command('deliverFeature', 'DeliverFeatureInput', { featureKey: FEATURE_KEY }),
  rescoreFeature: command('rescoreFeature', 'RescoreFeatureInput', { featureKey: FEATURE_KEY, scores: proposeInput.scores, verificationEffort: 5 }),
  setEvidenceCriteria: command('setEvidenceCriteria', 'SetEvidenceCriteriaInput', { featureKey: FEATURE_KEY, evidenceCriteria: { band: 'L' } }),
  setFeatureTickets: command('setFeatureTickets', 'SetFeatureTicketsInput', { featureKey: FEATURE_KEY, ticketKeys: ['MKAIV-449'] }),
  recordVerification: command('recordVerification', 'RecordVerificationInput', { featureKey: FEATURE_KEY, outcome: 'FAILED', observationIds: [OBSERVATION_ID] }),
  markFeatureSuspect: command('markFeatureSuspect', 'MarkFeatureSuspectInput', { featureKey: FEATURE_KEY, changeId: CHANGE_ID, deployedAt: '2019-03-07T12:00:00Z', sharedComponents: ['cbf-fengine'] }),
  clearSuspicion: command('clearSuspicion', 'ClearSuspicionInput', { featureKey: FEATURE_KEY, justification: 'only the B-engine changed' }),
  reviewObservation: command('reviewObservation', 'ReviewObservationInput', { observationId: OBSERVATION_ID, level: 'INSPECTED' }),
  withdrawFeature: command('withdrawFeature', 'WithdrawFeatureInput', { featureKey: FEATURE_KEY, reason: 'superseded' }),
  createToken: { document: 'mutation { createToken(role: VIEWER, label: "script") { __typename } }', variables: {} },
  revokeToken: { document: 'mutation { revokeToken(tokenId: "000000000000") { __typename } }', variables: {} },
};

function command(field: string, inputType: string, input: unknown) {
  return { document: `mutation Run($input: ${inputType}!) { ${field}(input: $input) { __typename } }`, variables: { input } };
}

let server: TestServer;
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  server = await startTestServer();
  for (const role of ROLES) tokens[role] = server.createToken(role);
});

afterAll(async () => {
  await server.close();
});

describe('role matrix', () => {
  it('lists every mutation of the schema', async () => {
    const { body } = await server.graphql('{ __type(name: "Mutation") { fields { name } } }', {}, tokens.viewer);
    const fields = body.data!.__type.fields.map((field: { name: string }) => field.name).sort();
    expect(fields).toEqual(Object.keys(REQUESTS).sort());
  });

  for (const [name, request] of Object.entries(REQUESTS) as [keyof typeof REQUESTS, (typeof REQUESTS)[keyof typeof REQUESTS]][]) {
    for (const role of ROLES) {
      const allowed = roleAllows(role, MUTATION_ROLES[name]);
      it(`${name} as ${role} is ${allowed ? 'allowed' : 'rejected'}`, async () => {
        const { status, body } = await server.graphql(request.document, request.variables, tokens[role]);
        expect(status).toBe(200);
        const forbidden = (body.errors ?? []).filter((error) => error.extensions?.code === 'FORBIDDEN');
        if (allowed) {
          expect(forbidden).toEqual([]);
          const result = body.data?.[name] as { __typename?: string } | null | undefined;
          const otherErrors = body.errors ?? [];
          // Either a result (success or typed domain error) or a plain error unrelated to the role.
          expect(result?.__typename !== undefined || otherErrors.length > 0).toBe(true);
        } else {
          expect(forbidden).toHaveLength(1);
          expect(forbidden[0]!.message).toContain(`Mutation.${name} is not allowed for role ${role}`);
          expect(body.data?.[name] ?? null).toBeNull();
        }
      });
    }
  }
});

describe('queries by role', () => {
  it('lets every role read', async () => {
    for (const role of ROLES) {
      const { body } = await server.graphql('{ features { edges { node { featureKey } } } whoAmI { role } }', {}, tokens[role]);
      expect(body.errors).toBeUndefined();
      expect(body.data!.whoAmI.role).toBe(role);
    }
  });

  it('lists tokens only for admins', async () => {
    const asAdmin = await server.graphql('{ tokens { tokenId role label } }', {}, tokens.admin);
    const asCommissioner = await server.graphql('{ tokens { tokenId } }', {}, tokens.commissioner);
    expect(asAdmin.body.data!.tokens.length).toBeGreaterThanOrEqual(ROLES.length);
    expect(JSON.stringify(asAdmin.body)).not.toContain(tokens.admin);
    expect(asCommissioner.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
