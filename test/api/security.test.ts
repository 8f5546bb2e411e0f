import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTokenStore, TOKEN_FILE_CHECK_MS } from '../../api/auth/tokens.js';
import { Authenticator } from '../../api/http/guards.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { tempFolder } from '../support/temp.js';

let server: TestServer;
let viewer: string;

beforeAll(async () => {
  server = await startTestServer();
  viewer = server.createToken('viewer', 'reader');
});

afterAll(async () => {
  await server.close();
});

function post(body: string, headers: Record<string, string>) {
  return fetch(server.graphqlUrl, { method: 'POST', headers, body });
}

describe('authentication', () => {
  it('rejects a request without a token once tokens exist', async () => {
    const { status, body } = await server.graphql('{ logPosition }');
    expect(status).toBe(401);
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(body.errors?.[0]?.message).toContain('missing bearer token');
  });

  it('rejects an unknown token without echoing it', async () => {
    const forged = `onsky_${'A'.repeat(43)}`;
    const { status, body } = await server.graphql('{ logPosition }', {}, forged);
    expect(status).toBe(401);
    expect(body.errors?.[0]?.message).toContain('is not known to this server');
    expect(JSON.stringify(body)).not.toContain(forged);
  });

  it('rejects an expired token', async () => {
    const expired = server.onsky.tokens.create('admin', 'old', { expiresAt: '2020-01-01T00:00:00Z' }).secret;
    const { status, body } = await server.graphql('{ logPosition }', {}, expired);
    expect(status).toBe(401);
    expect(body.errors?.[0]?.message).toContain('has expired');
  });

  it('rejects a revoked token', async () => {
    const created = server.onsky.tokens.create('admin', 'gone');
    server.onsky.tokens.revoke(created.info.id);
    const { status, body } = await server.graphql('{ logPosition }', {}, created.secret);
    expect(status).toBe(401);
    expect(body.errors?.[0]?.message).toContain('was revoked');
  });

  it('rejects a token revoked elsewhere', async () => {
    const created = server.onsky.tokens.create('viewer', 'elsewhere');
    expect((await server.graphql('{ logPosition }', {}, created.secret)).status).toBe(200);
    const other = openTokenStore(join(server.dataFolder, 'tokens.sqlite'));
    other.revoke(created.info.id);
    other.close();
    await new Promise((done) => setTimeout(done, TOKEN_FILE_CHECK_MS + 10));
    const { status, body } = await server.graphql('{ whoAmI { name } }', {}, created.secret);
    expect(status).toBe(401);
    expect(body.errors?.[0]?.message).toContain('was revoked');
  });

  it('rejects a malformed Authorization header', async () => {
    const response = await post('{"query":"{ logPosition }"}', { 'content-type': 'application/json', authorization: 'Basic abc' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('tokens at rest', () => {
  it('stores only a hash of the secret', async () => {
    const secret = server.createToken('engineer', 'hash check');
    const raw = readdirSync(server.dataFolder)
      .filter((name) => name.startsWith('tokens.sqlite'))
      .map((name) => readFileSync(join(server.dataFolder, name)));
    const everything = Buffer.concat(raw);
    expect(everything.includes(Buffer.from(secret))).toBe(false);
    expect(everything.includes(Buffer.from(secret.slice('onsky_'.length)))).toBe(false);
    expect(everything.includes(Buffer.from('hash check'))).toBe(true);
  });

  it('never logs a secret', async () => {
    const secret = server.createToken('admin', 'log check');
    await server.graphql('mutation { createToken(role: VIEWER, label: "x") { secret } }', {}, secret);
    await server.graphql('{ whoAmI { name } }', {}, `${secret}x`);
    for (const line of server.logs()) expect(line).not.toContain(secret.slice('onsky_'.length, 30));
  });
});

describe('cross-site requests', () => {
  it('rejects another origin', async () => {
    const response = await post('{"query":"{ logPosition }"}', { 'content-type': 'application/json', authorization: `Bearer ${viewer}`, origin: 'http://evil.example' });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { errors: { message: string }[] }).errors[0]!.message).toContain('requests from origin http://evil.example are rejected');
  });

  it('rejects a null origin', async () => {
    const response = await post('{"query":"{ logPosition }"}', { 'content-type': 'application/json', authorization: `Bearer ${viewer}`, origin: 'null' });
    expect(response.status).toBe(403);
  });

  it('accepts the same origin', async () => {
    const origin = server.url.replace(/\/$/, '');
    const response = await post('{"query":"{ logPosition }"}', { 'content-type': 'application/json', authorization: `Bearer ${viewer}`, origin });
    expect(response.status).toBe(200);
  });

  it('rejects a simple content type', async () => {
    const response = await post('{"query":"{ logPosition }"}', { 'content-type': 'text/plain', authorization: `Bearer ${viewer}` });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { errors: { message: string }[] }).errors[0]!.message).toContain('needs the header x-onsky-request: 1');
  });

  it('rejects a cross-site fetch', async () => {
    const response = await post('{"query":"{ logPosition }"}', { 'content-type': 'application/json', authorization: `Bearer ${viewer}`, 'sec-fetch-site': 'cross-site' });
    expect(response.status).toBe(403);
  });

  it('rejects a mutation over GET', async () => {
    const url = `${server.graphqlUrl}?query=${encodeURIComponent('mutation { revokeToken(tokenId: "x") { revokedAt } }')}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${server.createToken('admin')}` } });
    expect(response.status).toBe(405);
  });
});

