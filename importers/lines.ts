/**
 * The line reader every line-based importer uses: streams a file in chunks, splits it on \n
 * (dropping a \r before it) and numbers the lines from 1. Memory use is bounded by one chunk plus
 * one capped line, so a log of any size can be imported.
 */
import { isUtf8 } from 'node:buffer';
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

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

/**
 * Chunk size for files opened by path. One batch of records per chunk stays small enough to be
 * collected young: with 1 MiB chunks the obslog parser ran at half the speed, mostly in garbage
 * collection (bench/import-parse.ts on a shared 2-core machine).
 */
const READ_CHUNK_BYTES = 64 * 1024;

/** Lines decoded as Latin-1 that get their own warning; later ones are counted in one summary. */
const LATIN1_WARNINGS_SHOWN = 5;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Reads a source as batches of lines and warnings in file order, one batch per chunk read.
 * Raises `ImportError` for UTF-16 or binary input (a NUL byte, or a start that is more than 10 %
 * control characters). Lines longer than `maxLineBytes` are skipped with a warning, and lines
 * that are not valid UTF-8 are decoded as Latin-1 with a warning.
 */
export async function* readLineBatches(source: Source, options: ParseOptions = {}): AsyncGenerator<LineItem[]> {
  const reader = new LineSplitter(sourceName(source), options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  const stream = typeof source === 'string' ? createReadStream(source, { highWaterMark: READ_CHUNK_BYTES }) : source.stream;

  // The first 64 KiB are held back until they can be checked as a whole, so a stream of small
  // chunks is judged on the same sample as a file. They are then split in their own chunks.
  let head: Buffer[] | undefined = [];
  let headBytes = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (head !== undefined) {
      // Copy, because the stream may reuse the chunk's memory once it has been read.
      head.push(Buffer.from(bytes));
      headBytes += bytes.length;
      if (headBytes < TEXT_SAMPLE_BYTES) continue;
      yield* releaseHead(reader, head);
      head = undefined;
      continue;
    }
    const items = reader.push(bytes);
    if (items.length > 0) yield items;
  }
  if (head !== undefined) yield* releaseHead(reader, head);

  const rest = reader.end();
  if (rest.length > 0) yield rest;
}

/** Checks the held-back start of a source for text, then splits it chunk by chunk. */
function* releaseHead(reader: LineSplitter, head: readonly Buffer[]): Generator<LineItem[]> {
  reader.checkText(Buffer.concat(head));
  for (const chunk of head) {
    const items = reader.push(chunk);
    if (items.length > 0) yield items;
  }
}

/** Reads a source line by line; see `readLineBatches` for what it checks. */
export async function* readLines(source: Source, options: ParseOptions = {}): AsyncGenerator<LineItem> {
  for await (const batch of readLineBatches(source, options)) {
    yield* batch;
  }
}

/** The splitting state machine behind `readLineBatches`, fed one chunk at a time. */
class LineSplitter {
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
  ) {}

  push(chunk: Buffer): LineItem[] {
    if (!this.started) {
      chunk = this.checkStart(chunk);
      this.started = true;
    }
    this.checkNoNul(chunk);

    const items: LineItem[] = [];
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    // A newline byte never occurs inside a multi-byte UTF-8 sequence, so the complete lines of a
    // chunk can be validated in one native call and only a failing chunk is checked per line.
    const chunkIsUtf8 = lastNewline < 0 || isUtf8(chunk.subarray(0, lastNewline));
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
        this.finishLine(joined, 0, joined.length, false, items);
      } else {
        this.finishLine(chunk, position, newline, chunkIsUtf8, items);
      }
      position = newline + 1;
    }
    return items;
  }

  end(): LineItem[] {
    const items: LineItem[] = [];
    if (this.carryLength > 0 && !this.skipping) {
      this.lineNumber += 1;
      const joined = Buffer.concat(this.carry);
      this.finishLine(joined, 0, joined.length, false, items);
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

  private keepPartial(part: Buffer, items: LineItem[]): void {
    if (this.skipping) return;
    if (this.carryLength + part.length > this.maxLineBytes) {
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
  private finishLine(source: Buffer, start: number, end: number, knownUtf8: boolean, items: LineItem[]): void {
    if (end > start && source[end - 1] === CARRIAGE_RETURN) end -= 1;
    if (end - start > this.maxLineBytes) {
      items.push(this.longLineWarning(this.lineNumber));
      return;
    }

    if (knownUtf8 || isUtf8(source.subarray(start, end))) {
      items.push(new TextLine(source.toString('utf8', start, end), this.lineNumber, source, start, end, false));
      return;
    }

    this.latin1Lines += 1;
    this.lastLatin1Line = this.lineNumber;
    if (this.latin1Lines <= LATIN1_WARNINGS_SHOWN) {
      items.push(warning(this.file, this.lineNumber, 'line is not valid UTF-8, so it was decoded as Latin-1; save the file as UTF-8 if that is wrong'));
    }
    items.push(new TextLine(source.toString('latin1', start, end), this.lineNumber, source, start, end, true));
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
