/**
 * The path a commissioning team takes on day one, from an empty folder: start the server (which
 * imports the example data), read the board, stop, render a report, export and restore.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { collectStderr, exited, onLines, spawnTypeScript } from '../support/processes.js';
import { tempFolder } from '../support/temp.js';

/** Statuses after examples/journal.yaml, as examples/plan.yaml and the journal tell them. */
const EXAMPLE_STATUSES = {
  'CBF-1K-START-DELAY': 'DELIVERED',
  'COM-304': 'DELIVERED',
  'COMM-305': 'DELIVERED',
  'MKAIV-449': 'DELIVERED',
  'RTS-GAIN-STABILITY': 'PROPOSED',
  'SDP-CAPTURE-LIFECYCLE': 'VERIFIED',
  'SDP-L0-ARCHIVE': 'SUSPECT',
};

async function boardOf(url: string): Promise<Array<{ featureKey: string; status: string }>> {
  const response = await fetch(new URL('/graphql', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ features(first: 100) { edges { node { featureKey status } } } }' }),
  });
  const body = (await response.json()) as { data: { features: { edges: Array<{ node: { featureKey: string; status: string } }> } } };
  return body.data.features.edges.map((edge) => edge.node);
}

/** Returns the JSON report without its time stamp, to compare two stores' read models. */
function reportData(stdout: string): unknown {
  const { asOf: _asOf, ...rest } = JSON.parse(stdout) as Record<string, unknown>;
  return rest;
}

describe('first start from an empty folder', () => {
  it('serves examples, reports, and round-trips', async () => {
    const folder = tempFolder('onsky-first-start-');
    const data = join(folder.path, 'data');
    try {
      const server = spawnTypeScript('cli/onsky.ts', ['serve', '--port', '0', '--data', data]);
      const stderr = collectStderr(server);
      const url = await new Promise<string>((resolve, reject) => {
        onLines(server, (line) => {
          const match = /^onsky is serving (\S+) /.exec(line);
          if (match !== null) resolve(match[1]!);
        });
        server.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr()}`)));
      });
      expect(stderr()).toContain('imports the example data');

      const board = await boardOf(url);
      expect(Object.fromEntries(board.map((entry) => [entry.featureKey, entry.status]))).toEqual(EXAMPLE_STATUSES);
      server.kill('SIGTERM');
      expect(await exited(server)).toBe(0);

      const report = await runCli(['report', 'coverage', '--data', data]);
      expect(report.code).toBe(0);
      expect(report.stdout).toContain('# Requirement coverage');
      expect(report.stdout).toContain('| R.RC.P.30 | not-verified | 1 | 0 | RTS-GAIN-STABILITY |');

      const file = join(folder.path, 'log.ndjson');
      expect((await runCli(['export', '--data', data, '--out', file])).code).toBe(0);
      const restored = join(folder.path, 'restored');
      expect((await runCli(['restore', file, '--data', restored])).code).toBe(0);
      // A fixed time after every record, so both reports measure ages to the same instant.
      for (const kind of ['coverage', 'unverified', 'backpressure']) {
        const before = await runCli(['report', kind, '--format', 'json', '--as-of', '2099-01-01', '--data', data]);
        const after = await runCli(['report', kind, '--format', 'json', '--as-of', '2099-01-01', '--data', restored]);
        expect(reportData(after.stdout), kind).toEqual(reportData(before.stdout));
        if (kind === 'unverified') {
          // The example logs and listings describe real observations from 2019.
          expect((JSON.parse(before.stdout) as { data: { observations: number } }).data.observations).toBeGreaterThan(5);
        }
      }
    } finally {
      folder.remove();
    }
  }, 180_000);
});
