/**
 * MeerKAT observation-script logs: `2019-03-05 16:24:22.230Z INFO     message`, where the level is
 * padded with spaces and the Z is glued to the milliseconds (UTC). Yields one record per line of
 * interest and, at the end of the log, one session summary per capture block. Lines without a
 * capture block get their summary, and a warning, when they end.
 */
import { on } from 'node:events';
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { strictBatches, strictItems, textHandlerBatches, type TextLineHandler } from './driver.js';
import { FieldTexts } from './ascii-cursor.js';
import { CHAR_C, CHAR_I, CHAR_N, CHAR_O, CHAR_P_LOWER, CHAR_Q, CHAR_S, CHAR_S_LOWER, CHAR_T_LOWER, CHAR_W, CHAR_Z, CLOSE_BRACKET, COMMA, DIGIT_0, DIGIT_9, DOUBLE_QUOTE, LOWER_A, LOWER_Z, NEWLINE, OPEN_BRACKET, SINGLE_QUOTE, SPACE } from './char-codes.js';
import { ASCII, INTERNAL_ERROR_PREFIX, type LineEncoding, lineText } from './lines.js';
import {
  A_FROM,
  B_FROM,
  BUFFER,
  C_FROM,
  CAPTURE_BLOCK,
  COMPOUND_SCAN,
  END,
  ENCODING,
  ERROR,
  INTS_PER_ENTRY,
  KIND,
  LEVEL,
  LEVEL_CODES,
  LINE,
  LineKind,
  LineTape,
  MESSAGE,
  NUMBERS_PER_ENTRY,
  ObslogScanner,
  type ScanMessage,
  type ScanRequest,
  START,
  TIME_END,
  WARNING,
} from './obslog-scan.js';
import { twoDigitBytes } from './time.js';
import { bytesRecord, ImportError, type Parsed, type ParseOptions, type Source, record, sha256, sourceName, warning } from './types.js';

interface ObslogBase {
  /** Time of the line, ISO 8601 UTC. */
  readonly at: string;
  /** The capture block the line belongs to, once the log has named it. */
  readonly captureBlockId?: string;
}

export type ObslogRecord =
  | (ObslogBase & { readonly type: 'capture-block' })
  | (ObslogBase & { readonly type: 'quorum'; readonly percent: number; readonly required: number; readonly receptors: number; readonly stragglersTolerated: number })
  | (ObslogBase & { readonly type: 'compound-scan'; readonly label: string })
  | (ObslogBase & { readonly type: 'track'; readonly target: string; readonly seconds: number })
  | (ObslogBase & { readonly type: 'tracked'; readonly target?: string; readonly seconds: number })
  | (ObslogBase & { readonly type: 'offset'; readonly xDegrees: number; readonly yDegrees: number })
  | (ObslogBase & { readonly type: 'stragglers'; readonly sensor: string; readonly value: string; readonly count: number; readonly receptors: readonly string[] })
  | (ObslogBase & { readonly type: 'scan'; readonly phase: 'started' | 'completed' })
  | (ObslogBase & { readonly type: 'scan-summary'; readonly scanLines: number })
  | (ObslogBase & { readonly type: 'message'; readonly level: 'WARNING' | 'ERROR'; readonly text: string })
  | ObslogSession;

/** A summary of what the log records about one capture block, yielded at the end of the log. */
export interface ObslogSession {
  readonly type: 'session';
  readonly at: string;
  readonly captureBlockId?: string;
  readonly start: string;
  readonly end: string;
  /** Targets in the order first tracked, with the seconds the log reports them tracked. */
  readonly targets: readonly { readonly name: string; readonly trackedSeconds: number }[];
  readonly compoundScans: number;
  /** Compound scans in order, with the target first tracked in each and the seconds tracked. */
  readonly compoundScanList: readonly { readonly label: string; readonly target?: string; readonly trackedSeconds: number }[];
  readonly warnings: number;
  readonly errors: number;
}

/** More distinct targets or compound scans than this in one session are counted but not listed, to bound memory. */
const MAX_SESSION_TARGETS = 10_000;

/** Offset of the Z in a timestamp with milliseconds, `2019-03-05 16:24:22.230Z`. */
const MILLISECOND_TIME_END = 23;
// The message patterns are sticky (flag y) and run at the message's offset in the line, so a
// line of interest is matched without first copying its message out.
const QUORUM = /Quorum = (\d+(?:\.\d+)?)% -> (\d+) of (\d+) receptor\(s\), i\.e\. (\d+) straggler\(s\) tolerated/y;
const TRACK = /Initiating (\d+(?:\.\d+)?)-second track on target '(.*)'$/y;
const TRACKED = /target tracked for (\d+(?:\.\d+)?) seconds/y;
const OFFSET = /Offset of \((-?\d+(?:\.\d+)?), (-?\d+(?:\.\d+)?)\) degrees/y;
const STRAGGLERS = /Waiting for sensor '([^']*)' == (.+?) had (\d+) straggler\(s\)(?:: (.*))?$/y;
const SCAN_SUMMARY = /Scan completed - (\d+) scan lines/y;


