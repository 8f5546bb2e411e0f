import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { collectStderr, exited, spawnTypeScript } from '../support/processes.js';
import { tempFolder } from '../support/temp.js';

describe('a reader that stops early', () => {
  it('ends the command quietly', async () => {
    const folder = tempFolder('onsky-closed-pipe-');
    const data = join(folder.path, 'data');
    try {
      expect((await runCli(['import', 'git', 'test/fixtures/gitlog-katsdpcontroller.jsonl', '--data', data])).code).toBe(0);
      // `onsky export | head -1`: the reader closes the pipe after the first chunk of a long export.
      const child = spawnTypeScript('cli/onsky.ts', ['export', '--data', data]);
      child.stdin.end();
      const stderr = collectStderr(child);
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await exited(child);
      expect(stderr()).not.toContain('    at ');
      expect(code).toBe(0);
    } finally {
      folder.remove();
    }
  });
});
