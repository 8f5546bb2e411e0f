/**
 * The response cache must never return a response that the request would not get uncached, and
 * must stay within its memory bounds against any caller. These tests replay the
 * ways found to break it: a mutation hidden in a form body whose content type mentions JSON,
 * token changes (which do not move the log), padded documents, and requests cut short.
 */
import { connect } from 'node:net';
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { ResponseCache } from '../../api/http/cache.js';
import { documentCache } from '../../api/http/document-cache.js';
import { isJsonContentType } from '../../api/server.js';
import { openTokenStore, TOKEN_FILE_CHECK_MS } from '../../api/auth/tokens.js';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

function post(body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(server.graphqlUrl, { method: 'POST', headers, body });
}

async function metricsText(): Promise<string> {
  return (await fetch(new URL('/metrics', server.url))).text();
}

function requestCount(text: string, route: string, status: number): number {
  const match = new RegExp(`^onsky_http_requests_total\\{route="${route.replace(/\//g, '\\/')}",status="${status}"\\} (\\d+)$`, 'm').exec(text);
  return match === null ? 0 : Number(match[1]);
}

describe('local mode and token changes', () => {
  // Runs first: local single-user mode lasts only while no token exists.
  it('ends local answers on a new token', async () => {
    const question = '{ whoAmI { name role localMode } }';
    expect((await server.graphql(question)).body.data!.whoAmI).toEqual({ name: 'local', role: 'admin', localMode: true });
    expect((await server.graphql(question)).body.data!.whoAmI).toEqual({ name: 'local', role: 'admin', localMode: true });

    const other = openTokenStore(join(server.dataFolder, 'tokens.sqlite'));
    const secret = other.create('admin', 'local').secret;
    other.close();
    await new Promise((done) => setTimeout(done, TOKEN_FILE_CHECK_MS + 10));

    expect((await server.graphql(question)).status).toBe(401);
    expect((await server.graphql(question, {}, secret)).body.data!.whoAmI).toEqual({ name: 'local', role: 'admin', localMode: false });
  });

  it('lists token changes at once', async () => {
    const admin = server.createToken('admin', 'lists tokens');
    const list = '{ tokens { label revokedAt } }';
    const labels = async (): Promise<{ label: string; revokedAt: string | null }[]> => (await server.graphql(list, {}, admin)).body.data!.tokens;
    expect((await labels()).some((token) => token.label === 'made later')).toBe(false);

    const created = await server.graphql('mutation { createToken(role: VIEWER, label: "made later") { token { tokenId } } }', {}, admin);
    expect(created.body.errors).toBeUndefined();
    expect((await labels()).find((token) => token.label === 'made later')).toEqual({ label: 'made later', revokedAt: null });

    const id = created.body.data!.createToken.token.tokenId as string;
    expect((await server.graphql(`mutation { revokeToken(tokenId: "${id}") { tokenId } }`, {}, admin)).status).toBe(200);
    expect((await labels()).find((token) => token.label === 'made later')?.revokedAt).not.toBeNull();
  });
});

describe('requests Yoga reads differently', () => {
  it('runs a form-hidden mutation each time', async () => {
    const admin = server.createToken('admin', 'form sender');
    const hidden = 'mutation{createToken(role:VIEWER,label:%22hidden%22){secret}}';
    const body = `{"query":"{ logPosition }","x":"&query=${hidden}#"}`;
    const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=json', 'x-onsky-request': '1', authorization: `Bearer ${admin}` };

    const secrets: string[] = [];
    for (let round = 0; round < 3; round += 1) {
      const response = await post(body, headers);
      const payload = (await response.json()) as { data?: { createToken?: { secret: string } } };
      secrets.push(payload.data?.createToken?.secret ?? '');
    }
    const hiddenTokens = server.onsky.tokens.list().filter((token) => token.label === 'hidden');
    expect(hiddenTokens).toHaveLength(3);
    expect(new Set(secrets).size).toBe(3);
  });

  it('reads JSON only where Yoga does', () => {
    const cases: [string | undefined, boolean][] = [
      ['application/json', true],
      ['application/json; charset=utf-8', true],
      ['application/graphql+json', true],
      ['application/json, text/plain', true],
      ['application/x-www-form-urlencoded; charset=json', false],
      ['application/x-www-form-urlencoded, application/json', false],
      ['Application/JSON', false],
      ['application/jsonp', false],
      ['text/plain', false],
      [undefined, false],
    ];
    for (const [header, json] of cases) expect(isJsonContentType(header), String(header)).toBe(json);
  });

  it('sends equal headers on hit and miss', async () => {
    const viewer = server.createToken('viewer', 'header check');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${viewer}`, origin: server.url.replace(/\/$/, '') };
    const body = JSON.stringify({ query: '{ logPosition }' });
    const miss = await post(body, headers);
    const hit = await post(body, headers);
    const names = (response: Response): string[] => [...response.headers.keys()].filter((name) => name !== 'date').sort();
    expect(names(hit)).toEqual(names(miss));
    expect(miss.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('memory bounds', () => {
  it('counts cache keys against the byte limit', () => {
    const cache = new ResponseCache(1000, 10_000);
    const body = Buffer.from('{"data":{}}');
    for (let index = 0; index < 10; index += 1) {
      cache.set(1n, `${index}:${'x'.repeat(1000)}`, { body, contentType: 'application/json', operationName: 'padded' });
    }
    expect(cache.byteSize).toBeLessThanOrEqual(10_000);
    expect(cache.size).toBe(4);
  });

  it('bounds documents by characters', () => {
    const cache = documentCache<number>({ maxEntries: 100, maxChars: 1000, maxKeyChars: 400 });
    cache.set('x'.repeat(401), 1);
    expect(cache.size).toBe(0);
    for (let index = 0; index < 5; index += 1) cache.set(`${index}${'y'.repeat(299)}`, index);
    expect(cache.calculatedSize).toBe(900);
    expect(cache.size).toBe(3);
    expect(cache.get(`4${'y'.repeat(299)}`)).toBe(4);
    expect(cache.get(`0${'y'.repeat(299)}`)).toBeUndefined();
  });
});

describe('request counts', () => {
  it('counts a subscription the client closes', async () => {
    const viewer = server.createToken('viewer', 'closes its stream');
    const before = requestCount(await metricsText(), '/graphql', 200);
    const controller = new AbortController();
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${viewer}` },
      body: JSON.stringify({ query: 'subscription { logMoved { position } }' }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    controller.abort();
    await expect.poll(async () => requestCount(await metricsText(), '/graphql', 200)).toBeGreaterThan(before);
  });

  it('counts a client that leaves mid-body as 499', async () => {
    const viewer = server.createToken('viewer', 'leaves early');
    const before = requestCount(await metricsText(), '/graphql', 499);
    const url = new URL(server.graphqlUrl);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((done) => socket.once('connect', done));
    socket.write(`POST /graphql HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${viewer}\r\nContent-Length: 100\r\n\r\n{"query":`);
    await new Promise((done) => setTimeout(done, 100));
    socket.destroy();
    await expect.poll(async () => requestCount(await metricsText(), '/graphql', 499)).toBe(before + 1);
  });

  it('counts malformed HTTP under connection', async () => {
    const before = requestCount(await metricsText(), 'connection', 400);
    const url = new URL(server.url);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((done) => socket.once('connect', done));
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    // Read the error reply, so that the server's end of the connection reaches this side.
    socket.resume();
    await new Promise((done) => socket.once('close', done));
    expect(requestCount(await metricsText(), 'connection', 400)).toBe(before + 1);
  });
});
