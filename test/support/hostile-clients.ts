/**
 * Hostile GraphQL clients for test/api/hostile-load.test.ts, run in their own Node.js process so
 * that they do not share the server's event loop. Each kind of client repeats its attack until
 * the deadline, checks every response against the limit it should hit, and the process prints
 * one JSON line: per kind, the requests sent, the responses as expected, and the unexpected ones.
 * The plan comes as JSON in the environment variable ONSKY_HOSTILE_PLAN.
 */
import { connect, type Socket } from 'node:net';
import { getIntrospectionQuery } from 'graphql';

export interface HostilePlan {
  readonly url: string;
  readonly token: string;
  readonly seconds: number;
  /** The server's GraphQL body limit in bytes. */
  readonly maxBodyBytes: number;
  /** The server's headers and request timeouts in milliseconds, for the expected messages. */
  readonly headersMs: number;
  readonly requestMs: number;
}

export interface KindResult {
  readonly sent: number;
  readonly expected: number;
  /** Up to five unexpected responses or failures, each as one line of text. */
  readonly unexpected: readonly string[];
  readonly unexpectedCount: number;
  /** Kind-specific figures, e.g. bytes received by the client that stopped reading. */
  readonly figures?: Record<string, number>;
}

export type HostileSummary = Record<string, KindResult>;

export const HOSTILE_PLAN_ENV = 'ONSKY_HOSTILE_PLAN';

interface GraphqlReply {
  readonly status: number;
  readonly body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
}

/** Fields selected for each of the 1000 observations of a huge page: about 700 bytes of JSON per observation. */
const OBSERVATION_FIELDS = 'observationId captureBlockId scheduleBlockId proposalId description startUtc endUtc band product receptors reviewState';

class Tally {
  sent = 0;
  expected = 0;
  unexpectedCount = 0;
  readonly unexpected: string[] = [];
  readonly figures: Record<string, number> = {};

  record(ok: boolean, detail: () => string): void {
    this.sent += 1;
    if (ok) {
      this.expected += 1;
      return;
    }
    this.unexpectedCount += 1;
    if (this.unexpected.length < 5) this.unexpected.push(detail().slice(0, 400));
  }

  result(): KindResult {
    return { sent: this.sent, expected: this.expected, unexpected: this.unexpected, unexpectedCount: this.unexpectedCount, figures: this.figures };
  }
}

