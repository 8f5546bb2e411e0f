/**
 * Snapshots of the projection state on disk, written atomically with the position and id of
 * the last applied event, so a checkpoint never claims events its state does not include.
 *
 * Format: text lines `TAG JSON`. The first line (`H`) is the header: format, code version,
 * position, event id. Record lines follow, one per feature, change, ticket, finding and target,
 * and one per batch of observations. Observation facts that are lists (receptors, targets,
 * compound scans) repeat across thousands of observations, so each distinct list is written once
 * in a `V` line and referenced by index. Each batch's `O` line follows an `I` line listing its ids,
 * so a restore can leave the batch unparsed until an observation in it is read. The last line (`E`) contains the SHA-256 of every byte before
 * it, which detects a truncated or altered file.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { basename, dirname, join } from 'node:path';
import { OBSERVATION_FACT_NAMES, type FactSource, type Review } from '../domain/index.js';
import { createProjectionState, type FactSet, type NotedAnomaly, type ObservationRecord, type ProjectionState } from './model.js';
import { DeferredMap } from './deferred-map.js';
import { readPart, SnapshotDamagedError, type DamageListener } from './snapshot-damage.js';
import { RestoredObservations, type ExpandBatch, type PendingBatch } from './restored-observations.js';
import { assertedFact } from './facts.js';

const FORMAT = 'onsky-projections-snapshot-3';

/** The first line of a snapshot: what it is and which event it ends at. */
export interface SnapshotHeader {
  readonly format: string;
  /** Hash of the projection and domain code that wrote it; a snapshot from other code is not used. */
  readonly codeVersion: string;
  /** Position of the last applied event, as a decimal string. */
  readonly position: string;
  readonly eventId: string;
  readonly events: number;
  readonly lastRecordedAt: string | null;
}

/** A restored state, or the reason a snapshot cannot be used. */
export type SnapshotReadResult =
  | { readonly ok: true; readonly state: ProjectionState; readonly header: SnapshotHeader }
  | { readonly ok: false; readonly reason: string; readonly missing: boolean };

/** Settings of a snapshot write. */
export interface SnapshotWriteOptions {
  /** Observations per batch line, default 500; tests use small batches to restore many of them. */
  readonly observationBatch?: number;
}

/** Writes the state to `file` atomically: temp file, fsync, rename, fsync of the folder. */
export function writeSnapshot(file: string, state: ProjectionState, codeVersion: string, options: SnapshotWriteOptions = {}): SnapshotHeader {
  const write = startWrite(file, state, codeVersion, options);
  try {
    for (const _step of write.steps);
  } catch (error) {
    write.abort();
    throw error;
  }
  return write.finish();
}

/**
 * Writes the state as `writeSnapshot` does, awaiting `pause` between steps (a batch of
 * observations, or 200 other records) so that a large snapshot does not stop the server for
 * seconds. The caller must keep the state unchanged until the returned promise settles.
 */
export async function writeSnapshotInSteps(
  file: string,
  state: ProjectionState,
  codeVersion: string,
  pause: () => Promise<void>,
  options: SnapshotWriteOptions = {},
): Promise<SnapshotHeader> {
  const write = startWrite(file, state, codeVersion, options);
  try {
    for (const _step of write.steps) await pause();
  } catch (error) {
    write.abort();
    throw error;
  }
  return write.finish();
}

/** Temp files of this process are numbered, so a write started during another does not share its file. */
let writeSequence = 0;

function startWrite(file: string, state: ProjectionState, codeVersion: string, options: SnapshotWriteOptions) {
  if (state.position === null || state.eventId === null) {
    throw new Error(`cannot snapshot an empty projection to ${file}: no event has been applied yet`);
  }
  const header: SnapshotHeader = {
    format: FORMAT,
    codeVersion,
    position: state.position.toString(),
    eventId: state.eventId,
    events: state.version,
    lastRecordedAt: state.lastRecordedAt,
  };
  writeSequence += 1;
  const temp = `${file}.${process.pid}.${writeSequence}.tmp`;
  const writer = new LineWriter(openSync(temp, 'w'));
  writer.line('H', header);
  return {
    steps: writeRecords(writer, state, options.observationBatch ?? OBSERVATION_BATCH),
    abort: (): void => {
      writer.abort();
      rmSync(temp, { force: true });
    },
    finish: (): SnapshotHeader => {
      try {
        writer.finish();
        renameSync(temp, file);
      } catch (error) {
        writer.abort();
        rmSync(temp, { force: true });
        throw error;
      }
      syncFolder(dirname(file));
      return header;
    },
  };
}

