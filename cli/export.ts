/**
 * `onsky export` and `onsky restore`: the whole log as NDJSON, one event envelope per line, in
 * log order. A restore into an empty store keeps every event id, stream, revision, type, schema
 * version, payload and record time, so the read models it rebuilds equal the original's.
 * The same pair moves a site from the embedded store to EventStoreDB.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, openSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { isLeft } from 'fp-ts/lib/Either.js';
import {
  calendarProblem,
  changeStream,
  eventSchemaVersions,
  featureStream,
  findingStream,
  isIsoUtc,
  isOnskyEventType,
  observationStream,
  parseStreamName,
  targetStream,
  ticketStream,
  type AggregateName,
} from '../domain/index.js';
import { eventDataProblem } from '../domain/event-schemas.js';
import { domainUpcasters } from '../domain/upcasters.js';
import { applyEvent } from '../projections/fold.js';
import { createProjectionState } from '../projections/model.js';
import { UpcasterChain } from '../store/upcast.js';
import type { AppendRequest, EventStore, NewEvent, RecordedEvent } from '../store/port.js';
import { UsageError } from './options.js';

/** First line of an export, so a restore can tell an onsky export from any other NDJSON. */
export interface ExportHeader {
  readonly format: 'onsky-export';
  /** 2 since exports end with an `ExportTrailer`; version 1 exports have none. */
  readonly version: 1 | 2;
  readonly exportedAt: string;
}

/** Last line of a version 2 export: a file cut at a line end lacks it or counts other events. */
export interface ExportTrailer {
  readonly format: 'onsky-export-end';
  readonly events: number;
}

const EXPORT_VERSION = 2;

interface ExportedEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: number;
  /** Position in the source log, as a decimal string because it may pass 2^53. */
  readonly position: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: RecordedEvent['metadata'];
}

/** Writes the log to `output`; returns the number of events written. */
export async function exportLog(store: EventStore, output: NodeJS.WritableStream, now = new Date()): Promise<number> {
  const header: ExportHeader = { format: 'onsky-export', version: EXPORT_VERSION, exportedAt: now.toISOString() };
  await write(output, `${JSON.stringify(header)}\n`);
  let count = 0;
  for await (const event of store.readAll()) {
    const line: ExportedEvent = {
      id: event.id,
      stream: event.stream,
      revision: event.revision,
      position: event.position.toString(),
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      metadata: event.metadata,
    };
    await write(output, `${JSON.stringify(line)}\n`);
    count += 1;
  }
  const trailer: ExportTrailer = { format: 'onsky-export-end', events: count };
  await write(output, `${JSON.stringify(trailer)}\n`);
  return count;
}

/** Events per transaction while restoring. */
const RESTORE_BATCH = 1000;

/**
 * Restores an export into an empty store. Every line is checked before the first is written, so
 * a bad line stops the restore with its line number and leaves the store empty.
 */
export async function restoreLog(store: EventStore, file: string): Promise<number> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined) throw new UsageError(`file ${file} was not found; pass a file written by \`onsky export\``);
  if (!info.isFile()) throw new UsageError(`${file} is not a file; pass a file written by \`onsky export\``);
  if ((await store.headPosition()) !== undefined) {
    throw new UsageError('the target store is not empty; restore into a new data folder (--data) so that no event is mixed with another log');
  }

  // Every line is checked before the first is stored, so a damaged or too new export leaves the
  // target store empty and the restore can be run again into it. Reading a line checks it, and
  // the whole log is folded into scratch read models, as a start of the server would fold it.
  const check = new RestoreCheck(file);
  for await (const { line, ...event } of exportedEvents(file)) check.add(event, line);
  let count = 0;
  let batch: Array<{ stream: string; revision: number; event: NewEvent }> = [];
  let lastLine = 0;
  for await (const { line, ...event } of exportedEvents(file)) {
    batch.push(event);
    lastLine = line;
    if (batch.length >= RESTORE_BATCH) {
      count += await appendRestored(store, batch, file, line);
      batch = [];
    }
  }
  count += await appendRestored(store, batch, file, lastLine);
  return count;
}

/** UUIDs as the stores write them, lowercase or uppercase hex. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Record times more than this far ahead of the machine's clock are taken for damage, in ms. */
const FUTURE_SLACK_MS = 24 * 3_600_000;

/**
 * Checks of a whole export before anything of it is stored. Each stream's revisions count up from
 * 0 in log order, ids are unique UUIDs, and record times exist and never go backwards. Each
 * event's data names the stream it is in, and the log folds into the read models. A failure
 * raises a `UsageError` that names the line.
 */
