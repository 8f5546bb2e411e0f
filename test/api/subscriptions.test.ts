import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { FEATURE_KEY, mutate, PROPOSE, proposeInput } from './scenario.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

/** Opens a subscription over server-sent events and returns its `next` payloads as they arrive. */
async function subscribe(query: string, token?: string) {
  const abort = new AbortController();
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query }),
    signal: abort.signal,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';

  async function next(timeoutMs = 5000): Promise<{ data?: Record<string, any>; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = message.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n');
        if (message.includes('event: next') && data !== '') return JSON.parse(data);
        continue;
      }
      if (Date.now() > deadline) throw new Error(`no subscription event within ${timeoutMs} ms`);
      const chunk = await Promise.race([reader.read(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('subscription timed out')), deadline - Date.now()))]);
      if (chunk.done) throw new Error('subscription stream ended');
      buffer += chunk.value;
    }
  }

  return { response, next, close: () => abort.abort() };
}

describe('subscriptions', () => {
  it('pushes the board after a concurrent mutation', async () => {
    const board = await subscribe('subscription { boardChanged { featureKey status } }');
    expect(board.response.headers.get('content-type')).toContain('text/event-stream');
    const initial = await board.next();
    expect(initial.data!.boardChanged).toEqual([]);

    const proposed = server.graphql(PROPOSE, { input: proposeInput });
    const pushed = await board.next();
    expect(pushed.data!.boardChanged).toEqual([{ featureKey: FEATURE_KEY, status: 'PROPOSED' }]);
    expect((await proposed).status).toBe(200);
    board.close();
  });

  it('pushes the queue when a feature is delivered', async () => {
    const queue = await subscribe('subscription { queueChanged { featureKey status } }');
    await queue.next();
    await mutate(server, undefined, 'deliverFeature', 'DeliverFeatureInput', { featureKey: FEATURE_KEY, deliveredAt: '2019-03-07T12:00:00Z' }, 'Feature');
    let latest = await queue.next();
    while (latest.data!.queueChanged.length === 0) latest = await queue.next();
    expect(latest.data!.queueChanged).toEqual([{ featureKey: FEATURE_KEY, status: 'delivered' }]);
    queue.close();
  });

  it('pushes backpressure when a feature is withdrawn', async () => {
    const flow = await subscribe('subscription { backpressureChanged(windowDays: 3650) { overall { flow { wip } } } }');
    const first = await flow.next();
    expect(first.data!.backpressureChanged.overall.flow.wip).toBe(1);
    await mutate(server, undefined, 'withdrawFeature', 'WithdrawFeatureInput', { featureKey: FEATURE_KEY, reason: 'superseded' }, 'Feature');
    const pushed = await flow.next();
    expect(pushed.data!.backpressureChanged.overall.flow.wip).toBe(0);
    flow.close();
  });

  it('does not push for unrelated changes', async () => {
    const board = await subscribe('subscription { boardChanged { featureKey } }');
    await board.next();
    await mutate(server, undefined, 'recordTicket', 'RecordTicketInput', { ticketKey: 'SR-9', summary: 's', status: 'Open' }, 'Ticket');
    await expect(board.next(500)).rejects.toThrow('timed out');
    board.close();
  });

  it('requires a token once tokens exist', async () => {
    const secured = await startTestServer();
    try {
      secured.createToken('viewer');
      const response = await fetch(secured.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: 'subscription { boardChanged { featureKey } }' }),
      });
      expect(response.status).toBe(401);
    } finally {
      await secured.close();
    }
  });
});

