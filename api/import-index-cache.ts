/**
 * A file in the data folder that keeps the indexes an import decides with (observation identity,
 * catalogue targets, feature status), with the position and id of the last event folded into
 * them. The next import checks that the log still contains that event, folds only the events
 * after it, and so starts in a fraction of a second where a fold of a million events takes
 * seconds.
 *
 * Format: the SHA-256 (64 hex digits) of the rest, a newline, then a `v8.serialize`d record. A
 * cache that is missing, corrupt, written by other code or for another log is ignored and
 * replaced. So the indexes are always those a fold of the whole log gives.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { TargetIndex, type TargetIndexSnapshot } from '../importers/catalogue.js';
import { hashSourceFolders } from '../projections/code-version.js';
import { checkCheckpoint } from '../projections/replay.js';
import type { EventStore, Position } from '../store/port.js';
import { FeatureStatusIndex, type FeatureIndexSnapshot } from './feature-index.js';
import { ObservationIdentityIndex, type IdentitySnapshot } from './identity.js';

const FORMAT = 'onsky-import-indexes-1';

/**
 * Events folded after the cache before it is written again. Writing takes seconds on a large log
 * (about 3 s for a million events on a 2-core machine) while folding this many takes about 0.15 s,
 * so a cache at most this far behind is kept as it is.
 */
const REWRITE_AFTER_EVENTS = 20_000;

/** The three indexes of an import session. */
export interface SessionIndexes {
  readonly identity: ObservationIdentityIndex;
  readonly targets: TargetIndex;
  readonly features: FeatureStatusIndex;
}

/** The last event folded into a set of indexes; `undefined` for an empty log. */
export interface FoldedTo {
  readonly position: Position;
  readonly eventId: string;
}

/** Folds events after `after` (all of them when undefined) into the indexes and returns the last one folded. */
export type FoldLog = (indexes: SessionIndexes, after: Position | undefined) => Promise<{ last: FoldedTo | undefined; events: number }>;

interface CacheRecord {
  readonly format: string;
  readonly codeVersion: string;
  /** The `storeId` of the store whose log was folded. */
  readonly storeId: string;
  readonly position: string;
  readonly eventId: string;
  readonly identity: IdentitySnapshot;
  readonly targets: TargetIndexSnapshot;
  readonly features: FeatureIndexSnapshot;
}

let codeVersion: string | undefined;

/** The version of the code whose folds the cache holds: the sources of api/, importers/ and domain/. */
function indexCodeVersion(): string {
  codeVersion ??= hashSourceFolders(['api', 'importers', 'domain'], FORMAT);
  return codeVersion;
}

/**
 * Returns the indexes as of the end of the log, continuing from the cache in `file` when it is
 * usable, and writes the cache again when it was missing or far behind.
 */
export async function cachedIndexes(store: EventStore, file: string, fold: FoldLog, onWriteFailure?: (message: string) => void): Promise<SessionIndexes> {
  const storeId = storeIdOf(store);
  const cached = storeId === undefined ? undefined : await readUsableCache(store, storeId, file);
  const indexes = cached?.indexes ?? emptyIndexes();
  const { last, events } = await fold(indexes, cached?.position);
  const stale = cached === undefined || events >= REWRITE_AFTER_EVENTS;
  if (storeId !== undefined && last !== undefined && stale) {
    const failure = writeCache(file, storeId, indexes, last);
    if (failure !== undefined) {
      onWriteFailure?.(`cannot write the import index cache ${file} (${failure}); imports still work, but each first reads the whole log, so remove or move what is at that path`);
    }
  }
  return indexes;
}

/**
 * Returns the id of the store's log, or `undefined` for a store without one, which gets no cache.
 * Two stores can hold the same event at the same position (event ids derive from the source
 * record), so the checkpoint alone cannot tell their logs apart.
 */
function storeIdOf(store: EventStore): string | undefined {
  const storeId = (store as { storeId?: unknown }).storeId;
  return typeof storeId === 'string' ? storeId : undefined;
}

/** Returns indexes of an empty log. */
export function emptyIndexes(): SessionIndexes {
  return { identity: new ObservationIdentityIndex(), targets: new TargetIndex(), features: new FeatureStatusIndex() };
}

async function readUsableCache(store: EventStore, storeId: string, file: string): Promise<{ indexes: SessionIndexes; position: Position } | undefined> {
  const record = readCache(file);
  if (record === undefined || record.storeId !== storeId) return undefined;
  const position = BigInt(record.position);
  // A log replaced or restored since the cache was written no longer has its last event there.
  if ((await checkCheckpoint(store, position, record.eventId)) !== undefined) return undefined;
  return {
    position,
    indexes: {
      identity: new ObservationIdentityIndex(record.identity),
      targets: new TargetIndex(record.targets),
      features: new FeatureStatusIndex(record.features),
    },
  };
}

/** Larger files are not read. A million events make a cache of 53 MB, so ten million about 500 MB. */
const MAX_CACHE_BYTES = 1024 * 1024 * 1024;

function readCache(file: string): CacheRecord | undefined {
  let bytes: Buffer;
  try {
    // A FIFO or a device in its place would block or never end, so only a regular file is read.
    const info = statSync(file);
    if (!info.isFile() || info.size > MAX_CACHE_BYTES) return undefined;
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const newline = bytes.indexOf(0x0a);
  if (newline !== 64) return undefined;
  const payload = bytes.subarray(newline + 1);
  if (createHash('sha256').update(payload).digest('hex') !== bytes.toString('latin1', 0, 64)) return undefined;
  try {
    const record = deserialize(payload) as Partial<CacheRecord>;
    const usable =
      record.format === FORMAT &&
      record.codeVersion === indexCodeVersion() &&
      typeof record.storeId === 'string' &&
      typeof record.position === 'string' &&
      /^\d+$/.test(record.position) &&
      typeof record.eventId === 'string';
    return usable ? (record as CacheRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the cache atomically (temp file and rename), so a concurrent import reads a whole old
 * or a whole new cache. A failure to write (read-only folder, full disk) only costs speed, so it
 * is not reported.
 */
/** Writes the cache atomically; returns the system's error code when it cannot, e.g. `EISDIR`. */
function writeCache(file: string, storeId: string, indexes: SessionIndexes, last: FoldedTo): string | undefined {
  const record: CacheRecord = {
    format: FORMAT,
    codeVersion: indexCodeVersion(),
    storeId,
    position: last.position.toString(),
    eventId: last.eventId,
    identity: indexes.identity.toSnapshot(),
    targets: indexes.targets.toSnapshot(),
    features: indexes.features.toSnapshot(),
  };
  const payload = serialize(record);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, Buffer.concat([Buffer.from(`${createHash('sha256').update(payload).digest('hex')}\n`, 'latin1'), payload]));
    renameSync(temp, file);
    return undefined;
  } catch (error) {
    rmSync(temp, { force: true });
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}
