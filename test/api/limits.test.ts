import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getIntrospectionQuery } from 'graphql';
import { QUERY_LIMITS } from '../../api/schema/builder.js';
import { INTROSPECTION_DEPTH_LIMIT } from '../../api/schema/introspection-limit.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ server: { maxBodyBytes: 64 * 1024, queryLimits: { ...QUERY_LIMITS, depth: 6 } } });
});

afterAll(async () => {
  await server.close();
});

describe('query limits', () => {
  it('rejects a query that is too deep', async () => {
    const { body } = await server.graphql('{ features { edges { node { verifications { edges { node { metrics { name } } } } } } } }');
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'depth', actual: 8, limit: 6 });
    expect(body.errors?.[0]?.message).toBe('query depth 8 exceeds the limit of 6; select fewer or less deeply nested fields, or page with first/after');
  });

  it('rejects introspection that is too deep', async () => {
    const nested = 'ofType { '.repeat(INTROSPECTION_DEPTH_LIMIT) + 'name' + ' }'.repeat(INTROSPECTION_DEPTH_LIMIT);
    const { body } = await server.graphql(`{ __schema { types { fields { type { ${nested} } } } } }`);
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'depth', limit: INTROSPECTION_DEPTH_LIMIT });
  });

  it('accepts the standard introspection query', async () => {
    const { body } = await server.graphql(getIntrospectionQuery());
    expect(body.errors).toBeUndefined();
    expect(body.data!.__schema.queryType.name).toBe('Query');
  });

  it('rejects a query that costs too much', async () => {
    const aliases = Array.from({ length: 60 }, (_, index) => `q${index}: verificationQueue { featureKey candidates { observationId } }`).join(' ');
    const { body } = await server.graphql(`{ ${aliases} }`);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'complexity', limit: QUERY_LIMITS.complexity });
  });

  it('rejects a query that is too broad', async () => {
    const aliases = Array.from({ length: QUERY_LIMITS.breadth + 1 }, (_, index) => `p${index}: logPosition`).join(' ');
    const { body } = await server.graphql(`{ ${aliases} }`);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'breadth' });
  });

  it('accepts a query within limits', async () => {
    const { body } = await server.graphql('{ features(first: 100) { edges { node { featureKey verifications { edges { cursor } } } } } }');
    expect(body.errors).toBeUndefined();
  });
});

describe('body size', () => {
  it('rejects a body over the limit', async () => {
    const padding = 'x'.repeat(64 * 1024);
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ logPosition } # ${padding}` }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]).toEqual({ message: 'request body exceeds the limit of 65536 bytes; send a smaller request or raise the server\'s limit', extensions: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('rejects a chunked body over the limit', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let index = 0; index < 5; index++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const response = await fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
  });
});

describe('input validation', () => {
  it('names the argument and the fix', async () => {
    const { body } = await server.graphql('{ flow(windowDays: -1) { overall { signal: recommendation } } }');
    expect(body.errors?.[0]).toMatchObject({ message: 'invalid input: windowDays: windowDays must be more than 0', extensions: { code: 'BAD_USER_INPUT' } });
  });
});
