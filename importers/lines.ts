/**
 * The line reader every line-based importer uses: streams a file in chunks, splits it on \n
 * (dropping a \r before it) and numbers the lines from 1. Memory use is bounded by one chunk plus
 * one capped line, so a log of any size can be imported.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { rejectNonText, TEXT_SAMPLE_BYTES } from './text-check.js';
import { ImportError, type ParsedWarning, type ParseOptions, type Source, sha256, sourceName, warning } from './types.js';

/**
 * One line of text. It keeps a reference to the chunk it was read from rather than a copy or a
 * view, because allocating a Buffer view per line costs more than splitting the line.
 */
export class TextLine {
  readonly kind = 'line';

  constructor(
    readonly text: string,
    /** The 1-based line number. */
    readonly line: number,
    private readonly source: Buffer,
    private readonly start: number,
    private readonly end: number,
    /** True when the bytes were not valid UTF-8 and `text` is their Latin-1 decoding. */
    readonly latin1: boolean,
  ) {}

  /** The number of raw bytes, without the line terminator. */
  get byteLength(): number {
    return this.end - this.start;
  }

  /** The raw bytes without the line terminator, as a view into the chunk. */
  get bytes(): Buffer {
    return this.source.subarray(this.start, this.end);
  }

  /** Computes the SHA-256 of the raw bytes (lowercase hex). */
  digest(): string {
    // Valid UTF-8 decodes and encodes back to the same bytes, so hashing the text needs no view.
    return this.latin1 ? sha256(this.bytes) : sha256(this.text);
  }

  /**
   * Returns the digest, or for a UTF-8 line its text, for `record` to hash when the digest is
   * first read. Hashing the text equals hashing the bytes because valid UTF-8 round-trips.
   */
  lazyDigest(): string | { readonly text: string } {
    return this.latin1 ? this.digest() : this;
  }
}

export type LineItem = TextLine | ParsedWarning;

/**
 * Takes each line's bytes as they are split, in place of a `TextLine`, and appends what it makes
 * of them to `out`, where the reader's own warnings go too, so that both stay in file order.
 * `source[start, end)` are the line's bytes without terminator; `lineText` decodes them. A sink
 * can so read a line's fixed ASCII fields, such as a timestamp, from the bytes, which costs less
 * than reading them from a string. The reader never changes those bytes afterwards, so a sink may
 * keep a reference to them, to hash the line later for example. Such a reference keeps the whole
 * chunk (up to 1 MiB) in memory, so a sink that keeps a line for long keeps a copy instead.
 */
export interface LineSink<T> {
  line(source: Buffer, start: number, end: number, line: number, encoding: LineEncoding, out: (T | ParsedWarning)[]): void;
}

/** The decoding of a line's bytes: ASCII, valid UTF-8, or Latin-1 for bytes that are not UTF-8. */
export const ASCII = 0;
export const UTF8 = 1;
export const LATIN1 = 2;
export type LineEncoding = typeof ASCII | typeof UTF8 | typeof LATIN1;

/** Decodes a line that a `LineSink` was given. ASCII decodes as Latin-1, which is faster and gives the same text. */
export function lineText(source: Buffer, start: number, end: number, encoding: LineEncoding): string {
  return source.toString(encoding === UTF8 ? 'utf8' : 'latin1', start, end);
}

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

/**
 * Chunk size for files opened by path. With reads of 64 KiB the parser waited on the disk thread
 * for about a twentieth of its time, so reads are larger and split in batches (BATCH_BYTES).
 */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Bytes of lines per batch. One batch of records stays small enough to be collected young: with
 * batches of 1 MiB the obslog parser ran at half to two thirds of the speed, the rest lost to
 * garbage collection (bench/import-parse.ts on a shared 2-core machine).
 */
const BATCH_BYTES = 64 * 1024;

/** Lines decoded as Latin-1 that get their own warning; later ones are counted in one summary. */
const LATIN1_WARNINGS_SHOWN = 5;

/** The encoding a chunk's complete lines are known to have: ASCII, UTF-8, or not yet checked. */
const UNCHECKED = 3;
type KnownEncoding = typeof ASCII | typeof UTF8 | typeof UNCHECKED;

