/**
 * A running server whose event store cannot take writes: the disk is full (SQLite's
 * `max_page_count` on the server's own connection raises the same SQLITE_FULL a full disk does)
 * or the store is read-only (`query_only`). Mutations and uploads fail with an error that names
 * the fix for the operator, nothing partial is stored, queries still succeed, /health reports it,
 * and writes succeed again once the cause is gone, without a restart.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteEventStore } from '../../store/sqlite.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { CHANGE_ID, FEATURE_KEY, mutate, PROPOSE, proposeInput, seedVerifiedFeature } from './scenario.js';

/** A `max_page_count` above any test store, which lifts the limit; SQLite clamps it to its compile-time maximum. */
const NO_PAGE_LIMIT = 4_294_967_294;

const READ_MODELS = `{
  feature(featureKey: "${FEATURE_KEY}") { featureKey status title }
  features(first: 50) { edges { node { featureKey status } } }
  change(changeId: "${CHANGE_ID}") { changeId status version }
}`;

const catalogue = readFileSync(new URL('../fixtures/catalogue-ar1-cals.csv', import.meta.url));

let server: TestServer;
/** An admin token, created first so that the server never runs in local single-user mode. */
let token: string;

beforeEach(async () => {
  server = await startTestServer();
  token = server.createToken('admin', 'operator');
  await seedVerifiedFeature(server, token);
});

afterEach(async () => {
  await server.close();
});

function database(): SqliteEventStore['database'] {
  return (server.onsky.store as SqliteEventStore).database;
}

function eventCount(): number {
  return database().prepare('SELECT count(*) FROM events').pluck().get() as number;
}

/** Limits the store file to the pages it has now, so any append that needs one more page fails. */
function fillDisk(): void {
  const pages = database().pragma('page_count', { simple: true }) as number;
  database().pragma(`max_page_count = ${pages}`);
}

async function readModels(): Promise<unknown> {
  const { status, body } = await server.graphql(READ_MODELS, {}, token);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(status).toBe(200);
  return body.data;
}

/** Builds a feature proposal large enough (about 200 kB) to need new pages in the store file. */
function bigProposal(featureKey: string) {
  // About 200 kB in one event: more than the full disk leaves room for.
  return { ...proposeInput, featureKey, requirementRefs: Array.from({ length: 1000 }, (_, index) => `R.BIG.${index}.${'x'.repeat(190)}`) };
}

async function health(): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL('/health', server.url));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function expectOperatorMessage(message: string, fix: RegExp): void {
  expect(message).toMatch(fix);
  expect(message).toContain('nothing of this append was written');
  expect(message).not.toMatch(/\n\s+at /);
  expect(message).not.toContain('internal error');
  expect(message).not.toContain(server.dataFolder);
}

async function upload(): Promise<{ status: number; body: { errors?: { message: string; extensions: { code: string } }[]; appended?: number } }> {
  const response = await fetch(new URL('/api/import?format=catalogue&file=catalogue-ar1-cals.csv', server.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: catalogue,
  });
  return { status: response.status, body: (await response.json()) as never };
}

/** Returns 1 when the catalogue's first target is stored, else 0. */
async function targetCount(): Promise<number> {
  const { body } = await server.graphql('{ target(name: "J001053-415311") { targetName } }', {}, token);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data!.target === null ? 0 : 1;
}

