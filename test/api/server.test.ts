import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../api/http/static.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { tempFolder } from '../support/temp.js';
import { FEATURE_KEY, mutate, PROPOSE, proposeInput } from './scenario.js';

let server: TestServer;
let ui: ReturnType<typeof tempFolder>;

beforeAll(async () => {
  ui = tempFolder('onsky-ui-');
  mkdirSync(join(ui.path, 'assets'));
  writeFileSync(join(ui.path, 'index.html'), '<!doctype html><title>onsky board</title><script type="module" src="/assets/app-1a2b.js"></script>');
  writeFileSync(join(ui.path, 'assets', 'app-1a2b.js'), 'console.log("board");');
  server = await startTestServer({ server: { uiFolder: ui.path } });
});

afterAll(async () => {
  await server.close();
  ui.remove();
});

describe('health', () => {
  it('reports positions and readiness', async () => {
    await server.graphql(PROPOSE, { input: proposeInput });
    const response = await fetch(new URL('/health', server.url));
    expect(response.status).toBe(200);
    const health = (await response.json()) as Record<string, unknown>;
    expect(health).toEqual({ status: 'ok', ready: true, storeHeadPosition: '1', projectionPosition: '1', storeWritable: true, lastStoreWriteFailure: null });
  });
});

describe('metrics', () => {
  it('counts operations, errors, events and lag', async () => {
    // Cached responses are keyed by a clock bucket (one second on the test server), so both Board
    // queries start at the beginning of one: on a loaded machine they once straddled its end.
    await new Promise((resolve) => setTimeout(resolve, 1_005 - (Date.now() % 1_000)));
    await server.graphql('query Board { features { edges { node { featureKey } } } }');
    await server.graphql('query Board { features { edges { node { featureKey } } } }');
    await server.graphql('{ configuration(at: "soon") { component } }');
    await mutate(server, undefined, 'recordTicket', 'RecordTicketInput', { ticketKey: 'SR-1', summary: 's', status: 'Open' }, 'Ticket');

    const text = await (await fetch(new URL('/metrics', server.url))).text();
    expect(text).toContain('onsky_graphql_operations_total{operation="Board",kind="query",outcome="ok"} 1');
    expect(text).toContain('onsky_graphql_operations_total{operation="Board",kind="query",outcome="cached"} 1');
    expect(text).toContain('onsky_graphql_operation_duration_seconds_count{operation="Board",kind="query"} 2');
    expect(text).toContain('onsky_errors_total{code="BAD_USER_INPUT"} 1');
    expect(text).toMatch(/^onsky_events_appended_total 2$/m);
    expect(text).toMatch(/^onsky_store_head_position 2$/m);
    expect(text).toMatch(/^onsky_projection_lag_positions 0$/m);
    expect(text).toMatch(/onsky_http_requests_total\{route="\/graphql",status="200"\} \d+/);
  });
});

describe('response cache', () => {
  it('serves fresh data after the log moves', async () => {
    const document = `{ feature(featureKey: "${FEATURE_KEY}") { status } }`;
    expect((await server.graphql(document)).body.data!.feature.status).toBe('PROPOSED');
    expect((await server.graphql(document)).body.data!.feature.status).toBe('PROPOSED');
    await mutate(server, undefined, 'deliverFeature', 'DeliverFeatureInput', { featureKey: FEATURE_KEY }, 'Feature');
    expect((await server.graphql(document)).body.data!.feature.status).toBe('DELIVERED');
  });

  it('answers each Accept header with its own content type', async () => {
    const ask = (accept: string) =>
      fetch(new URL('/graphql', server.url), { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query: '{ logPosition }' }) });
    for (let round = 0; round < 2; round += 1) {
      expect((await ask('application/json')).headers.get('content-type')).toContain('application/json');
      expect((await ask('application/graphql-response+json')).headers.get('content-type')).toContain('application/graphql-response+json');
    }
  });

  it('runs a mutation sent twice with the same bytes twice', async () => {
    const input = { ...proposeInput, featureKey: 'SDP-TWICE' };
    const first = await server.graphql(PROPOSE, { input });
    const second = await server.graphql(PROPOSE, { input });
    expect(first.body.data!.proposeFeature.__typename).toBe('Feature');
    expect(second.body.data!.proposeFeature.__typename).toBe('FeatureAlreadyExists');
  });

  it('keeps responses apart by token', async () => {
    const first = server.createToken('viewer', 'first viewer');
    const second = server.createToken('viewer', 'second viewer');
    expect((await server.graphql('{ whoAmI { name } }', {}, first)).body.data!.whoAmI.name).toBe('first viewer');
    expect((await server.graphql('{ whoAmI { name } }', {}, second)).body.data!.whoAmI.name).toBe('second viewer');
    server.onsky.tokens.revoke(server.onsky.tokens.list().find((token) => token.label === 'first viewer')!.id);
    expect((await server.graphql('{ whoAmI { name } }', {}, first)).status).toBe(401);
    for (const token of server.onsky.tokens.list()) server.onsky.tokens.revoke(token.id);
  });
});

