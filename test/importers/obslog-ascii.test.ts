/**
 * The obslog parser reads ASCII lines from their bytes and every other line with regular
 * expressions on its text. These tests feed both readers the same lines and require the same
 * records, locators, digests and warnings, for real lines and for lines edited to sit on the
 * edges of what the byte reader accepts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsciiCursor, asciiBytes } from '../../importers/ascii-cursor.js';
import { parseObslog } from '../../importers/obslog.js';
import { scanDateTime, scanDateTimeBytes } from '../../importers/time.js';
import { collect } from '../../importers/types.js';
import { memorySource } from './support.js';

/** Messages of the lines the byte reader reads, each with the edits that probe its edges. */
const MESSAGES = [
  'Capture block ID = 1551803062',
  'Capture block ID = 15518030',
  'Capture block ID =  1551803062 ',
  'Quorum = 90% -> 26 of 28 receptor(s), i.e. 2 straggler(s) tolerated',
  'Quorum = 87.5% -> 56 of 64 receptor(s), i.e. 8 straggler(s) tolerated and more',
  'Quorum = 90.% -> 26 of 28 receptor(s), i.e. 2 straggler(s) tolerated',
  "New compound scan: 'track'",
  "New compound scan: 'a'b'",
  "New compound scan: '",
  'New compound scan: track ',
  "Initiating 70-second track on target '3C273'",
  "Initiating 70.5-second track on target 'PKS 1934-63, radec bpcal'",
  "Initiating 70-second track on target ''",
  "Initiating 70-second track on target 'it's'",
  "Initiating 70-second track on target '3C273' ",
  "Initiating 70-second track on target 'a\rb'",
  'target tracked for 70.0 seconds',
  'target tracked for 123456789012345678.25 seconds',
  'target tracked for 7. seconds',
  'target tracked for seconds',
  'Offset of (0.000000, -1.500000) degrees',
  'Offset of (-0.0, 2) degrees extra',
  'Offset of (--1, 2) degrees',
  "Waiting for sensor 'lock' == True had 3 straggler(s): ['m016', 'm056', 'm060']",
  "Waiting for sensor 'scan_status' == 'after' had 1 straggler(s): ['m006']",
  "Waiting for sensor 'lock' == True had 2 straggler(s)",
  "Waiting for sensor 'lock' == x had 2 had 1 straggler(s): []",
  "Waiting for sensor 'lock' == x had 2 straggler(s)X had 1 straggler(s)",
  "Waiting for sensor 'lock' ==  had 1 straggler(s): ['m1']",
  "Waiting for sensor 'lock' == True had 2 straggler(s): ['m016','m056']",
  "Waiting for sensor 'lock' == True had 2 straggler(s): [\"m016\", 'm0,56']",
  "Waiting for sensor 'lock' == a\rb had 1 straggler(s)",
  "Waiting for sensor 'lock",
  'performing scan',
  'performing scan ',
  'scan complete',
  'Scan completed - 38 scan lines',
  'Scan completed - 38 scan lines of data',
  'Scan completed - x scan lines',
  'slewing to target',
];

const LEVELS = ['INFO', 'INFO    ', 'WARNING ', 'ERROR', 'DEBUG', 'toString', '__proto__'];

/** Builds a log of the given messages with advancing times, as one string. */
function logOf(lines: readonly { message: string; level: string; fraction: string }[]): string {
  return lines
    .map(({ message, level, fraction }, index) => {
      const second = String(index % 60).padStart(2, '0');
      const minute = String(Math.floor(index / 60) % 60).padStart(2, '0');
      return `2019-03-05 16:${minute}:${second}${fraction}Z ${level} ${message}`;
    })
    .join('\n');
}

/**
 * Parses the log twice: as it is, which the byte reader reads when it is ASCII, and after a first
 * line with a non-ASCII character, which sends every line of the chunk to the patterns. The first
 * line has no timestamp, so it adds one warning and nothing else.
 */
async function bothWays(log: string): Promise<[unknown, unknown]> {
  const read = async (first: string): Promise<unknown> => {
    const { records, warnings } = await collect(parseObslog(memorySource('edge.log', `${first}\n${log}\n`, 1 << 20)));
    return {
      records: records.map((item) => ({ record: item.record, locator: item.locator, digest: item.digest })),
      warnings: warnings.filter((warning) => warning.line !== 1),
    };
  };
  return [await read('# ascii'), await read('# näive')];
}