class RestoreCheck {
  private readonly nextRevision = new Map<string, number>();
  private readonly ids = new Set<string>();
  private readonly upcasters = new UpcasterChain(domainUpcasters);
  private readonly state = createProjectionState();
  private lastRecordedAt: string | undefined;
  private position = 0n;
  private readonly latestAllowedMs = Date.now() + FUTURE_SLACK_MS;

  constructor(private readonly file: string) {}

  add({ stream, revision, event }: { stream: string; revision: number; event: NewEvent }, line: number): void {
    const at = `${this.file}:${line}`;
    const next = this.nextRevision.get(stream) ?? 0;
    if (revision !== next) {
      throw new UsageError(`${at} is revision ${revision} of stream "${stream}", but the stream's next revision is ${next}; the export is out of order, repeated or incomplete, so export again`);
    }
    this.nextRevision.set(stream, next + 1);
    if (typeof event.id !== 'string' || !UUID.test(event.id)) throw new UsageError(`${at} has event id ${JSON.stringify(event.id)}, which is not a UUID; the export is damaged, so export again`);
    if (this.ids.has(event.id)) throw new UsageError(`${at} repeats event id ${event.id} of an earlier line; the export is damaged, so export again`);
    this.ids.add(event.id);
    const recordedAt = this.checkRecordedAt(event.metadata, at);
    checkStreamKey(stream, event, at);
    checkStreamStart(stream, revision, event, at);

    this.position += 1n;
    const upcast = this.upcasters.apply({ type: event.type, schemaVersion: event.schemaVersion, data: event.data });
    // The fold accepts data of the wrong shape (a list as a string, a time as a number), and the
    // queries that read it would fail after the restore, so the shape is checked here.
    const problem = isOnskyEventType(upcast.type) ? eventDataProblem(upcast.type, upcast.data) : undefined;
    if (problem !== undefined) {
      throw new UsageError(`${at}: the ${event.type} event's data is invalid (${problem}); the export was edited or damaged, so export again`);
    }
    const recorded = { ...event, ...upcast, stream, revision, position: this.position, metadata: { ...event.metadata, recordedAt } } as RecordedEvent;
    try {
      applyEvent(this.state, recorded);
    } catch (error) {
      throw new UsageError(`${at}: the ${event.type} event's data cannot be read (${(error as Error).message}); the export is damaged, so export again`);
    }
  }

  private checkRecordedAt(metadata: NewEvent['metadata'], at: string): string {
    if (typeof metadata !== 'object' || metadata === null || typeof metadata.actor !== 'string') {
      throw new UsageError(`${at} has no metadata.actor, which every event records; the export is damaged, so export again`);
    }
    const recordedAt = (metadata as { recordedAt?: unknown }).recordedAt;
    if (typeof recordedAt !== 'string' || !isIsoUtc(recordedAt)) {
      const problem = typeof recordedAt === 'string' ? (calendarProblem(recordedAt) ?? 'not an ISO 8601 UTC time') : 'missing';
      throw new UsageError(`${at} has metadata.recordedAt ${JSON.stringify(recordedAt)}: ${problem}; the export is damaged, so export again`);
    }
    if (Date.parse(recordedAt) > this.latestAllowedMs) {
      throw new UsageError(`${at} has metadata.recordedAt ${recordedAt}, later than this machine's clock; the export is damaged (or the clock is wrong), so export again`);
    }
    if (this.lastRecordedAt !== undefined && Date.parse(recordedAt) < Date.parse(this.lastRecordedAt)) {
      throw new UsageError(`${at} has metadata.recordedAt ${recordedAt}, before ${this.lastRecordedAt} on an earlier line; record time never goes back along a log, so the export is out of order`);
    }
    this.lastRecordedAt = recordedAt;
    // The store keeps record times in this form, so the check folds them the same way.
    return new Date(recordedAt).toISOString();
  }
}

/** The data field that names each aggregate's stream, and the stream it names. */
const STREAM_KEYS: Readonly<Record<AggregateName, { field: string; stream: (key: string) => string }>> = {
  feature: { field: 'featureKey', stream: featureStream },
  change: { field: 'changeId', stream: changeStream },
  observation: { field: 'observationId', stream: observationStream },
  ticket: { field: 'ticketKey', stream: ticketStream },
  finding: { field: 'findingId', stream: findingStream },
  target: { field: 'targetName', stream: targetStream },
};

