/**
 * One import at a time per data folder. An import links each record to the observations its
 * indexes contain when it starts. Two imports running at once would each create their own stream
 * for one observation (an archive row and the obslog of its capture block), and the log cannot
 * merge them afterwards. The lock is a file created exclusively in the data folder. It names the
 * owning process, so a lock left by a process that died is taken over.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fchmodSync, linkSync, lstatSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** The contents of a lock file: who owns it and since when. */
export interface ImportLockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO 8601 UTC. */
  readonly since: string;
  /** Format and file of the owner's import, e.g. `obslog /data/obslog-1551803062.log`. */
  readonly importing: string;
  readonly token: string;
  /**
   * The owner's start time as Linux counts it (`/proc/PID/stat`, clock ticks since boot), so that
   * a later process given the same pid, after a reboot, is not taken for the owner.
   */
  readonly started?: string;
}

/** A lock path that is not a regular file: a directory, a link, a device. */
export class ImportLockError extends Error {
  override readonly name = 'ImportLockError';
}

/** Milliseconds between tries while another import owns the lock. */
const POLL_MS = 200;
/**
 * Age in milliseconds after which a readable lock file that names no owner counts as left by a
 * process that died while writing it. A live owner writes the file right after creating it.
 */
const UNNAMED_STALE_MS = 10_000;

/**
 * Runs `task` while owning the import lock at `file`. While another live process owns it, calls
 * `onWait` once with the owner and waits. Raises `ImportLockError` when the path is not a file.
 */
export async function withImportLock<T>(file: string, importing: string, onWait: (holder: ImportLockHolder | undefined) => void, task: () => Promise<T>): Promise<T> {
  const token = await acquire(file, importing, onWait);
  try {
    return await task();
  } finally {
    release(file, token);
  }
}

async function acquire(file: string, importing: string, onWait: (holder: ImportLockHolder | undefined) => void): Promise<string> {
  const token = randomUUID();
  const started = processStart(process.pid);
  const holder: ImportLockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), importing, token, ...(started === undefined ? {} : { started }) };
  let waited = false;
  for (;;) {
    if (tryCreate(file, holder)) return token;
    const current = readHolder(file);
    if (current.kind === 'stale') {
      takeOver(file, current.text);
      continue;
    }
    if (!waited) {
      onWait(current.kind === 'owned' ? current.holder : undefined);
      waited = true;
    }
    await sleep(POLL_MS);
  }
}

function tryCreate(file: string, holder: ImportLockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    // Readable by every user whatever the umask: an import of another user must see the owner,
    // or it could not tell a live lock from a dead one.
    fchmodSync(fd, 0o644);
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

type LockState =
  | { readonly kind: 'owned'; readonly holder: ImportLockHolder }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'stale'; readonly text: string };

/** Reads the lock file and judges whether its owner still runs. */
function readHolder(file: string): LockState {
  let info;
  try {
    info = lstatSync(file);
  } catch {
    // Removed between the tries: the next try creates it.
    return { kind: 'unknown' };
  }
  if (!info.isFile()) {
    throw new ImportLockError(`the import lock ${file} is not a regular file (a directory, a link or a device), so no import can take it; remove it and import again`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // Unreadable (another user's file without read permission): its owner cannot be checked, so
    // it is honoured, as a lock on another machine is.
    return { kind: 'unknown' };
  }
  const holder = parseHolder(text);
  if (holder === undefined) return Date.now() - info.mtimeMs > UNNAMED_STALE_MS ? { kind: 'stale', text } : { kind: 'unknown' };
  return isRunning(holder) ? { kind: 'owned', holder } : { kind: 'stale', text };
}

function parseHolder(text: string): ImportLockHolder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<ImportLockHolder>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.token === 'string' ? (parsed as ImportLockHolder) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes a stale lock. The file is first renamed to a name only this process uses, which one
 * waiter alone can do. The renamed file is then checked to be the stale one read before. If
 * another waiter took the lock over in between, its fresh lock is put back.
 */
function takeOver(file: string, staleText: string): void {
  const aside = `${file}.${process.pid}.${randomUUID()}.stale`;
  try {
    renameSync(file, aside);
  } catch {
    // Another waiter moved it first.
    return;
  }
  let moved = '';
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    moved = '';
  }
  if (moved !== staleText) {
    // A fresh lock was moved: link it back, which fails rather than replace a lock created meanwhile.
    try {
      linkSync(aside, file);
    } catch {
      // Another lock is in place; the moved copy is removed below.
    }
  }
  rmSync(aside, { force: true });
}

/** True when the lock's owner runs: a process of another machine cannot be checked and counts as running. */
function isRunning(holder: ImportLockHolder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A process with the pid runs; it is the owner only if it started when the owner did.
  const started = processStart(holder.pid);
  return holder.started === undefined || started === undefined || started === holder.started;
}

/** Returns a process's start time from `/proc/PID/stat` (Linux), or `undefined` elsewhere. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses, so fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** Removes the lock if it is still this owner's; a lock taken over after a long pause stays. */
function release(file: string, token: string): void {
  try {
    if (parseHolder(readFileSync(file, 'utf8'))?.token === token) rmSync(file, { force: true });
  } catch {
    // Already removed.
  }
}

/** Describes the owner for a waiting message: "process 1234 (obslog x.log, since …)". */
export function describeHolder(holder: ImportLockHolder | undefined): string {
  if (holder === undefined) return 'another process';
  return `process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`} (${holder.importing}, since ${holder.since})`;
}