describe('web UI', () => {
  it('serves index.html with a security policy', async () => {
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await response.text()).toContain('<title>onsky board</title>');
  });

  it('serves hashed assets as immutable', async () => {
    const response = await fetch(new URL('/assets/app-1a2b.js', server.url));
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect(await response.text()).toBe('console.log("board");');
  });

  it('answers client routes with index.html', async () => {
    const response = await fetch(new URL('/features/CBF-1K-DELAY', server.url));
    expect(await response.text()).toContain('<title>onsky board</title>');
  });

  it('does not serve files outside the folder', async () => {
    const response = await fetch(new URL('/%2e%2e/%2e%2e/etc/passwd', server.url));
    const text = await response.text();
    expect(text).not.toContain('root:');
    expect(text).toContain('<title>onsky board</title>');
  });

  it('explains how to build a missing UI', async () => {
    const empty = tempFolder('onsky-no-ui-');
    const bare = await startTestServer({ server: { uiFolder: empty.path } });
    try {
      const response = await fetch(bare.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(await response.text()).toContain('npm run build:ui');
    } finally {
      await bare.close();
      empty.remove();
    }
  });
});

describe('upload import', () => {
  const catalogue = readFileSync(new URL('../fixtures/catalogue-ar1-cals.csv', import.meta.url));

  it('imports a catalogue as an engineer', async () => {
    const engineer = server.createToken('engineer', 'uploader');
    const response = await fetch(new URL('/api/import?format=catalogue&file=catalogue-ar1-cals.csv', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${engineer}`, 'content-type': 'application/octet-stream' },
      body: catalogue,
    });
    expect(response.status).toBe(200);
    const summary = (await response.json()) as { read: number; appended: number; dryRun: boolean; file: string };
    expect(summary.dryRun).toBe(false);
    expect(summary.read).toBeGreaterThan(0);
    expect(summary.appended).toBeGreaterThan(0);
    const { body } = await server.graphql('{ target(name: "J001053-415311") { targetName tags } }', {}, engineer);
    expect(body.data!.target.tags).toContain('gaincal');
    expect(server.logs().some((line) => line.includes('"msg":"upload imported"') && line.includes('catalogue-ar1-cals.csv'))).toBe(true);
  });

  it('accepts a multipart upload as a dry run', async () => {
    const engineer = server.createToken('engineer', 'dry runner');
    const form = new FormData();
    form.append('file', new Blob([catalogue]), 'catalogue-ar1-cals.csv');
    const response = await fetch(new URL('/api/import?format=catalogue&dryRun=true', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${engineer}`, 'x-onsky-request': '1' },
      body: form,
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { dryRun: boolean }).dryRun).toBe(true);
  });

  it('detects the format when none is given', async () => {
    const engineer = server.createToken('engineer', 'auto detector');
    const response = await fetch(new URL('/api/import?dryRun=true&file=catalogue-ar1-cals.csv', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${engineer}`, 'content-type': 'application/octet-stream' },
      body: catalogue,
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { format: string }).format).toBe('catalogue');
  });

  it('keeps import indexes in data', async () => {
    const engineer = server.createToken('engineer', 'second uploader');
    const upload = () => fetch(new URL('/api/import?format=catalogue&file=catalogue-ar1-cals.csv', server.url), { method: 'POST', headers: { authorization: `Bearer ${engineer}`, 'content-type': 'application/octet-stream' }, body: catalogue });
    expect((await upload()).status).toBe(200);
    expect((await upload()).status).toBe(200);
    expect(existsSync(join(server.dataFolder, 'import-indexes.cache'))).toBe(true);
  });

  it('takes plans from commissioners only', async () => {
    const plan = readFileSync(new URL('../../examples/plan.yaml', import.meta.url));
    const send = (token: string) => fetch(new URL('/api/import?format=plan&dryRun=true&file=plan.yaml', server.url), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: plan });
    const rejected = await send(server.createToken('engineer', 'planner'));
    expect(rejected.status).toBe(403);
    expect(((await rejected.json()) as { errors: { message: string }[] }).errors[0]!.message).toBe(
      'importing a plan needs role commissioner or above, because its entries are commissioning decisions, and this token has role engineer; ask a commissioner to import it or an admin for a token with that role',
    );
    expect((await send(server.createToken('commissioner', 'lead'))).status).toBe(200);
  });

  it('rejects a viewer', async () => {
    const viewer = server.createToken('viewer', 'watcher');
    const response = await fetch(new URL('/api/import?format=catalogue', server.url), { method: 'POST', headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/octet-stream' }, body: catalogue });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { errors: { message: string }[] }).errors[0]!.message).toContain('importing needs role engineer or above');
  });

  it('rejects an unknown format', async () => {
    const engineer = server.createToken('engineer', 'guesser');
    const response = await fetch(new URL('/api/import?format=fits', server.url), { method: 'POST', headers: { authorization: `Bearer ${engineer}`, 'content-type': 'application/octet-stream' }, body: catalogue });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { message: string }[] }).errors[0]!.message).toContain('format=fits is not an import format');
  });

  it('rejects a multipart upload without the request header', async () => {
    const engineer = server.createToken('engineer', 'form poster');
    const form = new FormData();
    form.append('file', new Blob([catalogue]), 'c.csv');
    const response = await fetch(new URL('/api/import?format=catalogue', server.url), { method: 'POST', headers: { authorization: `Bearer ${engineer}` }, body: form });
    expect(response.status).toBe(403);
  });
});
