/**
 * Host syslogs (`Mar 3 01:03:48 fwr3 kernel: [2307685.087047] message`). Kernel trouble such as
 * hung tasks ("blocked for more than 120 seconds") and their call traces become anomalies on the
 * host, grouped into incidents. Lines on one host with the same cause, each within a window
 * (default 5 minutes) of the previous one, form one incident.
 */
import { createHash, type Hash } from 'node:crypto';
import { type LineHandler, parseLinesWith } from './driver.js';
import type { TextLine } from './lines.js';
import { preview } from './obslog.js';
import { isCalendarDate, monthNumber, pad2 } from './time.js';
import { type Parsed, type ParseOptions, type Source, record, sourceName, warning } from './types.js';

export type AnomalyCause = 'hung-task' | 'soft-lockup' | 'oom-kill' | 'io-error' | 'filesystem-error' | 'segfault' | 'machine-check' | 'nfs-timeout' | 'raid-check';

export interface SyslogIncident {
  readonly host: string;
  readonly cause: AnomalyCause;
  /** `info` for events that explain others (a RAID check) rather than faults. */
  readonly severity: 'error' | 'warning' | 'info';
  /** ISO 8601 UTC, with the year and offset the options give. */
  readonly start: string;
  readonly end: string;
  /** Lines that state the cause; trace and context lines are not counted. */
  readonly occurrences: number;
  /** Processes named by the cause lines (e.g. xfsaild/md0:1881), at most 50. */
  readonly processes: readonly string[];
  /** Distinct kernel functions from call traces, in order of appearance, at most 100. */
  readonly traceFunctions: readonly string[];
  /** Kernel modules the traces pass through ([raid10], [xfs]). */
  readonly modules: readonly string[];
  readonly firstMessage: string;
  readonly firstLine: number;
  readonly lastLine: number;
}

export interface SyslogOptions extends ParseOptions {
  /** Syslog lines carry no year; default: a 20xx year in the file name, else the current UTC year. */
  readonly year?: number;
  /** Minutes east of UTC of the host clock; default 0 (MeerKAT hosts log in UTC). */
  readonly utcOffsetMinutes?: number;
  /** Gap in seconds after which a new line with the same cause starts a new incident; default 300. */
  readonly incidentWindowSeconds?: number;
}

interface CauseRule {
  readonly cause: AnomalyCause;
  readonly severity: SyslogIncident['severity'];
  readonly pattern: RegExp;
}

