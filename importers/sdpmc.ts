/**
 * SDP master-controller logs: `2019-03-08 10:12:21.466 HOST sdpmc: SUBARRAY_PRODUCT message`, times
 * in UTC (the capture block id 1552039941, a Unix time, is logged at 10:12:21). Lines cut off at
 * the right edge are kept as far as they can be read, with a warning.
 */
import { type LineHandler, parseLinesWith } from './driver.js';
import type { TextLine } from './lines.js';
import { preview } from './obslog.js';
import { isoFromDateTime, scanDateTime } from './time.js';
import { type Parsed, type ParseOptions, type Source, record, sha256, sourceName, warning } from './types.js';

interface SdpmcBase {
  readonly at: string;
  readonly host: string;
  readonly subarrayProduct: string;
  /** True when the line was cut off, so fields after the cut are missing or partial. */
  readonly truncated: boolean;
}

export type RequestOutcome = 'success' | 'failure' | 'timeout' | 'unknown';

export type SdpmcRecord =
  | (SdpmcBase & { readonly type: 'product-configured' })
  | (SdpmcBase & { readonly type: 'capture-block-id'; readonly captureBlockId: string })
  | (SdpmcBase & { readonly type: 'capture-block-started'; readonly captureBlockId: string })
  | (SdpmcBase & { readonly type: 'capture-block-done'; readonly captureBlockId: string })
  | (SdpmcBase & {
      readonly type: 'request-issued';
      readonly request: string;
      readonly args: string;
      readonly captureBlockId?: string;
      readonly node: string;
      readonly timeoutSeconds?: number;
    })
  | (SdpmcBase & {
      readonly type: 'request-result';
      readonly request: string;
      readonly args: string;
      readonly captureBlockId?: string;
      readonly node: string;
      readonly outcome: RequestOutcome;
      readonly detail?: string;
    });

const REQUEST = /^(Issuing request|Request) ([\w-]+) (\(.*?\)) to node (\S+)(?: (.*))?$/;
const CAPTURE_BLOCK_IN_ARGS = /'(\d{10})'/;

export function parseSdpmc(source: Source, options: ParseOptions = {}): AsyncGenerator<Parsed<SdpmcRecord>> {
  return parseLinesWith(source, options, new SdpmcHandler(sourceName(source)));
}

/**
 * Reads the outcome word at the end of a `Request … to node …` line. A word cut off at the edge
 * (`successf`) still counts when it can only be one outcome and keeps at least three letters.
 */
export function readOutcome(rest: string): { outcome: RequestOutcome; truncated: boolean; detail?: string } {
  const text = rest.trim();
  const complete: [RegExp, RequestOutcome][] = [
    [/^successful\b/, 'success'],
    [/^succeeded\b/, 'success'],
    [/^failed\b:?\s*(.*)$/, 'failure'],
    [/^timed out\b:?\s*(.*)$/, 'timeout'],
  ];
  for (const [pattern, outcome] of complete) {
    const match = pattern.exec(text);
    if (match !== null) {
      const detail = match[1]?.trim();
      return detail === undefined || detail === '' ? { outcome, truncated: false } : { outcome, truncated: false, detail };
    }
  }

  const words: [string, RequestOutcome][] = [
    ['successful', 'success'],
    ['failed', 'failure'],
    ['timed out', 'timeout'],
  ];
  const matches = words.filter(([word]) => text.length >= 3 && word.startsWith(text));
  if (matches.length === 1) return { outcome: matches[0]?.[1] ?? 'unknown', truncated: true };
  return { outcome: 'unknown', truncated: true };
}

class SdpmcHandler implements LineHandler<SdpmcRecord> {
  constructor(private readonly file: string) {}

