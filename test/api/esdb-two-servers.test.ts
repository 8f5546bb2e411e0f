/**
 * Two `onsky serve` processes on one EventStoreDB log. The log is the in-process gRPC stand-in,
 * because no EventStoreDB server can be installed here. Each server is a real child process with
 * its own data folder, read models and HTTP port.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EsdbStandIn } from '../support/esdb-standin.js';
import { collectStderr, exited, onLines, spawnTypeScript } from '../support/processes.js';
import { tempFolder } from '../support/temp.js';
import { FEATURE_KEY, PROPOSE, proposeInput } from './scenario.js';

interface Served {
  readonly url: string;
  readonly child: ChildProcessWithoutNullStreams;
  readonly folder: ReturnType<typeof tempFolder>;
}

let standIn: EsdbStandIn;
const servers: Served[] = [];

async function serve(storeUrl: string): Promise<Served> {
  const folder = tempFolder('onsky-esdb-serve-');
  const child = spawnTypeScript('cli/onsky.ts', ['serve', '--port', '0', '--data', folder.path, '--store', storeUrl, '--no-examples']);
  const stderr = collectStderr(child);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`onsky serve printed no address within 60 s: ${stderr()}`)), 60_000);
    onLines(child, (line) => {
      const match = /^onsky is serving (\S+) /.exec(line);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`onsky serve exited with ${code}: ${stderr()}`)));
  });
  return { url, child, folder };
}

async function graphql(server: Served, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(new URL('/graphql', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
}

beforeAll(async () => {
  standIn = await EsdbStandIn.start();
  servers.push(await serve(standIn.url), await serve(standIn.url));
}, 120_000);

afterAll(async () => {
  for (const server of servers) {
    server.child.kill('SIGTERM');
    await exited(server.child);
    server.folder.remove();
  }
  await standIn.close();
});

describe('two servers on one EventStoreDB log', () => {
  it('see each other through subscriptions', async () => {
    const [first, second] = servers as [Served, Served];

    // Open the second server's board subscription before the first server writes.
    const abort = new AbortController();
    const response = await fetch(new URL('/graphql', second.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { boardChanged { featureKey status } }' }),
      signal: abort.signal,
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    const pushed = (async () => {
      while (!received.includes(FEATURE_KEY)) {
        const chunk = await reader.read();
        if (chunk.done) break;
        received += chunk.value;
      }
    })();

    const proposed = await graphql(first, PROPOSE, { input: proposeInput });
    expect(proposed.data!.proposeFeature).toEqual({ __typename: 'Feature', featureKey: FEATURE_KEY, status: 'PROPOSED' });

    await Promise.race([pushed, new Promise((_, reject) => setTimeout(() => reject(new Error(`no push within 20 s; received: ${received}`)), 20_000))]);
    expect(received).toContain(`"featureKey":"${FEATURE_KEY}"`);
    abort.abort();

    // The second server's read models return the first server's write to queries.
    const board = await graphql(second, '{ features(first: 10) { edges { node { featureKey status } } } }');
    expect(board.data!.features.edges).toEqual([{ node: { featureKey: FEATURE_KEY, status: 'PROPOSED' } }]);
  }, 60_000);
});
