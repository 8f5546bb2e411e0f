/**
 * MeerKAT observation-script logs: `2019-03-05 16:24:22.230Z INFO     message`, where the level is
 * padded with spaces and the Z is glued to the milliseconds (UTC). Yields one record per line of
 * interest and, at the end of the log, one session summary per capture block. Lines without a
 * capture block get their summary, and a warning, when they end.
 */
import { type LineHandler, parseLineBatchesWith, parseLinesWith } from './driver.js';
import type { TextLine } from './lines.js';
import { isoFromDateTime, scanDateTime } from './time.js';
import { type Parsed, type ParseOptions, type Source, record, sha256, sourceName, warning } from './types.js';

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
const RECEPTOR = /^[a-z]{1,3}\d{3,4}$/;

const CAPTURE_BLOCK = 'Capture block ID = ';
const COMPOUND_SCAN = 'New compound scan: ';
const CHAR_C = 67;
const CHAR_I = 73;
const CHAR_N = 78;
const CHAR_O = 79;
const CHAR_Q = 81;
const CHAR_S = 83;
const CHAR_W = 87;
const CHAR_P_LOWER = 112;
const CHAR_S_LOWER = 115;
const CHAR_T_LOWER = 116;

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
  return parseLinesWith(source, options, new ObslogHandler(sourceName(source)));
}

/** Yields the same items as `parseObslog`, in batches of one read chunk each. */
export function parseObslogBatches(source: Source, options: ParseOptions = {}): AsyncGenerator<Parsed<ObslogRecord>[]> {
  return parseLineBatchesWith(source, options, new ObslogHandler(sourceName(source)));
}

/**
 * Reads a Python list repr of receptor names such as `['m006', 'm031']`. Returns null when the
 * text is not a complete list.
 */
