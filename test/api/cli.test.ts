import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serveSettings } from '../../cli/serve.js';
import { collectStderr, exited, onLines, spawnTypeScript } from '../support/processes.js';
import { tempFolder } from '../support/temp.js';

let folder: ReturnType<typeof tempFolder>;

beforeEach(() => {
  folder = tempFolder('onsky-cli-');
});

afterEach(() => {
  folder.remove();
});

/** Runs `onsky ARGS` to completion and returns its exit code and output. */
async function onsky(args: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const child = spawnTypeScript('cli/onsky.ts', args, { ONSKY_DATA: folder.path });
  const lines: string[] = [];
  onLines(child, (line) => lines.push(line));
  const stderr = collectStderr(child);
  const code = await exited(child);
  return { code, stdout: lines.join('\n'), stderr: stderr() };
}

describe('onsky serve', () => {
  it('serves until SIGTERM and stops cleanly', async () => {
    const child = spawnTypeScript('cli/onsky.ts', ['serve', '--port', '0', '--data', folder.path]);
    const stderr = collectStderr(child);
    const url = await new Promise<string>((resolve, reject) => {
      onLines(child, (line) => {
        const match = /^onsky is serving (http:\/\/127\.0\.0\.1:\d+\/) \(GraphQL at http:\/\/127\.0\.0\.1:\d+\/graphql\)$/.exec(line);
        if (match !== null) resolve(match[1]!);
      });
      child.once('exit', () => reject(new Error(`serve exited early: ${stderr()}`)));
    });

    const health = (await (await fetch(new URL('/health', url))).json()) as { ready: boolean };
    expect(health.ready).toBe(true);
    // A first start on an empty store imports the example data: the plan's real items show.
    expect(stderr()).toContain('imported the example data');
    const board = await fetch(new URL('/graphql', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ features(first: 50) { edges { node { featureKey status } } } }' }),
    });
    const boardBody = (await board.json()) as { data: { features: { edges: Array<{ node: { featureKey: string; status: string } }> } } };
    const keys = boardBody.data.features.edges.map((edge) => edge.node.featureKey);
    expect(keys).toContain('COMM-305');
    expect(keys).toContain('MKAIV-449');
    const proposed = await fetch(new URL('/graphql', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { recordTicket(input: { ticketKey: "SR-1", summary: "s", status: "Open" }) { __typename } }' }),
    });
    expect(proposed.status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(stderr()).toContain('local single-user mode');
    expect(stderr()).toContain('server stopped');
    expect(existsSync(join(folder.path, 'events.sqlite'))).toBe(true);
    expect(existsSync(join(folder.path, 'projections.snapshot'))).toBe(true);
  });

  it('rejects a bad port with exit code 2', async () => {
    const result = await onsky(['serve', '--port', 'eighty']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('onsky serve: port "eighty" is invalid; give a whole number from 0 to 65535, e.g. --port 4000');
  });

  it('reads settings from the environment', () => {
    const settings = serveSettings([], { PORT: '4100', ONSKY_DATA: '/srv/onsky', ONSKY_STORE: 'esdb://127.0.0.1:2113?tls=false' });
    expect(settings).toEqual({ dataFolder: '/srv/onsky', storeLocation: 'esdb://127.0.0.1:2113?tls=false', port: 4100, host: '127.0.0.1', graphiql: false, examples: true });
  });

  it('skips the examples on request', () => {
    expect(serveSettings(['--no-examples'], {})).toMatchObject({ examples: false });
  });

  it('prefers options to the environment', () => {
    const settings = serveSettings(['--port', '0', '--host', '::1', '--data', '/tmp/x'], { PORT: '4100', ONSKY_DATA: '/srv/onsky' });
    expect(settings).toMatchObject({ dataFolder: '/tmp/x', storeLocation: '/tmp/x/events.sqlite', port: 0, host: '::1' });
  });

  it('rejects an unknown store scheme', () => {
    expect(() => serveSettings(['--store', 'postgres://db/onsky'], {})).toThrow('store "postgres://db/onsky" is not an esdb:// URL or a file path');
  });

  it('rejects an unknown option', () => {
    expect(() => serveSettings(['--prot', '80'], {})).toThrow("Unknown option '--prot'");
  });
});

describe('onsky token', () => {
  it('creates, lists and revokes', async () => {
    const created = await onsky(['token', 'create', '--role', 'engineer', '--label', 'ingest']);
    expect(created.code).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^onsky_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('role engineer, label "ingest"');

    const listed = await onsky(['token', 'list', '--json']);
    const tokens = JSON.parse(listed.stdout) as { id: string; role: string; label: string; revokedAt: string | null }[];
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ role: 'engineer', label: 'ingest', revokedAt: null });
    expect(listed.stdout).not.toContain(secret);

    const revoked = await onsky(['token', 'revoke', tokens[0]!.id]);
    expect(revoked.code).toBe(0);
    const table = await onsky(['token', 'list']);
    expect(table.stdout).toMatch(new RegExp(`^${tokens[0]!.id}\\s+engineer\\s+revoked`, 'm'));
  });

  it('rejects an unknown role with exit code 2', async () => {
    const result = await onsky(['token', 'create', '--role', 'root']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('onsky token: --role root is not a role; use one of viewer, engineer, commissioner, admin');
  });
});
