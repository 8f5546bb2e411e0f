/**
 * The row reader behind the archive and Jira CSV importers. Most rows are one line without
 * quotes, and take a shorter path than quoted or multi-line rows. Both paths must give the fields
 * as written and the SHA-256 of the row's bytes.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DelimitedRowReader } from '../../importers/delimited.js';
import { TextLine } from '../../importers/lines.js';

/** Writes fields as RFC 4180 does: quoted when they hold a quote, the delimiter or a newline. */
function writeRow(fields: readonly string[], delimiter: string): string {
  return fields.map((field) => (/["\n]/.test(field) || field.includes(delimiter) ? `"${field.replaceAll('"', '""')}"` : field)).join(delimiter);
}

/** Feeds a row's text line by line, as the line reader would, and returns the reader's results. */
function readRow(text: string, delimiter: string, firstLine = 1) {
  const reader = new DelimitedRowReader(delimiter);
  const results = text.split('\n').map((line, index) => {
    const bytes = Buffer.from(line, 'utf8');
    return reader.push(new TextLine(line, firstLine + index, bytes, 0, bytes.length, false));
  });
  return { results, end: reader.end() };
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

describe('DelimitedRowReader', () => {
  it('reads any written row back', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', '-', ',', '\t', '"', '\n', 'é', '🛰') });
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 8 }), fc.constantFrom(',', '\t'), (fields, delimiter) => {
        // A row of one empty field is a blank line, which importers skip before this reader.
        fc.pre(!(fields.length === 1 && fields[0] === ''));
        const text = writeRow(fields, delimiter);
        const { results, end } = readRow(text, delimiter, 7);
        const last = results.at(-1);
        // Every line but the last continues an open quote.
        expect(results.slice(0, -1)).toEqual(results.slice(0, -1).map(() => null));
        expect(last).toEqual({ kind: 'row', row: { fields, line: 7, endLine: 7 + results.length - 1, digest: sha256(text) } });
        expect(end).toBeNull();
      }),
      { numRuns: 3000 },
    );
  });

  it('splits a plain line at every delimiter, keeping empty fields', () => {
    expect(readRow('a,,b,', ',').results).toEqual([{ kind: 'row', row: { fields: ['a', '', 'b', ''], line: 1, endLine: 1, digest: sha256('a,,b,') } }]);
  });

  it('hashes the bytes of a Latin-1 line, not its decoded text', () => {
    const bytes = Buffer.from('Observer\tM\xfcller', 'latin1');
    const text = bytes.toString('latin1');
    const result = new DelimitedRowReader('\t').push(new TextLine(text, 1, bytes, 0, bytes.length, true));
    expect(result).toEqual({ kind: 'row', row: { fields: ['Observer', 'M\u00fcller'], line: 1, endLine: 1, digest: createHash('sha256').update(bytes).digest('hex') } });
  });

  it('reports a quote left open at the end', () => {
    const { results, end } = readRow('a,"b', ',', 3);
    expect(results).toEqual([null]);
    expect(end).toEqual({ kind: 'error', line: 3, message: 'the quoted field opened on line 3 is never closed; add the closing quote' });
  });
});