/** Returns the date of a line that starts with a valid timestamp, as the number YYYYMMDD. */
function dateKey(bytes: Buffer, start: number): number {
  const year = twoDigitBytes(bytes, start) * 100 + twoDigitBytes(bytes, start + 2);
  return year * 10_000 + twoDigitBytes(bytes, start + 5) * 100 + twoDigitBytes(bytes, start + 8);
}

/** Returns a compound scan's label: the text after `New compound scan: ` without its quotes. */
function compoundScanLabel(quoted: string): string {
  return quoted.length >= 2 && quoted.startsWith("'") && quoted.endsWith("'") ? quoted.slice(1, -1) : quoted;
}

/** True when the message from `position` to the end of the line is exactly `expected`. */
function isWholeMessage(text: string, position: number, expected: string): boolean {
  return text.length - position === expected.length && text.startsWith(expected, position);
}

/** Runs a sticky pattern on `text` from `position`. */
function matchAt(pattern: RegExp, text: string, position: number): RegExpExecArray | null {
  pattern.lastIndex = position;
  return pattern.exec(text);
}

export function parseObslog(source: Source, options: ParseOptions = {}): AsyncGenerator<Parsed<ObslogRecord>> {
  return strictItems(obslogBatches(source, options), options.strict);
}

/** Yields the same items as `parseObslog`, in batches of about a thousand. */
export function parseObslogBatches(source: Source, options: ParseOptions = {}): AsyncGenerator<Parsed<ObslogRecord>[]> {
  return strictBatches(obslogBatches(source, options), options.strict);
}

/**
 * Files at least this large are scanned in a worker thread unless the options ask otherwise.
 * The worker takes about half a second to start (a thread, and tsx to compile its modules), which
 * a small file does not repay. On a 2-core machine the worker read 100 MB in 1.9 s against 1.7 s
 * on the main thread alone, and 500 MB in 5.8 s against 8.5 s.
 */
const WORKER_MIN_BYTES = 128 * 1024 * 1024;

async function* obslogBatches(source: Source, options: ParseOptions): AsyncGenerator<Parsed<ObslogRecord>[]> {
  const handler = new ObslogHandler(sourceName(source));
  if (typeof source === 'string' && options.scanThread !== 'main' && (options.scanThread === 'worker' || (await stat(source)).size >= WORKER_MIN_BYTES)) {
    yield* scanInWorker(source, options, handler);
  } else {
    yield* textHandlerBatches(source, options, handler);
  }
}

const WORKER_BOOT = new URL('./worker-boot.mjs', import.meta.url);
const SCAN_WORKER = new URL('./obslog-scan-worker.ts', import.meta.url).href;
/** Tapes the worker may post ahead of the one being built, each of one chunk (1 MiB) of lines. */
const TAPES_IN_FLIGHT = 4;
/** Records per yielded batch, small enough to be collected young. */
const RECORDS_PER_BATCH = 1024;

/**
 * Reads a file with a worker thread that splits and scans its lines (obslog-scan-worker.ts)
 * while this thread builds records, which on two cores reads a large log in two thirds of the
 * time. The output is the same as the one-thread reader's, item for item.
 */
async function* scanInWorker(path: string, options: ParseOptions, handler: ObslogHandler): AsyncGenerator<Parsed<ObslogRecord>[]> {
  const credits = new SharedArrayBuffer(4);
  const available = new Int32Array(credits);
  available[0] = TAPES_IN_FLIGHT;
  const request: ScanRequest = { module: SCAN_WORKER, path, credits, ...(options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes }) };
  const worker = new Worker(WORKER_BOOT, { workerData: request });
  let done = false;
  try {
    for await (const [message] of on(worker, 'message', { close: ['exit'] }) as AsyncIterable<[ScanMessage]>) {
      if (message.type === 'done') {
        done = true;
        break;
      }
      if (message.type === 'failed') {
        if (message.importError) throw new ImportError(message.file ?? path, message.line, message.message);
        // The worker's own error, with its code, as the one-thread reader would raise it.
        throw Object.assign(new Error(message.message), message.code === undefined ? {} : { code: message.code });
      }
      // While this reader's consumer has the records, the worker must not keep the process
      // alive: a consumer may drop the reader without ending it.
      worker.unref();
      // Handing the credit back at once lets the worker scan the next tape while this one is built.
      Atomics.add(available, 0, 1);
      Atomics.notify(available, 0);
      const views = message.buffers.map((buffer) => Buffer.from(buffer));
      const tape = LineTape.posted(message);
      let out: Parsed<ObslogRecord>[] = [];
      for (let entry = 0; entry < tape.length; entry += 1) {
        handler.buildSafely(views[tape.ints[entry * INTS_PER_ENTRY + BUFFER] ?? 0]!, tape, entry, out);
        if (out.length >= RECORDS_PER_BATCH) {
          yield out;
          out = [];
        }
      }
      if (out.length > 0) yield out;
      worker.ref();
    }
  } finally {
    // Wakes a worker waiting for credit, so that it stops when this reader stops early.
    Atomics.store(available, 0, TAPES_IN_FLIGHT);
    Atomics.notify(available, 0);
    await worker.terminate();
  }
  if (!done) throw new Error(`the worker thread reading ${path} stopped before the end of the file`);
  const out: Parsed<ObslogRecord>[] = [];
  handler.end(out);
  yield out;
}

