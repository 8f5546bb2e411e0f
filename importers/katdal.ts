/**
 * katdal dataset summaries, the text `print(dataset)` writes. The header prints its times in
 * SAST (UTC+2) and the scan table in UTC; every time here is converted to UTC. A file may hold
 * several summaries; each starts at a `Name:` line.
 */
import { createHash, type Hash } from 'node:crypto';
import { type LineHandler, parseLinesWith } from './driver.js';
import type { TextLine } from './lines.js';
import { preview } from './obslog.js';
import { isoFromDateTime, monthNumber, pad2, scanDateTime, shiftIso } from './time.js';
import { type Parsed, type ParseOptions, type Source, record, sourceName, warning } from './types.js';

export interface KatdalTarget {
  readonly name: string;
  readonly bodyType: string;
  /** Right ascension and declination as printed (sexagesimal), when the body type has them. */
  readonly coordinates: readonly string[];
  readonly tags: readonly string[];
  readonly dumps?: number;
  readonly modelFluxJy?: number;
}

export interface KatdalScan {
  readonly index: number;
  readonly state: string;
  readonly compoundScanIndex: number;
  readonly compoundScanLabel: string;
  readonly dumps: number;
  readonly target: string;
  /** ISO 8601 UTC. */
  readonly start: string;
  readonly end: string;
}

export interface KatdalDataset {
  readonly captureBlockId?: string;
  /** The stream name after the `|` on the Name line, e.g. 1548417874-sdp-l0. */
  readonly streamName?: string;
  readonly version?: string;
  readonly observer?: string;
  /** katdal's "Experiment ID" is the schedule block id. */
  readonly scheduleBlockId?: string;
  readonly description?: string;
  readonly start?: string;
  readonly end?: string;
  readonly dumpPeriodSeconds?: number;
  readonly antennas: readonly string[];
  readonly band?: string;
  readonly product?: string;
  readonly centreFrequencyMHz?: number;
  readonly bandwidthMHz?: number;
  readonly channels?: number;
  readonly channelWidthKHz?: number;
  readonly targets: readonly KatdalTarget[];
  readonly scans: readonly KatdalScan[];
}

/** Scans beyond this many in one summary are counted in a warning but not kept, to bound memory. */
const MAX_SCANS = 100_000;

/** Hours east of UTC for the zone names katdal prints. */
const ZONE_OFFSETS_HOURS: Record<string, number> = { SAST: 2, UTC: 0, GMT: 0 };

const BODY_TYPES = new Set(['radec', 'azel', 'gal', 'tle', 'special', 'xephem', 'star']);

type Section = 'none' | 'subarrays' | 'windows' | 'targets' | 'scans';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function parseKatdalSummary(source: Source, options: ParseOptions = {}): AsyncGenerator<Parsed<KatdalDataset>> {
  return parseLinesWith(source, options, new KatdalHandler(sourceName(source)));
}

class KatdalHandler implements LineHandler<KatdalDataset> {
  private dataset: Mutable<KatdalDataset> & { antennas: string[]; targets: KatdalTarget[]; scans: KatdalScan[] } = emptyDataset();
  private started = false;
  private firstLine = 0;
  private hasher: Hash = createHash('sha256');
  private section: Section = 'none';
  private scanDate = '';
  private lastScanStart = '';
  private droppedScans = 0;

  constructor(private readonly file: string) {}

  line(line: TextLine, out: Parsed<KatdalDataset>[]): void {
    const text = line.text;
    if (text.startsWith('Name:') && this.started && this.dataset.streamName !== undefined) this.finish(out);

    if (!this.started) {
      if (text.trim() === '') return;
      this.started = true;
      this.firstLine = line.line;
    } else {
      this.hasher.update('\n');
    }
    this.hasher.update(line.bytes);

    if (/^[=-]{10,}\s*$/.test(text)) {
      this.section = 'none';
      return;
    }
    this.readLine(text, line.line, out);
  }

  end(out: Parsed<KatdalDataset>[]): void {
    if (this.started) this.finish(out);
  }

