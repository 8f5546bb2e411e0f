/**
 * The first of the obslog parser's two steps. It reads what each line contains from its bytes
 * alone, with no state carried from line to line, and writes it to a `LineTape` as numbers: where
 * the line is, its kind, its numbers and where its text fields are. The second step (the handler
 * in obslog.ts) turns tape entries into records and session summaries. Because this step needs
 * nothing but the bytes, a worker thread can run it on a large file while the handler runs on
 * the main thread (obslog-scan-worker.ts).
 */
import { AsciiCursor, asciiBytes } from './ascii-cursor.js';
import { CARRIAGE_RETURN, CHAR_C, CHAR_I, CHAR_N, CHAR_O, CHAR_P_LOWER, CHAR_Q, CHAR_S, CHAR_S_LOWER, CHAR_T_LOWER, CHAR_W, CHAR_Z, SINGLE_QUOTE, SPACE } from './char-codes.js';
import { ASCII, type LineEncoding, lineText } from './lines.js';
import { scanDateTimeBytes } from './time.js';

/** Fields of a tape entry, as offsets into its row of `LineTape.ints`. */
export const LINE = 0;
/** The line's bytes: `[START, END)` of the tape's byte buffer. */
export const START = 1;
export const END = 2;
export const ENCODING = 3;
export const KIND = 4;
/** Offset, from the line's start, of the timestamp's Z. */
export const TIME_END = 5;
export const LEVEL = 6;
/** Offset of the message, after the level and the spaces that pad it. */
export const MESSAGE = 7;
/** Up to three text fields, each as offsets `[FROM, TO)` from the line's start; -1 when absent. */
export const A_FROM = 8;
export const A_TO = 9;
export const B_FROM = 10;
export const B_TO = 11;
export const C_FROM = 12;
export const C_TO = 13;
/** Index of the posted buffer that contains the line (see `ScanMessage`); 0 on the main thread. */
export const BUFFER = 14;
export const INTS_PER_ENTRY = 15;
export const NUMBERS_PER_ENTRY = 4;

/** Kinds of line, by what the line contains. */
export const LineKind = {
  /** A warning of the line reader (not valid UTF-8, too long); `A_FROM` indexes the tape's warnings. */
  ReaderWarning: 0,
  /** No timestamp at its start. */
  BadTimestamp: 1,
  /** An unknown level; field A is the level's word. */
  BadLevel: 2,
  /** A line that is not ASCII: the handler reads its level and message from its text. */
  Text: 3,
  /** A message of no interest. */
  Nothing: 4,
  /** A WARNING or ERROR message; field A is its text. */
  Message: 5,
  /** A message that starts as a line of interest but was not read here: the handler reads it with its patterns. */
  Pattern: 6,
  /** Field A is the id. */
  CaptureBlock: 7,
  /** Numbers: percent, required, receptors, stragglers tolerated. */
  Quorum: 8,
  /** Field A is the label. */
  CompoundScan: 9,
  /** Field A is the target; number 0 the seconds. */
  Track: 10,
  /** Number 0 is the seconds. */
  Tracked: 11,
  /** Numbers 0 and 1 are x and y in degrees. */
  Offset: 12,
  /** Fields: A the sensor, B the value, C the list (absent without one); number 0 the count. */
  Stragglers: 13,
  ScanStarted: 14,
  ScanCompleted: 15,
  /** Number 0 is the count of scan lines. */
  ScanSummary: 16,
  /** An INFO or DEBUG message that a worker thread's scanner left to the main thread (see `readInto`). */
  Unread: 17,
} as const;
export type LineKind = (typeof LineKind)[keyof typeof LineKind];

/** Level codes; the handler names them. */
export const INFO = 0;
export const DEBUG = 1;
export const WARNING = 2;
export const ERROR = 3;

/** The level words a log may use, by the level they stand for; a map, so that words such as `toString` are unknown. */
export const LEVEL_CODES: ReadonlyMap<string, number> = new Map([
  ['INFO', INFO],
  ['DEBUG', DEBUG],
  ['WARN', WARNING],
  ['WARNING', WARNING],
  ['ERROR', ERROR],
  ['CRITICAL', ERROR],
  ['FATAL', ERROR],
]);

