/**
 * The stores the application opens (the CLI's and the server's) upcast events written by the
 * onsky of schema version 1: `onsky restore` of test/fixtures/events-schema-v1.ndjson, then
 * reports, export and the server read it. Without `domainUpcasters` in cli/options.ts or
 * api/app.ts the read models refuse the old events and these tests fail.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOnsky } from '../../api/app.js';
import { collect } from '../contract/suite.js';
import { runCli } from '../support/cli.js';
import { tempFolder } from '../support/temp.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/events-schema-v1.ndjson', import.meta.url));

let folder: ReturnType<typeof tempFolder>;

beforeEach(() => {
  folder = tempFolder('onsky-cli-schema-v1-');
});

afterEach(() => folder.remove());

async function restoreFixture(): Promise<string> {
  const data = join(folder.path, 'data');
  const restored = await runCli(['restore', FIXTURE, '--data', data]);
  expect(restored.stderr).toContain('restored 29 events');
  expect(restored.code).toBe(0);
  return data;
}

describe('onsky on a schema version 1 log', () => {
  it('reports and exports version 2', async () => {
    const data = await restoreFixture();

    const report = await runCli(['report', 'wsjf', '--format', 'json', '--data', data]);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('COMM-305');

    const exported = await runCli(['export', '--data', data]);
    expect(exported.code).toBe(0);
    const recorded = exported.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => JSON.parse(line) as { stream: string; type: string; schemaVersion: number; data: { version: unknown } })
      .filter((event) => event.type === 'ChangeRecorded');
    expect(recorded).toHaveLength(11);
    expect(recorded.every((event) => event.schemaVersion === 2)).toBe(true);
    const versions = new Map(recorded.map((event) => [event.stream, event.data.version]));
    expect(versions.get('change-PROC-DELAYCAL-2')).toBeNull();
    expect(versions.get('change-CBF-REL-5.1')).toBe('cbf-fengine 5.1.0');
  });

  it('serves it through the server', async () => {
    const data = await restoreFixture();
    const onsky = await startOnsky({ dataFolder: data, logger: pino({ level: 'silent' }), server: { host: '127.0.0.1', port: 0 } });
    try {
      const events = await collect(onsky.store.readAll());
      const recorded = events.filter((event) => event.type === 'ChangeRecorded');
      expect(recorded.map((event) => event.schemaVersion)).toEqual(Array(11).fill(2));

      const response = await fetch(new URL('/graphql', onsky.server.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: '{ none: change(changeId: "PROC-DELAYCAL-2") { version } tagged: change(changeId: "CBF-REL-5.1") { version } configuration(at: "2019-03-07T15:00:00Z") { component version } }',
        }),
      });
      const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown };
      expect(body.errors).toBeUndefined();
      // The API keeps its empty text for "no version".
      expect(body.data!.none).toEqual({ version: '' });
      expect(body.data!.tagged).toEqual({ version: 'cbf-fengine 5.1.0' });
      expect(body.data!.configuration).toContainEqual({ component: 'sdp.cal', version: '' });
      expect(body.data!.configuration).toContainEqual({ component: 'cbf.fengine', version: 'cbf-fengine 5.1.0' });
    } finally {
      await onsky.stop();
    }
  });
});
