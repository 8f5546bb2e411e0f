/**
 * One import at a time per data folder. An import links each record to the observations its
 * indexes contain when it starts. Two imports running at once would each create their own stream
 * for one observation (an archive row and the obslog of its capture block), and the log cannot
 * merge them afterwards. The lock is a file created exclusively in the data folder. It names the
 * owning process, so a lock left by a process that died is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';

/** The contents of a lock file: who holds it and since when. */
export interface ImportLockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO 8601 UTC. */
  readonly since: string;
  /** Format and file of the holder's import, e.g. `obslog /data/obslog-1551803062.log`. */
  readonly what: string;
  readonly token: string;
}

/** Milliseconds between tries while another import holds the lock. */
const POLL_MS = 200;
/**
 * Age in milliseconds after which an unreadable lock file counts as left by a process that died
 * while writing it. A live owner writes the file right after creating it.
 */
const UNREADABLE_STALE_MS = 10_000;

/**
 * Runs `task` while owning the import lock at `file`. While another live process owns it, calls
 * `onWait` once with the owner and waits.
 */
export async function withImportLock<T>(file: string, what: string, onWait: (holder: ImportLockHolder | undefined) => void, task: () => Promise<T>): Promise<T> {
  const token = await acquire(file, what, onWait);
  try {
    return await task();
  } finally {
    release(file, token);
  }
}

async function acquire(file: string, what: string, onWait: (holder: ImportLockHolder | undefined) => void): Promise<string> {
  const token = randomUUID();
  const holder: ImportLockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), what, token };
  let waited = false;
  for (;;) {
    if (tryCreate(file, holder)) return token;
    const current = readHolder(file);
    if (isStale(file, current)) {
      // Checked again just before removal, so that of two waiters the second does not remove
      // the lock the first has just taken.
      if (readHolder(file)?.token === current?.token) rmSync(file, { force: true });
      continue;
    }
    if (!waited) {
      onWait(current);
      waited = true;
    }
    await sleep(POLL_MS);
  }
}

function tryCreate(file: string, holder: ImportLockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(file: string): ImportLockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ImportLockHolder>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.token === 'string' ? (parsed as ImportLockHolder) : undefined;
  } catch {
    return undefined;
  }
}

/** True when the lock's holder is a process of this machine that no longer runs, or the file is unreadable and old. */
function isStale(file: string, holder: ImportLockHolder | undefined): boolean {
  if (holder === undefined) {
    try {
      return Date.now() - statSync(file).mtimeMs > UNREADABLE_STALE_MS;
    } catch {
      // Removed between the tries: the next try creates it.
      return false;
    }
  }
  // A process of another machine sharing the folder cannot be checked, so its lock is honoured.
  return holder.host === hostname() && !isRunning(holder.pid);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the lock if it is still this holder's; a lock taken over after a long pause stays. */
function release(file: string, token: string): void {
  if (readHolder(file)?.token === token) rmSync(file, { force: true });
}

/** Describes the holder for a waiting message: "process 1234 (obslog x.log, since …)". */
export function describeHolder(holder: ImportLockHolder | undefined): string {
  if (holder === undefined) return 'another process';
  return `process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`} (${holder.what}, since ${holder.since})`;
}