/**
 * The event that creates each aggregate that has one: its stream starts with it, and no decider
 * writes it twice. An observation has none, because an anomaly or an identifier may come first.
 */
const CREATED_BY: Readonly<Partial<Record<AggregateName, string>>> = {
  feature: 'FeatureProposed',
  change: 'ChangeRecorded',
  ticket: 'TicketRecorded',
  finding: 'FindingRecorded',
  target: 'TargetRecorded',
};

/**
 * Rejects a stream that does not start with its creating event, or repeats it: a delivery of a
 * feature never proposed, or a second proposal, which no decider writes and the read models fold wrongly.
 */
function checkStreamStart(stream: string, revision: number, event: NewEvent, at: string): void {
  const aggregate = parseStreamName(stream)?.aggregate;
  const creation = aggregate === undefined ? undefined : CREATED_BY[aggregate];
  if (creation === undefined || (revision === 0) === (event.type === creation)) return;
  const problem = revision === 0 ? `starts with a ${event.type} event instead of ${creation}` : `has a second ${creation} event at revision ${revision}`;
  throw new UsageError(`${at}: stream "${stream}" ${problem}, which onsky never writes; the export was edited or damaged, so export again`);
}

/** Rejects an event whose data does not name the stream it is in: data lost or moved by an edit. */
function checkStreamKey(stream: string, event: NewEvent, at: string): void {
  const aggregate = parseStreamName(stream)?.aggregate;
  if (aggregate === undefined) {
    throw new UsageError(`${at} is in stream ${JSON.stringify(stream)}, which is not an onsky stream (feature-…, change-…, observation-…); the export is damaged, so export again`);
  }
  const { field, stream: streamOf } = STREAM_KEYS[aggregate];
  const data = event.data as Record<string, unknown> | null;
  const key = typeof data === 'object' && data !== null && !Array.isArray(data) ? data[field] : undefined;
  if (typeof key !== 'string' || streamOf(key) !== stream) {
    throw new UsageError(`${at} is a ${event.type} event in stream "${stream}" whose data.${field} is ${JSON.stringify(key)}; the export is damaged, so export again`);
  }
}

/** Reads an export's events with their line numbers; raises a `UsageError` naming the first bad line. */
async function* exportedEvents(file: string): AsyncGenerator<{ stream: string; revision: number; event: NewEvent; line: number }> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  let version = 0;
  let events = 0;
  let trailer: { line: number; events: unknown } | undefined;
  for await (const text of lines) {
    lineNumber += 1;
    if (lineNumber === 1) {
      // An editor that saves UTF-8 with a byte-order mark leaves the export otherwise intact.
      version = checkHeader(text.replace(/^\uFEFF/, ''), file);
      continue;
    }
    if (text.trim() === '') continue;
    if (trailer !== undefined) throw new UsageError(`${file}:${lineNumber} follows the closing line ${trailer.line}; the export is damaged, so export again`);
    // Event lines start with their id; text that names the closing line elsewhere is event data.
    if (version >= 2 && !text.startsWith('{"id"') && text.includes('onsky-export-end')) {
      trailer = { line: lineNumber, events: parseTrailer(text, file, lineNumber).events };
      continue;
    }
    yield { ...parseEvent(text, file, lineNumber), line: lineNumber };
    events += 1;
  }
  if (lineNumber === 0) throw new UsageError(`${file} is empty; pass a file written by \`onsky export\``);
  if (version < 2) return;
  if (trailer === undefined) {
    throw new UsageError(`${file} ends after line ${lineNumber} without the closing line an export ends with, so it was cut short; copy or export it again`);
  }
  if (trailer.events !== events) {
    throw new UsageError(`${file}:${trailer.line} counts ${JSON.stringify(trailer.events)} events, but the file contains ${events}; lines were lost or repeated, so copy or export it again`);
  }
}

/** Parses a line of JSON; returns `undefined` for text that is not JSON, so the caller names the line. */
function parseJsonOrUndefined<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** Reads the closing line; raises a `UsageError` when it is damaged. */
function parseTrailer(text: string, file: string, line: number): Partial<ExportTrailer> {
  const parsed = parseJsonOrUndefined<Partial<ExportTrailer>>(text);
  if (parsed?.format !== 'onsky-export-end') {
    throw new UsageError(`${file}:${line} is a damaged closing line (${JSON.stringify(text.slice(0, 60))}); the export is damaged or cut short, so copy or export it again`);
  }
  return parsed;
}