/** The request to a scanning worker thread (obslog-scan-worker.ts): the file to read and how. */
export interface ScanRequest {
  /** URL of the worker's module, which worker-boot.mjs imports. */
  readonly module: string;
  readonly path: string;
  readonly maxLineBytes?: number;
  /** One Int32: how many more tapes the worker may post before the main thread takes one. */
  readonly credits: SharedArrayBuffer;
}

/** A message of a scanning worker thread: a tape with the bytes its entries point into, the end, or why it failed. */
export type ScanMessage =
  | { readonly type: 'tape'; readonly buffers: readonly ArrayBuffer[]; readonly ints: Int32Array<ArrayBuffer>; readonly numbers: Float64Array<ArrayBuffer>; readonly length: number; readonly warnings: LineTape['warnings'] }
  | { readonly type: 'done' }
  | { readonly type: 'failed'; readonly importError: boolean; readonly file?: string; readonly line?: number; readonly message: string; readonly code?: string };

/** Entries of scanned lines, with the warnings of the line reader among them, in file order. */
export class LineTape {
  ints: Int32Array<ArrayBuffer>;
  numbers: Float64Array<ArrayBuffer>;
  length = 0;
  readonly warnings: { readonly line: number; readonly message: string }[] = [];

  constructor(capacity = 1024) {
    this.ints = new Int32Array(capacity * INTS_PER_ENTRY);
    this.numbers = new Float64Array(capacity * NUMBERS_PER_ENTRY);
  }

  /** The tape a worker thread posted. */
  static posted(message: Extract<ScanMessage, { type: 'tape' }>): LineTape {
    const tape = new LineTape(0);
    tape.ints = message.ints;
    tape.numbers = message.numbers;
    tape.length = message.length;
    for (const warning of message.warnings) tape.warnings.push(warning);
    return tape;
  }

  /** The buffer that the lines added next are in. */
  buffer = 0;

  /** Starts an entry for the line in `[start, end)` and returns its row in `ints`. */
  add(line: number, start: number, end: number, encoding: LineEncoding, kind: LineKind): number {
    if ((this.length + 1) * INTS_PER_ENTRY > this.ints.length) this.grow();
    const row = this.length * INTS_PER_ENTRY;
    const ints = this.ints;
    ints[row + BUFFER] = this.buffer;
    ints[row + LINE] = line;
    ints[row + START] = start;
    ints[row + END] = end;
    ints[row + ENCODING] = encoding;
    ints[row + KIND] = kind;
    ints[row + A_FROM] = -1;
    ints[row + B_FROM] = -1;
    ints[row + C_FROM] = -1;
    this.length += 1;
    return row;
  }

  addWarning(line: number, message: string): void {
    const row = this.add(line, 0, 0, ASCII, LineKind.ReaderWarning);
    this.ints[row + A_FROM] = this.warnings.length;
    this.warnings.push({ line, message });
  }

  clear(): void {
    this.length = 0;
    if (this.warnings.length > 0) this.warnings.length = 0;
  }

  private grow(): void {
    const ints = new Int32Array(Math.max(this.ints.length * 2, 64 * INTS_PER_ENTRY));
    ints.set(this.ints);
    this.ints = ints;
    const numbers = new Float64Array(ints.length / INTS_PER_ENTRY * NUMBERS_PER_ENTRY);
    numbers.set(this.numbers);
    this.numbers = numbers;
  }
}


export const CAPTURE_BLOCK = 'Capture block ID = ';
export const COMPOUND_SCAN = 'New compound scan: ';
const QUORUM = 'Quorum = ';
const TRACK = 'Initiating ';
const TRACKED = 'target tracked for ';
const OFFSET = 'Offset of ';
const STRAGGLERS = 'Waiting for sensor ';
const SCAN_SUMMARY = 'Scan completed - ';

