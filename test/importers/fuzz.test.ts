/**
 * Property tests: every parser is fed random lines and mutations of its real sample lines
 * (truncation, byte flips, inserted separators, huge numbers, unicode). No exception may escape,
 * except an `ImportError` for a whole JSON or YAML document that no longer parses, and every
 * warning must name its file and a line.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseArchive } from '../../importers/archive.js';
import { parseCatalogue } from '../../importers/catalogue.js';
import { INTERNAL_ERROR_PREFIX } from '../../importers/driver.js';
import { parseGitJsonl } from '../../importers/git.js';
import { parseJiraCsv, parseJiraJson } from '../../importers/jira.js';
import { parseKatdalSummary } from '../../importers/katdal.js';
import { parseObslog } from '../../importers/obslog.js';
import { parsePlanText } from '../../importers/plan.js';
import { parseS3Listing } from '../../importers/s3.js';
import { parseSdpmc } from '../../importers/sdpmc.js';
import { parseSyslog } from '../../importers/syslog.js';
import { ImportError, type ImportWarning, type Parsed, type Source } from '../../importers/types.js';
import { fixture, memorySource } from './support.js';

/** Runs × lines per run: at least 10 000 lines per format. */
const RUNS = 100;
const LINES_PER_RUN = 100;

const SEPARATORS = [',', '\t', '|', ' ', '"', "'", '[', ']', '(', ')', ':', ';', '\r', '""', '=', '->', '/'];
const HUGE = ['99999999999999999999999999', '1e308', '-1e-400', 'NaN', '-0', '0x7fffffff', '18446744073709551616', '9'.repeat(400)];
const UNICODE = ['é', 'ß', '→', '😀', '\u200f', '\u0301', '\ufffd', '\ufeff', '漢字', '\ud800', '\u2028', 'Ω'];

function sampleLines(name: string): string[] {
  return readFileSync(fixture(name), 'utf8').split(/\r?\n/);
}

/** Generates one line: a real sample line mutated zero to three times, or a random string. */
function lineArbitrary(samples: readonly string[]): fc.Arbitrary<string> {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), code: fc.integer({ min: 1, max: 0xffff }) }),
    fc.record({ kind: fc.constant('separator' as const), at: fc.nat(), text: fc.constantFrom(...SEPARATORS) }),
    fc.record({ kind: fc.constant('huge' as const), at: fc.nat(), text: fc.constantFrom(...HUGE) }),
    fc.record({ kind: fc.constant('unicode' as const), at: fc.nat(), text: fc.constantFrom(...UNICODE) }),
  );
  const mutated = fc.tuple(fc.constantFrom(...samples), fc.array(mutation, { maxLength: 3 })).map(([line, mutations]) => {
    let text = line;
    for (const change of mutations) {
      const at = text.length === 0 ? 0 : change.at % (text.length + 1);
      if (change.kind === 'truncate') text = text.slice(0, at);
      else if (change.kind === 'flip') text = text.slice(0, at) + String.fromCharCode(change.code) + text.slice(at + 1);
      else if (change.kind === 'huge') text = text.slice(0, at) + change.text + text.slice(at).replace(/^\d+/, '');
      else text = text.slice(0, at) + change.text + text.slice(at);
    }
    return text;
  });
  const random = fc.string({ unit: 'binary', maxLength: 120 });
  return fc.oneof({ weight: 4, arbitrary: mutated }, { weight: 1, arbitrary: random });
}

/** Generates a whole input: lines joined by LF or CRLF, as bytes without NUL, sometimes with raw byte flips. */
function inputArbitrary(samples: readonly string[]): fc.Arbitrary<{ bytes: Buffer; chunkBytes: number; lines: number }> {
  return fc
    .record({
      lines: fc.array(lineArbitrary(samples), { minLength: LINES_PER_RUN, maxLength: LINES_PER_RUN }),
      crlf: fc.boolean(),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
      chunkBytes: fc.constantFrom(7, 64, 4096, 65_536),
    })
    .map(({ lines, crlf, flips, chunkBytes }) => {
      // NUL bytes are rejected as binary input by design; the line reader tests cover that.
      const bytes = Buffer.from(lines.join(crlf ? '\r\n' : '\n').replaceAll('\u0000', ''), 'utf8');
      for (const [at, value] of flips) if (bytes.length > 0) bytes[at % bytes.length] = value;
      return { bytes, chunkBytes, lines: lines.length };
    });
}