/** Starts the message of a warning caused by a parser bug rather than by the input. */
export const INTERNAL_ERROR_PREFIX = 'internal parser error, line skipped:';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Reads a source as batches of lines and warnings in file order, one batch per chunk read.
 * Raises `ImportError` for UTF-16 or binary input (a NUL byte, or a start that is more than 10 %
 * control characters). Lines longer than `maxLineBytes` are skipped with a warning, and lines
 * that are not valid UTF-8 are decoded as Latin-1 with a warning.
 */
export function readLineBatches(source: Source, options: ParseOptions = {}): AsyncGenerator<LineItem[]> {
  return splitBatches<TextLine>(source, options, undefined);
}

/**
 * Reads a source as `readLineBatches` does, but hands each line to `sink` without making a
 * `TextLine` of it, and yields what the sink made with the reader's warnings. A sink that throws
 * loses only its line: the error becomes a warning on it.
 */
export function readLinesInto<T>(source: Source, options: ParseOptions, sink: LineSink<T>): AsyncGenerator<(T | ParsedWarning)[]> {
  return splitBatches(source, options, sink);
}

async function* splitBatches<T>(source: Source, options: ParseOptions, sink: LineSink<T> | undefined): AsyncGenerator<(T | ParsedWarning)[]> {
  const reader = new LineSplitter<T>(sourceName(source), options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, sink);
  const stream = typeof source === 'string' ? createReadStream(source, { highWaterMark: READ_CHUNK_BYTES }) : source.stream;

  // The first 64 KiB are held back until they can be checked as a whole, so a stream of small
  // chunks is judged on the same sample as a file. They are then split in their own chunks.
  let head: Buffer[] | undefined = [];
  let headBytes = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    const bytes = ownedBytes(chunk, typeof source === 'string');
    if (head !== undefined) {
      head.push(bytes);
      headBytes += bytes.length;
      if (headBytes < TEXT_SAMPLE_BYTES) continue;
      yield* releaseHead(reader, head);
      head = undefined;
      continue;
    }
    yield* pushInBatches(reader, bytes);
  }
  if (head !== undefined) yield* releaseHead(reader, head);

  const rest = reader.end();
  if (rest.length > 0) yield rest;
}

/**
 * Returns a chunk as memory the reader owns, which nothing changes later, so that a sink may keep
 * a line's bytes past its call (see `LineSink`). A file read stream hands over a new buffer with
 * every read. Any other stream may reuse its memory, so its chunks are copied: a quarter of a
 * millisecond per MiB here, against about 17 ms to parse a MiB of obslog.
 */
function ownedBytes(chunk: Uint8Array | string, fromFile: boolean): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return fromFile ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.copyBytesFrom(chunk);
}

/** Checks the held-back start of a source for text, then splits it chunk by chunk. */
function* releaseHead<T>(reader: LineSplitter<T>, head: readonly Buffer[]): Generator<(T | ParsedWarning)[]> {
  // One chunk, so that a byte order mark split over the stream's first chunks is still seen whole.
  const start = Buffer.concat(head);
  reader.checkText(start);
  yield* pushInBatches(reader, start);
}

/**
 * Splits a chunk in batches of at most BATCH_BYTES, each yielded before the next is made, so that
 * what a consumer makes of one batch is garbage before the next.
 */
function* pushInBatches<T>(reader: LineSplitter<T>, chunk: Buffer): Generator<(T | ParsedWarning)[]> {
  for (let from = 0; from < chunk.length; from += BATCH_BYTES) {
    const items = reader.push(chunk.length <= BATCH_BYTES ? chunk : chunk.subarray(from, from + BATCH_BYTES));
    if (items.length > 0) yield items;
  }
}

/** Reads a source line by line; see `readLineBatches` for what it checks. */
export async function* readLines(source: Source, options: ParseOptions = {}): AsyncGenerator<LineItem> {
  for await (const batch of readLineBatches(source, options)) {
    yield* batch;
  }
}

