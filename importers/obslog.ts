/**
 * MeerKAT observation-script logs: `2019-03-05 16:24:22.230Z INFO     message`, where the level is
 * padded with spaces and the Z is glued to the milliseconds (UTC). Yields one record per line of
 * interest and, at the end of the log, one session summary per capture block. Lines without a
 * capture block get their summary, and a warning, when they end.
 */
import { parseTextLineBatchesWith, parseTextLinesWith, type TextLineHandler } from './driver.js';
import { AsciiCursor, asciiBytes } from './ascii-cursor.js';
import { ASCII, LATIN1, type LineEncoding, lineText } from './lines.js';
import { scanDateTimeBytes, twoDigitBytes } from './time.js';
import { type Parsed, type ParseOptions, type Source, record, sha256, sourceName, textRecord, warning } from './types.js';

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

const LEVELS: Record<string, 'INFO' | 'DEBUG' | 'WARNING' | 'ERROR'> = {
  INFO: 'INFO',
  DEBUG: 'DEBUG',
  WARN: 'WARNING',
  WARNING: 'WARNING',
  ERROR: 'ERROR',
  CRITICAL: 'ERROR',
  FATAL: 'ERROR',
};

const SPACE = 32;
// The message patterns are sticky (flag y) and run at the message's offset in the line, so a
// line of interest is matched without first copying its message out.
const QUORUM = /Quorum = (\d+(?:\.\d+)?)% -> (\d+) of (\d+) receptor\(s\), i\.e\. (\d+) straggler\(s\) tolerated/y;
const TRACK = /Initiating (\d+(?:\.\d+)?)-second track on target '(.*)'$/y;
const TRACKED = /target tracked for (\d+(?:\.\d+)?) seconds/y;
const OFFSET = /Offset of \((-?\d+(?:\.\d+)?), (-?\d+(?:\.\d+)?)\) degrees/y;
const STRAGGLERS = /Waiting for sensor '([^']*)' == (.+?) had (\d+) straggler\(s\)(?:: (.*))?$/y;
const SCAN_SUMMARY = /Scan completed - (\d+) scan lines/y;

const CAPTURE_BLOCK = 'Capture block ID = ';
const COMPOUND_SCAN = 'New compound scan: ';
const CAPTURE_BLOCK_BYTES = asciiBytes(CAPTURE_BLOCK);
const COMPOUND_SCAN_BYTES = asciiBytes(COMPOUND_SCAN);
const QUORUM_BYTES = asciiBytes('Quorum = ');
const QUORUM_REQUIRED_BYTES = asciiBytes('% -> ');
const QUORUM_OF_BYTES = asciiBytes(' of ');
const QUORUM_TOLERATED_BYTES = asciiBytes(' receptor(s), i.e. ');
const QUORUM_END_BYTES = asciiBytes(' straggler(s) tolerated');
const TRACK_BYTES = asciiBytes('Initiating ');
const TRACK_TARGET_BYTES = asciiBytes("-second track on target '");
const TRACKED_BYTES = asciiBytes('target tracked for ');
const TRACKED_END_BYTES = asciiBytes(' seconds');
const OFFSET_BYTES = asciiBytes('Offset of (');
const OFFSET_BETWEEN_BYTES = asciiBytes(', ');
const OFFSET_END_BYTES = asciiBytes(') degrees');
const STRAGGLERS_BYTES = asciiBytes("Waiting for sensor '");
const STRAGGLERS_VALUE_BYTES = asciiBytes(' == ');
const STRAGGLERS_HAD_BYTES = asciiBytes(' had ');
const STRAGGLERS_COUNT_BYTES = asciiBytes(' straggler(s)');
const STRAGGLERS_LIST_BYTES = asciiBytes(': ');
const PERFORMING_SCAN_BYTES = asciiBytes('performing scan');
const SCAN_COMPLETE_BYTES = asciiBytes('scan complete');
const SCAN_SUMMARY_BYTES = asciiBytes('Scan completed - ');
const SCAN_SUMMARY_END_BYTES = asciiBytes(' scan lines');
const CARRIAGE_RETURN = 13;
const CHAR_C = 67;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const SINGLE_QUOTE = 39;
const DOUBLE_QUOTE = 34;
const COMMA = 44;
const LOWER_A = 97;
const LOWER_Z = 122;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const CHAR_F = 70;
const CHAR_I = 73;
const CHAR_N = 78;
const CHAR_O = 79;
const CHAR_Q = 81;
const CHAR_S = 83;
const CHAR_W = 87;
const CHAR_Z = 90;
const CHAR_P_LOWER = 112;
const CHAR_S_LOWER = 115;
const CHAR_T_LOWER = 116;