describe('the obslog byte reader', () => {
  it('reads every probing line as the patterns do', async () => {
    const lines = MESSAGES.map((message) => ({ message, level: 'INFO', fraction: '.230' }));
    const [ascii, patterns] = await bothWays(logOf(lines));
    expect(ascii).toEqual(patterns);
    // The lines the byte reader accepts do make records, so the comparison is not between two empty lists.
    expect((ascii as { records: unknown[] }).records.length).toBeGreaterThan(25);
  });

  it('reads edited lines as the patterns do', async () => {
    const edit = fc.record({
      message: fc.constantFrom(...MESSAGES),
      level: fc.constantFrom(...LEVELS),
      fraction: fc.constantFrom('.230', '', '.5', '.123456'),
      cut: fc.nat({ max: 80 }),
      insert: fc.constantFrom('', '0', '.', ' ', "'", '-', '(', ':', ', ', '9.9', ' had ', ' straggler(s)', ']'),
      at: fc.nat({ max: 80 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 12 }), async (edits) => {
        const lines = edits.map(({ message, level, fraction, cut, insert, at }) => {
          const shortened = cut === 0 ? message : message.slice(0, Math.max(1, message.length - cut));
          const place = Math.min(at, shortened.length);
          return { message: `${shortened.slice(0, place)}${insert}${shortened.slice(place)}`, level, fraction };
        });
        const [ascii, patterns] = await bothWays(logOf(lines));
        expect(ascii).toEqual(patterns);
      }),
      { numRuns: 400 },
    );
  });
});

describe('AsciiCursor', () => {
  const cursorOn = (text: string): AsciiCursor => {
    const cursor = new AsciiCursor();
    const bytes = Buffer.from(`xx${text}yy`, 'latin1');
    cursor.reset(bytes, 2, bytes.length - 2, 0);
    return cursor;
  };

  it('reads decimals to the same number as Number()', () => {
    const decimal = fc.tuple(fc.boolean(), fc.stringMatching(/^\d{1,25}$/), fc.option(fc.stringMatching(/^\d{1,25}$/))).map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}${fraction === null ? '' : `.${fraction}`}`);
    fc.assert(
      fc.property(decimal, (text) => {
        const cursor = cursorOn(text);
        expect(cursor.signedDecimal()).toBe(true);
        expect(Object.is(cursor.value, Number(text))).toBe(true);
        expect(cursor.atEnd()).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('stops where the pattern \\d+(?:\\.\\d+)? stops', () => {
    const cursor = cursorOn('7. seconds');
    expect(cursor.decimal()).toBe(true);
    expect(cursor.value).toBe(7);
    expect(cursor.offset).toBe(1);
    expect(cursorOn('.5').decimal()).toBe(false);
    expect(cursorOn('-').signedDecimal()).toBe(false);
  });

  it('finds literals and bytes within the line only', () => {
    const cursor = cursorOn('ab had 1');
    expect(cursor.findLiteral(asciiBytes(' had '), 0)).toBe(2);
    expect(cursor.findLiteral(asciiBytes('1yy'), 0)).toBe(-1);
    expect(cursor.find(121)).toBe(-1);
    expect(cursor.rest(asciiBytes('ab had 1'))).toBe(true);
  });
});

describe('scanDateTimeBytes', () => {
  it('agrees with scanDateTime', () => {
    // Real stamps with one character replaced, cut short or run on, so both sides of every check are met.
    const stamp = fc
      .tuple(fc.constantFrom('2019-03-05 16:24:22.230Z', '2023-12-31T23:59:60.123456789', '2019-02-30 24:00:00', '1999-1-01 00:00:00'), fc.nat({ max: 30 }), fc.constantFrom('', '0', '9', '-', ':', ' ', 'T', '.', 'x'), fc.nat({ max: 31 }))
      .map(([text, at, replacement, cut]) => `${text.slice(0, at)}${replacement}${text.slice(at + 1)}`.slice(0, cut));
    fc.assert(
      fc.property(stamp, (text) => {
        const bytes = Buffer.from(`>${text}<`, 'latin1');
        expect(scanDateTimeBytes(bytes, 1, bytes.length - 1)).toBe(scanDateTime(text));
      }),
      { numRuns: 3000 },
    );
  });
});