  line(line: TextLine, out: Parsed<SdpmcRecord>[]): void {
    const text = line.text;
    if (text.trim() === '') return;

    const timeEnd = scanDateTime(text);
    if (timeEnd < 0) {
      out.push(warning(this.file, line.line, `no timestamp at the start, so this looks like the tail of a wrapped or cut-off line; skipped: "${preview(text)}"`));
      return;
    }
    const at = isoFromDateTime(text, timeEnd);

    // HOST sdpmc: PRODUCT message
    const header = /^ (\S+) ([\w.-]+): (\S+)(?: (.*))?$/.exec(text.slice(timeEnd));
    if (header === null) {
      out.push(warning(this.file, line.line, `expected "HOST sdpmc: SUBARRAY_PRODUCT message" after the timestamp: "${preview(text)}"`));
      return;
    }
    const host = header[1] ?? '';
    const subarrayProduct = header[3] ?? '';
    const message = header[4] ?? '';
    const base = { at, host, subarrayProduct };
    const emit = (value: SdpmcRecord): void => {
      out.push(record(value, { file: this.file, line: line.line }, line.lazyDigest()));
    };

    if (message.startsWith('Subarray product ') && message.endsWith(' successfully configured')) {
      emit({ ...base, truncated: false, type: 'product-configured' });
      return;
    }

    const used = /^Using capture block ID (\d{10})$/.exec(message);
    if (used !== null) {
      emit({ ...base, truncated: false, type: 'capture-block-id', captureBlockId: used[1] ?? '' });
      return;
    }

    const started = /^Started capture block (\d{10})/.exec(message);
    if (started !== null) {
      emit({ ...base, truncated: false, type: 'capture-block-started', captureBlockId: started[1] ?? '' });
      return;
    }

    const done = /^(?:Finished|Stopped|Done with) capture block (\d{10})/.exec(message);
    if (done !== null) {
      emit({ ...base, truncated: false, type: 'capture-block-done', captureBlockId: done[1] ?? '' });
      return;
    }

    if (message.startsWith('Issuing request ') || message.startsWith('Request ')) {
      this.readRequest(base, message, line, out, emit);
    }
  }

  end(): void {}

  private readRequest(base: Omit<SdpmcBase, 'truncated'>, message: string, line: TextLine, out: Parsed<SdpmcRecord>[], emit: (value: SdpmcRecord) => void): void {
    const match = REQUEST.exec(message);
    if (match === null) {
      out.push(warning(this.file, line.line, `request line cut off before the node name, skipped: "${preview(message)}"`));
      return;
    }

    const request = match[2] ?? '';
    const args = match[3] ?? '';
    const node = match[4] ?? '';
    const rest = match[5] ?? '';
    const captureBlockId = CAPTURE_BLOCK_IN_ARGS.exec(args)?.[1];
    const ids = captureBlockId === undefined ? {} : { captureBlockId };

    if (match[1] === 'Issuing request') {
      const timeout = /^\(timeout (\d+(?:\.\d+)?)s\)$/.exec(rest.trim());
      const truncated = timeout === null;
      if (truncated) {
        // Text after the node name proves the name itself was not cut.
        const nodeNote = rest === '' ? ', and the node name may be incomplete' : '';
        out.push(warning(this.file, line.line, `${request} request to node "${node}" is cut off before its timeout; kept the request${nodeNote}`));
      }
      emit({ ...base, truncated, type: 'request-issued', request, args, ...ids, node, ...(timeout === null ? {} : { timeoutSeconds: Number(timeout[1]) }) });
      return;
    }

    const result = readOutcome(rest);
    if (result.truncated) {
      const reading = result.outcome === 'unknown' ? 'the outcome is unreadable' : `read "${rest.trim()}" as ${result.outcome}`;
      out.push(warning(this.file, line.line, `result of ${request} on node "${node}" is cut off: ${reading}`));
    }
    emit({
      ...base,
      truncated: result.truncated,
      type: 'request-result',
      request,
      args,
      ...ids,
      node,
      outcome: result.outcome,
      ...(result.detail === undefined ? {} : { detail: result.detail }),
    });
  }
}
