/**
 * The server logs rejected requests at most once per error code every 10 s. The log goes through
 * a real pino file destination. Only `Date` is faked, so the 10 s interval passes without a wait
 * while the HTTP server and its sockets run on real timers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startOnsky, type RunningOnsky } from '../../api/app.js';
import { tempFolder } from '../support/temp.js';

const START = Date.parse('2026-03-08T10:00:00Z');
const BURST = 25;

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly code?: string;
  readonly notLogged?: number;
}

let folder: ReturnType<typeof tempFolder>;
let logFile: string;
let onsky: RunningOnsky;
let graphqlUrl: string;
let admin: string;
let revoked: string;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'], now: START });
  folder = tempFolder('onsky-rejection-log-');
  logFile = join(folder.path, 'onsky.log');
  // Trace level, so a secret written by any component at any level would show.
  const logger = pino({ level: 'trace' }, pino.destination({ dest: logFile, sync: true }));
  onsky = await startOnsky({ dataFolder: join(folder.path, 'data'), logger, server: { host: '127.0.0.1', port: 0, maxBodyBytes: 4096 } });
  graphqlUrl = new URL('/graphql', onsky.server.url).href;
  admin = onsky.tokens.create('admin', 'log-admin').secret;
  const revokedToken = onsky.tokens.create('engineer', 'log-revoked');
  onsky.tokens.revoke(revokedToken.info.id);
  revoked = revokedToken.secret;
});

afterAll(async () => {
  vi.useRealTimers();
  await onsky?.stop();
  folder?.remove();
});

function rejectionLines(): LogLine[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.msg.startsWith('request rejected: '));
}

function linesFor(code: string): LogLine[] {
  return rejectionLines().filter((line) => line.code === code);
}

function post(headers: Record<string, string>, body = JSON.stringify({ query: '{ logPosition }' })): Promise<Response> {
  return fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

/** Sends `count` requests at once and returns their status codes. */
async function burst(count: number, send: () => Promise<Response>): Promise<number[]> {
  const responses = await Promise.all(Array.from({ length: count }, send));
  await Promise.all(responses.map((response) => response.arrayBuffer()));
  return responses.map((response) => response.status);
}

describe('rejected request log', () => {
  it('logs one line for a burst of one code', async () => {
    const statuses = await burst(BURST, () => post({ authorization: `Bearer ${revoked}` }));
    expect(statuses).toEqual(Array.from({ length: BURST }, () => 401));

    const lines = linesFor('UNAUTHENTICATED');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toBe('request rejected: the bearer token was revoked; ask an admin for a new one (onsky token create)');
    expect(lines[0]!.notLogged).toBe(0);
  });

  it('logs another code on its own line', async () => {
    const statuses = await burst(BURST, () => post({ authorization: `Bearer ${admin}`, origin: 'http://elsewhere.example' }));
    expect(statuses).toEqual(Array.from({ length: BURST }, () => 403));
    const tooLarge = await burst(3, () => post({ authorization: `Bearer ${admin}` }, JSON.stringify({ query: `{ logPosition } # ${'x'.repeat(8192)}` })));
    expect(tooLarge).toEqual([413, 413, 413]);

    expect(linesFor('CSRF_REJECTED')).toHaveLength(1);
    expect(linesFor('CSRF_REJECTED')[0]!.msg).toContain('requests from origin http://elsewhere.example are rejected');
    expect(linesFor('PAYLOAD_TOO_LARGE')).toHaveLength(1);
    expect(linesFor('UNAUTHENTICATED')).toHaveLength(1);
  });

  it('stays quiet until the interval ends', async () => {
    vi.setSystemTime(START + 9_900);
    await burst(1, () => post({ authorization: `Bearer ${revoked}` }));
    expect(linesFor('UNAUTHENTICATED')).toHaveLength(1);

    vi.setSystemTime(START + 10_000);
    await burst(1, () => post({ authorization: `Bearer ${revoked}` }));
    const lines = linesFor('UNAUTHENTICATED');
    expect(lines).toHaveLength(2);
    // The burst after the first line and the request at 9.9 s were left out.
    expect(lines[1]!.notLogged).toBe(BURST - 1 + 1);
    expect(linesFor('CSRF_REJECTED')).toHaveLength(1);
  });

  it('never logs a bearer token secret', async () => {
    vi.setSystemTime(START + 60_000);
    await burst(3, () => post({ authorization: `Bearer ${admin}x` }));
    await burst(3, () => post({ authorization: `Bearer ${revoked}` }));
    const created = await post({ authorization: `Bearer ${admin}` }, JSON.stringify({ query: 'mutation { createToken(role: VIEWER, label: "logged") { secret } }' }));
    const createdSecret = ((await created.json()) as { data: { createToken: { secret: string } } }).data.createToken.secret;
    await burst(2, () => post({ authorization: `Bearer ${createdSecret}`, origin: 'http://elsewhere.example' }));
    const text = readFileSync(logFile, 'utf8');
    expect(linesFor('UNAUTHENTICATED')).toHaveLength(3);
    for (const secret of [admin, revoked, createdSecret]) {
      // The part after the onsky_ prefix is the random secret itself.
      expect(text).not.toContain(secret.slice('onsky_'.length));
    }
  });
});
