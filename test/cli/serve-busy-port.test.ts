/**
 * `onsky serve` on a port another process uses: it fails at once with the fix, before it opens
 * the store, imports the examples or rebuilds the read models.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempFolder } from '../support/temp.js';

let occupant: Server;
let port: number;
const folder = tempFolder('onsky-busy-port-');

beforeAll(async () => {
  occupant = createServer();
  await new Promise<void>((done) => occupant.listen(0, '127.0.0.1', done));
  port = (occupant.address() as AddressInfo).port;
});

afterAll(() => {
  occupant.close();
  folder.remove();
});

describe('serve on a busy port', () => {
  it('names the port and the fix', async () => {
    const data = join(folder.path, 'data');
    const result = await runCli(['serve', '--port', String(port), '--data', data], {}, 60_000);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE); choose another --port or --host`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // Nothing was created: no data folder, so no store, examples or snapshot.
    expect(existsSync(data)).toBe(false);
  });

  it('leaves an existing data folder alone', async () => {
    const data = join(folder.path, 'existing');
    mkdirSync(data);
    const before = statSync(data).mtimeMs;
    const result = await runCli(['serve', '--port', String(port), '--data', data], {}, 60_000);

    expect(result.code).toBe(2);
    expect(readdirSync(data)).toEqual([]);
    expect(statSync(data).mtimeMs).toBe(before);
  });
});