/** Checks the header line; returns the export's version. */
function checkHeader(text: string, file: string): number {
  const header = parseJsonOrUndefined<Partial<ExportHeader>>(text);
  if (header?.format !== 'onsky-export') {
    throw new UsageError(`${file}:1 is not an onsky export header; pass a file written by \`onsky export\``);
  }
  if (header.version !== 1 && header.version !== EXPORT_VERSION) {
    throw new UsageError(`${file}:1 is export version ${String(header.version)}, but this onsky reads versions 1 and ${EXPORT_VERSION}; restore with the onsky that wrote it`);
  }
  return header.version;
}

function parseEvent(text: string, file: string, line: number): { stream: string; revision: number; event: NewEvent } {
  let parsed: Partial<ExportedEvent>;
  try {
    parsed = JSON.parse(text) as Partial<ExportedEvent>;
  } catch (error) {
    throw new UsageError(`${file}:${line} is not valid JSON (${(error as Error).message}); the export is damaged, so export again`);
  }
  const missing = (['id', 'stream', 'revision', 'type', 'schemaVersion', 'metadata'] as const).filter((field) => parsed[field] === undefined);
  if (missing.length > 0 || typeof parsed.revision !== 'number') {
    throw new UsageError(`${file}:${line} lacks ${missing.join(', ') || 'a numeric revision'}; the export is damaged, so export again`);
  }
  if (!Number.isInteger(parsed.schemaVersion) || (parsed.schemaVersion as number) < 1) {
    throw new UsageError(`${file}:${line} has schemaVersion ${JSON.stringify(parsed.schemaVersion)}, which is not a whole number from 1; the export is damaged, so export again`);
  }
  // An event of a type or version this onsky does not know would stop its read models or be
  // folded wrongly, so it is not stored.
  if (!isOnskyEventType(parsed.type!)) {
    throw new UsageError(`${file}:${line} is a ${JSON.stringify(parsed.type)} event, a type this onsky does not know; restore with the onsky that exported it or a newer one`);
  }
  const current = eventSchemaVersions[parsed.type];
  if ((parsed.schemaVersion as number) > current) {
    throw new UsageError(`${file}:${line} is ${parsed.type} schema version ${String(parsed.schemaVersion)}, but this onsky reads versions up to ${current}; restore with the onsky that exported it or a newer one`);
  }
  return {
    stream: parsed.stream!,
    revision: parsed.revision,
    event: { id: parsed.id!, type: parsed.type!, schemaVersion: parsed.schemaVersion!, data: parsed.data ?? null, metadata: parsed.metadata! },
  };
}

/** Appends restored events in log order, each with the exact revision it had. */
async function appendRestored(store: EventStore, batch: Array<{ stream: string; revision: number; event: NewEvent }>, file: string, lastLine: number): Promise<number> {
  if (batch.length === 0) return 0;
  const requests: AppendRequest[] = [];
  for (const entry of batch) {
    const previous = requests.at(-1);
    const expected = entry.revision === 0 ? 'no-stream' : entry.revision - 1;
    // Consecutive events of one stream share a request; the expectation is that of the first.
    if (previous !== undefined && previous.stream === entry.stream) {
      (previous.events as NewEvent[]).push(entry.event);
    } else {
      requests.push({ stream: entry.stream, events: [entry.event], expectedRevision: expected });
    }
  }
  const result = await store.appendBatch(requests);
  if (isLeft(result)) {
    throw new UsageError(
      `${file} up to line ${lastLine}: stream "${result.left.stream}" is at revision ${String(result.left.actual)}, not the ${String(result.left.expected)} the export expects; ` +
        'the export is out of order or the store was written meanwhile, so restore into a new data folder',
    );
  }
  return batch.length;
}

function write(output: NodeJS.WritableStream, text: string): Promise<void> | void {
  if (output.write(text)) return;
  return once(output, 'drain').then(() => undefined);
}

/** Opens the export's output; a path that cannot be written is a usage error, not a crash. */
export function createOutput(path: string | undefined): NodeJS.WritableStream {
  if (path === undefined || path === '-') return process.stdout;
  let fd: number;
  try {
    // Opened here, because a write stream reports a missing folder only later, as an event.
    fd = openSync(path, 'w');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`cannot write the export to ${path} (${code}); check that its folder exists and is writable, or leave out --out to write to standard output`);
  }
  return createWriteStream(path, { fd });
}