describe('local single-user mode', () => {
  it('acts as admin on loopback without tokens', () => {
    const folder = tempFolder('onsky-auth-');
    const tokens = openTokenStore(join(folder.path, 'tokens.sqlite'));
    const authenticator = new Authenticator(tokens, true, pino({ level: 'silent' }));
    expect(authenticator.authenticate({ headers: {} } as never)).toEqual({ role: 'admin', name: 'local', tokenId: null });
    tokens.close();
    folder.remove();
  });

  it('is off on other addresses', () => {
    const folder = tempFolder('onsky-auth-');
    const tokens = openTokenStore(join(folder.path, 'tokens.sqlite'));
    const authenticator = new Authenticator(tokens, false, pino({ level: 'silent' }));
    expect(authenticator.localMode()).toBe(false);
    expect(() => authenticator.authenticate({ headers: {} } as never)).toThrow('no token exists yet');
    tokens.close();
    folder.remove();
  });

  it('warns once a minute while used', () => {
    vi.useFakeTimers({ now: Date.parse('2019-03-08T10:00:00Z') });
    const folder = tempFolder('onsky-auth-');
    const tokens = openTokenStore(join(folder.path, 'tokens.sqlite'));
    const warnings: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        warnings.push(chunk.toString('utf8'));
        done();
      },
    });
    try {
      const authenticator = new Authenticator(tokens, true, pino({ level: 'warn' }, sink));
      const request = { headers: {} } as never;
      authenticator.authenticate(request);
      vi.advanceTimersByTime(30_000);
      authenticator.authenticate(request);
      expect(warnings).toHaveLength(0);
      vi.advanceTimersByTime(31_000);
      authenticator.authenticate(request);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('"requests":3');
      expect(warnings[0]).toContain('every request acts as admin');
    } finally {
      vi.useRealTimers();
      tokens.close();
      folder.remove();
    }
  });

  it('ends when a token is created', () => {
    const folder = tempFolder('onsky-auth-');
    const tokens = openTokenStore(join(folder.path, 'tokens.sqlite'));
    const authenticator = new Authenticator(tokens, true, pino({ level: 'silent' }));
    expect(authenticator.localMode()).toBe(true);
    tokens.create('viewer', 'first');
    expect(authenticator.localMode()).toBe(false);
    tokens.close();
    folder.remove();
  });
});

describe('GraphiQL', () => {
  it('serves its page without a token', async () => {
    const withGraphiql = await startTestServer({ server: { graphiql: true } });
    try {
      withGraphiql.createToken('viewer');
      const page = await fetch(withGraphiql.graphqlUrl, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('GraphiQL');
      const query = await fetch(`${withGraphiql.graphqlUrl}?query=${encodeURIComponent('{ logPosition }')}`, { headers: { accept: 'text/html' } });
      expect(query.status).toBe(401);
    } finally {
      await withGraphiql.close();
    }
  });
});

describe('masked internal errors', () => {
  it('shows a reference and logs the stack', async () => {
    const broken = await startTestServer();
    try {
      await broken.onsky.store.close();
      const { status, body } = await broken.graphql('{ features(asOf: "2019-03-01T00:00:00Z") { edges { node { featureKey } } } }');
      expect(status).toBe(200);
      const error = body.errors?.[0];
      expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      const reference = error?.extensions?.reference as string;
      expect(error?.message).toBe(`internal error; reference ${reference}`);
      const logged = broken.logs().find((line) => line.includes(reference) && line.includes('"level":50'));
      expect(logged).toBeDefined();
      expect(logged).toContain('"stack"');
    } finally {
      await broken.close();
    }
  });
});
