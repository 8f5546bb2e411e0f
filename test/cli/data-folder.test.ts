import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { tempFolder } from '../support/temp.js';

let folder: ReturnType<typeof tempFolder>;

beforeEach(() => {
  folder = tempFolder('onsky-data-folder-');
});

afterEach(() => {
  chmodSync(folder.path, 0o700);
  folder.remove();
});

/** Runs `onsky ARGS…` for at most 30 s: the bug these tests cover is a command that never ends. */
function runCliWithin(args: readonly string[]): Promise<CliResult> {
  return runCli(args, {}, 30_000);
}

const OBSLOG = 'test/fixtures/obslog-1551803062.log';

function expectOneLine(result: CliResult, ...parts: string[]): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  for (const part of parts) expect(lines[0]).toContain(part);
  expect(lines[0]).toContain('pass --data with a folder');
}

describe('data folder', () => {
  it('rejects a folder under /proc', async () => {
    const result = await runCliWithin(['import', 'obslog', OBSLOG, '--data', '/proc/onsky-nope']);
    expectOneLine(result, 'cannot create the data folder /proc/onsky-nope');
  });

  it('rejects it for every writing command', async () => {
    for (const args of [
      ['token', 'list'],
      ['restore', OBSLOG],
      ['rebuild'],
      ['serve', '--port', '0', '--no-examples'],
    ]) {
      const result = await runCliWithin([...args, '--data', '/proc/onsky-nope/data']);
      expectOneLine(result, '/proc/onsky-nope/data');
    }
  });

  it('rejects a file path', async () => {
    const file = join(folder.path, 'notes.txt');
    writeFileSync(file, 'not a folder\n');
    const result = await runCliWithin(['import', 'obslog', OBSLOG, '--data', file]);
    expectOneLine(result, `cannot use ${file} as the data folder`, 'is a file');

    const below = await runCliWithin(['import', 'obslog', OBSLOG, '--data', join(file, 'data')]);
    expectOneLine(below, `${file} is a file`);
  });

  it('rejects a folder it cannot write', async () => {
    // /proc/self exists and takes no new files, even for root, which passes permission checks.
    const result = await runCliWithin(['import', 'obslog', OBSLOG, '--data', '/proc/self']);
    expectOneLine(result, 'the data folder /proc/self is not writable', 'fix its permissions');
  });

  it('rejects a read-only folder', async () => {
    const data = join(folder.path, 'data');
    mkdirSync(data);
    chmodSync(data, 0o555);
    // Root writes into a mode 555 folder anyway; then the import must succeed and leave no probe file.
    const result = await runCliWithin(['import', 'obslog', OBSLOG, '--data', data, '--json']);
    if (process.getuid?.() === 0) {
      expect(result.code).toBe(0);
      expect(readdirSync(data).filter((name) => name.startsWith('.onsky'))).toEqual([]);
    } else {
      expectOneLine(result, `the data folder ${data} is not writable (EACCES)`);
      expect(existsSync(join(data, 'events.sqlite'))).toBe(false);
    }
    chmodSync(data, 0o755);
  });

  it('creates nested missing folders', async () => {
    const data = join(folder.path, 'a', 'b', 'data');
    const result = await runCliWithin(['import', 'obslog', OBSLOG, '--data', data, '--json']);
    expect(result.code).toBe(0);
    expect(existsSync(join(data, 'events.sqlite'))).toBe(true);
    expect(readdirSync(data).filter((name) => name.startsWith('.onsky'))).toEqual([]);
  });
});