const INFO_BYTES = asciiBytes('INFO');
const CAPTURE_BLOCK_BYTES = asciiBytes(CAPTURE_BLOCK);
const COMPOUND_SCAN_BYTES = asciiBytes(COMPOUND_SCAN);
const QUORUM_BYTES = asciiBytes(QUORUM);
const QUORUM_REQUIRED_BYTES = asciiBytes('% -> ');
const QUORUM_OF_BYTES = asciiBytes(' of ');
const QUORUM_TOLERATED_BYTES = asciiBytes(' receptor(s), i.e. ');
const QUORUM_END_BYTES = asciiBytes(' straggler(s) tolerated');
const TRACK_BYTES = asciiBytes(TRACK);
const TRACK_TARGET_BYTES = asciiBytes("-second track on target '");
const TRACKED_BYTES = asciiBytes(TRACKED);
const TRACKED_END_BYTES = asciiBytes(' seconds');
const OFFSET_BYTES = asciiBytes(`${OFFSET}(`);
const OFFSET_PREFIX_BYTES = asciiBytes(OFFSET);
const OFFSET_BETWEEN_BYTES = asciiBytes(', ');
const OFFSET_END_BYTES = asciiBytes(') degrees');
const STRAGGLERS_PREFIX_BYTES = asciiBytes(STRAGGLERS);
const STRAGGLERS_BYTES = asciiBytes(`${STRAGGLERS}'`);
const STRAGGLERS_VALUE_BYTES = asciiBytes(' == ');
const STRAGGLERS_HAD_BYTES = asciiBytes(' had ');
const STRAGGLERS_COUNT_BYTES = asciiBytes(' straggler(s)');
const STRAGGLERS_LIST_BYTES = asciiBytes(': ');
const PERFORMING_SCAN_BYTES = asciiBytes('performing scan');
const SCAN_COMPLETE_BYTES = asciiBytes('scan complete');
const SCAN_SUMMARY_BYTES = asciiBytes(SCAN_SUMMARY);
const SCAN_SUMMARY_END_BYTES = asciiBytes(' scan lines');

/** Reads lines into a tape; one per thread, because it keeps a cursor. */
export class ObslogScanner {
  private readonly cursor = new AsciiCursor();

  /**
   * @param leavesSensorWaits true for a worker thread's scanner: it leaves the sensor waits, the
   * costliest lines to read, `Unread` for the main thread. That evens out the two threads' work
   * on two cores: reading every message, the worker was the slower of the two, and leaving every
   * message to the main thread made that the slower one.
   */
  constructor(private readonly leavesSensorWaits = false) {}

  /**
   * Adds the line in `source[start, end)` to `tape`, with `start` and `end` shifted by `shift`
   * (where the line is in the tape's byte buffer). A blank line adds nothing.
   */
  scan(source: Buffer, start: number, end: number, line: number, encoding: LineEncoding, tape: LineTape, shift = 0): void {
    if (start === end || ((source[start] ?? 0) <= SPACE && lineText(source, start, end, encoding).trim() === '')) return;

    // Up to the message every character of a valid line is ASCII, so byte offsets there are
    // character offsets in the text too.
    const timeEnd = scanDateTimeBytes(source, start, end);
    if (timeEnd < 0 || source[start + timeEnd] !== CHAR_Z) {
      tape.add(line, start + shift, end + shift, encoding, LineKind.BadTimestamp);
      return;
    }
    if (encoding !== ASCII) {
      // The row first: `add` may replace `tape.ints` with a larger array.
      const row = tape.add(line, start + shift, end + shift, encoding, LineKind.Text);
      tape.ints[row + TIME_END] = timeEnd;
      return;
    }

    const cursor = this.cursor;
    let position = timeEnd + 1;
    while (source[start + position] === SPACE) position += 1;
    cursor.reset(source, start, end, position);
    let level = INFO;
    // Nearly every line is INFO, so that level is recognised without a lookup.
    if (!(cursor.literal(INFO_BYTES) && (cursor.atEnd() || cursor.byteAt(cursor.offset) === SPACE))) {
      let levelEnd = position;
      while (start + levelEnd < end && source[start + levelEnd] !== SPACE) levelEnd += 1;
      const code = LEVEL_CODES.get(source.toString('latin1', start + position, start + levelEnd));
      if (code === undefined) {
        const row = tape.add(line, start + shift, end + shift, encoding, LineKind.BadLevel);
        tape.ints[row + A_FROM] = position;
        tape.ints[row + A_TO] = levelEnd;
        return;
      }
      level = code;
      cursor.moveTo(levelEnd);
    }
    let message = cursor.offset;
    while (source[start + message] === SPACE) message += 1;
    cursor.moveTo(message);

    const row = tape.add(line, start + shift, end + shift, encoding, LineKind.Message);
    const ints = tape.ints;
    ints[row + TIME_END] = timeEnd;
    ints[row + LEVEL] = level;
    ints[row + MESSAGE] = message;
    if (level === WARNING || level === ERROR) {
      ints[row + A_FROM] = message;
      ints[row + A_TO] = end - start;
      return;
    }
    if (this.leavesSensorWaits && source[start + message] === CHAR_W) {
      ints[row + KIND] = LineKind.Unread;
      return;
    }
    this.ints = ints;
    this.row = row;
    this.numbers = tape.numbers;
    this.first = tape.length * NUMBERS_PER_ENTRY - NUMBERS_PER_ENTRY;
    ints[row + KIND] = this.readMessage(message);
  }