/**
 * Reads a Python list repr of receptor names such as `['m006', 'm031']`. Returns null when the
 * text is not a complete list.
 */
export function parseReceptorList(text: string): string[] | null {
  const plain = plainReceptorList(text);
  if (plain !== undefined) return plain;

  const trimmed = text.trim();
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) return null;
  const inner = trimmed.slice(1, -1).trim();
  if (inner === '') return [];

  const names: string[] = [];
  for (const item of inner.split(',')) {
    const quoted = item.trim();
    const quote = quoted[0];
    if (quoted.length < 2 || (quote !== "'" && quote !== '"') || quoted[quoted.length - 1] !== quote) return null;
    const name = quoted.slice(1, -1);
    if (name.includes("'") || name.includes('"')) return null;
    names.push(name);
  }
  return names;
}

/**
 * Reads the list as Python writes it, `['m006', 'm031']`, with one scan instead of the splits and
 * trims of the general reader. Returns undefined for any other spelling (spaces, double quotes,
 * a comma in a name), which the general reader then reads.
 */
function plainReceptorList(text: string): string[] | undefined {
  const last = text.length - 1;
  if (text.charCodeAt(0) !== OPEN_BRACKET || text.charCodeAt(last) !== CLOSE_BRACKET) return undefined;
  const names: string[] = [];
  if (last === 1) return names;

  let position = 1;
  for (;;) {
    if (text.charCodeAt(position) !== SINGLE_QUOTE) return undefined;
    const close = text.indexOf("'", position + 1);
    if (close < 0) return undefined;
    for (let index = position + 1; index < close; index += 1) {
      const code = text.charCodeAt(index);
      if (code === COMMA || code === DOUBLE_QUOTE) return undefined;
    }
    names.push(text.slice(position + 1, close));
    if (close === last - 1) return names;
    if (text.charCodeAt(close + 1) !== COMMA || text.charCodeAt(close + 2) !== SPACE) return undefined;
    position = close + 3;
  }
}

/** True for a receptor name as MeerKAT writes them: one to three lowercase letters and three or four digits (m006, s0001). */
function isReceptorName(name: string): boolean {
  let letters = 0;
  while (letters < name.length && name.charCodeAt(letters) >= LOWER_A && name.charCodeAt(letters) <= LOWER_Z) letters += 1;
  const digits = name.length - letters;
  if (letters < 1 || letters > 3 || digits < 3 || digits > 4) return false;
  for (let index = letters; index < name.length; index += 1) {
    const code = name.charCodeAt(index);
    if (code < DIGIT_0 || code > DIGIT_9) return false;
  }
  return true;
}

interface SessionState {
  captureBlockId?: string;
  start: string;
  end: string;
  firstLine: number;
  lastLine: number;
  /** The bytes of the lines a summary's digest covers (see `closeSession`), each followed by \n. */
  readonly raw: RawLines;
  targets: Map<string, number>;
  currentTarget?: string;
  compoundScans: number;
  compoundScanList: { label: string; target?: string; trackedSeconds: number }[];
  warnings: number;
  errors: number;
}

class ObslogHandler implements TextLineHandler<ObslogRecord> {
  private session: SessionState | undefined;
  /** Closed sessions by capture block, in the order first closed, with the raw lines of each run. */
  private readonly closedSessions = new Map<string, { summary: ObslogSession; raw: Buffer[]; line: number }>();
  /**
   * The line being built: its bytes in `source[lineStart, lineEnd)` and their encoding. The line
   * reader never changes a chunk once split, so records hash these bytes later, when asked.
   */
  private source: Buffer = Buffer.alloc(0);
  private lineStart = 0;
  private lineEnd = 0;
  private encoding: LineEncoding = ASCII;
  /** The line's text, decoded only when a pattern or a warning needs it. */
  private decoded: string | undefined;
  /** The last line tracked and the one before it, as their source, start and end, to end a session there. */
  private lastSource: Buffer | undefined;
  private lastStart = 0;
  private lastEnd = 0;
  private previousSource: Buffer | undefined;
  private previousStart = 0;
  private previousEnd = 0;
  /** Time of the line before the current one. */
  private previousAt = '';
  /** The last date seen (see `dateKey`) and its ISO start (`2019-03-05T`), reused while lines keep the date. */
  private date = -1;
  private isoDate = '';
  private readonly fields = new FieldTexts();
  /** Scans lines read on this thread, one at a time (see `line`). */
  private readonly scanner = new ObslogScanner();
  private readonly tape = new LineTape(1);