/** Returns the date of a line that starts with a valid timestamp, as the number YYYYMMDD. */
function dateKey(bytes: Buffer, start: number): number {
  const year = twoDigitBytes(bytes, start) * 100 + twoDigitBytes(bytes, start + 2);
  return year * 10_000 + twoDigitBytes(bytes, start + 5) * 100 + twoDigitBytes(bytes, start + 8);
}

/** True when `INFO` starts at `index`. */
function isInfo(bytes: Buffer, index: number): boolean {
  return bytes[index] === CHAR_I && bytes[index + 1] === CHAR_N && bytes[index + 2] === CHAR_F && bytes[index + 3] === CHAR_O;
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
  return parseTextLinesWith(source, options, new ObslogHandler(sourceName(source)));
}

/** Yields the same items as `parseObslog`, in batches of one read chunk each. */
export function parseObslogBatches(source: Source, options: ParseOptions = {}): AsyncGenerator<Parsed<ObslogRecord>[]> {
  return parseTextLineBatchesWith(source, options, new ObslogHandler(sourceName(source)));
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
  /** The lines a summary's digest covers, each as its text or, for a line that was not UTF-8, a copy of its bytes. */
  rawLines: RawPiece[];
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
  private lastRaw: RawPiece | undefined;
  /** Time and line before the current one, to end a session there. */
  private previousEnd = '';
  private previousRaw: RawPiece | undefined;
  /** The line being read: its text, and for a line that was not UTF-8 the digest of its bytes. */
  private text = '';
  private bytesDigest: string | undefined;
  /** The last date seen (see `dateKey`) and its ISO start (`2019-03-05T`), reused while lines keep the date. */
  private date = -1;
  private isoDate = '';
  /** True when the line being read is ASCII; the cursor then points at its bytes. */
  private ascii = false;
  private readonly cursor = new AsciiCursor();

  constructor(private readonly file: string) {}

  line(source: Buffer, start: number, end: number, lineNumber: number, encoding: LineEncoding, out: Parsed<ObslogRecord>[]): void {
    if (start === end || ((source[start] ?? 0) <= SPACE && lineText(source, start, end, encoding).trim() === '')) return;

    // Up to the message every character of a valid line is ASCII, so byte offsets there are
    // character offsets in the text too.
    const timeEnd = scanDateTimeBytes(source, start, end);
    if (timeEnd < 0 || source[start + timeEnd] !== CHAR_Z) {
      out.push(warning(this.file, lineNumber, `line does not start with a UTC timestamp such as "2019-03-05 16:24:22.230Z": "${preview(lineText(source, start, end, encoding))}"`));
      return;
    }
    const text = lineText(source, start, end, encoding);
    const date = dateKey(source, start);
    if (date !== this.date) {
      this.date = date;
      this.isoDate = `${text.slice(0, 10)}T`;
    }
    const at = this.isoDate + text.slice(11, timeEnd + 1);
    this.text = text;
    // Hashing a UTF-8 line's text gives the digest of its bytes; a Latin-1 decoding would not.
    this.bytesDigest = encoding === LATIN1 ? sha256(source.subarray(start, end)) : undefined;

    let position = timeEnd + 1;
    while (source[start + position] === SPACE) position += 1;
    let levelEnd = position + 4;
    let level: string | undefined = 'INFO';
    // Nearly every line is INFO, so that level is recognised from its bytes.
    if (!(isInfo(source, start + position) && (start + levelEnd === end || source[start + levelEnd] === SPACE))) {
      levelEnd = position;
      while (levelEnd < text.length && text.charCodeAt(levelEnd) !== SPACE) levelEnd += 1;
      level = LEVELS[text.slice(position, levelEnd)];
      if (level === undefined) {
        out.push(warning(this.file, lineNumber, `unknown log level "${preview(text.slice(position, levelEnd))}"; expected INFO, WARNING or ERROR`));
        return;
      }
    }
    while (source[start + levelEnd] === SPACE) levelEnd += 1;

    this.track(at, lineNumber, encoding === LATIN1 ? Buffer.from(source.subarray(start, end)) : text);
    this.ascii = encoding === ASCII;
    if (this.ascii) this.cursor.reset(source, start, end, levelEnd);
    this.readMessage(at, level, text, levelEnd, lineNumber, out);
  }

  end(out: Parsed<ObslogRecord>[]): void {
    this.closeSession(out);
    for (const captureBlockId of [...this.closedSessions.keys()]) this.emitSession(captureBlockId, out);
  }

  private track(at: string, line: number, raw: RawPiece): void {
    if (this.session === undefined) {
      this.session = { start: at, end: at, firstLine: line, lastLine: line, rawLines: [raw], targets: new Map(), compoundScans: 0, compoundScanList: [], warnings: 0, errors: 0 };
    }
    this.previousEnd = this.session.end;
    this.previousRaw = this.lastRaw;
    this.session.end = at;
    this.session.lastLine = line;
    this.lastRaw = raw;
  }

  /**
   * Reads the message that starts at `position` in the line. The first character picks the one
   * pattern that can match, because most lines of a long log are lines of interest and testing
   * every prefix in turn was a large part of the parser's time. An ASCII line is read from its
   * bytes first (`readAsciiMessage`); the patterns read what that does not accept.
   */
  private readMessage(at: string, level: string, text: string, position: number, line: number, out: Parsed<ObslogRecord>[]): void {
    const session = this.session as SessionState;
    const captureBlockId = session.captureBlockId;

    if (level === 'WARNING' || level === 'ERROR') {
      if (level === 'WARNING') session.warnings += 1;
      else session.errors += 1;
      this.emit(out, line, { type: 'message', at, captureBlockId, level, text: text.slice(position) });
      return;
    }
    if (this.ascii && this.readAsciiMessage(at, session, text, position, line, out)) return;

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

  /**
   * Reads the usual lines of interest from the bytes of an ASCII line, which costs less than the
   * patterns. Returns false, having changed nothing, for a line it does not accept whole;
   * `readMessage` then reads it with the patterns, which also warn.
   */
  private readAsciiMessage(at: string, session: SessionState, text: string, position: number, line: number, out: Parsed<ObslogRecord>[]): boolean {
    const cursor = this.cursor;
    const captureBlockId = session.captureBlockId;
    switch (cursor.byteAt(position)) {
      case CHAR_C: {
        if (!(cursor.literal(CAPTURE_BLOCK_BYTES) && cursor.length - cursor.offset === 10 && cursor.digits() && cursor.atEnd())) return false;
        this.readCaptureBlock(at, text.slice(-10), line, out);
        return true;
      }
      case CHAR_Q: {
        if (!(cursor.literal(QUORUM_BYTES) && cursor.decimal())) return false;
        const percent = cursor.value;
        if (!(cursor.literal(QUORUM_REQUIRED_BYTES) && cursor.digits())) return false;
        const required = cursor.value;
        if (!(cursor.literal(QUORUM_OF_BYTES) && cursor.digits())) return false;
        const receptors = cursor.value;
        if (!(cursor.literal(QUORUM_TOLERATED_BYTES) && cursor.digits() && cursor.literal(QUORUM_END_BYTES))) return false;
        this.emit(out, line, { type: 'quorum', at, captureBlockId, percent, required, receptors, stragglersTolerated: cursor.value });
        return true;
      }
      case CHAR_N: {
        if (!cursor.literal(COMPOUND_SCAN_BYTES)) return false;
        const from = cursor.offset;
        if (cursor.length - from < 2 || cursor.byteAt(from) !== SINGLE_QUOTE || cursor.byteAt(cursor.length - 1) !== SINGLE_QUOTE) return false;
        this.readCompoundScan(at, session, text.slice(from + 1, -1), line, out);
        return true;
      }
      case CHAR_I: {
        if (!(cursor.literal(TRACK_BYTES) && cursor.decimal() && cursor.literal(TRACK_TARGET_BYTES))) return false;
        const from = cursor.offset;
        const last = cursor.length - 1;
        // The pattern's `.` stops at a carriage return, so such a target is left to it.
        if (last < from || cursor.byteAt(last) !== SINGLE_QUOTE || cursor.holds(CARRIAGE_RETURN, from, last)) return false;
        this.applyTrack(at, session, text.slice(from, last), cursor.value, line, out);
        return true;
      }
      case CHAR_T_LOWER: {
        if (!(cursor.literal(TRACKED_BYTES) && cursor.decimal() && cursor.literal(TRACKED_END_BYTES))) return false;
        this.applyTracked(at, session, cursor.value, line, out);
        return true;
      }
      case CHAR_O: {
        if (!(cursor.literal(OFFSET_BYTES) && cursor.signedDecimal())) return false;
        const xDegrees = cursor.value;
        if (!(cursor.literal(OFFSET_BETWEEN_BYTES) && cursor.signedDecimal() && cursor.literal(OFFSET_END_BYTES))) return false;
        this.emit(out, line, { type: 'offset', at, captureBlockId, xDegrees, yDegrees: cursor.value });
        return true;
      }
      case CHAR_W:
        return this.readAsciiStragglers(at, captureBlockId, text, line, out);
      case CHAR_P_LOWER:
        if (!cursor.rest(PERFORMING_SCAN_BYTES)) return false;
        this.emit(out, line, { type: 'scan', at, captureBlockId, phase: 'started' });
        return true;
      case CHAR_S_LOWER:
        if (!cursor.rest(SCAN_COMPLETE_BYTES)) return false;
        this.emit(out, line, { type: 'scan', at, captureBlockId, phase: 'completed' });
        return true;
      case CHAR_S:
        if (!(cursor.literal(SCAN_SUMMARY_BYTES) && cursor.digits() && cursor.literal(SCAN_SUMMARY_END_BYTES))) return false;
        this.emit(out, line, { type: 'scan-summary', at, captureBlockId, scanLines: cursor.value });
        return true;
      default:
        return false;
    }
  }

  /**
   * Reads `Waiting for sensor 'S' == V had N straggler(s): [...]` as the STRAGGLERS pattern does:
   * V is the shortest text after which ` had N straggler(s)` ends the line or is followed by `: `.
   */
  private readAsciiStragglers(at: string, captureBlockId: string | undefined, text: string, line: number, out: Parsed<ObslogRecord>[]): boolean {
    const cursor = this.cursor;
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
      let list: string | undefined;
      if (cursor.literal(STRAGGLERS_LIST_BYTES)) list = text.slice(cursor.offset);
      else if (!cursor.atEnd()) continue;
      this.applyStragglers(at, captureBlockId, text.slice(sensorStart, sensorEnd), text.slice(valueStart, had), count, list, line, out);
      return true;
    }
    return false;
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
    return this.bytesDigest === undefined ? textRecord(value, locator, this.text) : record(value, locator, this.bytesDigest);
  }

  private readCaptureBlock(at: string, id: string, line: number, out: Parsed<ObslogRecord>[]): void {
    if (!/^\d{10}$/.test(id)) {
      out.push(warning(this.file, line, `capture block id "${preview(id)}" is not a 10-digit Unix time`));
      return;
    }

    // `track` has made this line the last one.
    const raw = this.lastRaw as RawPiece;
    // A second capture block in one log starts a new session; the lines before it stay with the old one.
    if (this.session?.captureBlockId !== undefined && this.session.captureBlockId !== id) {
      this.session.lastLine = line - 1;
      this.session.end = this.previousEnd;
      this.lastRaw = this.previousRaw;
      this.closeSession(out);
      this.track(at, line, raw);
    }
    const session = this.session as SessionState;
    session.captureBlockId = id;
    session.rawLines.push(raw);
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
    const receptors = list === undefined ? [] : parseReceptorList(list);
    if (receptors === null) {
      out.push(warning(this.file, line, `straggler list "${preview(list ?? '')}" is not a Python list of receptor names such as ['m006', 'm031']`));
      return;
    }
    const odd = receptors.every(isReceptorName) ? [] : receptors.filter((name) => !isReceptorName(name));
    if (odd.length > 0) {
      out.push(warning(this.file, line, `straggler names ${odd.map((name) => `"${preview(name)}"`).join(', ')} do not look like receptor names such as m006; kept as written`));
    }
    if (receptors.length !== count) {
      out.push(warning(this.file, line, `the line counts ${count} straggler(s) but lists ${receptors.length}; kept the list`));
    }
    this.emit(out, line, { type: 'stragglers', at, captureBlockId, sensor, value, count, receptors });
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
    const pieces: RawPiece[] = [];
    for (const piece of session.rawLines) pieces.push(piece, '\n');
    if (this.lastRaw !== undefined) pieces.push(this.lastRaw);
    const raw = bytesOf(pieces);
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

/**
 * A piece of the bytes a session digest covers. A UTF-8 line is kept as its text, which the line
 * reader has already made and which hashes to the same digest as its bytes. A line decoded as
 * Latin-1 is kept as a copy of its bytes, because its text would hash differently.
 */
type RawPiece = string | Buffer;

const NEWLINE_BYTES = Buffer.from('\n');

/**
 * Returns the pieces' UTF-8 bytes one after another, in one buffer. Text pieces are joined first,
 * because a session names its capture block on hundreds of lines and one conversion per piece
 * cost more than the join.
 */
function bytesOf(pieces: readonly RawPiece[]): Buffer {
  if (pieces.every((piece) => typeof piece === 'string')) return Buffer.from(pieces.join(''), 'utf8');
  return Buffer.concat(pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece)));
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
