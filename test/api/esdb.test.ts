import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOnsky, type RunningOnsky } from '../../api/app.js';
import { EsdbStandIn } from '../support/esdb-standin.js';
import { tempFolder } from '../support/temp.js';
import { FEATURE_KEY, PROPOSE, proposeInput } from './scenario.js';

let standIn: EsdbStandIn;
let folder: ReturnType<typeof tempFolder>;
let onsky: RunningOnsky;

beforeAll(async () => {
  standIn = await EsdbStandIn.start();
  folder = tempFolder('onsky-api-esdb-');
  onsky = await startOnsky({ dataFolder: folder.path, storeLocation: standIn.url, logger: pino({ level: 'silent' }), server: { host: '127.0.0.1', port: 0 } });
});

afterAll(async () => {
  await onsky.stop();
  await standIn.close();
  folder.remove();
});

async function graphql(query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(new URL('/graphql', onsky.server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
}

describe('server over EventStoreDB', () => {
  it('serves a mutation and the board', async () => {
    const proposed = await graphql(PROPOSE, { input: proposeInput });
    expect(proposed.errors).toBeUndefined();
    expect(proposed.data!.proposeFeature).toEqual({ __typename: 'Feature', featureKey: FEATURE_KEY, status: 'PROPOSED' });
    const board = await graphql('{ features { edges { node { featureKey status } } } }');
    expect(board.data!.features.edges).toEqual([{ node: { featureKey: FEATURE_KEY, status: 'PROPOSED' } }]);
  });

  it('reports health from the log', async () => {
    const health = (await (await fetch(new URL('/health', onsky.server.url))).json()) as { ready: boolean; storeHeadPosition: string | null; projectionPosition: string | null };
    expect(health.ready).toBe(true);
    expect(health.storeHeadPosition).not.toBeNull();
    expect(health.projectionPosition).toBe(health.storeHeadPosition);
  });
});
