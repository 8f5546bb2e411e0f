/**
 * The `logMoved` subscription over real HTTP and server-sent events: the position at
 * subscription, a push after any event that changes a read model, and a burst of events
 * coalesced into at most one push per interval.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_MOVED_INTERVAL_MS } from '../../api/schema/live.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { mutate, PROPOSE, proposeInput } from './scenario.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

interface LogMove {
  readonly position: string | null;
  readonly recordedAt: string | null;
}

/** Opens `logMoved` over server-sent events and collects its pushes as they arrive. */
async function subscribeLogMoved(token?: string, url = server.graphqlUrl) {
  const abort = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query: 'subscription { logMoved { position recordedAt } }' }),
    signal: abort.signal,
  });
  const pushes: LogMove[] = [];
  const errors: string[] = [];
  const reading = (async () => {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) return;
      buffer += chunk.value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = message.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n');
        if (message.includes('event: next') && data !== '') {
          const body = JSON.parse(data) as { data?: { logMoved: LogMove }; errors?: { message: string }[] };
          if (body.data !== undefined) pushes.push(body.data.logMoved);
          for (const error of body.errors ?? []) errors.push(error.message);
        }
        end = buffer.indexOf('\n\n');
      }
    }
  })();

  /** Waits until `count` pushes arrived; rejects after `timeoutMs`. */
  async function waitForPushes(count: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (pushes.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} logMoved pushes within ${timeoutMs} ms, got ${pushes.length}: ${JSON.stringify(pushes)} ${errors.join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  return {
    response,
    pushes,
    errors,
    waitForPushes,
    close: async () => {
      abort.abort();
      await reading;
    },
  };
}

async function logPosition(): Promise<string | null> {
  const { body } = await server.graphql('{ logPosition }');
  return body.data!['logPosition'] as string | null;
}

describe('logMoved subscription', () => {
  it('pushes the position at subscription', async () => {
    const live = await subscribeLogMoved();
    expect(live.response.headers.get('content-type')).toContain('text/event-stream');
    await live.waitForPushes(1);
    expect(live.pushes[0]).toEqual({ position: null, recordedAt: null });
    await live.close();
  });

  it('pushes after an event lands', async () => {
    const live = await subscribeLogMoved();
    await live.waitForPushes(1);
    const before = Date.now();

    await mutate(server, undefined, 'proposeFeature', 'ProposeFeatureInput', proposeInput, 'Feature');
    await live.waitForPushes(2);

    const pushed = live.pushes[1]!;
    expect(pushed.position).toBe(await logPosition());
    expect(BigInt(pushed.position!)).toBeGreaterThan(0n);
    expect(Date.parse(pushed.recordedAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(live.errors).toEqual([]);
    await live.close();
  });

  it('pushes for any read model', async () => {
    const live = await subscribeLogMoved();
    await live.waitForPushes(1);
    const initial = live.pushes[0]!.position!;

    // A ticket changes no board, queue or backpressure, which the other subscriptions follow.
    await mutate(server, undefined, 'recordTicket', 'RecordTicketInput', { ticketKey: 'SR-9', summary: 's', status: 'Open' }, 'Ticket');
    await live.waitForPushes(2);
    expect(BigInt(live.pushes[1]!.position!)).toBeGreaterThan(BigInt(initial));
    await live.close();
  });

  it('coalesces a burst of events', async () => {
    const live = await subscribeLogMoved();
    await live.waitForPushes(1);

    const proposals = 30;
    const started = Date.now();
    for (let index = 0; index < proposals; index++) {
      const { body } = await server.graphql(PROPOSE, { input: { ...proposeInput, featureKey: `BURST-${index}` } });
      expect(body.errors).toBeUndefined();
    }
    const finalPosition = await logPosition();
    // The last push of a burst comes at most one interval after the burst ends.
    const deadline = Date.now() + LOG_MOVED_INTERVAL_MS + 2000;
    while (live.pushes.at(-1)?.position !== finalPosition && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const elapsedMs = Date.now() - started;
    const burstPushes = live.pushes.length - 1;

    expect(live.pushes.at(-1)?.position).toBe(finalPosition);
    expect(burstPushes).toBeGreaterThanOrEqual(1);
    // One push per interval at most, plus the trailing one.
    expect(burstPushes).toBeLessThanOrEqual(Math.ceil(elapsedMs / LOG_MOVED_INTERVAL_MS) + 1);
    expect(burstPushes).toBeLessThan(proposals);
    await live.close();
  });

  it('ends when its token is revoked', async () => {
    const secured = await startTestServer();
    try {
      const viewer = secured.onsky.tokens.create('viewer', 'revoked while listening');
      const admin = secured.createToken('admin');
      const live = await subscribeLogMoved(viewer.secret, secured.graphqlUrl);
      await live.waitForPushes(1);

      secured.onsky.tokens.revoke(viewer.info.id);
      await mutate(secured, admin, 'proposeFeature', 'ProposeFeatureInput', proposeInput, 'Feature');

      const deadline = Date.now() + 5000;
      while (live.errors.length === 0) {
        if (Date.now() > deadline) throw new Error(`no error within 5 s; pushes: ${JSON.stringify(live.pushes)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(live.errors[0]).toBe('the bearer token was revoked, so this subscription ends; ask an admin for a new token (onsky token create)');
      expect(live.pushes).toHaveLength(1);
      await live.close();
    } finally {
      await secured.close();
    }
  });

  it('requires a token once tokens exist', async () => {
    const secured = await startTestServer();
    try {
      const secret = secured.createToken('viewer');
      const refused = await fetch(secured.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: 'subscription { logMoved { position } }' }),
      });
      expect(refused.status).toBe(401);
      await refused.body?.cancel();

      const accepted = await fetch(secured.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ query: 'subscription { logMoved { position } }' }),
      });
      expect(accepted.status).toBe(200);
      await accepted.body?.cancel();
    } finally {
      await secured.close();
    }
  });
});
