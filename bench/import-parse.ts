/**
 * Benchmark: throughput of the obslog parser against a raw newline split of the same file, in the
 * same run. `npm run bench -- import-parse [SIZE_MB]` (default 500) writes a synthetic log of
 * that size to the system temp folder, built from the lines of a real observation-script log with
 * advancing timestamps, times both passes over it, and deletes it.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseObslog, parseObslogBatches } from '../importers/obslog.js';

const DEFAULT_SIZE_MB = 500;
const TARGET_RATIO = 0.3;
const MB = 1024 * 1024;
/** A real log names a new capture block about once an hour of observing: here every 2000 lines. */
const CYCLES_PER_CAPTURE_BLOCK = 125;

/** Message parts of one observation cycle, as in real MeerKAT observation-script logs. */
const CYCLE = [
  'INFO Quorum = 90% -> 26 of 28 receptor(s), i.e. 2 straggler(s) tolerated',
  'INFO     Delay tracking = on',
  'INFO Capture block ID = {cb}',
  "INFO     New compound scan: 'track'",
  "INFO     Initiating 70-second track on target '3C273'",
  'INFO     slewing to target',
  "INFO     Waiting for sensor 'lock' == True had 3 straggler(s): ['m016', 'm056', 'm060']",
  'INFO     target reached',
  'INFO     tracking target',
  'INFO     target tracked for 70.0 seconds',
  'INFO Offset of (0.000000, -1.500000) degrees',
  'INFO     performing scan',
  "INFO     Waiting for sensor 'scan_status' == 'after' had 3 straggler(s): ['m006', 'm031', 'm056']",
  'INFO     scan complete',
  'INFO     Scan completed - 38 scan lines',
  'WARNING  Receptor m063 reported a low elevation',
];

export default async function run(args: string[]): Promise<void> {
  const sizeMb = args[0] === undefined ? DEFAULT_SIZE_MB : Number(args[0]);
  if (!Number.isFinite(sizeMb) || sizeMb <= 0) {
    process.stderr.write(`size "${args[0]}" is not a positive number of MB; run e.g. npm run bench -- import-parse 100\n`);
    process.exit(2);
  }

  const folder = await mkdtemp(join(tmpdir(), 'onsky-bench-'));
  const file = join(folder, 'obslog.log');
  try {
    await writeLog(file, sizeMb * MB);
    const bytes = (await stat(file)).size;

    // The first pass warms the page cache so that both timed passes read from memory.
    await splitLines(file);
    const splitSeconds = await time(() => splitLines(file));
    // The ratio is the batch parser's, which imports use. A file of 128 MiB or more is scanned
    // by a worker thread while the main thread builds records (importers/obslog.ts). So at the
    // default 500 MB the parser uses two cores and the split one, and below that size both use one.
    const batchSeconds = await time(() => parseAllBatches(file));
    const parseSeconds = await time(() => parseAll(file));

    const splitMBps = bytes / MB / splitSeconds;
    const perRecordMBps = bytes / MB / parseSeconds;
    const parserMBps = bytes / MB / batchSeconds;
    const result = {
      bench: 'import-parse',
      ratio: round(parserMBps / splitMBps, 3),
      target: TARGET_RATIO,
      parserMBps: round(parserMBps, 1),
      splitMBps: round(splitMBps, 1),
      perRecordParserMBps: round(perRecordMBps, 1),
      sizeMB: round(bytes / MB, 1),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

export async function writeLog(file: string, targetBytes: number): Promise<void> {
  const out = createWriteStream(file);
  let written = 0;
  let time = Date.UTC(2019, 2, 5, 16, 24, 22, 230);
  let cycle = 0;

  while (written < targetBytes) {
    const lines: string[] = [];
    for (const template of CYCLE) {
      time += 1237;
      const stamp = new Date(time).toISOString().replace('T', ' ');
      lines.push(`${stamp} ${template.replace('{cb}', String(1_551_803_062 + Math.floor(cycle / CYCLES_PER_CAPTURE_BLOCK) * 3600))}`);
    }
    cycle += 1;
    const block = `${lines.join('\n')}\n`;
    written += Buffer.byteLength(block);
    if (!out.write(block)) await once(out, 'drain');
  }

  out.end();
  await once(out, 'finish');
}

/** The baseline: splits the file into line strings on \n, as any line-based reader must. */
export async function splitLines(file: string): Promise<number> {
  let lines = 0;
  let carry = '';
  for await (const chunk of createReadStream(file, { highWaterMark: MB }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline >= 0; newline = chunk.indexOf(10, start)) {
      const line = chunk.toString('utf8', start, newline);
      if (carry !== '') carry = '';
      if (line.length >= 0) lines += 1;
      start = newline + 1;
    }
    carry = chunk.toString('utf8', start);
  }
  return carry === '' ? lines : lines + 1;
}

export async function parseAll(file: string): Promise<number> {
  let items = 0;
  for await (const item of parseObslog(file)) {
    if (item.kind === 'record' || item.kind === 'warning') items += 1;
  }
  return items;
}

export async function parseAllBatches(file: string): Promise<number> {
  let items = 0;
  for await (const batch of parseObslogBatches(file)) items += batch.length;
  return items;
}

async function time(task: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await task();
  return (performance.now() - start) / 1000;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