const CAUSES: readonly CauseRule[] = [
  { cause: 'hung-task', severity: 'error', pattern: /INFO: task (\S+) blocked for more than \d+ seconds/ },
  { cause: 'soft-lockup', severity: 'error', pattern: /(?:soft|hard) lockup - CPU#\d+ stuck for \S+ \[(\S+)\]/ },
  { cause: 'oom-kill', severity: 'error', pattern: /Out of memory: Kill(?:ed)? process (\d+ \(\S+\))/ },
  { cause: 'io-error', severity: 'error', pattern: /(?:I\/O error|blk_update_request: I\/O error), dev (\S+?),/ },
  { cause: 'filesystem-error', severity: 'error', pattern: /(?:EXT4-fs error|XFS \(\S+\): (?:metadata I\/O error|Corruption|log I\/O error))/ },
  { cause: 'segfault', severity: 'warning', pattern: /(\S+\[\d+\]): segfault at/ },
  { cause: 'machine-check', severity: 'error', pattern: /mce: \[Hardware Error\]/ },
  { cause: 'nfs-timeout', severity: 'warning', pattern: /nfs: server (\S+) not responding/ },
  { cause: 'raid-check', severity: 'info', pattern: /md: data-check of RAID array (\S+)/ },
];

const SYSLOG_LINE = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d) (\S+) ([^:[\s]+)(?:\[\d+\])?: ?(.*)$/;
const UPTIME = /^\[\s*\d+\.\d+\] ?/;
const TRACE_FRAME = /^(?:\? )?([A-Za-z_][\w.]*)\+0x[0-9a-f]+\/0x[0-9a-f]+(?: \[(\w+)\])?$/;

const MAX_PROCESSES = 50;
const MAX_TRACE_FUNCTIONS = 100;

interface OpenIncident {
  host: string;
  cause: AnomalyCause;
  severity: SyslogIncident['severity'];
  start: number;
  end: number;
  occurrences: number;
  processes: Set<string>;
  traceFunctions: Set<string>;
  modules: Set<string>;
  firstMessage: string;
  firstLine: number;
  lastLine: number;
  hash: Hash;
}

export function parseSyslog(source: Source, options: SyslogOptions = {}): AsyncGenerator<Parsed<SyslogIncident>> {
  const file = sourceName(source);
  const year = options.year ?? yearFromFileName(file) ?? new Date().getUTCFullYear();
  return parseLinesWith(source, options, new SyslogHandler(file, year, options.utcOffsetMinutes ?? 0, (options.incidentWindowSeconds ?? 300) * 1000));
}

function yearFromFileName(file: string): number | undefined {
  const match = /(?<!\d)(20\d{2})(?!\d)/.exec(file.slice(file.lastIndexOf('/') + 1));
  return match === null ? undefined : Number(match[1]);
}

class SyslogHandler implements LineHandler<SyslogIncident> {
  /** Open incidents by host and cause; at most hosts × causes entries. */
  private readonly open = new Map<string, OpenIncident>();
  /** The incident that trace and context lines of each host belong to. */
  private readonly latestByHost = new Map<string, OpenIncident>();
  private year: number;
  private lastMonth = 0;

  constructor(
    private readonly file: string,
    year: number,
    private readonly utcOffsetMinutes: number,
    private readonly windowMs: number,
  ) {
    this.year = year;
  }

  line(line: TextLine, out: Parsed<SyslogIncident>[]): void {
    if (line.text.trim() === '') return;
    const match = SYSLOG_LINE.exec(line.text);
    const month = monthNumber(match?.[1] ?? '');
    const day = Number(match?.[2]);
    if (match === null || month === 0) {
      out.push(warning(this.file, line.line, `not a syslog line like "Mar 3 01:03:48 HOST kernel: message": "${preview(line.text)}"`));
      return;
    }

    // A log that runs from December into January moves into the next year.
    if (this.lastMonth === 12 && month === 1) this.year += 1;
    this.lastMonth = month;
    if (!isCalendarDate(this.year, month, day)) {
      out.push(warning(this.file, line.line, `date ${match[1]} ${day} does not exist in ${this.year}; pass the year in the options`));
      return;
    }

    const time = Date.UTC(this.year, month - 1, day, Number(match[3]), Number(match[4]), Number(match[5])) - this.utcOffsetMinutes * 60_000;
    const host = match[6] ?? '';
    const message = (match[8] ?? '').replace(UPTIME, '');
    this.closeStale(time, out);

    const rule = CAUSES.find((candidate) => candidate.pattern.test(message));
    if (rule === undefined) {
      this.addContext(host, time, message, line);
      return;
    }

    const key = `${host}\u0000${rule.cause}`;
    let incident = this.open.get(key);
    if (incident === undefined) {
      incident = {
        host,
        cause: rule.cause,
        severity: rule.severity,
        start: time,
        end: time,
        occurrences: 0,
        processes: new Set(),
        traceFunctions: new Set(),
        modules: new Set(),
        firstMessage: message,
        firstLine: line.line,
        lastLine: line.line,
        hash: createHash('sha256'),
      };
      this.open.set(key, incident);
    } else {
      incident.hash.update('\n');
    }
    incident.hash.update(line.bytes);
    incident.end = time;
    incident.lastLine = line.line;
    incident.occurrences += 1;
    const process = rule.pattern.exec(message)?.[1];
    if (process !== undefined && incident.processes.size < MAX_PROCESSES) incident.processes.add(process);
    this.latestByHost.set(host, incident);
  }

  end(out: Parsed<SyslogIncident>[]): void {
    this.closeStale(Number.POSITIVE_INFINITY, out);
  }

  /** Attaches a trace or context line to the host's latest incident when it is still open. */
  private addContext(host: string, time: number, message: string, line: TextLine): void {
    const incident = this.latestByHost.get(host);
    if (incident === undefined || time - incident.end > this.windowMs) return;

    incident.hash.update('\n');
    incident.hash.update(line.bytes);
    incident.lastLine = line.line;
    const frame = TRACE_FRAME.exec(message.trim());
    if (frame === null) return;
    if (incident.traceFunctions.size < MAX_TRACE_FUNCTIONS) incident.traceFunctions.add(frame[1] ?? '');
    if (frame[2] !== undefined) incident.modules.add(frame[2]);
  }

  /**
   * Yields incidents whose last line is more than the window before `now`. The digest of an
   * incident covers its cause and context lines, joined by \n.
   */
  private closeStale(now: number, out: Parsed<SyslogIncident>[]): void {
    for (const [key, incident] of this.open) {
      if (now - incident.end <= this.windowMs) continue;
      this.open.delete(key);
      if (this.latestByHost.get(incident.host) === incident) this.latestByHost.delete(incident.host);

      const value: SyslogIncident = {
        host: incident.host,
        cause: incident.cause,
        severity: incident.severity,
        start: isoWithoutMilliseconds(incident.start),
        end: isoWithoutMilliseconds(incident.end),
        occurrences: incident.occurrences,
        processes: [...incident.processes],
        traceFunctions: [...incident.traceFunctions],
        modules: [...incident.modules],
        firstMessage: incident.firstMessage,
        firstLine: incident.firstLine,
        lastLine: incident.lastLine,
      };
      const incidentKey = `${incident.host}/${incident.cause}/${value.start}`;
      out.push(record(value, { file: this.file, line: incident.firstLine, key: incidentKey }, incident.hash.digest('hex')));
    }
  }
}

function isoWithoutMilliseconds(time: number): string {
  const date = new Date(time);
  return `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}T${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}Z`;
}
