import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { proposeInput } from './scenario.js';

let server: TestServer;
const FEATURES = 150;

beforeAll(async () => {
  server = await startTestServer();
  // Straight through the command handler: the paging, not the mutation, is under test here.
  for (let index = 0; index < FEATURES; index++) {
    const featureKey = `CBF-PAGE-${String(index).padStart(3, '0')}`;
    await server.onsky.commands.handle(
      { type: 'ProposeFeature', data: { ...proposeInput, featureKey, requirementRefs: [], ticketKeys: [], evidenceCriteria: {}, scores: { userBusinessValue: 1, timeCriticality: 1, riskReductionOpportunityEnablement: 1, jobSize: 1 }, verificationEffort: 1, proposedBy: 'lead', proposedAt: '2019-03-01T08:00:00Z' } },
      { actor: 'lead' },
    );
  }
  await server.onsky.reads.waitFor((await server.onsky.store.headPosition())!);
});

afterAll(async () => {
  await server.close();
});

describe('connection paging', () => {
  it.each([
    ['{ features(first: -1) { edges { cursor } } }', 'argument first must be a whole number of 0 or more, e.g. first: 20'],
    ['{ tickets(last: -3) { edges { cursor } } }', 'argument last must be a whole number of 0 or more, e.g. last: 20'],
    ['{ features(after: "garbage") { edges { cursor } } }', 'the cursor is not one this API returned; pass pageInfo.endCursor (or startCursor) of an earlier page of the same list'],
    ['{ node(id: "garbage") { id } }', 'id "garbage" is not an id this API returned; pass the id field of an object, e.g. from features { edges { node { id } } }'],
  ])('answers %s as a user error', async (document, message) => {
    const { body } = await server.graphql(document);
    expect(body.errors?.[0]?.message).toBe(message);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('returns up to a thousand items a page', async () => {
    const { body } = await server.graphql('{ features(first: 1000) { edges { node { featureKey } } pageInfo { hasNextPage } } }');
    expect(body.errors).toBeUndefined();
    const features = body.data!.features as { edges: unknown[]; pageInfo: { hasNextPage: boolean } };
    expect(features.edges.length).toBe(FEATURES);
    expect(features.pageInfo.hasNextPage).toBe(false);
  });

  it('defaults to twenty items', async () => {
    const { body } = await server.graphql('{ features { edges { node { featureKey } } pageInfo { hasNextPage } } }');
    const features = body.data!.features as { edges: unknown[]; pageInfo: { hasNextPage: boolean } };
    expect(features.edges.length).toBe(20);
    expect(features.pageInfo.hasNextPage).toBe(true);
  });
});