export function parseReceptorList(text: string): string[] | null {
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

interface SessionState {
  captureBlockId?: string;
  start: string;
  end: string;
  firstLine: number;
  lastLine: number;
  rawLines: Buffer[];
  targets: Map<string, number>;
  currentTarget?: string;
  compoundScans: number;
  compoundScanList: { label: string; target?: string; trackedSeconds: number }[];
  warnings: number;
  errors: number;
}

class ObslogHandler implements LineHandler<ObslogRecord> {
  private session: SessionState | undefined;
  /** Closed sessions by capture block, in the order first closed, with the raw lines of each run. */
  private readonly closedSessions = new Map<string, { summary: ObslogSession; raw: Buffer[]; line: number }>();
  private lastLine: TextLine | undefined;
  /** Time and line before the current one, to end a session there. */
  private previousEnd = '';
  private previousLine: TextLine | undefined;

  constructor(private readonly file: string) {}

  line(line: TextLine, out: Parsed<ObslogRecord>[]): void {
    const text = line.text;
    if (text.length === 0 || (text.charCodeAt(0) <= SPACE && text.trim() === '')) return;

    const timeEnd = scanDateTime(text);
    if (timeEnd < 0 || text[timeEnd] !== 'Z') {
      out.push(warning(this.file, line.line, `line does not start with a UTC timestamp such as "2019-03-05 16:24:22.230Z": "${preview(text)}"`));
      return;
    }
    const at = isoFromDateTime(text, timeEnd);

    let position = timeEnd + 1;
    while (text.charCodeAt(position) === SPACE) position += 1;
    let levelEnd = position;
    while (levelEnd < text.length && text.charCodeAt(levelEnd) !== SPACE) levelEnd += 1;
    // Nearly every line is INFO, so that level is recognised without taking a substring.
    const level = levelEnd - position === 4 && text.startsWith('INFO', position) ? 'INFO' : LEVELS[text.slice(position, levelEnd)];
    if (level === undefined) {
      out.push(warning(this.file, line.line, `unknown log level "${preview(text.slice(position, levelEnd))}"; expected INFO, WARNING or ERROR`));
      return;
    }
    while (text.charCodeAt(levelEnd) === SPACE) levelEnd += 1;

    this.track(at, line);
    this.readMessage(at, level, text, levelEnd, line, out);
  }

  end(out: Parsed<ObslogRecord>[]): void {
    this.closeSession(out);
    for (const captureBlockId of [...this.closedSessions.keys()]) this.emitSession(captureBlockId, out);
  }

  private track(at: string, line: TextLine): void {
    if (this.session === undefined) {
      this.session = { start: at, end: at, firstLine: line.line, lastLine: line.line, rawLines: [Buffer.from(line.bytes)], targets: new Map(), compoundScans: 0, compoundScanList: [], warnings: 0, errors: 0 };
    }
    this.previousEnd = this.session.end;
    this.previousLine = this.lastLine;
    this.session.end = at;
    this.session.lastLine = line.line;
    this.lastLine = line;
  }

  /**
   * Reads the message that starts at `position` in the line. The first character picks the one
   * pattern that can match, because most lines of a long log are lines of interest and testing
   * every prefix in turn was a large part of the parser's time.
   */
  private readMessage(at: string, level: string, text: string, position: number, line: TextLine, out: Parsed<ObslogRecord>[]): void {
    const session = this.session as SessionState;
    const captureBlockId = session.captureBlockId;

    if (level === 'WARNING' || level === 'ERROR') {
      if (level === 'WARNING') session.warnings += 1;
      else session.errors += 1;
      this.emit(out, line, { type: 'message', at, captureBlockId, level, text: text.slice(position) });
      return;
    }

    switch (text.charCodeAt(position)) {
      case CHAR_C:
        if (text.startsWith(CAPTURE_BLOCK, position)) this.readCaptureBlock(at, text.slice(position + CAPTURE_BLOCK.length).trim(), line, out);
        return;
      case CHAR_Q:
        if (text.startsWith('Quorum = ', position)) this.readQuorum(at, captureBlockId, text, position, line, out);
        return;
      case CHAR_N:
        if (text.startsWith(COMPOUND_SCAN, position)) this.readCompoundScan(at, session, text.slice(position + COMPOUND_SCAN.length).trim(), line, out);
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

  private readQuorum(at: string, captureBlockId: string | undefined, text: string, position: number, line: TextLine, out: Parsed<ObslogRecord>[]): void {
    const match = matchAt(QUORUM, text, position);
    if (match === null) {
      out.push(warning(this.file, line.line, `quorum line not understood: "${preview(text.slice(position))}"`));
      return;
    }
    this.emit(out, line, { type: 'quorum', at, captureBlockId, percent: Number(match[1]), required: Number(match[2]), receptors: Number(match[3]), stragglersTolerated: Number(match[4]) });
  }

  private readCompoundScan(at: string, session: SessionState, quoted: string, line: TextLine, out: Parsed<ObslogRecord>[]): void {
    const label = quoted.length >= 2 && quoted.startsWith("'") && quoted.endsWith("'") ? quoted.slice(1, -1) : quoted;
    session.compoundScans += 1;
    if (session.compoundScanList.length < MAX_SESSION_TARGETS) session.compoundScanList.push({ label, trackedSeconds: 0 });
    this.emit(out, line, { type: 'compound-scan', at, captureBlockId: session.captureBlockId, label });
  }

  private readTrack(at: string, session: SessionState, text: string, position: number, line: TextLine, out: Parsed<ObslogRecord>[]): void {
    const match = matchAt(TRACK, text, position);
    if (match === null) return;
    const target = match[2] ?? '';
    session.currentTarget = target;
    if (!session.targets.has(target) && session.targets.size < MAX_SESSION_TARGETS) session.targets.set(target, 0);
    const scan = session.compoundScanList.at(-1);
    if (scan !== undefined && scan.target === undefined) scan.target = target;
    this.emit(out, line, { type: 'track', at, captureBlockId: session.captureBlockId, target, seconds: Number(match[1]) });
  }

  private readTracked(at: string, session: SessionState, text: string, position: number, line: TextLine, out: Parsed<ObslogRecord>[]): void {
    const match = matchAt(TRACKED, text, position);
    if (match === null) {
      out.push(warning(this.file, line.line, `track duration not understood: "${preview(text.slice(position))}"`));
      return;
    }
    const seconds = Number(match[1]);
    const target = session.currentTarget;
    if (target !== undefined && session.targets.has(target)) session.targets.set(target, (session.targets.get(target) ?? 0) + seconds);
    const scan = session.compoundScanList.at(-1);
    if (scan !== undefined) scan.trackedSeconds += seconds;
    this.emit(out, line, { type: 'tracked', at, captureBlockId: session.captureBlockId, target, seconds });
  }

  private readOffset(at: string, captureBlockId: string | undefined, text: string, position: number, line: TextLine, out: Parsed<ObslogRecord>[]): void {
    const match = matchAt(OFFSET, text, position);
    if (match === null) {
      out.push(warning(this.file, line.line, `pointing offset not understood: "${preview(text.slice(position))}"`));
      return;
    }
    this.emit(out, line, { type: 'offset', at, captureBlockId, xDegrees: Number(match[1]), yDegrees: Number(match[2]) });
  }

  private emit(out: Parsed<ObslogRecord>[], line: TextLine, value: ObslogRecord): void {
    out.push(record(value, { file: this.file, line: line.line }, line.lazyDigest()));
  }

  private readCaptureBlock(at: string, id: string, line: TextLine, out: Parsed<ObslogRecord>[]): void {
    if (!/^\d{10}$/.test(id)) {
      out.push(warning(this.file, line.line, `capture block id "${preview(id)}" is not a 10-digit Unix time`));
      return;
    }

    // A second capture block in one log starts a new session; the lines before it stay with the old one.
    if (this.session?.captureBlockId !== undefined && this.session.captureBlockId !== id) {
      this.session.lastLine = line.line - 1;
      this.session.end = this.previousEnd;
      this.lastLine = this.previousLine;
      this.closeSession(out);
      this.track(at, line);
    }
    const session = this.session as SessionState;
    session.captureBlockId = id;
    session.rawLines.push(Buffer.from(line.bytes));
    out.push(record({ type: 'capture-block', at, captureBlockId: id }, { file: this.file, line: line.line, key: id }, line.lazyDigest()));
  }

  private readStragglers(at: string, captureBlockId: string | undefined, text: string, position: number, line: TextLine, out: Parsed<ObslogRecord>[]): void {
    const match = matchAt(STRAGGLERS, text, position);
    if (match === null) {
      out.push(warning(this.file, line.line, `sensor wait not understood: "${preview(text.slice(position))}"`));
      return;
    }

    const count = Number(match[3]);
    const receptors = match[4] === undefined ? [] : parseReceptorList(match[4]);
    if (receptors === null) {
      out.push(warning(this.file, line.line, `straggler list "${preview(match[4] ?? '')}" is not a Python list of receptor names such as ['m006', 'm031']`));
      return;
    }
    const odd = receptors.filter((name) => !RECEPTOR.test(name));
    if (odd.length > 0) {
      out.push(warning(this.file, line.line, `straggler names ${odd.map((name) => `"${preview(name)}"`).join(', ')} do not look like receptor names such as m006; kept as written`));
    }
    if (receptors.length !== count) {
      out.push(warning(this.file, line.line, `the line counts ${count} straggler(s) but lists ${receptors.length}; kept the list`));
    }
    this.emit(out, line, { type: 'stragglers', at, captureBlockId, sensor: match[1] ?? '', value: match[2] ?? '', count, receptors });
  }

  /**
   * Yields the session summary. Its digest covers the raw bytes, joined by \n, of the lines it is
   * built from: the session's first line, its capture-block line and its last line.
   */
  private closeSession(out: Parsed<ObslogRecord>[]): void {
    const session = this.session;
    if (session === undefined) return;
    this.session = undefined;

    const raw = Buffer.concat(session.rawLines.flatMap((bytes) => [bytes, Buffer.from('\n')]).concat([this.lastLine?.bytes ?? Buffer.alloc(0)]));
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
    earlier.raw.push(Buffer.from('\n'), raw);
  }

  /** Emits a capture block's session summary. Its digest covers the raw lines of every run, joined by \n. */
  private emitSession(captureBlockId: string, out: Parsed<ObslogRecord>[]): void {
    const closed = this.closedSessions.get(captureBlockId);
    if (closed === undefined) return;
    this.closedSessions.delete(captureBlockId);
    out.push(record(closed.summary, { file: this.file, line: closed.line, key: `session-${captureBlockId}` }, sha256(Buffer.concat(closed.raw))));
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