  private readLine(text: string, lineNumber: number, out: Parsed<KatdalDataset>[]): void {
    const dataset = this.dataset;
    let match: RegExpExecArray | null;

    if ((match = /^Name: (.*?)(?: \| (\S+))?(?: \(version ([\w.]+)\))?\s*$/.exec(text)) !== null) {
      this.section = 'none';
      const stream = match[2];
      if (stream !== undefined) dataset.streamName = stream;
      if (match[3] !== undefined) dataset.version = match[3];
      const id = /(?<!\d)(\d{10})(?!\d)/.exec(stream ?? match[1] ?? '');
      if (id !== null) dataset.captureBlockId = id[1];
    } else if ((match = /^Observer: (.*?)\s+Experiment ID: (\S+)/.exec(text)) !== null) {
      dataset.observer = match[1] ?? '';
      dataset.scheduleBlockId = match[2] ?? '';
    } else if ((match = /^Description: (.*)$/.exec(text)) !== null) {
      dataset.description = (match[1] ?? '').replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
    } else if (text.startsWith('Observed from ')) {
      this.readObservedRange(text, lineNumber, out);
    } else if ((match = /^Dump rate \/ period: [\d.]+ Hz \/ ([\d.]+) s/.exec(text)) !== null) {
      dataset.dumpPeriodSeconds = Number(match[1]);
    } else if (text.startsWith('Subarrays:')) {
      this.section = 'subarrays';
    } else if (text.startsWith('Spectral Windows:')) {
      this.section = 'windows';
    } else if (text.startsWith('Targets:')) {
      this.section = 'targets';
    } else if (text.startsWith('Scans:')) {
      this.section = 'scans';
    } else if ((match = /^Antennas: (\S+)/.exec(text)) !== null) {
      dataset.antennas = (match[1] ?? '').split(',').filter((name) => name !== '');
    } else if (/^\s+\d/.test(text) || (this.section === 'scans' && /^\s*\d{1,2}-[A-Z][a-z]{2}-\d{4}\//.test(text))) {
      this.readTableRow(text, lineNumber, out);
    }
  }

  private readObservedRange(text: string, lineNumber: number, out: Parsed<KatdalDataset>[]): void {
    const match = /^Observed from (\S+ \S+) (\w+) to (\S+ \S+) (\w+)/.exec(text);
    const startZone = ZONE_OFFSETS_HOURS[match?.[2] ?? ''];
    const endZone = ZONE_OFFSETS_HOURS[match?.[4] ?? ''];
    const start = match?.[1] ?? '';
    const end = match?.[3] ?? '';
    const startEnd = scanDateTime(start);
    const endEnd = scanDateTime(end);
    if (match === null || startZone === undefined || endZone === undefined || startEnd !== start.length || endEnd !== end.length) {
      out.push(warning(this.file, lineNumber, `observed range not understood (expected "Observed from 2019-01-25 14:04:36.424 SAST to …" with SAST or UTC): "${preview(text)}"`));
      return;
    }
    this.dataset.start = shiftIso(isoFromDateTime(start, startEnd), -startZone * 3600);
    this.dataset.end = shiftIso(isoFromDateTime(end, endEnd), -endZone * 3600);
  }

  private readTableRow(text: string, lineNumber: number, out: Parsed<KatdalDataset>[]): void {
    const dataset = this.dataset;
    let match: RegExpExecArray | null;

    switch (this.section) {
      case 'subarrays':
        if ((match = /^\s*\d+\s+(\S+)\s+\d+\s+\d+\s*$/.exec(text)) !== null && dataset.antennas.length === 0) {
          dataset.antennas = (match[1] ?? '').split(',').filter((name) => name !== '');
        }
        return;
      case 'windows':
        if ((match = /^\s*\d+\s+(\S+)\s+(\S+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+([\d.]+)\s*$/.exec(text)) !== null) {
          dataset.band = match[1] ?? '';
          dataset.product = match[2] ?? '';
          dataset.centreFrequencyMHz = Number(match[3]);
          dataset.bandwidthMHz = Number(match[4]);
          dataset.channels = Number(match[5]);
          dataset.channelWidthKHz = Number(match[6]);
        } else {
          out.push(warning(this.file, lineNumber, `spectral window row not understood: "${preview(text)}"`));
        }
        return;
      case 'targets':
        this.readTarget(text, lineNumber, out);
        return;
      case 'scans':
        this.readScan(text, lineNumber, out);
        return;
      case 'none':
        return;
    }
  }

  private readTarget(text: string, lineNumber: number, out: Parsed<KatdalDataset>[]): void {
    const tokens = text.trim().split(/\s+/);
    const typeIndex = tokens.findIndex((token, index) => index >= 2 && BODY_TYPES.has(token));
    if (typeIndex < 0) {
      out.push(warning(this.file, lineNumber, `target row has no body type (radec, azel, …): "${preview(text)}"`));
      return;
    }

    const name = tokens.slice(1, typeIndex).join(' ');
    const bodyType = tokens[typeIndex] ?? '';
    let rest = tokens.slice(typeIndex + 1);
    const coordinateCount = bodyType === 'radec' || bodyType === 'azel' || bodyType === 'gal' ? 2 : 0;
    const coordinates = rest.slice(0, coordinateCount);
    rest = rest.slice(coordinateCount);

    const numbers: number[] = [];
    while (rest.length > 0 && /^-?\d+(?:\.\d+)?$/.test(rest[rest.length - 1] ?? '') && numbers.length < 2) {
      numbers.unshift(Number(rest.pop()));
    }
    const target: Mutable<KatdalTarget> = { name, bodyType, coordinates, tags: rest };
    if (numbers.length >= 1) target.dumps = numbers[0] ?? 0;
    if (numbers.length === 2) target.modelFluxJy = numbers[1] ?? 0;
    this.dataset.targets.push(target);
  }

  private readScan(text: string, lineNumber: number, out: Parsed<KatdalDataset>[]): void {
    const match = /^\s*(?:(\d{1,2})-([A-Z][a-z]{2})-(\d{4})\/)?(\d\d:\d\d:\d\d) - (\d\d:\d\d:\d\d)\s+(\d+):(\S+)\s+(\d+):(\S+)\s+(\d+)\s+\d+:(.*?)\s*$/.exec(text);
    if (match === null) {
      out.push(warning(this.file, lineNumber, `scan row not understood: "${preview(text)}"`));
      return;
    }

    if (match[1] !== undefined) {
      const month = monthNumber(match[2] ?? '');
      if (month === 0) {
        out.push(warning(this.file, lineNumber, `month "${match[2]}" in the scan date is not an English abbreviation such as Jan`));
        return;
      }
      this.scanDate = `${match[3]}-${pad2(month)}-${pad2(Number(match[1]))}`;
      this.lastScanStart = '';
    }
    if (this.scanDate === '') {
      out.push(warning(this.file, lineNumber, 'scan row has no date and no earlier row gave one; skipped'));
      return;
    }

    // Rows after the first print only the time of day; a time earlier than the last one means midnight passed.
    let start = `${this.scanDate}T${match[4]}Z`;
    if (this.lastScanStart !== '' && start < this.lastScanStart) {
      this.scanDate = shiftIso(`${this.scanDate}T00:00:00Z`, 86_400).slice(0, 10);
      start = `${this.scanDate}T${match[4]}Z`;
    }
    this.lastScanStart = start;
    let end = `${this.scanDate}T${match[5]}Z`;
    if (end < start) end = shiftIso(end, 86_400).replace('.000Z', 'Z');

    if (this.dataset.scans.length >= MAX_SCANS) {
      this.droppedScans += 1;
      return;
    }
    this.dataset.scans.push({
      index: Number(match[6]),
      state: match[7] ?? '',
      compoundScanIndex: Number(match[8]),
      compoundScanLabel: match[9] ?? '',
      dumps: Number(match[10]),
      target: match[11] ?? '',
      start,
      end,
    });
  }

  /** Yields the summary read so far; its digest covers all of its lines joined by \n. */
  private finish(out: Parsed<KatdalDataset>[]): void {
    const dataset = this.dataset;
    if (this.droppedScans > 0) {
      out.push(warning(this.file, this.firstLine, `summary lists more than ${MAX_SCANS} scans; the last ${this.droppedScans} were not kept`));
    }
    if (dataset.captureBlockId === undefined && dataset.streamName === undefined) {
      out.push(warning(this.file, this.firstLine, 'text is not a katdal summary: no "Name: … | CAPTURE_BLOCK-sdp-l0" line; skipped'));
    } else {
      const key = dataset.captureBlockId ?? dataset.streamName ?? '';
      out.push(record<KatdalDataset>(dataset, { file: this.file, line: this.firstLine, key }, this.hasher.digest('hex')));
    }

    this.dataset = emptyDataset();
    this.started = false;
    this.hasher = createHash('sha256');
    this.section = 'none';
    this.scanDate = '';
    this.lastScanStart = '';
    this.droppedScans = 0;
  }
}

function emptyDataset(): Mutable<KatdalDataset> & { antennas: string[]; targets: KatdalTarget[]; scans: KatdalScan[] } {
  return { antennas: [], targets: [], scans: [] };
}