async function runHostileClients(plan: HostilePlan): Promise<HostileSummary> {
  const graphqlUrl = new URL('/graphql', plan.url);
  const deadline = performance.now() + plan.seconds * 1000;
  const running = (): boolean => performance.now() < deadline;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${plan.token}` };

  const post = async (body: string): Promise<GraphqlReply> => {
    const response = await fetch(graphqlUrl, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as GraphqlReply['body'] };
  };
  const describe = (reply: GraphqlReply): string => `status ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`;
  const firstError = (reply: GraphqlReply): string => reply.body.errors?.[0]?.message ?? '';

  /** Repeats one GraphQL request and checks each reply until the deadline. */
  const repeat = async (tally: Tally, body: string, check: (reply: GraphqlReply) => boolean): Promise<void> => {
    while (running()) {
      try {
        const reply = await post(body);
        tally.record(check(reply), () => describe(reply));
      } catch (error) {
        tally.record(false, () => `request failed: ${String(error)}`);
      }
    }
  };

  const tallies: Record<string, Tally> = {};
  const tally = (name: string): Tally => (tallies[name] ??= new Tally());
  const rejected = (reply: GraphqlReply, pattern: RegExp): boolean => reply.status === 200 && reply.body.data == null && pattern.test(firstError(reply));

  // Introspection is the one cycle in the schema (a type's fields have types with fields).
  let introspectionCycle = 'name';
  for (let level = 0; level < 40; level++) introspectionCycle = `fields { type { ${introspectionCycle} } }`;
  const deepIntrospection = JSON.stringify({ query: `{ __type(name: "Query") { ${introspectionCycle} } }` });
  const fragmentCycle = JSON.stringify({ query: 'query { ...A } fragment A on Query { logPosition ...B } fragment B on Query { ...A }' });
  const thousandAliases = JSON.stringify({ query: `{ ${Array.from({ length: 1000 }, (_, index) => `a${index}: features(first: 1000) { edges { node { featureKey } } }`).join(' ')} }` });
  const costlyAliases = JSON.stringify({ query: `{ ${Array.from({ length: 60 }, (_, index) => `q${index}: verificationQueue(candidateLimit: 50) { featureKey candidates { observationId } }`).join(' ')} }` });
  const hugePage = JSON.stringify({ query: `{ observations(first: 2000000000) { edges { node { ${OBSERVATION_FIELDS} } } } }` });
  const overflowingPage = JSON.stringify({ query: '{ observations(first: 100000000000) { edges { node { observationId } } } }' });
  const batch = JSON.stringify(Array.from({ length: 100 }, () => ({ query: '{ features(first: 1000) { edges { node { featureKey } } } }' })));
  const oversized = JSON.stringify({ query: `{ logPosition } # ${'x'.repeat(plan.maxBodyBytes + 1024)}` });
  const introspection = JSON.stringify({ query: getIntrospectionQuery() });

  const clients: Promise<void>[] = [
    repeat(tally('deep introspection'), deepIntrospection, (reply) => rejected(reply, /^introspection depth \d+ exceeds the limit of 20|Maximum introspection depth exceeded/)),
    repeat(tally('fragment cycle'), fragmentCycle, (reply) => rejected(reply, /^Cannot spread fragment "A" within itself/)),
    repeat(tally('1000 aliases'), thousandAliases, (reply) => rejected(reply, /^query breadth \d+ exceeds the limit of 300/)),
    repeat(tally('costly aliases'), costlyAliases, (reply) => rejected(reply, /^query complexity \d+ exceeds the limit of 5000/)),
    // A page larger than the maximum is cut to the maximum of 1000 items, not rejected.
    repeat(tally('huge first'), hugePage, (reply) => reply.status === 200 && reply.body.errors === undefined && reply.body.data?.observations?.edges?.length === 1000),
    repeat(tally('first beyond Int'), overflowingPage, (reply) => reply.status === 200 && /Int cannot represent non 32-bit signed integer value/.test(firstError(reply))),
    repeat(tally('batched operations'), batch, (reply) => reply.status === 400 && firstError(reply) === 'Batching is not supported.'),
    repeat(tally('oversized body'), oversized, (reply) => reply.status === 413 && firstError(reply).startsWith(`request body exceeds the limit of ${plan.maxBodyBytes} bytes`)),
    repeat(tally('introspection repeated'), introspection, (reply) => reply.status === 200 && reply.body.errors === undefined && reply.body.data?.__schema?.queryType?.name === 'Query'),
  ];
  for (let index = 0; index < 2; index++) {
    clients.push(dribbleBody(graphqlUrl, plan, tally('slow body'), running));
    clients.push(dribbleHeaders(graphqlUrl, plan, tally('slow headers'), running));
  }
  clients.push(neverRead(graphqlUrl, plan, hugePage, tally('never reads'), running));
  await Promise.all(clients);

  return Object.fromEntries(Object.entries(tallies).map(([name, kind]) => [name, kind.result()]));
}

/** Opens a connection, runs `conversation` on it, and resolves with everything the server sent once the server closes it. */
function converse(url: URL, conversation: (socket: Socket) => void): Promise<{ text: string; openMs: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), openMs: performance.now() - started }));
    socket.on('connect', () => conversation(socket));
  });
}

/** Writes `bytes` one byte a second until they are all sent or the socket closes. */
function dribble(socket: Socket, bytes: string): void {
  let index = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || index >= bytes.length) {
      clearInterval(timer);
      return;
    }
    socket.write(bytes[index]!);
    index += 1;
  }, 1000);
  socket.on('close', () => clearInterval(timer));
}

