/**
 * A large obslog is read by a worker thread that splits and scans its lines while the main thread
 * builds records (importers/obslog-scan-worker.ts). These tests read the same files both ways,
 * with real worker threads, and require the same records, locators, digests and warnings. The
 * files cover chunk and batch edges, lines split between reads, CRLF, Latin-1 and UTF-8 lines,
 * over-long lines and lines the scanner leaves to the patterns.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
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

/** Returns the target of a symbolic link, or '' for one that went away while the folder was listed. */
function readlinkOr(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

/** Counts the process's open descriptors of `file` (Linux's /proc), which a reading worker keeps one of. */
function openCopies(file: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => readlinkOr(`/proc/self/fd/${fd}`) === file).length;
}

/** Returns the items a parse yields before it raises, and what it raises ('' when it ends normally). */
async function itemsAndFailure(file: string, options: ParseOptions): Promise<{ items: unknown[]; failure: string }> {
  const items: unknown[] = [];
  try {
    for await (const batch of parseObslogBatches(file, options)) {
      for (const item of batch) items.push(item.kind === 'record' ? { record: item.record, locator: item.locator, digest: item.digest } : item);
    }
  } catch (error) {
    const { file: errorFile, line, code } = error as { file?: string; line?: number; code?: string };
    return { items, failure: `${error instanceof ImportError ? 'ImportError' : 'Error'} ${errorFile ?? ''}:${line ?? ''} ${code ?? ''} ${(error as Error).message}` };
  }
  return { items, failure: '' };
}

/** Returns every item a parse yields, in order, with the digest read off each record. */
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
    const file = join(folder, 'nul.log');
    // In the first batch, at the end of the first chunk, and in the third chunk.
    for (const near of [70_000, 1024 * 1024 - 1, 2 * 1024 * 1024 + 100]) {
      const bytes = Buffer.from(clean);
      bytes[bytes.indexOf('\n', near) + 5] = 0;
      writeFileSync(file, bytes);
      const inWorker = await itemsAndFailure(file, { scanThread: 'worker' });
      const onMain = await itemsAndFailure(file, { scanThread: 'main' });
      expect(inWorker.failure).toContain('NUL byte');
      expect(inWorker.items.length).toBe(onMain.items.length);
      expect(inWorker).toEqual(onMain);
    }
  });

  it('raises an earlier strict warning first', async () => {
    // A strict read of a file with warnings before a NUL byte stops at the first of them.
    const bytes = readFileSync(writeMixedLog('strict-nul.log', 3, 300));
    bytes[bytes.indexOf('\n', 2 * 1024 * 1024) + 5] = 0;
    const file = join(folder, 'strict-nul.log');
    writeFileSync(file, bytes);
    const options = { strict: true, maxLineBytes: 200 };
    const inWorker = await itemsAndFailure(file, { ...options, scanThread: 'worker' });
    expect(inWorker.failure).toContain('ImportError');
    expect(inWorker.failure).not.toContain('NUL byte');
    expect(inWorker).toEqual(await itemsAndFailure(file, { ...options, scanThread: 'main' }));
  });

  it('raises system errors with their code', async () => {
    const inWorker = await itemsAndFailure(folder, { scanThread: 'worker' });
    expect(inWorker.failure).toContain('EISDIR');
    expect(inWorker).toEqual(await itemsAndFailure(folder, { scanThread: 'main' }));
  });

  it('streams a file whose lines are all skipped', async () => {
    // No chunk of this file has a line the reader keeps, so the worker must post its warnings
    // as it goes rather than at the end: the first batch comes while the file is still open.
    const line = `2019-03-05 16:24:22.230Z INFO ${'y'.repeat(150)}\n`;
    const file = join(folder, 'skipped.log');
    writeFileSync(file, line.repeat(Math.ceil((24 * 1024 * 1024) / line.length)));
    for await (const batch of parseObslogBatches(file, { scanThread: 'worker', maxLineBytes: 100 })) {
      expect(batch[0]?.kind).toBe('warning');
      expect(openCopies(file)).toBe(1);
      break;
    }
  });

  it('streams a file of lines longer than a chunk', async () => {
    // WARNING lines, so that each makes a record and the first batch comes with the first line.
    const line = `2019-03-05 16:24:22.230Z WARNING ${'z'.repeat(1536 * 1024)}\n`;
    const file = join(folder, 'long-lines.log');
    writeFileSync(file, line.repeat(16));
    const options = { maxLineBytes: 2 * 1024 * 1024 };
    for await (const _batch of parseObslogBatches(file, { ...options, scanThread: 'worker' })) {
      expect(openCopies(file)).toBe(1);
      break;
    }
    const inWorker = await itemsOf(file, { ...options, scanThread: 'worker' });
    expect(inWorker.length).toBe(18);
    expect(inWorker).toEqual(await itemsOf(file, { ...options, scanThread: 'main' }));
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

  it('lets the process end when dropped', async () => {
    // A reader dropped without being ended leaves its worker waiting for credit. The worker must
    // not keep the process alive then, because nothing on the main thread does.
    const file = writeMixedLog('dropped.log', 8, 100);
    const obslog = new URL('../../importers/obslog.ts', import.meta.url).href;
    const script = `import { parseObslogBatches } from ${JSON.stringify(obslog)};
      const reader = parseObslogBatches(${JSON.stringify(file)}, { scanThread: 'worker' });
      await reader.next();
      console.log('first batch');`;
    const scriptFile = join(folder, 'drop-reader.mjs');
    writeFileSync(scriptFile, script);
    const child = spawn(process.execPath, ['--import', 'tsx', scriptFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    clearTimeout(timer);
    expect(output).toContain('first batch');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  it('ends the worker when left early', async () => {
    // A worker left waiting for credit would keep the file open (and the process alive); an
    // ended one has closed it. Open files are counted in /proc, as the tests run on Linux.
    const file = writeMixedLog('early.log', 8, 100);
    let batches = 0;
    for await (const _batch of parseObslogBatches(file, { scanThread: 'worker' })) {
      batches += 1;
      expect(openCopies(file)).toBe(1);
      break;
    }
    expect(batches).toBe(1);
    expect(openCopies(file)).toBe(0);
  });
});