function checkWarning(warning: ImportWarning, file: string): void {
  expect(warning.file).toBe(file);
  expect(Number.isInteger(warning.line)).toBe(true);
  expect(warning.line).toBeGreaterThanOrEqual(1);
  expect(warning.message.length).toBeGreaterThan(0);
  expect(warning.message.startsWith(INTERNAL_ERROR_PREFIX)).toBe(false);
}

async function drain(items: AsyncIterable<Parsed<unknown>>, file: string): Promise<number> {
  let count = 0;
  for await (const item of items) {
    if (item.kind === 'warning') checkWarning(item.warning, file);
    count += 1;
  }
  return count;
}

const LINE_FORMATS: [string, string[], (source: Source) => AsyncIterable<Parsed<unknown>>][] = [
  ['obslog', ['obslog-1551803062.log', 'obslog-museek-2023-07-11.log'], (source) => parseObslog(source)],
  ['sdpmc', ['sdpmc-array_1_0-2019-03-08.log'], (source) => parseSdpmc(source)],
  ['archive', ['archive-search-2019-03-08.tsv'], (source) => parseArchive(source)],
  ['katdal', ['katdal-summary-1548417874.txt'], (source) => parseKatdalSummary(source)],
  ['s3', ['s3-listing-1551803062.txt'], (source) => parseS3Listing(source)],
  ['catalogue', ['catalogue-ar1-cals.csv', 'catalogue-lband-bandpass-calibrators.csv', 'catalogue-lband-gain-calibrators.csv'], (source) => parseCatalogue(source)],
  ['syslog', ['syslog-fwr3-2019-03-03.log'], (source) => parseSyslog(source, { year: 2019 })],
  ['git', ['gitlog-katsdpcontroller.jsonl'], (source) => parseGitJsonl(source)],
  ['jira csv', ['jira-export-commissioning.csv'], (source) => parseJiraCsv(source)],
];

describe('parser fuzzing', () => {
  it.each(LINE_FORMATS)('%s survives mutated lines', async (_format, files, parse) => {
    // The git export has long lines; a sample of them is enough to mutate.
    const samples = files.flatMap(sampleLines).slice(0, 400);
    let lines = 0;
    await fc.assert(
      fc.asyncProperty(inputArbitrary(samples), async ({ bytes, chunkBytes, lines: count }) => {
        lines += count;
        await drain(parse(memorySource('fuzz.txt', bytes, chunkBytes)), 'fuzz.txt');
      }),
      { numRuns: RUNS },
    );
    expect(lines).toBeGreaterThanOrEqual(10_000);
  });

  it('jira json survives mutated lines', async () => {
    const samples = sampleLines('jira-issue-DEMO-2719.json');
    let lines = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(samples.length - 1), lineArbitrary(samples)), { maxLength: 3 }), async (edits) => {
        const document = [...samples];
        for (const [index, line] of edits) document[index] = line;
        lines += document.length;
        try {
          await drain(parseJiraJson(memorySource('fuzz.json', document.join('\n'))), 'fuzz.json');
        } catch (error) {
          expect(error).toBeInstanceOf(ImportError);
          expect((error as ImportError).line ?? 0).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 40 },
    );
    expect(lines).toBeGreaterThanOrEqual(10_000);
  });

  it('plan survives mutated lines', () => {
    const samples = readFileSync(fileURLToPath(new URL('../../examples/plan.yaml', import.meta.url)), 'utf8').split('\n');
    let lines = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(samples.length - 1), lineArbitrary(samples)), { maxLength: 4 }), (edits) => {
        const document = [...samples];
        for (const [index, line] of edits) document[index] = line;
        lines += document.length;
        try {
          for (const item of parsePlanText('fuzz.yaml', document.join('\n'))) {
            if (item.kind === 'warning') checkWarning(item.warning, 'fuzz.yaml');
          }
        } catch (error) {
          expect(error).toBeInstanceOf(ImportError);
          expect((error as ImportError).line ?? 0).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 100 },
    );
    expect(lines).toBeGreaterThanOrEqual(10_000);
  });
});