/** Sends complete headers announcing a body, then the body one byte a second: the request timeout must end it. */
async function dribbleBody(url: URL, plan: HostilePlan, tally: Tally, running: () => boolean): Promise<void> {
  const body = JSON.stringify({ query: `{ logPosition } # ${'x'.repeat(200)}` });
  while (running()) {
    const { text, openMs } = await converse(url, (socket) => {
      socket.write(`POST /graphql HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${plan.token}\r\nContent-Length: ${body.length}\r\n\r\n`);
      dribble(socket, body);
    });
    const ok = text.startsWith('HTTP/1.1 408 ') && text.includes('"code":"REQUEST_TIMEOUT"') && text.includes(`whole request ${plan.requestMs} ms`);
    tally.record(ok, () => `connection closed after ${Math.round(openMs)} ms with: ${JSON.stringify(text)}`);
    tally.figures.maxOpenMs = Math.max(tally.figures.maxOpenMs ?? 0, Math.round(openMs));
  }
}

/** Sends the request line, then the headers one byte a second: the headers timeout must end it. */
async function dribbleHeaders(url: URL, plan: HostilePlan, tally: Tally, running: () => boolean): Promise<void> {
  while (running()) {
    const { text, openMs } = await converse(url, (socket) => {
      socket.write('GET /health HTTP/1.1\r\n');
      dribble(socket, `Host: ${url.host}\r\nX-Padding: ${'y'.repeat(600)}\r\n\r\n`);
    });
    const ok = text.startsWith('HTTP/1.1 408 ') && text.includes('"code":"REQUEST_TIMEOUT"') && text.includes(`headers ${plan.headersMs} ms`);
    tally.record(ok, () => `connection closed after ${Math.round(openMs)} ms with: ${JSON.stringify(text)}`);
    tally.figures.maxOpenMs = Math.max(tally.figures.maxOpenMs ?? 0, Math.round(openMs));
  }
}

/**
 * Pipelines requests for a large page (about 0.7 MB each) on one connection and never reads, so
 * the server's writes stall once the socket buffers are full. After the deadline it reads what
 * arrived: the connection must have been closed by the server before every response was sent.
 */
async function neverRead(url: URL, plan: HostilePlan, body: string, tally: Tally, running: () => boolean): Promise<void> {
  const requests = 60;
  const single = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${plan.token}` }, body });
  const responseBytes = (await single.arrayBuffer()).byteLength;

  const socket = connect(Number(url.port), url.hostname);
  socket.on('error', () => undefined);
  let closed = false;
  socket.on('close', () => {
    closed = true;
  });
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.pause();
  const request = `POST /graphql HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${plan.token}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  for (let index = 0; index < requests; index++) socket.write(request);
  while (running()) await new Promise((resolve) => setTimeout(resolve, 100));

  // Reads what the server managed to send; the end of the stream shows that the server closed it.
  let received = 0;
  let responses = 0;
  let ended = false;
  await new Promise<void>((resolve) => {
    const giveUp = setTimeout(resolve, 10_000);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      responses += chunk.toString('latin1').split('HTTP/1.1 200 OK').length - 1;
    });
    socket.once('end', () => {
      ended = true;
    });
    socket.once('close', () => {
      clearTimeout(giveUp);
      resolve();
    });
    socket.resume();
  });
  socket.destroy();
  tally.figures.responseBytes = responseBytes;
  tally.figures.bytesReceived = received;
  tally.figures.responsesReceived = responses;
  const ok = (ended || closed) && responses < requests && received < requests * responseBytes;
  tally.record(ok, () => `after the deadline the connection was ${ended || closed ? 'closed' : 'still open'}, with ${responses} of ${requests} responses (${received} bytes) received`);
}

const planText = process.env[HOSTILE_PLAN_ENV];
if (planText !== undefined) {
  const summary = await runHostileClients(JSON.parse(planText) as HostilePlan);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
