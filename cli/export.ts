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
import { eventSchemaVersions, isOnskyEventType } from '../domain/index.js';
import type { AppendRequest, EventStore, NewEvent, RecordedEvent } from '../store/port.js';
import { UsageError } from './options.js';

/** First line of an export, so a restore can tell an onsky export from any other NDJSON. */
export interface ExportHeader {
  readonly format: 'onsky-export';
  readonly version: 1;
  readonly exportedAt: string;
}

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
  const header: ExportHeader = { format: 'onsky-export', version: 1, exportedAt: now.toISOString() };
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
  // target store empty and the restore can be run again into it. Reading a line checks it.
  for await (const _event of exportedEvents(file));
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

/** Reads an export's events with their line numbers; raises a `UsageError` naming the first bad line. */
async function* exportedEvents(file: string): AsyncGenerator<{ stream: string; revision: number; event: NewEvent; line: number }> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber += 1;
    if (lineNumber === 1) {
      checkHeader(text, file);
      continue;
    }
    if (text.trim() === '') continue;
    yield { ...parseEvent(text, file, lineNumber), line: lineNumber };
  }
  if (lineNumber === 0) throw new UsageError(`${file} is empty; pass a file written by \`onsky export\``);
}

function checkHeader(text: string, file: string): void {
  let header: Partial<ExportHeader> | undefined;
  try {
    header = JSON.parse(text) as Partial<ExportHeader>;
  } catch {
    header = undefined;
  }
  if (header?.format !== 'onsky-export') {
    throw new UsageError(`${file}:1 is not an onsky export header; pass a file written by \`onsky export\``);
  }
  if (header.version !== 1) {
    throw new UsageError(`${file}:1 is export version ${String(header.version)}, but this onsky reads version 1; restore with the onsky that wrote it`);
  }
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