  constructor(private readonly file: string) {}

  /** Scans a line and builds its records at once; a worker thread's tape goes to `build` instead. */
  line(source: Buffer, start: number, end: number, lineNumber: number, encoding: LineEncoding, out: Parsed<ObslogRecord>[]): void {
    this.tape.clear();
    this.scanner.scan(source, start, end, lineNumber, encoding, this.tape);
    if (this.tape.length === 1) this.build(source, this.tape, 0, out);
  }

  /** Builds an entry as `build` does; a failure becomes a warning on its line, as the line reader makes it for `line`. */
  buildSafely(source: Buffer, tape: LineTape, entry: number, out: Parsed<ObslogRecord>[]): void {
    try {
      this.build(source, tape, entry, out);
    } catch (error) {
      out.push(warning(this.file, tape.ints[entry * INTS_PER_ENTRY + LINE] ?? 0, `${INTERNAL_ERROR_PREFIX} ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  /** Turns the tape's entry `entry` into records, warnings and session state; `source` contains the tape's bytes. */
  build(source: Buffer, tape: LineTape, entry: number, out: Parsed<ObslogRecord>[]): void {
    const ints = tape.ints;
    const row = entry * INTS_PER_ENTRY;
    let kind = ints[row + KIND] as LineKind;
    const lineNumber = ints[row + LINE] ?? 0;
    if (kind === LineKind.ReaderWarning) {
      const { line, message } = tape.warnings[ints[row + A_FROM] ?? 0]!;
      out.push(warning(this.file, line, message));
      return;
    }
    const start = ints[row + START] ?? 0;
    const end = ints[row + END] ?? 0;
    this.source = source;
    this.lineStart = start;
    this.lineEnd = end;
    this.encoding = ints[row + ENCODING] as LineEncoding;
    this.decoded = undefined;
    if (kind === LineKind.BadTimestamp) {
      out.push(warning(this.file, lineNumber, `line does not start with a UTC timestamp such as "2019-03-05 16:24:22.230Z": "${preview(this.text())}"`));
      return;
    }
    if (kind === LineKind.BadLevel) {
      out.push(warning(this.file, lineNumber, `unknown log level "${preview(this.fieldText(ints, row, A_FROM))}"; expected INFO, WARNING or ERROR`));
      return;
    }

    const at = this.timeOf(source, start, ints[row + TIME_END] ?? 0);
    if (kind === LineKind.Text) {
      this.buildText(at, (ints[row + TIME_END] ?? 0) + 1, lineNumber, out);
      return;
    }
    // A worker thread leaves messages to this thread (see `ObslogScanner`).
    if (kind === LineKind.Unread) kind = this.scanner.readInto(source, tape, entry);
    this.track(at, lineNumber);
    const level = ints[row + LEVEL];
    const session = this.session as SessionState;
    const captureBlockId = session.captureBlockId;
    const numbers = tape.numbers;
    const first = entry * NUMBERS_PER_ENTRY;
    switch (kind) {
      case LineKind.Nothing:
        return;
      case LineKind.Message: {
        if (level === WARNING) session.warnings += 1;
        else session.errors += 1;
        this.emit(out, lineNumber, { type: 'message', at, captureBlockId, level: level === WARNING ? 'WARNING' : 'ERROR', text: this.fieldText(ints, row, A_FROM) });
        return;
      }
      case LineKind.Pattern:
        this.readMessage(at, this.text(), ints[row + MESSAGE] ?? 0, lineNumber, out);
        return;
      case LineKind.CaptureBlock:
        this.readCaptureBlock(at, this.fieldText(ints, row, A_FROM), lineNumber, out);
        return;
      case LineKind.Quorum:
        this.emit(out, lineNumber, { type: 'quorum', at, captureBlockId, percent: numbers[first] ?? 0, required: numbers[first + 1] ?? 0, receptors: numbers[first + 2] ?? 0, stragglersTolerated: numbers[first + 3] ?? 0 });
        return;
      case LineKind.CompoundScan:
        this.readCompoundScan(at, session, this.fieldText(ints, row, A_FROM), lineNumber, out);
        return;
      case LineKind.Track:
        this.applyTrack(at, session, this.fieldText(ints, row, A_FROM), numbers[first] ?? 0, lineNumber, out);
        return;
      case LineKind.Tracked:
        this.applyTracked(at, session, numbers[first] ?? 0, lineNumber, out);
        return;
      case LineKind.Offset:
        this.emit(out, lineNumber, { type: 'offset', at, captureBlockId, xDegrees: numbers[first] ?? 0, yDegrees: numbers[first + 1] ?? 0 });
        return;
      case LineKind.Stragglers: {
        const list = (ints[row + C_FROM] ?? -1) < 0 ? undefined : this.fieldText(ints, row, C_FROM);
        this.applyStragglers(at, captureBlockId, this.fieldText(ints, row, A_FROM), this.fieldText(ints, row, B_FROM), numbers[first] ?? 0, list, lineNumber, out);
        return;
      }
      case LineKind.ScanStarted:
        this.emit(out, lineNumber, { type: 'scan', at, captureBlockId, phase: 'started' });
        return;
      case LineKind.ScanCompleted:
        this.emit(out, lineNumber, { type: 'scan', at, captureBlockId, phase: 'completed' });
        return;
      case LineKind.ScanSummary:
        this.emit(out, lineNumber, { type: 'scan-summary', at, captureBlockId, scanLines: numbers[first] ?? 0 });
        return;
      default:
        return;
    }
  }

  end(out: Parsed<ObslogRecord>[]): void {
    this.closeSession(out);
    for (const captureBlockId of [...this.closedSessions.keys()]) this.emitSession(captureBlockId, out);
  }

  /** Returns the text of an ASCII field of the current line, whose offsets start at `ints[row + from]`. */
  private fieldText(ints: Int32Array, row: number, from: number): string {
    return this.fields.text(this.source, this.lineStart + (ints[row + from] ?? 0), this.lineStart + (ints[row + from + 1] ?? 0));
  }

  /**
   * Returns the line's time in ISO 8601. Decoding the whole line cost about as much as the rest
   * of reading a line of no interest, so the time is made from its bytes. The date's text is
   * kept while lines keep their date, and `HH:MM:SS.mmmZ` is made from its codes.
   */
  private timeOf(source: Buffer, start: number, timeEnd: number): string {
    const date = dateKey(source, start);
    if (date !== this.date) {
      this.date = date;
      this.isoDate = `${source.toString('latin1', start, start + 10)}T`;
    }
    if (timeEnd !== MILLISECOND_TIME_END) return this.isoDate + source.toString('latin1', start + 11, start + timeEnd + 1);
    return (
      this.isoDate +
      String.fromCharCode(
        source[start + 11] ?? 0,
        source[start + 12] ?? 0,
        source[start + 13] ?? 0,
        source[start + 14] ?? 0,
        source[start + 15] ?? 0,
        source[start + 16] ?? 0,
        source[start + 17] ?? 0,
        source[start + 18] ?? 0,
        source[start + 19] ?? 0,
        source[start + 20] ?? 0,
        source[start + 21] ?? 0,
        source[start + 22] ?? 0,
        CHAR_Z,
      )
    );
  }

  /** Reads the level and message of a line that is not ASCII from its text. */
  private buildText(at: string, afterTime: number, lineNumber: number, out: Parsed<ObslogRecord>[]): void {
    const text = this.text();
    let position = afterTime;
    while (text.charCodeAt(position) === SPACE) position += 1;
    let levelEnd = position;
    while (levelEnd < text.length && text.charCodeAt(levelEnd) !== SPACE) levelEnd += 1;
    const word = text.slice(position, levelEnd);
    const level = LEVEL_CODES.get(word);
    if (level === undefined) {
      out.push(warning(this.file, lineNumber, `unknown log level "${preview(word)}"; expected INFO, WARNING or ERROR`));
      return;
    }
    while (text.charCodeAt(levelEnd) === SPACE) levelEnd += 1;
    this.track(at, lineNumber);
    if (level === WARNING || level === ERROR) {
      const session = this.session as SessionState;
      if (level === WARNING) session.warnings += 1;
      else session.errors += 1;
      this.emit(out, lineNumber, { type: 'message', at, captureBlockId: session.captureBlockId, level: level === WARNING ? 'WARNING' : 'ERROR', text: text.slice(levelEnd) });
      return;
    }
    this.readMessage(at, text, levelEnd, lineNumber, out);
  }

  /** Returns the text of the line being built, decoded on first use. */
  private text(): string {
    this.decoded ??= lineText(this.source, this.lineStart, this.lineEnd, this.encoding);
    return this.decoded;
  }

  /** Makes the line being built the session's last, starting a session with it when none is open. */
  private track(at: string, line: number): void {
    if (this.session === undefined) {
      this.session = { start: at, end: at, firstLine: line, lastLine: line, raw: this.rawLinesFrom(), targets: new Map(), compoundScans: 0, compoundScanList: [], warnings: 0, errors: 0 };
    }
    this.previousAt = this.session.end;
    this.previousSource = this.lastSource;
    this.previousStart = this.lastStart;
    this.previousEnd = this.lastEnd;
    this.session.end = at;
    this.session.lastLine = line;
    this.lastSource = this.source;
    this.lastStart = this.lineStart;
    this.lastEnd = this.lineEnd;
  }

  /** Starts the raw lines of a session with the current line. */
  private rawLinesFrom(): RawLines {
    const raw = new RawLines();
    raw.append(this.source, this.lineStart, this.lineEnd);
    return raw;
  }

  /**
   * Reads a message of an INFO or DEBUG line with the patterns. The first character picks the one
   * pattern that can match, because testing every prefix in turn was a large part of the parser's
   * time. The scanner reads most ASCII lines of interest from their bytes, and leaves to this the
   * lines it did not accept and the lines that are not ASCII.
   */
  private readMessage(at: string, text: string, position: number, line: number, out: Parsed<ObslogRecord>[]): void {
    const session = this.session as SessionState;
    const captureBlockId = session.captureBlockId;
    switch (text.charCodeAt(position)) {
      case CHAR_C:
        if (text.startsWith(CAPTURE_BLOCK, position)) this.readCaptureBlock(at, text.slice(position + CAPTURE_BLOCK.length).trim(), line, out);
        return;
      case CHAR_Q:
        if (text.startsWith('Quorum = ', position)) this.readQuorum(at, captureBlockId, text, position, line, out);
        return;
      case CHAR_N:
        if (text.startsWith(COMPOUND_SCAN, position)) this.readCompoundScan(at, session, compoundScanLabel(text.slice(position + COMPOUND_SCAN.length).trim()), line, out);
        return;
      case CHAR_I:
        if (text.startsWith('Initiating ', position)) this.readTrack(at, session, text, position, line, out);
        return;
      case CHAR_T_LOWER:
        if (text.startsWith('target tracked for ', position)) this.readTracked(at, session, text, position, line, out);
        return;
      case CHAR_O:
        if (text.startsWith('Offset of ', position)) this.readOffset(at, captureBlockId, text, position, line, out);
        return;
      case CHAR_W:
        if (text.startsWith('Waiting for sensor ', position)) this.readStragglers(at, captureBlockId, text, position, line, out);
        return;
      case CHAR_P_LOWER:
        if (isWholeMessage(text, position, 'performing scan')) this.emit(out, line, { type: 'scan', at, captureBlockId, phase: 'started' });
        return;
      case CHAR_S_LOWER:
        if (isWholeMessage(text, position, 'scan complete')) this.emit(out, line, { type: 'scan', at, captureBlockId, phase: 'completed' });
        return;
      case CHAR_S:
        if (text.startsWith('Scan completed - ', position)) {
          const match = matchAt(SCAN_SUMMARY, text, position);
          if (match !== null) this.emit(out, line, { type: 'scan-summary', at, captureBlockId, scanLines: Number(match[1]) });
        }
        return;
      default:
        return;
    }
  }

  private readQuorum(at: string, captureBlockId: string | undefined, text: string, position: number, line: number, out: Parsed<ObslogRecord>[]): void {
    const match = matchAt(QUORUM, text, position);
    if (match === null) {
      out.push(warning(this.file, line, `quorum line not understood: "${preview(text.slice(position))}"`));
      return;
    }
    this.emit(out, line, { type: 'quorum', at, captureBlockId, percent: Number(match[1]), required: Number(match[2]), receptors: Number(match[3]), stragglersTolerated: Number(match[4]) });
  }

  private readCompoundScan(at: string, session: SessionState, label: string, line: number, out: Parsed<ObslogRecord>[]): void {
    session.compoundScans += 1;
    if (session.compoundScanList.length < MAX_SESSION_TARGETS) session.compoundScanList.push({ label, trackedSeconds: 0 });
    this.emit(out, line, { type: 'compound-scan', at, captureBlockId: session.captureBlockId, label });
  }

  private readTrack(at: string, session: SessionState, text: string, position: number, line: number, out: Parsed<ObslogRecord>[]): void {
    const match = matchAt(TRACK, text, position);
    if (match === null) return;
    this.applyTrack(at, session, match[2] ?? '', Number(match[1]), line, out);
  }

  private applyTrack(at: string, session: SessionState, target: string, seconds: number, line: number, out: Parsed<ObslogRecord>[]): void {
    session.currentTarget = target;
    if (!session.targets.has(target) && session.targets.size < MAX_SESSION_TARGETS) session.targets.set(target, 0);
    const scan = session.compoundScanList.at(-1);
    if (scan !== undefined && scan.target === undefined) scan.target = target;
    this.emit(out, line, { type: 'track', at, captureBlockId: session.captureBlockId, target, seconds });
  }

  private readTracked(at: string, session: SessionState, text: string, position: number, line: number, out: Parsed<ObslogRecord>[]): void {
    const match = matchAt(TRACKED, text, position);
    if (match === null) {
      out.push(warning(this.file, line, `track duration not understood: "${preview(text.slice(position))}"`));
      return;
    }
    this.applyTracked(at, session, Number(match[1]), line, out);
  }

  private applyTracked(at: string, session: SessionState, seconds: number, line: number, out: Parsed<ObslogRecord>[]): void {
    const target = session.currentTarget;
    if (target !== undefined && session.targets.has(target)) session.targets.set(target, (session.targets.get(target) ?? 0) + seconds);
    const scan = session.compoundScanList.at(-1);
    if (scan !== undefined) scan.trackedSeconds += seconds;
    this.emit(out, line, { type: 'tracked', at, captureBlockId: session.captureBlockId, target, seconds });
  }

  private readOffset(at: string, captureBlockId: string | undefined, text: string, position: number, line: number, out: Parsed<ObslogRecord>[]): void {
    const match = matchAt(OFFSET, text, position);
    if (match === null) {
      out.push(warning(this.file, line, `pointing offset not understood: "${preview(text.slice(position))}"`));
      return;
    }
    this.emit(out, line, { type: 'offset', at, captureBlockId, xDegrees: Number(match[1]), yDegrees: Number(match[2]) });
  }

  private emit(out: Parsed<ObslogRecord>[], line: number, value: ObslogRecord): void {
    out.push(this.recordOf(value, { file: this.file, line }));
  }

  /** Builds a record of the current line, whose digest is that of the line's bytes. */
  private recordOf(value: ObslogRecord, locator: { readonly file: string; readonly line: number; readonly key?: string }): Parsed<ObslogRecord> {
    return bytesRecord(value, locator, this.source, this.lineStart, this.lineEnd);
  }

  private readCaptureBlock(at: string, id: string, line: number, out: Parsed<ObslogRecord>[]): void {
    if (!/^\d{10}$/.test(id)) {
      out.push(warning(this.file, line, `capture block id "${preview(id)}" is not a 10-digit Unix time`));
      return;
    }

    // `track` has made this line the last one. A second capture block in one log starts a new
    // session; the lines before it stay with the old one.
    if (this.session?.captureBlockId !== undefined && this.session.captureBlockId !== id) {
      this.session.lastLine = line - 1;
      this.session.end = this.previousAt;
      this.lastSource = this.previousSource;
      this.lastStart = this.previousStart;
      this.lastEnd = this.previousEnd;
      this.closeSession(out);
      this.track(at, line);
    }
    const session = this.session as SessionState;
    session.captureBlockId = id;
    session.raw.append(this.source, this.lineStart, this.lineEnd);
    out.push(this.recordOf({ type: 'capture-block', at, captureBlockId: id }, { file: this.file, line, key: id }));
  }

  private readStragglers(at: string, captureBlockId: string | undefined, text: string, position: number, line: number, out: Parsed<ObslogRecord>[]): void {
    const match = matchAt(STRAGGLERS, text, position);
    if (match === null) {
      out.push(warning(this.file, line, `sensor wait not understood: "${preview(text.slice(position))}"`));
      return;
    }
    this.applyStragglers(at, captureBlockId, match[1] ?? '', match[2] ?? '', Number(match[3]), match[4], line, out);
  }

  private applyStragglers(at: string, captureBlockId: string | undefined, sensor: string, value: string, count: number, list: string | undefined, line: number, out: Parsed<ObslogRecord>[]): void {
    const { receptors, odd } = list === undefined ? NO_RECEPTORS : this.receptorList(list);
    if (receptors === null) {
      out.push(warning(this.file, line, `straggler list "${preview(list ?? '')}" is not a Python list of receptor names such as ['m006', 'm031']`));
      return;
    }
    if (odd.length > 0) {
      out.push(warning(this.file, line, `straggler names ${odd.map((name) => `"${preview(name)}"`).join(', ')} do not look like receptor names such as m006; kept as written`));
    }
    if (receptors.length !== count) {
      out.push(warning(this.file, line, `the line counts ${count} straggler(s) but lists ${receptors.length}; kept the list`));
    }
    this.emit(out, line, { type: 'stragglers', at, captureBlockId, sensor, value, count, receptors });
  }

  /** Lists read before, by their text; a log names the same stragglers on many lines. */
  private readonly receptorLists = new Map<string, ReceptorList>();

  /** Reads a straggler list, or finds it read before. The lists are frozen, because records share them. */
  private receptorList(list: string): ReceptorList {
    let read = this.receptorLists.get(list);
    if (read === undefined) {
      const receptors = parseReceptorList(list);
      read = {
        receptors: receptors === null ? null : Object.freeze(receptors),
        odd: receptors === null || receptors.every(isReceptorName) ? [] : receptors.filter((name) => !isReceptorName(name)),
      };
      // Bounded: a log of ever new lists starts the cache again rather than growing it.
      if (this.receptorLists.size >= MAX_CACHED_RECEPTOR_LISTS) this.receptorLists.clear();
      this.receptorLists.set(list, read);
    }
    return read;
  }

  /**
   * Yields the session summary. Its digest covers the raw bytes, joined by \n, of the lines it is
   * built from: the session's first line, its capture-block line and its last line.
   */
  private closeSession(out: Parsed<ObslogRecord>[]): void {
    const session = this.session;
    if (session === undefined) return;
    this.session = undefined;

    // One buffer a run, because a session waits for the end of the log and its lines are many.
    const pieces = [session.raw.bytes()];
    if (this.lastSource !== undefined) pieces.push(this.lastSource.subarray(this.lastStart, this.lastEnd));
    const raw = Buffer.concat(pieces);
    const summary: ObslogSession = {
      type: 'session',
      at: session.start,
      ...(session.captureBlockId === undefined ? {} : { captureBlockId: session.captureBlockId }),
      start: session.start,
      end: session.end,
      targets: [...session.targets].map(([name, trackedSeconds]) => ({ name, trackedSeconds })),
      compoundScans: session.compoundScans,
      compoundScanList: session.compoundScanList,
      warnings: session.warnings,
      errors: session.errors,
    };
    if (session.captureBlockId === undefined) {
      // The start time of these lines cannot stand in for the capture block id, because an excerpt
      // starts mid-observation and would match no observation or the wrong one.
      out.push(
        warning(
          this.file,
          session.firstLine,
          `no capture block id ("Capture block ID = …" line) was found in lines ${session.firstLine}–${session.lastLine} (${session.start} to ${session.end}), ` +
            'so onsky cannot tell which observation they belong to and imported nothing from them; import the whole observation log, which names its capture block',
        ),
      );
    }
    if (session.captureBlockId === undefined) {
      out.push(record(summary, { file: this.file, line: session.firstLine, key: `session@${session.firstLine}` }, sha256(raw)));
      return;
    }
    // A log may name a capture block again after another (a script restarted on the same block).
    // Its summaries wait for the end of the log, so that all runs of a block make one session.
    const earlier = this.closedSessions.get(session.captureBlockId);
    if (earlier === undefined) {
      this.closedSessions.set(session.captureBlockId, { summary, raw: [raw], line: session.firstLine });
      if (this.closedSessions.size > MAX_WAITING_SESSIONS) this.emitSession(this.closedSessions.keys().next().value as string, out);
      return;
    }
    earlier.summary = mergeSessions(earlier.summary, summary);
    earlier.raw.push(NEWLINE_BYTES, raw);
  }

  /** Emits a capture block's session summary. Its digest covers the raw lines of every run, joined by \n. */
  private emitSession(captureBlockId: string, out: Parsed<ObslogRecord>[]): void {
    const closed = this.closedSessions.get(captureBlockId);
    if (closed === undefined) return;
    this.closedSessions.delete(captureBlockId);
    out.push(record(closed.summary, { file: this.file, line: closed.line, key: `session-${captureBlockId}` }, sha256(Buffer.concat(closed.raw))));
  }
}

const NEWLINE_BYTES = Buffer.from('\n');

/** A straggler list as read: its names (null when it is not a list) and those that do not look like receptors. */
interface ReceptorList {
  readonly receptors: readonly string[] | null;
  readonly odd: readonly string[];
}

const NO_RECEPTORS: ReceptorList = { receptors: Object.freeze([]), odd: [] };
const MAX_CACHED_RECEPTOR_LISTS = 1024;

/**
 * Copies of lines, each followed by \n, in one growing buffer: a session keeps the lines its
 * digest covers until it ends, and one buffer costs less than a copy per line.
 */
class RawLines {
  private buffer = Buffer.allocUnsafe(256);
  private length = 0;

  append(source: Buffer, start: number, end: number): void {
    const needed = this.length + end - start + 1;
    if (needed > this.buffer.length) {
      const larger = Buffer.allocUnsafe(Math.max(needed, 2 * this.buffer.length));
      this.buffer.copy(larger, 0, 0, this.length);
      this.buffer = larger;
    }
    this.length += source.copy(this.buffer, this.length, start, end);
    this.buffer[this.length] = NEWLINE;
    this.length += 1;
  }

  /** Returns the lines so far, as a view of the buffer. */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}


/** Session summaries kept for the end of a log at most; past this many, the oldest is emitted. */
const MAX_WAITING_SESSIONS = 10_000;

/** Joins two runs of one capture block: the earliest start, the latest end, targets and scans of both. */
function mergeSessions(first: ObslogSession, second: ObslogSession): ObslogSession {
  const targets = new Map(first.targets.map((target) => [target.name, target.trackedSeconds]));
  for (const target of second.targets) {
    if (targets.has(target.name) || targets.size < MAX_SESSION_TARGETS) targets.set(target.name, (targets.get(target.name) ?? 0) + target.trackedSeconds);
  }
  const start = Date.parse(second.start) < Date.parse(first.start) ? second.start : first.start;
  return {
    ...first,
    at: start,
    start,
    end: Date.parse(second.end) > Date.parse(first.end) ? second.end : first.end,
    targets: [...targets].map(([name, trackedSeconds]) => ({ name, trackedSeconds })),
    compoundScans: first.compoundScans + second.compoundScans,
    compoundScanList: [...first.compoundScanList, ...second.compoundScanList].slice(0, MAX_SESSION_TARGETS),
    warnings: first.warnings + second.warnings,
    errors: first.errors + second.errors,
  };
}

/** Shortens text quoted in a warning so that one bad line cannot make a huge message. */
export function preview(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
