/**
 * The `detectImportFormat` query over real HTTP, which the web UI's Import page uses to label a
 * chosen file. Cases: every fixture format from its first 16 KiB, the file-name fallback, no
 * guess for plain text, and a clear error for a head that is too long.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECT_HEAD_MAX_CHARS } from '../../api/schema/import-detect.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

const DETECT = `query ($head: String!, $fileName: String!) { detectImportFormat(head: $head, fileName: $fileName) { format reason } }`;

async function detect(head: string, fileName: string, token?: string) {
  return server.graphql(DETECT, { head, fileName }, token);
}

describe('detectImportFormat', () => {
  const CASES: readonly [string, string][] = [
    ['examples/plan.yaml', 'plan'],
    ['test/fixtures/obslog-1551803062.log', 'obslog'],
    ['test/fixtures/sdpmc-array_1_0-2019-03-08.log', 'sdpmc'],
    ['test/fixtures/archive-search-2019-03-08.tsv', 'archive'],
    ['test/fixtures/katdal-summary-1548417874.txt', 'katdal'],
    ['test/fixtures/s3-listing-1551803062.txt', 's3'],
    ['test/fixtures/jira-export-commissioning.csv', 'jira'],
    ['test/fixtures/gitlog-katsdpcontroller.jsonl', 'git'],
    ['test/fixtures/catalogue-ar1-cals.csv', 'catalogue'],
    ['test/fixtures/syslog-fwr3-2019-03-03.log', 'syslog'],
  ];

  it.each(CASES)('%s is %s', async (file, format) => {
    const head = readFileSync(join(ROOT, file), 'utf8').slice(0, DETECT_HEAD_MAX_CHARS);
    // A neutral name, so the content alone decides.
    const { status, body } = await detect(head, 'upload.txt');
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data!['detectImportFormat'].format).toBe(format);
    expect(body.data!['detectImportFormat'].reason).not.toBe('');
  });

  it('falls back to the file name', async () => {
    const { body } = await detect('no recognisable line\n', 'uploads/obslog-today.log');
    expect(body.data!['detectImportFormat']).toEqual({ format: 'obslog', reason: 'the file name "obslog-today.log"' });
  });

  it('returns null for plain text', async () => {
    const { body } = await detect('hello\nworld\n', 'notes.txt');
    expect(body.errors).toBeUndefined();
    expect(body.data!['detectImportFormat']).toBeNull();
  });

  it('rejects an overlong head', async () => {
    const { body } = await detect('x'.repeat(DETECT_HEAD_MAX_CHARS + 1), 'notes.txt');
    expect(body.errors?.[0]?.message).toContain(`head must be at most ${DETECT_HEAD_MAX_CHARS} characters`);
  });

  it('answers a viewer', async () => {
    const secured = await startTestServer();
    try {
      const secret = secured.createToken('viewer');
      const { status, body } = await secured.graphql(DETECT, { head: 'features:\n  - key: X\n', fileName: 'x.yaml' }, secret);
      expect(status).toBe(200);
      expect(body.data!['detectImportFormat'].format).toBe('plan');
    } finally {
      await secured.close();
    }
  });
});