describe('server with a full disk', () => {
  it('rejects a mutation and recovers', async () => {
    const before = await readModels();
    const count = eventCount();
    fillDisk();

    const { status, body } = await server.graphql(PROPOSE, { input: bigProposal('BIG-1') }, token);
    expect(status).toBe(200);
    expect(body.data?.proposeFeature ?? null).toBeNull();
    expect(body.errors).toHaveLength(1);
    const error = body.errors![0]!;
    // Reads like: "the event store cannot take writes: the disk (or the database size limit) is
    // full; free space and retry; nothing of this append was written".
    expectOperatorMessage(error.message, /^the event store cannot take writes: the disk .*is full; free space and retry/);
    expect(error.extensions).toMatchObject({ code: 'STORE_UNAVAILABLE', storeCode: 'SQLITE_FULL' });

    expect(eventCount()).toBe(count);
    expect(await readModels()).toEqual(before);
    const { body: missing } = await server.graphql('{ feature(featureKey: "BIG-1") { featureKey } }', {}, token);
    expect(missing.data!.feature).toBeNull();

    const degraded = await health();
    expect(degraded.status).toBe(200);
    expect(degraded.body).toMatchObject({ status: 'degraded', ready: true, storeWritable: false, lastStoreWriteFailure: { code: 'SQLITE_FULL' } });
    const failure = degraded.body.lastStoreWriteFailure as { message: string };
    expectOperatorMessage(failure.message, /free space and retry/);
    expect(server.logs().some((line) => line.includes('event store rejected a write') && line.includes('SQLITE_FULL'))).toBe(true);

    // Space freed: the same server takes the write.
    database().pragma(`max_page_count = ${NO_PAGE_LIMIT}`);
    await mutate(server, token, 'proposeFeature', 'ProposeFeatureInput', bigProposal('BIG-1'), 'Feature');
    expect(eventCount()).toBe(count + 1);
    expect((await health()).body).toMatchObject({ status: 'ok', storeWritable: true, lastStoreWriteFailure: null });
  });

  it('rejects an upload and stores nothing of it', async () => {
    const before = await readModels();
    const count = eventCount();
    fillDisk();

    const { status, body } = await upload();
    expect(status).toBe(503);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.extensions.code).toBe('STORE_UNAVAILABLE');
    expectOperatorMessage(body.errors![0]!.message, /^the event store cannot take writes: the disk .*is full; free space and retry.*; import the file again once the store takes writes$/);
    expect(eventCount()).toBe(count);
    expect(await targetCount()).toBe(0);
    expect(await readModels()).toEqual(before);
    expect((await health()).body).toMatchObject({ status: 'degraded', storeWritable: false });

    database().pragma(`max_page_count = ${NO_PAGE_LIMIT}`);
    const retried = await upload();
    expect(retried.status).toBe(200);
    expect(retried.body.appended).toBeGreaterThan(0);
    expect(eventCount()).toBe(count + retried.body.appended!);
    expect(await targetCount()).toBe(1);
  });
});

describe('server with a read-only store', () => {
  it('rejects a mutation and recovers', async () => {
    const before = await readModels();
    const count = eventCount();
    database().pragma('query_only = ON');

    const { body } = await server.graphql(PROPOSE, { input: { ...proposeInput, featureKey: 'RO-1' } }, token);
    expect(body.data?.proposeFeature ?? null).toBeNull();
    const error = body.errors![0]!;
    // Reads like: "the event store cannot take writes: the file, its -wal and -shm files or its
    // folder is read-only; make all of them writable by the onsky process and retry; nothing of
    // this append was written".
    expectOperatorMessage(error.message, /^the event store cannot take writes: the file, its -wal and -shm files or its folder is read-only; make all of them writable/);
    expect(error.extensions).toMatchObject({ code: 'STORE_UNAVAILABLE', storeCode: 'SQLITE_READONLY' });

    expect(eventCount()).toBe(count);
    expect(await readModels()).toEqual(before);
    expect((await health()).body).toMatchObject({ status: 'degraded', storeWritable: false, lastStoreWriteFailure: { code: 'SQLITE_READONLY' } });

    const { status: uploadStatus, body: uploadBody } = await upload();
    expect(uploadStatus).toBe(503);
    expectOperatorMessage(uploadBody.errors![0]!.message, /read-only; make all of them writable/);
    expect(eventCount()).toBe(count);

    database().pragma('query_only = OFF');
    await mutate(server, token, 'proposeFeature', 'ProposeFeatureInput', { ...proposeInput, featureKey: 'RO-1' }, 'Feature');
    expect(eventCount()).toBe(count + 1);
    expect((await health()).body).toMatchObject({ status: 'ok', storeWritable: true });
  });
});
