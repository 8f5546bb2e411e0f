/**
 * A large obslog is read by a worker thread that splits and scans its lines while the main thread
 * builds records (importers/obslog-scan-worker.ts). These tests read the same files both ways,
 * with real worker threads, and require the same records, locators, digests and warnings. The
 * files cover chunk and batch edges, lines split between reads, CRLF, Latin-1 and UTF-8 lines,
 * over-long lines and lines the scanner leaves to the patterns.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseObslog, parseObslogBatches } from '../../importers/obslog.js';
import { collect, ImportError, type ParseOptions } from '../../importers/types.js';
import { fixture } from './support.js';

const folder = mkdtempSync(join(tmpdir(), 'onsky-obslog-worker-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Lines that exercise the scanner's edges and the patterns behind it, with no timestamp of their own. */
const ODD_MESSAGES = [
  'INFO Capture block ID =  1551803062 ',
  'INFO Quorum = 90.% -> 26 of 28 receptor(s), i.e. 2 straggler(s) tolerated',
  "INFO New compound scan: 'a'b'",
  "INFO Initiating 70-second track on target 'it's'",
  'INFO target tracked for 7. seconds',
  'INFO Offset of (--1, 2) degrees',
  "INFO Waiting for sensor 'lock' == x had 2 had 1 straggler(s): []",
  "INFO Waiting for sensor 'lock' == True had 2 straggler(s): [\"m016\", 'm0,56']",
  'INFO Scan completed - x scan lines',
  'DEBUG performing scan',
  'WARNING  Receptor m063 reported a low elevation',
  'ERROR    Antenna m012 stopped',
  'NOTICE something',
  "INFO     Initiating 70-second track on target 'Ω Centauri'",
  'INFO     Capture block ID = 1551810000',
];

/**
 * Writes a log of about `megabytes` MiB: the real fixture's lines with advancing times, odd lines
 * among them, a Latin-1 line, CRLF line ends in places, and a line of `longLine` bytes now and then.
 */
function writeMixedLog(name: string, megabytes: number, longLine: number): string {
  const real = readFileSync(fixture('obslog-1551803062.log'), 'utf8')
    .split('\n')
    .filter((line) => /^\d{4}-\d\d-\d\d /.test(line))
    .map((line) => line.replace(/^\S+ \S+ /, ''));
  const parts: Buffer[] = [];
  let bytes = 0;
  let time = Date.UTC(2019, 2, 5, 16, 24, 22, 230);
  for (let index = 0; bytes < megabytes * 1024 * 1024; index += 1) {
    time += 997;
    const stamp = new Date(time).toISOString().replace('T', ' ');
    let line: Buffer;
    if (index % 5000 === 4999) line = Buffer.from(`${stamp} INFO ${'x'.repeat(longLine)}`);
    else if (index % 3001 === 3000) line = Buffer.concat([Buffer.from(`${stamp} INFO     Initiating 10-second track on target 'caf`), Buffer.from([0xe9]), Buffer.from("'")]);
    else if (index % 97 === 13) line = Buffer.from(`${stamp} ${ODD_MESSAGES[index % ODD_MESSAGES.length]}`);
    else if (index % 4001 === 7) line = Buffer.from('no timestamp here');
    else line = Buffer.from(`${stamp} ${real[index % real.length]}`);
    const end = index % 7 === 3 ? '\r\n' : '\n';
    parts.push(line, Buffer.from(end));
    bytes += line.length + end.length;
  }
  const file = join(folder, name);
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

/** The target of a symbolic link, or '' for one that went away while the folder was listed. */
function readlinkOr(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

/** Every item a parse yields, in order, with the digest read off each record. */
async function itemsOf(file: string, options: ParseOptions): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const batch of parseObslogBatches(file, options)) {
    for (const item of batch) items.push(item.kind === 'record' ? { record: item.record, locator: item.locator, digest: item.digest } : item);
  }
  return items;
}

