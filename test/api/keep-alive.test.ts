/**
 * A keep-alive connection that repeats its request skips the token hash and reuses its cache key.
 * These tests send every request over one socket and check that what the connection remembers
 * never outlives a revocation, an expiry, a change of token or a change of request.
 */
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type GraphqlBody, type TestServer } from '../support/server.js';

let server: TestServer;
let agent: Agent;

beforeAll(async () => {
  server = await startTestServer();
  // One socket, kept open: every request in this file goes over the same connection.
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
});

afterAll(async () => {
  agent.destroy();
  await server.close();
});

interface Answer {
  readonly status: number;
  readonly body: GraphqlBody;
  /** True when the request went over a socket an earlier request used. */
  readonly reusedSocket: boolean;
}

function ask(query: string, token: string): Promise<Answer> {
  return new Promise((done, fail) => {
    const payload = JSON.stringify({ query });
    const outgoing = httpRequest(
      server.graphqlUrl,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(payload) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          done({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as GraphqlBody, reusedSocket: outgoing.reusedSocket }),
        );
      },
    );
    outgoing.on('error', fail);
    outgoing.end(payload);
  });
}

describe('a keep-alive connection', () => {
  it('rejects a token revoked meanwhile', async () => {
    const created = server.onsky.tokens.create('viewer', 'revoked on a live connection');
    expect((await ask('{ whoAmI { name } }', created.secret)).status).toBe(200);
    expect((await ask('{ whoAmI { name } }', created.secret)).status).toBe(200);
    server.onsky.tokens.revoke(created.info.id);
    const answer = await ask('{ whoAmI { name } }', created.secret);
    expect(answer.reusedSocket).toBe(true);
    expect(answer.status).toBe(401);
    expect(answer.body.errors?.[0]?.message).toContain('was revoked');
  });

  it('rejects a token expired meanwhile', async () => {
    const expiresAt = new Date(Date.now() + 400).toISOString();
    const secret = server.onsky.tokens.create('viewer', 'expires on a live connection', { expiresAt }).secret;
    expect((await ask('{ logPosition }', secret)).status).toBe(200);
    expect((await ask('{ logPosition }', secret)).status).toBe(200);
    await new Promise((done) => setTimeout(done, Date.parse(expiresAt) - Date.now() + 20));
    const answer = await ask('{ logPosition }', secret);
    expect(answer.reusedSocket).toBe(true);
    expect(answer.status).toBe(401);
    expect(answer.body.errors?.[0]?.message).toContain('has expired');
  });

  it('acts as the token of each request', async () => {
    const first = server.createToken('viewer', 'first on the connection');
    const second = server.createToken('engineer', 'second on the connection');
    const question = '{ whoAmI { name role } }';
    expect((await ask(question, first)).body.data!.whoAmI).toEqual({ name: 'first on the connection', role: 'viewer' });
    expect((await ask(question, first)).body.data!.whoAmI).toEqual({ name: 'first on the connection', role: 'viewer' });
    const switched = await ask(question, second);
    expect(switched.reusedSocket).toBe(true);
    expect(switched.body.data!.whoAmI).toEqual({ name: 'second on the connection', role: 'engineer' });
    expect((await ask(question, `${first}x`)).status).toBe(401);
  });

  it('gives a changed request its response', async () => {
    const secret = server.createToken('viewer', 'asks two things');
    expect((await ask('{ whoAmI { name } }', secret)).body.data).toEqual({ whoAmI: { name: 'asks two things' } });
    expect((await ask('{ whoAmI { name } }', secret)).body.data).toEqual({ whoAmI: { name: 'asks two things' } });
    const changed = await ask('{ whoAmI { role } }', secret);
    expect(changed.reusedSocket).toBe(true);
    expect(changed.body.data).toEqual({ whoAmI: { role: 'viewer' } });
  });
});