  /** Reads the message of an `Unread` entry of `tape`, whose line is in `source`, as `scan` would have; returns its kind. */
  readInto(source: Buffer, tape: LineTape, entry: number): LineKind {
    const row = entry * INTS_PER_ENTRY;
    const ints = tape.ints;
    const message = ints[row + MESSAGE] ?? 0;
    this.cursor.reset(source, ints[row + START] ?? 0, ints[row + END] ?? 0, message);
    this.ints = ints;
    this.row = row;
    this.numbers = tape.numbers;
    this.first = entry * NUMBERS_PER_ENTRY;
    const kind = this.readMessage(message);
    ints[row + KIND] = kind;
    return kind;
  }

  /** The tape entry `readMessage` writes to: its row of ints and its first number. */
  private ints: Int32Array = new Int32Array(0);
  private row = 0;
  private numbers: Float64Array = new Float64Array(0);
  private first = 0;

  private number(index: number, value: number): void {
    this.numbers[this.first + index] = value;
  }

  private field(index: number, from: number, to: number): void {
    this.ints[this.row + A_FROM + 2 * index] = from;
    this.ints[this.row + A_TO + 2 * index] = to;
  }

  /**
   * Reads the usual lines of interest, as the handler's patterns would. A line the cursor does
   * not accept whole is `Pattern` when a pattern could match or warn, else `Nothing`.
   */
  private readMessage(position: number): LineKind {
    const cursor = this.cursor;
    switch (cursor.byteAt(position)) {
      case CHAR_C: {
        if (cursor.literal(CAPTURE_BLOCK_BYTES) && cursor.length - cursor.offset === 10 && cursor.digits() && cursor.atEnd()) {
          this.field(0, cursor.length - 10, cursor.length);
          return LineKind.CaptureBlock;
        }
        return this.prefixed(position, CAPTURE_BLOCK_BYTES);
      }
      case CHAR_Q: {
        if (cursor.literal(QUORUM_BYTES) && cursor.decimal()) {
          this.number(0, cursor.value);
          if (cursor.literal(QUORUM_REQUIRED_BYTES) && cursor.digits()) {
            this.number(1, cursor.value);
            if (cursor.literal(QUORUM_OF_BYTES) && cursor.digits()) {
              this.number(2, cursor.value);
              if (cursor.literal(QUORUM_TOLERATED_BYTES) && cursor.digits() && cursor.literal(QUORUM_END_BYTES)) {
                this.number(3, cursor.value);
                return LineKind.Quorum;
              }
            }
          }
        }
        return this.prefixed(position, QUORUM_BYTES);
      }
      case CHAR_N: {
        if (cursor.literal(COMPOUND_SCAN_BYTES)) {
          const from = cursor.offset;
          if (cursor.length - from >= 2 && cursor.byteAt(from) === SINGLE_QUOTE && cursor.byteAt(cursor.length - 1) === SINGLE_QUOTE) {
            this.field(0, from + 1, cursor.length - 1);
            return LineKind.CompoundScan;
          }
        }
        return this.prefixed(position, COMPOUND_SCAN_BYTES);
      }
      case CHAR_I: {
        if (cursor.literal(TRACK_BYTES) && cursor.decimal() && cursor.literal(TRACK_TARGET_BYTES)) {
          const from = cursor.offset;
          const last = cursor.length - 1;
          // The pattern's `.` stops at a carriage return, so such a target is left to it.
          if (last >= from && cursor.byteAt(last) === SINGLE_QUOTE && !cursor.holds(CARRIAGE_RETURN, from, last)) {
            this.number(0, cursor.value);
            this.field(0, from, last);
            return LineKind.Track;
          }
        }
        return this.prefixed(position, TRACK_BYTES);
      }
      case CHAR_T_LOWER: {
        if (cursor.literal(TRACKED_BYTES) && cursor.decimal() && cursor.literal(TRACKED_END_BYTES)) {
          this.number(0, cursor.value);
          return LineKind.Tracked;
        }
        return this.prefixed(position, TRACKED_BYTES);
      }
      case CHAR_O: {
        if (cursor.literal(OFFSET_BYTES) && cursor.signedDecimal()) {
          this.number(0, cursor.value);
          if (cursor.literal(OFFSET_BETWEEN_BYTES) && cursor.signedDecimal() && cursor.literal(OFFSET_END_BYTES)) {
            this.number(1, cursor.value);
            return LineKind.Offset;
          }
        }
        return this.prefixed(position, OFFSET_PREFIX_BYTES);
      }
      case CHAR_W:
        return this.readStragglers(position) ? LineKind.Stragglers : this.prefixed(position, STRAGGLERS_PREFIX_BYTES);
      case CHAR_P_LOWER:
        // The pattern reads only this exact message, so anything else is of no interest.
        return cursor.rest(PERFORMING_SCAN_BYTES) ? LineKind.ScanStarted : LineKind.Nothing;
      case CHAR_S_LOWER:
        return cursor.rest(SCAN_COMPLETE_BYTES) ? LineKind.ScanCompleted : LineKind.Nothing;
      case CHAR_S: {
        if (cursor.literal(SCAN_SUMMARY_BYTES) && cursor.digits() && cursor.literal(SCAN_SUMMARY_END_BYTES)) {
          this.number(0, cursor.value);
          return LineKind.ScanSummary;
        }
        return this.prefixed(position, SCAN_SUMMARY_BYTES);
      }
      default:
        return LineKind.Nothing;
    }
  }