/**
 * The splitting state machine behind `readLineBatches`, fed one chunk at a time. Without a sink
 * its items are `TextLine`s (T is then `TextLine`).
 */
class LineSplitter<T> {
  private lineNumber = 0;
  private started = false;
  /** Bytes of the current, unfinished line that arrived in earlier chunks. */
  private carry: Buffer[] = [];
  private carryLength = 0;
  /** True while the rest of an over-long line is being dropped. */
  private skipping = false;
  private latin1Lines = 0;
  private lastLatin1Line = 0;

  constructor(
    private readonly file: string,
    private readonly maxLineBytes: number,
    private readonly sink: LineSink<T> | undefined,
  ) {}

  push(chunk: Buffer): (T | ParsedWarning)[] {
    if (!this.started) {
      chunk = this.checkStart(chunk);
      this.started = true;
    }
    this.checkNoNul(chunk);

    const items: (T | ParsedWarning)[] = [];
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    // A newline byte never occurs inside a multi-byte UTF-8 sequence, so the complete lines of a
    // chunk can be validated in one native call and only a failing chunk is checked per line.
    // ASCII is checked first because its lines decode faster as Latin-1, to the same text.
    const complete = chunk.subarray(0, Math.max(lastNewline, 0));
    const chunkIsAscii = isAscii(complete);
    let chunkEncoding: KnownEncoding = UNCHECKED;
    if (chunkIsAscii) chunkEncoding = ASCII;
    else if (isUtf8(complete)) chunkEncoding = UTF8;
    let position = 0;

    while (position < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, position);
      if (newline < 0) {
        this.keepPartial(chunk.subarray(position), items);
        break;
      }

      this.lineNumber += 1;
      if (this.skipping) {
        this.skipping = false;
      } else if (this.carryLength > 0) {
        const joined = Buffer.concat([...this.carry, chunk.subarray(position, newline)]);
        this.carry = [];
        this.carryLength = 0;
        this.finishLine(joined, 0, joined.length, UNCHECKED, items);
      } else {
        this.finishLine(chunk, position, newline, chunkEncoding, items);
      }
      position = newline + 1;
    }
    return items;
  }

  end(): (T | ParsedWarning)[] {
    const items: (T | ParsedWarning)[] = [];
    if (this.carryLength > 0 && !this.skipping) {
      this.lineNumber += 1;
      const joined = Buffer.concat(this.carry);
      this.finishLine(joined, 0, joined.length, UNCHECKED, items);
    }
    this.carry = [];
    this.carryLength = 0;

    const unreported = this.latin1Lines - LATIN1_WARNINGS_SHOWN;
    if (unreported > 0) {
      items.push(
        warning(this.file, this.lastLatin1Line, `${unreported} more lines were not valid UTF-8 and were decoded as Latin-1 (the last is line ${this.lastLatin1Line}); save the file as UTF-8 to silence this`),
      );
    }
    return items;
  }

  private keepPartial(part: Buffer, items: (T | ParsedWarning)[]): void {
    if (this.skipping) return;
    // A \r at the end may be the first half of a CRLF, which does not count against the limit.
    const allowed = part[part.length - 1] === CARRIAGE_RETURN ? this.maxLineBytes + 1 : this.maxLineBytes;
    if (this.carryLength + part.length > allowed) {
      this.skipping = true;
      this.carry = [];
      this.carryLength = 0;
      items.push(this.longLineWarning(this.lineNumber + 1));
      return;
    }
    // Copy, because the stream may reuse the chunk's memory after this call.
    this.carry.push(Buffer.from(part));
    this.carryLength += part.length;
  }

  /** Emits the line in `source[start, end)`, without a trailing \r. */
  private finishLine(source: Buffer, start: number, end: number, encoding: KnownEncoding, items: (T | ParsedWarning)[]): void {
    if (end > start && source[end - 1] === CARRIAGE_RETURN) end -= 1;
    if (end - start > this.maxLineBytes) {
      items.push(this.longLineWarning(this.lineNumber));
      return;
    }

    if (encoding === ASCII || encoding === UTF8) {
      this.emit(source, start, end, encoding, items);
      return;
    }
    if (isUtf8(source.subarray(start, end))) {
      this.emit(source, start, end, UTF8, items);
      return;
    }

    this.latin1Lines += 1;
    this.lastLatin1Line = this.lineNumber;
    if (this.latin1Lines <= LATIN1_WARNINGS_SHOWN) {
      items.push(warning(this.file, this.lineNumber, 'line is not valid UTF-8, so it was decoded as Latin-1; save the file as UTF-8 if that is wrong'));
    }
    this.emit(source, start, end, LATIN1, items);
  }

  private emit(source: Buffer, start: number, end: number, encoding: LineEncoding, items: (T | ParsedWarning)[]): void {
    if (this.sink === undefined) {
      items.push(new TextLine(lineText(source, start, end, encoding), this.lineNumber, source, start, end, encoding === LATIN1) as T);
      return;
    }
    // One malformed line must not stop an import of millions, so a failure in a sink becomes a
    // warning on that line. The fuzz tests count such warnings as parser bugs.
    try {
      this.sink.line(source, start, end, this.lineNumber, encoding, items);
    } catch (error) {
      items.push(warning(this.file, this.lineNumber, `${INTERNAL_ERROR_PREFIX} ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  private longLineWarning(line: number): ParsedWarning {
    return warning(
      this.file,
      line,
      `line is longer than the limit of ${formatBytes(this.maxLineBytes)} per line, so it was skipped; if it holds records, split it into lines shorter than that (e.g. one record per line) and import the file again`,
    );
  }

  /** Rejects a source whose start is not text; see `rejectNonText`. UTF-16 is left to `checkStart`. */
  checkText(start: Buffer): void {
    if (startsAsUtf16(start)) return;
    rejectNonText(start, this.file);
  }

  /** Strips a UTF-8 byte order mark and rejects UTF-16 before any line is split. */
  private checkStart(chunk: Buffer): Buffer {
    if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
      return chunk.subarray(3);
    }
    if (startsAsUtf16(chunk)) {
      throw new ImportError(this.file, undefined, `${this.file} is encoded as UTF-16, which the importers do not read; save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8) and import it again`);
    }
    return chunk;
  }

  private checkNoNul(chunk: Buffer): void {
    const nul = chunk.indexOf(0);
    if (nul < 0) return;

    let line = this.lineNumber + 1;
    for (let index = chunk.indexOf(NEWLINE); index >= 0 && index < nul; index = chunk.indexOf(NEWLINE, index + 1)) {
      line += 1;
    }
    throw new ImportError(this.file, line, `${this.file}:${line} contains a NUL byte, so it looks like a binary file rather than a text log; check that this is the right file, or save it as UTF-8 text without NUL bytes`);
  }
}

/** Formats a byte count as whole MiB when it is one, else as bytes: "1 MiB", "1000 bytes". */
function formatBytes(bytes: number): string {
  const mebibyte = 1024 * 1024;
  return bytes % mebibyte === 0 ? `${bytes / mebibyte} MiB` : `${bytes} bytes`;
}

/** True when a source starts with a UTF-16 byte order mark or looks like UTF-16 without one. */
function startsAsUtf16(chunk: Buffer): boolean {
  const bom = chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff));
  return bom || looksLikeUtf16(chunk);
}

/**
 * Tells UTF-16 without a byte order mark from other text: in UTF-16 text that is mostly ASCII
 * every other byte is zero, always at the same parity.
 */
function looksLikeUtf16(chunk: Buffer): boolean {
  const pairs = Math.min(chunk.length, 4096) >> 1;
  if (pairs < 2) return false;

  let evenZeros = 0;
  let oddZeros = 0;
  for (let pair = 0; pair < pairs; pair += 1) {
    if (chunk[2 * pair] === 0) evenZeros += 1;
    if (chunk[2 * pair + 1] === 0) oddZeros += 1;
  }
  return Math.max(evenZeros, oddZeros) >= 0.9 * pairs && Math.min(evenZeros, oddZeros) <= 0.1 * pairs;
}
