import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withImportLock, type ImportLockHolder } from '../../api/import-lock.js';
import { tempFolder } from '../support/temp.js';

let folder: ReturnType<typeof tempFolder>;
let lock: string;

beforeEach(() => {
  folder = tempFolder('onsky-import-lock-');
  lock = join(folder.path, 'import.lock');
});

afterEach(() => folder.remove());

/** Returns the pid of a process that has exited, so that no process uses it for now. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('withImportLock', () => {
  it('runs tasks one at a time', async () => {
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} start`);
      await sleep(50);
      log.push(`${name} end`);
    };
    const waits: string[] = [];
    await Promise.all([
      withImportLock(lock, 'first', () => waits.push('first'), task('first')),
      withImportLock(lock, 'second', (holder) => waits.push(`second waits for ${holder?.importing}`), task('second')),
    ]);
    expect(log).toEqual(['first start', 'first end', 'second start', 'second end']);
    expect(waits).toEqual(['second waits for first']);
    expect(existsSync(lock)).toBe(false);
  });

  it('releases the lock when the task fails', async () => {
    await expect(withImportLock(lock, 'failing', () => undefined, () => Promise.reject(new Error('parse failed')))).rejects.toThrow('parse failed');
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over the lock of a process that died', async () => {
    const stale: ImportLockHolder = { pid: deadPid(), host: hostname(), since: '2026-12-05T00:00:00Z', importing: 'obslog crashed.log', token: 'stale' };
    writeFileSync(lock, JSON.stringify(stale));
    let waited = false;
    const result = await withImportLock(lock, 'next', () => (waited = true), async () => JSON.parse(readFileSync(lock, 'utf8')) as ImportLockHolder);
    expect(waited).toBe(false);
    expect(result.pid).toBe(process.pid);
  });

  // NOTE: waiters in one process do not interleave between reading and moving a lock, so this
  // checks one owner at a time after a takeover, not the race between separate processes.
  it('lets waiters take over a dead lock one at a time', async () => {
    const stale: ImportLockHolder = { pid: deadPid(), host: hostname(), since: '2026-12-05T00:00:00Z', importing: 'obslog crashed.log', token: 'stale' };
    for (let round = 0; round < 10; round++) {
      writeFileSync(lock, JSON.stringify(stale));
      let inside = 0;
      let maximum = 0;
      const task = async (): Promise<void> => {
        inside += 1;
        maximum = Math.max(maximum, inside);
        await sleep(5);
        inside -= 1;
      };
      await Promise.all(Array.from({ length: 6 }, (_, index) => withImportLock(lock, `waiter ${index}`, () => undefined, task)));
      expect(maximum).toBe(1);
    }
  });

  it('rejects a lock path that is a directory or a link', async () => {
    mkdirSync(lock);
    await expect(withImportLock(lock, 'next', () => undefined, async () => undefined)).rejects.toThrow(`the import lock ${lock} is not a regular file`);
    rmSync(lock, { recursive: true });
    symlinkSync(join(folder.path, 'nowhere'), lock);
    await expect(withImportLock(lock, 'next', () => undefined, async () => undefined)).rejects.toThrow('remove it and import again');
  });

  it('takes over a lock whose pid a later process was given', async () => {
    // This process runs, but it did not start when the lock's owner did, as after a reboot that reused the pid.
    const reused: ImportLockHolder = { pid: process.pid, host: hostname(), since: '2020-01-01T00:00:00Z', importing: 'archive old.tsv', token: 'old', started: '1' };
    writeFileSync(lock, JSON.stringify(reused));
    let waited = false;
    await withImportLock(lock, 'next', () => (waited = true), async () => undefined);
    expect(waited).toBe(false);
  });

  it('writes a lock every user can read', async () => {
    // Under a private umask the file would be readable by its owner alone, and an import of
    // another user could not tell a live lock from a dead one.
    const umask = process.umask(0o077);
    try {
      const mode = await withImportLock(lock, 'first', () => undefined, async () => statSync(lock).mode & 0o777);
      expect(mode).toBe(0o644);
    } finally {
      process.umask(umask);
    }
  });

  it('waits for a live process of this machine', async () => {
    const live: ImportLockHolder = { pid: process.ppid, host: hostname(), since: '2026-12-05T00:00:00Z', importing: 'archive big.tsv', token: 'live' };
    writeFileSync(lock, JSON.stringify(live));
    let reported: ImportLockHolder | undefined;
    let ran = false;
    const running = withImportLock(lock, 'next', (holder) => (reported = holder), async () => {
      ran = true;
    });
    await sleep(500);
    expect(ran).toBe(false);
    expect(reported?.importing).toBe('archive big.tsv');
    writeFileSync(lock, '');
    utimesSync(lock, new Date(0), new Date(0));
    await running;
    // An unreadable lock file, untouched for long, is taken for one whose writer died.
    expect(ran).toBe(true);
  });
});
