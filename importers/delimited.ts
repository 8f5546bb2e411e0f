/**
 * Rows of comma- or tab-separated text as RFC 4180 describes them: fields may be quoted, a quote
 * inside a quoted field is doubled, and a quoted field may span lines. Rows are assembled from
 * the line reader's output, so a file of any size streams.
 */
import { createHash, type Hash } from 'node:crypto';
import type { TextLine } from './lines.js';

export interface DelimitedRow {
  readonly fields: readonly string[];
  /** The line the row starts on (1-based). */
  readonly line: number;
  /** The line the row ends on; larger than `line` when a quoted field spans lines. */
  readonly endLine: number;
  /** SHA-256 of the row's raw bytes, its lines joined by \n. */
  readonly digest: string;
}

export type RowResult = { readonly kind: 'row'; readonly row: DelimitedRow } | { readonly kind: 'error'; readonly line: number; readonly message: string };

/** Default cap on one row that spans lines: a quote left open must not swallow the whole file. */
export const DEFAULT_MAX_ROW_BYTES = 8 * 1024 * 1024;

export class DelimitedRowReader {
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  private startLine = 0;
  private rowBytes = 0;
  private hasher: Hash | undefined;

  constructor(
    private readonly delimiter: string,
    private readonly maxRowBytes = DEFAULT_MAX_ROW_BYTES,
  ) {}

  /** Feeds one line; returns a row when the line completes one, an error for a broken row, else null. */
  push(line: TextLine): RowResult | null {
    // Most rows are one line without quotes: split it, and hash it in one call.
    if (this.hasher === undefined && line.byteLength < this.maxRowBytes && !line.text.includes('"')) {
      const fields = line.text.split(this.delimiter);
      return { kind: 'row', row: { fields, line: line.line, endLine: line.line, digest: line.digest() } };
    }
    if (this.hasher === undefined) {
      this.startLine = line.line;
      this.hasher = createHash('sha256');
    } else {
      this.hasher.update('\n');
      this.field += '\n';
    }
    this.hasher.update(line.bytes);
    this.rowBytes += line.bytes.length + 1;

    if (this.rowBytes > this.maxRowBytes) {
      const start = this.startLine;
      this.reset();
      return { kind: 'error', line: start, message: `a quoted field opened on line ${start} is still open after ${this.maxRowBytes} bytes; close the quote (a quote inside a field is written "")` };
    }

    this.scan(line.text);
    if (this.inQuotes) return null;

    this.fields.push(this.field);
    const row: DelimitedRow = { fields: this.fields, line: this.startLine, endLine: line.line, digest: this.hasher.digest('hex') };
    this.reset();
    return { kind: 'row', row };
  }

  /** Reports a row left open by an unclosed quote at the end of the input. */
  end(): RowResult | null {
    if (this.hasher === undefined) return null;
    const start = this.startLine;
    this.reset();
    return { kind: 'error', line: start, message: `the quoted field opened on line ${start} is never closed; add the closing quote` };
  }

  private scan(text: string): void {
    for (let index = 0; index < text.length; index += 1) {
      const char = text[index];
      if (this.inQuotes) {
        if (char !== '"') this.field += char;
        else if (text[index + 1] === '"') {
          this.field += '"';
          index += 1;
        } else this.inQuotes = false;
      } else if (char === this.delimiter) {
        this.fields.push(this.field);
        this.field = '';
      } else if (char === '"' && this.field.trim() === '') {
        this.field = '';
        this.inQuotes = true;
      } else {
        this.field += char;
      }
    }
  }

  private reset(): void {
    this.fields = [];
    this.field = '';
    this.inQuotes = false;
    this.rowBytes = 0;
    this.hasher = undefined;
  }
}

/** Guesses the delimiter of a header line: a tab when it has one, else a comma. */
export function guessDelimiter(header: string): string {
  return header.includes('\t') ? '\t' : ',';
}
