import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/sqlite.js';
import { collect } from '../contract/suite.js';
import { runCli } from '../support/cli.js';
import { collectStderr, exited, spawnTypeScript } from '../support/processes.js';
import { tempFolder } from '../support/temp.js';

let folder: ReturnType<typeof tempFolder>;
let data: string;

beforeEach(() => {
  folder = tempFolder('onsky-cli-import-lock-');
  data = join(folder.path, 'data');
});

afterEach(() => folder.remove());

/**
 * Writes an archive listing and an observation log of the same `count` observations, 10 minutes
 * apart: each row's start time is its capture block id, which is how onsky links the two.
 */
function writePairs(count: number): { archive: string; obslog: string } {
  const rows = ['Proposal ID\tSchedule Block\tStartTime\tTarget/s\tObserver\tDescription'];
  const lines: string[] = [];
  const base = 1_640_000_000;
  for (let index = 0; index < count; index++) {
    const seconds = base + index * 600;
    const start = new Date(seconds * 1000).toISOString();
    const scheduleBlock = `${start.slice(0, 10).replace(/-/g, '')}-${String(index).padStart(4, '0')}`;
    rows.push(`COMM-TEST\t${scheduleBlock}\t${start.slice(0, 19).replace('T', ' ')}\tPKS 1934-63\ttester\tpair ${index}`);
    const stamp = (offset: number): string => new Date((seconds + offset) * 1000).toISOString().replace('T', ' ');
    lines.push(`${stamp(0)} INFO Capture block ID = ${seconds}`, `${stamp(1)} INFO Initiating 30-second track on target 'PKS 1934-63'`, `${stamp(31)} INFO target tracked for 30.0 seconds`);
  }
  const archive = join(folder.path, 'pairs.tsv');
  const obslog = join(folder.path, 'pairs.log');
  writeFileSync(archive, `${rows.join('\n')}\n`);
  writeFileSync(obslog, `${lines.join('\n')}\n`);
  return { archive, obslog };
}

async function observationStreams(): Promise<Set<string>> {
  const store = openSqliteStore(join(data, 'events.sqlite'));
  const events = await collect(store.readAll());
  await store.close();
  return new Set(events.map((event) => event.stream).filter((stream) => stream.startsWith('observation-')));
}

describe('onsky import lock', () => {
  it('waits while another import holds the folder', async () => {
    const { obslog } = writePairs(3);
    mkdirSync(data, { recursive: true });
    const lock = join(data, 'import.lock');
    // This test process plays a running import: it is alive and on this machine.
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString(), importing: 'archive other.tsv', token: 'test' }));

    const child = spawnTypeScript('cli/onsky.ts', ['import', 'obslog', obslog, '--data', data, '--json']);
    child.stdin.end();
    const stderr = collectStderr(child);
    const deadline = Date.now() + 20_000;
    while (!stderr().includes('waiting for the import by') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stderr()).toContain(`waiting for the import by process ${process.pid} (archive other.tsv, since`);
    expect(existsSync(join(data, 'events.sqlite')) ? (await observationStreams()).size : 0).toBe(0);

    rmSync(lock);
    expect(await exited(child)).toBe(0);
    expect((await observationStreams()).size).toBe(3);
    expect(existsSync(lock)).toBe(false);
  });

  it('says when the index cache cannot be written', async () => {
    const { archive } = writePairs(2);
    mkdirSync(join(data, 'import-indexes.cache'), { recursive: true });
    // The first import finds an empty log, so it has no indexes to keep; the second has.
    expect((await runCli(['import', 'archive', archive, '--data', data, '--json'])).code).toBe(0);
    const result = await runCli(['import', 'archive', archive, '--data', data, '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`onsky import: cannot write the import index cache ${join(data, 'import-indexes.cache')} (`);
    expect(result.stderr).toContain('imports still work, but each first reads the whole log, so remove or move what is at that path');
    expect((await observationStreams()).size).toBe(2);
  });

  it('links observations of two imports run at once', async () => {
    const { archive, obslog } = writePairs(400);
    const [first, second] = await Promise.all([
      runCli(['import', 'archive', archive, '--data', data, '--json']),
      runCli(['import', 'obslog', obslog, '--data', data, '--json']),
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    // One stream per observation: the second import saw the first one's observations.
    expect((await observationStreams()).size).toBe(400);
  });
});
