/**
 * MeerKAT archive search listings, tab- or comma-separated with a header row: Proposal ID,
 * Schedule Block, StartTime (UTC), Target/s, Observer, Description. Descriptions carry Jira-style
 * keys (COMM-305), which are extracted.
 */
import { DelimitedRowReader, guessDelimiter, type RowResult } from './delimited.js';
import { type LineHandler, parseLineBatchesWith, parseLinesWith } from './driver.js';
import type { TextLine } from './lines.js';
import { findIssueKeys, isScheduleBlockId } from './mentions.js';
import { preview } from './obslog.js';
import { isoFromDateTime, scanDateTime } from './time.js';
import { type Parsed, type ParseOptions, type Source, record, sourceName, warning } from './types.js';

export interface ArchiveEntry {
  readonly proposalId: string;
  readonly scheduleBlockId: string;
  /** ISO 8601 UTC. */
  readonly startTime: string;
  readonly targets: readonly string[];
  readonly observer: string;
  readonly description: string;
  readonly issueKeys: readonly string[];
}

const COLUMNS = {
  proposalId: ['proposal id', 'proposal', 'proposalid'],
  scheduleBlockId: ['schedule block', 'schedule block id', 'sb', 'sb id', 'experiment id'],
  startTime: ['starttime', 'start time', 'start'],
  targets: ['target/s', 'targets', 'target'],
  observer: ['observer'],
  description: ['description'],
} as const;

type Column = keyof typeof COLUMNS;

export function parseArchive(source: Source, options: ParseOptions = {}): AsyncGenerator<Parsed<ArchiveEntry>> {
  return parseLinesWith(source, options, new ArchiveHandler(sourceName(source)));
}

/** Yields the same items as `parseArchive`, in batches of one chunk read, for imports. */
export function parseArchiveBatches(source: Source, options: ParseOptions = {}): AsyncGenerator<Parsed<ArchiveEntry>[]> {
  return parseLineBatchesWith(source, options, new ArchiveHandler(sourceName(source)));
}

class ArchiveHandler implements LineHandler<ArchiveEntry> {
  private reader: DelimitedRowReader | undefined;
  private columns: Map<Column, number> | undefined;

  constructor(private readonly file: string) {}

  line(line: TextLine, out: Parsed<ArchiveEntry>[]): void {
    if (this.reader === undefined) {
      if (line.text.trim() === '') return;
      this.reader = new DelimitedRowReader(guessDelimiter(line.text));
    }
    this.handle(this.reader.push(line), out);
  }

  end(out: Parsed<ArchiveEntry>[]): void {
    if (this.reader !== undefined) this.handle(this.reader.end(), out);
  }

  private handle(result: RowResult | null, out: Parsed<ArchiveEntry>[]): void {
    if (result === null) return;
    if (result.kind === 'error') {
      out.push(warning(this.file, result.line, result.message));
      return;
    }

    const { fields, line, digest } = result.row;
    if (fields.length === 1 && (fields[0] ?? '').trim() === '') return;
    if (this.columns === undefined) {
      this.columns = this.readHeader(fields, line, out);
      return;
    }

    const columns = this.columns;
    const value = (column: Column): string => fieldOf(fields, columns, column);
    const scheduleBlockId = value('scheduleBlockId');
    const startText = value('startTime');
    const timeEnd = scanDateTime(startText);
    if (!isScheduleBlockId(scheduleBlockId)) {
      out.push(warning(this.file, line, `schedule block "${preview(scheduleBlockId)}" is not an id like 20190308-0083; row skipped`));
      return;
    }
    if (timeEnd < 0 || timeEnd !== startText.length - (startText.endsWith('Z') ? 1 : 0)) {
      out.push(warning(this.file, line, `StartTime "${preview(startText)}" is not a UTC time like 2019-03-08 10:12:26; row skipped`));
      return;
    }

    const description = value('description');
    const entry: ArchiveEntry = {
      proposalId: value('proposalId'),
      scheduleBlockId,
      startTime: isoFromDateTime(startText, timeEnd),
      targets: targetNames(value('targets')),
      observer: value('observer'),
      description,
      issueKeys: findIssueKeys(description),
    };
    out.push(record(entry, { file: this.file, line, key: scheduleBlockId }, digest));
  }

  private readHeader(fields: readonly string[], line: number, out: Parsed<ArchiveEntry>[]): Map<Column, number> {
    const columns = new Map<Column, number>();
    fields.forEach((name, index) => {
      const normalised = name.trim().toLowerCase();
      for (const [column, names] of Object.entries(COLUMNS) as [Column, readonly string[]][]) {
        if (names.includes(normalised) && !columns.has(column)) columns.set(column, index);
      }
    });
    for (const required of ['scheduleBlockId', 'startTime'] as const) {
      if (!columns.has(required)) {
        out.push(warning(this.file, line, `header has no "${COLUMNS[required][0]}" column (found: ${fields.map((name) => `"${preview(name, 30)}"`).join(', ')}); the first row must name the columns`));
      }
    }
    return columns;
  }
}

/** Returns the trimmed text of a column, or '' for a column the header lacks. */
function fieldOf(fields: readonly string[], columns: ReadonlyMap<Column, number>, column: Column): string {
  const index = columns.get(column);
  return index === undefined ? '' : (fields[index] ?? '').trim();
}

/** Splits a Target/s cell at commas and semicolons; most rows name one target, which needs no split. */
function targetNames(cell: string): string[] {
  if (cell === '') return [];
  if (!cell.includes(',') && !cell.includes(';')) return [cell];
  return cell.split(/\s*[,;]\s*/).filter((target) => target !== '');
}