describe('the obslog reader with a worker thread', () => {
  it('matches the main thread over chunks', async () => {
    const file = writeMixedLog('mixed.log', 5, 3000);
    const options = { maxLineBytes: 2048 };
    const inWorker = await itemsOf(file, { ...options, scanThread: 'worker' });
    const onMain = await itemsOf(file, { ...options, scanThread: 'main' });
    expect(inWorker.length).toBe(onMain.length);
    expect(inWorker).toEqual(onMain);

    // The comparison covers what it should: records of every kind, session summaries, the reader's
    // warnings (Latin-1, over-long lines) and the parser's own.
    const records = onMain.filter((item): item is { record: { type: string } } => typeof item === 'object' && item !== null && 'record' in item);
    const types = new Set(records.map((item) => item.record.type));
    for (const type of ['capture-block', 'quorum', 'compound-scan', 'track', 'tracked', 'stragglers', 'message', 'session']) expect(types).toContain(type);
    const messages = onMain.flatMap((item) => ((item as { kind?: string }).kind === 'warning' ? [(item as { warning: { message: string } }).warning.message] : []));
    expect(messages.some((message) => message.includes('not valid UTF-8'))).toBe(true);
    expect(messages.some((message) => message.includes('longer than the limit'))).toBe(true);
    expect(messages.some((message) => message.includes('does not start with a UTC timestamp'))).toBe(true);
    expect(messages.some((message) => message.includes('unknown log level'))).toBe(true);
  });

  it('matches it on a small file', async () => {
    const file = fixture('obslog-1551803062.log');
    expect(await itemsOf(file, { scanThread: 'worker' })).toEqual(await itemsOf(file, { scanThread: 'main' }));
  });

  it('matches it item by item', async () => {
    const file = writeMixedLog('items.log', 2, 100);
    const inWorker = await collect(parseObslog(file, { scanThread: 'worker' }));
    const onMain = await collect(parseObslog(file, { scanThread: 'main' }));
    expect(inWorker.warnings).toEqual(onMain.warnings);
    expect(inWorker.records.map((item) => [item.record, item.locator, item.digest])).toEqual(onMain.records.map((item) => [item.record, item.locator, item.digest]));
  });

  it('raises the same NUL byte error', async () => {
    const clean = readFileSync(writeMixedLog('nul.log', 3, 100));
    const at = clean.indexOf('\n', 2 * 1024 * 1024 + 100) + 5;
    clean[at] = 0;
    const file = join(folder, 'nul.log');
    writeFileSync(file, clean);
    const failure = async (options: ParseOptions): Promise<ImportError> => {
      try {
        await itemsOf(file, options);
      } catch (error) {
        if (error instanceof ImportError) return error;
        throw error;
      }
      throw new Error('no error');
    };
    const inWorker = await failure({ scanThread: 'worker' });
    const onMain = await failure({ scanThread: 'main' });
    expect({ file: inWorker.file, line: inWorker.line, message: inWorker.message }).toEqual({ file: onMain.file, line: onMain.line, message: onMain.message });
    expect(inWorker.message).toContain('NUL byte');
  });

  it('stops a strict read alike', async () => {
    const file = writeMixedLog('strict.log', 2, 100);
    const read = async (options: ParseOptions): Promise<{ records: number; error: string }> => {
      let records = 0;
      try {
        for await (const batch of parseObslogBatches(file, { ...options, strict: true })) records += batch.length;
      } catch (error) {
        return { records, error: String(error) };
      }
      return { records, error: '' };
    };
    const inWorker = await read({ scanThread: 'worker' });
    expect(inWorker).toEqual(await read({ scanThread: 'main' }));
    expect(inWorker.error).toContain('ImportError');
  });

  it('ends the worker when left early', async () => {
    // A worker left waiting for credit would keep the file open (and the process alive); an
    // ended one has closed it. Open files are counted in /proc, as the tests run on Linux.
    const file = writeMixedLog('early.log', 8, 100);
    const openCopies = (): number => readdirSync('/proc/self/fd').filter((fd) => readlinkOr(`/proc/self/fd/${fd}`) === file).length;
    let batches = 0;
    for await (const _batch of parseObslogBatches(file, { scanThread: 'worker' })) {
      batches += 1;
      expect(openCopies()).toBe(1);
      break;
    }
    expect(batches).toBe(1);
    expect(openCopies()).toBe(0);
  });
});