  /** `Pattern` when the message starts with `prefix`, which the handler's pattern for it reads or warns about; else `Nothing`. */
  private prefixed(position: number, prefix: Uint8Array): LineKind {
    this.cursor.moveTo(position);
    return this.cursor.literal(prefix) ? LineKind.Pattern : LineKind.Nothing;
  }

  /**
   * Reads `Waiting for sensor 'S' == V had N straggler(s): [...]` as the handler's pattern does:
   * V is the shortest text after which ` had N straggler(s)` ends the line or is followed by `: `.
   */
  private readStragglers(position: number): boolean {
    const cursor = this.cursor;
    cursor.moveTo(position);
    if (!cursor.literal(STRAGGLERS_BYTES)) return false;
    const sensorStart = cursor.offset;
    const sensorEnd = cursor.find(SINGLE_QUOTE);
    if (sensorEnd < 0) return false;
    cursor.moveTo(sensorEnd + 1);
    if (!cursor.literal(STRAGGLERS_VALUE_BYTES)) return false;
    const valueStart = cursor.offset;
    // The pattern's `.` stops at a carriage return, so such a line is left to it.
    if (cursor.holds(CARRIAGE_RETURN, valueStart, cursor.length)) return false;

    for (let had = cursor.findLiteral(STRAGGLERS_HAD_BYTES, valueStart + 1); had >= 0; had = cursor.findLiteral(STRAGGLERS_HAD_BYTES, had + 1)) {
      cursor.moveTo(had + STRAGGLERS_HAD_BYTES.length);
      if (!(cursor.digits() && cursor.literal(STRAGGLERS_COUNT_BYTES))) continue;
      const count = cursor.value;
      if (cursor.literal(STRAGGLERS_LIST_BYTES)) this.field(2, cursor.offset, cursor.length);
      else if (!cursor.atEnd()) continue;
      this.number(0, count);
      this.field(0, sensorStart, sensorEnd);
      this.field(1, valueStart, had);
      return true;
    }
    return false;
  }
}