/**
 * Removes temporary files that writers of `file` left when they were killed mid-write
 * (`<file>.<pid>.<n>.tmp` whose process is gone), and returns their names. A live writer's file stays.
 */
export function removeStaleTemporaryFiles(file: string): string[] {
  const folder = dirname(file);
  const prefix = `${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    // `<pid>.<write number>`, or `<pid>` alone as earlier versions named them.
    const digits = /^(\d{1,10})(\.\d{1,10})?$/.exec(name.slice(prefix.length, -'.tmp'.length));
    const pid = digits === null ? 0 : Number(digits[1]);
    if (pid <= 0 || processIsAlive(pid)) continue;
    rmSync(join(folder, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Observations per `O` line: one JSON.parse per batch costs less than one per observation. */
const OBSERVATION_BATCH = 500;

/** Writes every record line, yielding after each step of the write. */
function* writeRecords(writer: LineWriter, state: ProjectionState, observationBatch: number): Generator<void, void, void> {
  yield* writeEach(writer, 'F', state.features.values());
  yield* writeEach(writer, 'C', state.changes.values());
  yield* writeObservations(writer, state, observationBatch);
  yield* writeEach(writer, 'T', state.tickets.values());
  yield* writeEach(writer, 'N', state.findings.values());
  yield* writeEach(writer, 'G', state.targets.values());
  writer.line('K', [...state.targetKeys]);
  writer.line('B', [...state.captureBlocks]);
  yield;
  writer.line('S', [...state.scheduleBlocks]);
  yield;
  writer.line('L', state.timeline);
}

/** Records written between two steps of a write. */
const RECORDS_PER_STEP = 200;

function* writeEach(writer: LineWriter, tag: string, records: Iterable<unknown>): Generator<void, void, void> {
  let count = 0;
  for (const record of records) {
    writer.line(tag, record);
    count += 1;
    if (count % RECORDS_PER_STEP === 0) yield;
  }
}

/**
 * Writes observations in batches of positional arrays. A batch's new list values go first, in a
 * `V` line, so every index a batch uses is defined before it is read.
 */
function* writeObservations(writer: LineWriter, state: ProjectionState, observationBatch: number): Generator<void, void, void> {
  const values = new Map<string, number>();
  let batch: CompactObservation[] = [];
  let fresh: unknown[] = [];
  const flush = (): void => {
    if (fresh.length > 0) writer.line('V', fresh);
    if (batch.length > 0) {
      writer.line('I', batch.map((compact) => compact[0]));
      writer.line('O', batch);
    }
    batch = [];
    fresh = [];
  };
  for (const record of state.observations.values()) {
    batch.push(compactObservation(record, values, fresh));
    if (batch.length === observationBatch) {
      flush();
      yield;
    }
  }
  flush();
}

/**
 * An observation as a positional array, in the order of the names below. Facts are flat groups of
 * four: fact-name index, value or value index, source index, and 1 when the value is an index.
 * Anomalies and products carry a source index in place of their source.
 */
type CompactObservation = [
  id: string,
  firstRecordedAt: string,
  importers: readonly string[],
  sources: FactSource[],
  facts: unknown[],
  identifiers: ObservationRecord['identifiers'],
  anomalies: [NotedAnomaly['anomaly'], number, string][],
  products: [string, string, string | null, number][],
  reviews: [Review['level'], string, string, string | null, string][],
  conflicts: ObservationRecord['conflicts'],
];

function compactObservation(record: ObservationRecord, values: Map<string, number>, fresh: unknown[]): CompactObservation {
  const sources: FactSource[] = [];
  const sourceIndex = (source: FactSource): number => {
    const known = sources.indexOf(source);
    return known >= 0 ? known : sources.push(source) - 1;
  };
  const facts: unknown[] = [];
  OBSERVATION_FACT_NAMES.forEach((name, nameIndex) => {
    const fact = assertedFact(record, name);
    if (fact === undefined) return;
    if (!Array.isArray(fact.value)) {
      facts.push(nameIndex, fact.value, sourceIndex(fact.source), 0);
      return;
    }
    const key = JSON.stringify(fact.value);
    let index = values.get(key);
    if (index === undefined) {
      index = values.size;
      values.set(key, index);
      fresh.push(fact.value);
    }
    facts.push(nameIndex, index, sourceIndex(fact.source), 1);
  });
  return [
    record.observationId,
    record.firstRecordedAt,
    record.importers,
    sources,
    facts,
    record.identifiers,
    record.anomalies.map((noted) => [noted.anomaly, sourceIndex(noted.source), noted.notedAt]),
    record.products.map((product) => [product.name, product.location, product.archivedAt, sourceIndex(product.source)]),
    record.reviews.map((review) => [review.level, review.reviewer, review.reviewedAt, review.reason, review.notes]),
    record.conflicts,
  ];
}

function expandObservation(compact: CompactObservation, values: readonly unknown[]): ObservationRecord {
  const [observationId, firstRecordedAt, importers, sources, flatFacts, identifiers, anomalies, products, reviews, conflicts] = compact;
  // One fact set per source; each fact is written once, so the order of the sets does not matter.
  const factSets: { facts: Record<string, unknown>; source: FactSource }[] = [];
  for (let index = 0; index < flatFacts.length; index += 4) {
    const name = OBSERVATION_FACT_NAMES[flatFacts[index] as number]!;
    const value = flatFacts[index + 3] === 1 ? values[flatFacts[index + 1] as number] : flatFacts[index + 1];
    const source = sources[flatFacts[index + 2] as number]!;
    let set = factSets.find((candidate) => candidate.source === source);
    if (set === undefined) {
      set = { facts: {}, source };
      factSets.push(set);
    }
    set.facts[name] = value;
  }
  return {
    observationId,
    factSets: factSets as FactSet[],
    conflicts,
    identifiers,
    anomalies: anomalies.map(([anomaly, source, notedAt]) => ({ anomaly, source: sources[source]!, notedAt })),
    products: products.map(([name, location, archivedAt, source]) => ({ name, location, archivedAt, source: sources[source]! })),
    reviews: reviews.map(([level, reviewer, reviewedAt, reason, notes]) => ({ level, reviewer, reviewedAt, reason, notes })),
    importers,
    firstRecordedAt,
  };
}

/**
 * Reads a snapshot. A missing, unreadable or invalid file is returned as a reason instead of thrown.
 * Observations and the block indexes are read on first use; `onDamage` hears once if one of them
 * turns out to be damaged then.
 */
export function readSnapshot(file: string, codeVersion: string, onDamage?: DamageListener): SnapshotReadResult {
  let bytes: Buffer;
  try {
    // A Buffer, not one string: V8 strings stop at about 512 MiB, and a large log's snapshot passes that.
    bytes = readFileSync(file);
  } catch (error) {
    return unreadable(file, error);
  }
  try {
    const body = snapshotBody(bytes);
    if (typeof body === 'string') return { ok: false, missing: false, reason: body };
    const mismatch = checksumProblem(body.sha256, createHash('sha256').update(bytes.subarray(0, body.end)).digest('hex'));
    if (mismatch !== undefined) return { ok: false, missing: false, reason: mismatch };
    return parseSnapshot(bytes, body.end, codeVersion, onDamage);
  } catch (error) {
    return { ok: false, missing: false, reason: `snapshot ${file} is corrupt: ${(error as Error).message}` };
  }
}

/**
 * Reads a snapshot as `readSnapshot` does, with its checksum computed on a worker thread while this
 * thread parses it: on a 320 MB snapshot the SHA-256 took about half of a start. The bytes are
 * read into shared memory, so the worker hashes the very bytes parsed here.
 */
export async function openSnapshot(file: string, codeVersion: string, onDamage?: DamageListener): Promise<SnapshotReadResult> {
  // Started first, so that its start-up overlaps the read. Without the main thread's loader flags
  // (tsx), which cost a worker about 100 ms to start, because it runs plain JavaScript.
  const hasher = new Worker(new URL('./snapshot-hash.worker.mjs', import.meta.url), { execArgv: [] });
  try {
    let bytes: Buffer;
    try {
      bytes = readIntoSharedMemory(file, hasher);
    } catch (error) {
      return unreadable(file, error);
    }
    try {
      const body = snapshotBody(bytes);
      if (typeof body === 'string') return { ok: false, missing: false, reason: body };
      const digest = hashOn(hasher, bytes, body.end);
      const parsed = parseSnapshot(bytes, body.end, codeVersion, onDamage);
      const mismatch = checksumProblem(body.sha256, await digest);
      if (mismatch !== undefined) return { ok: false, missing: false, reason: mismatch };
      return parsed;
    } catch (error) {
      return { ok: false, missing: false, reason: `snapshot ${file} is corrupt: ${(error as Error).message}` };
    }
  } finally {
    void hasher.terminate();
  }
}

function unreadable(file: string, error: unknown): SnapshotReadResult {
  const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
  return { ok: false, missing, reason: missing ? `no snapshot at ${file}` : `snapshot ${file} cannot be read: ${String(error)}` };
}

/** Bytes read per step of `readIntoSharedMemory`, after each of which the hasher catches up. */
const READ_STEP_BYTES = 16 * 1024 * 1024;
/**
 * Bytes at the end of the read left out of the hasher's progress until the body's end is known,
 * because the closing checksum line (about 80 bytes) is not part of the body.
 */
const TRAILER_MARGIN_BYTES = 4096;

/**
 * Reads a whole file into a Buffer over a SharedArrayBuffer, in steps, telling `hasher` after each
 * step how far the body is read, so that hashing runs beside the read.
 */
function readIntoSharedMemory(file: string, hasher: Worker): Buffer {
  const descriptor = openSync(file, 'r');
  try {
    const size = fstatSync(descriptor).size;
    const bytes = Buffer.from(new SharedArrayBuffer(size));
    hasher.postMessage({ buffer: bytes.buffer });
    let done = 0;
    while (done < size) {
      const read = readSync(descriptor, bytes, done, Math.min(READ_STEP_BYTES, size - done), done);
      if (read === 0) break;
      done += read;
      if (done - TRAILER_MARGIN_BYTES > 0) hasher.postMessage({ upTo: done - TRAILER_MARGIN_BYTES });
    }
    return done === size ? bytes : bytes.subarray(0, done);
  } finally {
    closeSync(descriptor);
  }
}

/** Resolves to the SHA-256 of the first `end` bytes, computed by `hasher`, or here if it fails. */
function hashOn(hasher: Worker, bytes: Buffer, end: number): Promise<string> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (digest: () => string): void => {
      if (settled) return;
      settled = true;
      resolve(digest());
    };
    hasher.once('message', (digest: string) => settle(() => digest));
    // A worker that fails or stops without a digest leaves the work to this thread.
    const onThisThread = (): string => createHash('sha256').update(bytes.subarray(0, end)).digest('hex');
    hasher.once('error', () => settle(onThisThread));
    hasher.once('exit', () => settle(onThisThread));
    hasher.postMessage({ end });
  });
}

const NEWLINE = 0x0a;

/** Returns the body's length and stored checksum, or why the closing checksum line is unusable. */
function snapshotBody(bytes: Buffer): { readonly end: number; readonly sha256: string } | string {
  const trailerStart = bytes.lastIndexOf('\nE ', bytes.length - 2);
  if (trailerStart < 0 || bytes[bytes.length - 1] !== NEWLINE) return 'snapshot is truncated: the closing checksum line is missing';
  const trailer = JSON.parse(bytes.toString('utf8', trailerStart + 3)) as { sha256: string };
  return { end: trailerStart + 1, sha256: trailer.sha256 };
}

function checksumProblem(stored: string, actual: string): string | undefined {
  if (actual === stored) return undefined;
  // Whole digests when the short forms would read alike.
  const whole = stored.slice(0, 12) === actual.slice(0, 12);
  const cut = (digest: string): string => (whole ? digest : `${digest.slice(0, 12)}…`);
  return `snapshot checksum mismatch (stored ${cut(stored)}, computed ${cut(actual)})`;
}

function parseSnapshot(bytes: Buffer, bodyEnd: number, codeVersion: string, onDamage: DamageListener | undefined): SnapshotReadResult {
  const firstBreak = bytes.indexOf(NEWLINE);
  const header = JSON.parse(bytes.toString('utf8', 2, firstBreak)) as SnapshotHeader;
  if (header.format !== FORMAT) {
    return { ok: false, missing: false, reason: `snapshot format ${JSON.stringify(header.format)} is not ${FORMAT}` };
  }
  if (header.codeVersion !== codeVersion) {
    return { ok: false, missing: false, reason: `snapshot was written by other projection code (version ${header.codeVersion.slice(0, 12)}…, running ${codeVersion.slice(0, 12)}…)` };
  }
  const state = restoreState(bytes, firstBreak + 1, bodyEnd, header, onDamage);
  return { ok: true, state, header };
}

function restoreState(bytes: Buffer, from: number, to: number, header: SnapshotHeader, onDamage: DamageListener | undefined): ProjectionState {
  const state = createProjectionState();
  const valueLines: Buffer[] = [];
  const batches: PendingBatch[] = [];
  let captureBlocks: Buffer | null = null;
  let scheduleBlocks: Buffer | null = null;
  let idLine: Buffer | null = null;
  let start = from;
  while (start < to) {
    const end = bytes.indexOf(NEWLINE, start);
    const tag = String.fromCharCode(bytes[start] ?? 0);
    const json = bytes.subarray(start + 2, end);
    start = end + 1;
    // Observations and the block indexes stay bytes until used; see RestoredObservations.
    if (tag === 'V') {
      valueLines.push(json);
    } else if (tag === 'I') {
      idLine = json;
    } else if (tag === 'O') {
      if (idLine === null) throw new Error('an observation batch has no id line before it');
      batches.push({ line: json, idLine });
      idLine = null;
    } else if (tag === 'B') {
      captureBlocks = json;
    } else if (tag === 'S') {
      scheduleBlocks = json;
    } else {
      restoreLine(state, tag, JSON.parse(json.toString('utf8')) as unknown);
    }
  }
  if (captureBlocks === null || scheduleBlocks === null) throw new Error('the capture block or schedule block index is missing');
  return {
    ...state,
    observations: new RestoredObservations(batches, observationExpander(valueLines), onDamage),
    // Copies, because a slice would keep the whole snapshot in memory until the index is first used.
    captureBlocks: new DeferredMap(Buffer.from(captureBlocks), 'capture block index', onDamage),
    scheduleBlocks: new DeferredMap(Buffer.from(scheduleBlocks), 'schedule block index', onDamage),
    version: header.events,
    position: BigInt(header.position),
    eventId: header.eventId,
    lastRecordedAt: header.lastRecordedAt,
  };
}

/**
 * Expands batch lines into records. The list values are parsed on the first batch expanded, and
 * their lines are then let go, because as slices they keep the whole snapshot file in memory.
 */
function observationExpander(valueLines: Buffer[]): ExpandBatch {
  let values: unknown[] | null = null;
  return (line) => {
    if (values === null) {
      const parsed: unknown[] = [];
      for (const valueLine of valueLines) {
        const list = readPart('table of list values', () => JSON.parse(valueLine.toString('utf8')) as unknown);
        if (!Array.isArray(list)) throw new SnapshotDamagedError("the snapshot's table of list values is not a list");
        parsed.push(...(list as unknown[]));
      }
      values = parsed;
      valueLines.length = 0;
    }
    const table = values;
    const batch = JSON.parse(line.toString('utf8')) as unknown;
    if (!Array.isArray(batch)) throw new SnapshotDamagedError('an observation batch is not a list');
    return (batch as CompactObservation[]).map((compact) => expandObservation(compact, table));
  };
}

type Keyed = { featureKey: string } & { changeId: string } & { ticketKey: string } & { findingId: string } & { targetName: string };

function restoreLine(state: ProjectionState, tag: string, value: unknown): void {
  const record = value as Keyed;
  switch (tag) {
    case 'F': state.features.set(record.featureKey, value as never); return;
    case 'C': state.changes.set(record.changeId, value as never); return;
    case 'T': state.tickets.set(record.ticketKey, value as never); return;
    case 'N': state.findings.set(record.findingId, value as never); return;
    case 'G': state.targets.set(record.targetName, value as never); return;
    case 'K': for (const [key, name] of value as [string, string][]) state.targetKeys.set(key, name); return;
    case 'L': state.timeline.push(...(value as ProjectionState['timeline'])); return;
    default: throw new Error(`unknown line tag ${JSON.stringify(tag)}`);
  }
}

/** Writes lines through a buffer, hashing every byte, and closes with the checksum line. */
class LineWriter {
  private readonly hash = createHash('sha256');
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(private readonly fd: number) {}

  line(tag: string, value: unknown): void {
    this.raw(`${tag} ${JSON.stringify(value)}\n`);
  }

  raw(text: string): void {
    this.hash.update(text);
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength > 4_000_000) this.flush();
  }

  finish(): void {
    const trailer = `E ${JSON.stringify({ sha256: this.hash.digest('hex') })}\n`;
    this.pending.push(trailer);
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
  }

  /** Closes the file after a failed write; the caller removes it. */
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Already closed by `finish`, which failed after closing.
    }
  }

  private flush(): void {
    writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.pendingLength = 0;
  }
}

function syncFolder(folder: string): void {
  // Makes the rename durable; some file systems refuse fsync on a folder, which costs only durability.
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    return;
  }
}
