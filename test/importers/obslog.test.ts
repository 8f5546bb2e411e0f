import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ObslogRecord, parseObslog, parseObslogBatches, parseReceptorList } from '../../importers/obslog.js';
import { collect, ImportError, type ImportWarning, type Parsed, type ParsedRecord, sha256 } from '../../importers/types.js';
import { readFileSync } from 'node:fs';
import { fixture, memorySource } from './support.js';
import { collectGarbage } from '../support/gc.js';

function ofType<T extends ObslogRecord['type']>(records: readonly { record: ObslogRecord }[], type: T): Extract<ObslogRecord, { type: T }>[] {
  return records.map((item) => item.record).filter((record): record is Extract<ObslogRecord, { type: T }> => record.type === type);
}

describe('parseObslog on obslog-1551803062.log', () => {
  it('reads the capture block', async () => {
    const { records, warnings } = await collect(parseObslog(fixture('obslog-1551803062.log')));
    expect(warnings).toEqual([]);
    const [block] = ofType(records, 'capture-block');
    expect(block).toEqual({ type: 'capture-block', at: '2019-03-05T16:24:23.089Z', captureBlockId: '1551803062' });
    const located = records.find((item) => item.record.type === 'capture-block');
    expect(located?.locator).toEqual({ file: fixture('obslog-1551803062.log'), line: 7, key: '1551803062' });
    expect(located?.digest).toBe(sha256('2019-03-05 16:24:23.089Z INFO Capture block ID = 1551803062'));
  });

  it('reads the quorum statement', async () => {
    const { records } = await collect(parseObslog(fixture('obslog-1551803062.log')));
    expect(ofType(records, 'quorum')).toEqual([{ type: 'quorum', at: '2019-03-05T16:24:22.230Z', percent: 90, required: 26, receptors: 28, stragglersTolerated: 2 }]);
  });

  it('reads compound scans, tracks and offsets', async () => {
    const { records } = await collect(parseObslog(fixture('obslog-1551803062.log')));
    expect(ofType(records, 'compound-scan').map((record) => record.label)).toEqual(['interferometric_pointing']);
    expect(ofType(records, 'track').map((record) => [record.target, record.seconds, record.at])).toEqual([
      ['J0010-4153', 10, '2019-03-05T16:25:06.226Z'],
      ['J0010-4153', 10, '2019-03-05T16:25:23.957Z'],
    ]);
    expect(ofType(records, 'offset').map((record) => [record.xDegrees, record.yDegrees])).toEqual([
      [0, -1.5],
      [0, -0.75],
    ]);
    expect(ofType(records, 'tracked').map((record) => record.seconds)).toEqual([10, 10]);
  });

  it('reads the straggler on lock', async () => {
    const { records } = await collect(parseObslog(fixture('obslog-1551803062.log')));
    expect(ofType(records, 'stragglers')).toEqual([
      { type: 'stragglers', at: '2019-03-05T16:24:56.211Z', captureBlockId: '1551803062', sensor: 'lock', value: 'True', count: 1, receptors: ['m044'] },
    ]);
  });

  it('summarises the session', async () => {
    const { records } = await collect(parseObslog(fixture('obslog-1551803062.log')));
    const [session] = ofType(records, 'session');
    expect(session?.captureBlockId).toBe('1551803062');
    expect(session?.start).toBe('2019-03-05T16:24:22.230Z');
    expect(session?.end).toBe('2019-03-05T16:25:23.958Z');
    expect(session?.targets).toEqual([{ name: 'J0010-4153', trackedSeconds: 10 }]);
    expect(session?.compoundScans).toBe(1);
    expect(session?.compoundScanList).toEqual([{ label: 'interferometric_pointing', target: 'J0010-4153', trackedSeconds: 20 }]);
    expect(records.at(-1)?.locator.key).toBe('session-1551803062');
  });
});

describe('parseObslog on obslog-museek-2023-07-11.log', () => {
  it('reads padded levels and stragglers', async () => {
    const { records } = await collect(parseObslog(fixture('obslog-museek-2023-07-11.log')));
    expect(ofType(records, 'stragglers').map((record) => [record.sensor, record.value, record.receptors])).toEqual([
      ['scan_status', "'after'", ['m006', 'm031', 'm056']],
      ['scan_status', "'after'", ['m006', 'm056', 'm060']],
      ['lock', 'True', ['m016', 'm056', 'm060']],
      ['lock', 'True', ['m012']],
    ]);
  });

  it('warns once that no capture block id was found', async () => {
    const { warnings } = await collect(parseObslog(fixture('obslog-museek-2023-07-11.log')));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.line).toBe(1);
    expect(warnings[0]?.message).toContain('no capture block id ("Capture block ID = …" line) was found in lines 1–23');
    expect(warnings[0]?.message).toContain('imported nothing from them');
  });

  it('reads scans and targets', async () => {
    const { records } = await collect(parseObslog(fixture('obslog-museek-2023-07-11.log')));
    expect(ofType(records, 'scan').map((record) => record.phase)).toEqual(['started', 'completed', 'started', 'completed']);
    expect(ofType(records, 'scan-summary').map((record) => record.scanLines)).toEqual([38]);
    expect(ofType(records, 'track').map((record) => [record.target, record.seconds])).toEqual([
      ['3C273_u0.8', 70],
      ['3C273', 70],
    ]);
    const [session] = ofType(records, 'session');
    expect(session?.captureBlockId).toBeUndefined();
    expect(session?.start).toBe('2023-07-11T17:46:29.817Z');
    expect(session?.end).toBe('2023-07-11T17:56:58.356Z');
    expect(session?.targets).toEqual([
      { name: '3C273_u0.8', trackedSeconds: 70 },
      { name: '3C273', trackedSeconds: 0 },
    ]);
    expect(session?.compoundScanList).toEqual([
      { label: 'track', target: '3C273_u0.8', trackedSeconds: 70 },
      { label: 'track', target: '3C273', trackedSeconds: 0 },
    ]);
  });
});

/**
 * Parses an edited excerpt without the warning that it names no capture block. Every excerpt
 * without a "Capture block ID" line gets that warning, and the tests below are about other lines.
 */
async function collectEdited(text: string): Promise<{ records: ParsedRecord<ObslogRecord>[]; warnings: ImportWarning[] }> {
  const { records, warnings } = await collect(parseObslog(memorySource('edited.log', text)));
  return { records, warnings: warnings.filter((warning) => !warning.message.startsWith('no capture block id')) };
}

describe('parseObslog on edited logs', () => {
  it('warns on a line without timestamp', async () => {
    const text = '2019-03-05 16:24:22.230Z INFO INIT\nTraceback (most recent call last):\n2019-03-05 16:24:23.089Z ERROR Lost receptor m063\n';
    const { records, warnings } = await collectEdited(text);
    expect(warnings).toEqual([{ file: 'edited.log', line: 2, message: expect.stringContaining('Traceback') }]);
    const messages = records.filter((item) => item.record.type === 'message');
    expect(messages.map((item) => item.record)).toEqual([{ type: 'message', at: '2019-03-05T16:24:23.089Z', level: 'ERROR', text: 'Lost receptor m063' }]);
  });

  it('warns on a mismatched straggler count', async () => {
    const text = "2019-03-05 16:24:56.211Z INFO Waiting for sensor 'lock' == True had 2 straggler(s): ['m044']\n";
    const { records, warnings } = await collectEdited(text);
    expect(warnings.map((warning) => warning.line)).toEqual([1]);
    expect(warnings[0]?.message).toContain('counts 2');
    expect(records.find((item) => item.record.type === 'stragglers')?.record).toMatchObject({ count: 2, receptors: ['m044'] });
  });

  it('warns on a cut straggler list', async () => {
    const text = "2019-03-05 16:24:56.211Z INFO Waiting for sensor 'lock' == True had 2 straggler(s): ['m044', 'm0\n";
    const { records, warnings } = await collectEdited(text);
    expect(warnings[0]?.message).toContain('not a Python list');
    expect(records.some((item) => item.record.type === 'stragglers')).toBe(false);
  });

  it('splits sessions per capture block', async () => {
    const text = [
      '2019-03-05 16:00:00.000Z INFO Capture block ID = 1551801600',
      '2019-03-05 16:10:00.000Z INFO Initiating 60-second track on target \'3C48\'',
      '2019-03-05 16:20:00.000Z INFO Capture block ID = 1551803062',
      '2019-03-05 16:30:00.000Z INFO target tracked for 5.0 seconds',
    ].join('\n');
    const { records } = await collect(parseObslog(memorySource('two.log', text)));
    const sessions = ofType(records, 'session');
    expect(sessions.map((session) => [session.captureBlockId, session.start, session.end])).toEqual([
      ['1551801600', '2019-03-05T16:00:00.000Z', '2019-03-05T16:10:00.000Z'],
      ['1551803062', '2019-03-05T16:20:00.000Z', '2019-03-05T16:30:00.000Z'],
    ]);
  });

  it('joins the runs of a capture block named again', async () => {
    const text = [
      '2019-03-05 16:00:00.000Z INFO Capture block ID = 1551801600',
      "2019-03-05 16:01:00.000Z INFO Initiating 60-second track on target '3C48'",
      '2019-03-05 16:02:00.000Z INFO target tracked for 60.0 seconds',
      '2019-03-05 16:20:00.000Z INFO Capture block ID = 1551803062',
      '2019-03-05 16:30:00.000Z INFO target tracked for 5.0 seconds',
      '2019-03-05 16:31:00.000Z INFO Capture block ID = 1551801600',
      "2019-03-05 16:32:00.000Z INFO Initiating 30-second track on target '3C286'",
      '2019-03-05 16:35:34.000Z INFO target tracked for 30.0 seconds',
    ].join('\n');
    const { records } = await collect(parseObslog(memorySource('again.log', text)));
    const sessions = ofType(records, 'session');
    expect(sessions.map((session) => [session.captureBlockId, session.start, session.end])).toEqual([
      ['1551801600', '2019-03-05T16:00:00.000Z', '2019-03-05T16:35:34.000Z'],
      ['1551803062', '2019-03-05T16:20:00.000Z', '2019-03-05T16:30:00.000Z'],
    ]);
    expect(sessions[0]?.targets).toEqual([
      { name: '3C48', trackedSeconds: 60 },
      { name: '3C286', trackedSeconds: 30 },
    ]);
  });

  it('joins a run named on 70 000 lines', async () => {
    // Each capture-block line of a run is part of its session digest, and the runs of a block are
    // joined at the end of the log: a run this long once overflowed the call stack there.
    const again = Array.from({ length: 70_000 }, (_, index) => `2019-03-05 17:${String(Math.floor(index / 1200) % 60).padStart(2, '0')}:${String(Math.floor(index / 20) % 60).padStart(2, '0')}.${String(index % 1000).padStart(3, '0')}Z INFO Capture block ID = 1551801600`);
    const text = ['2019-03-05 16:00:00.000Z INFO Capture block ID = 1551801600', '2019-03-05 16:20:00.000Z INFO Capture block ID = 1551803062', ...again].join('\n');
    const { records, warnings } = await collect(parseObslog(memorySource('long-run.log', text)));
    expect(warnings).toEqual([]);
    expect(ofType(records, 'capture-block')).toHaveLength(70_002);
    const sessions = records.filter((item) => item.record.type === 'session');
    expect(sessions.map((item) => item.locator.key)).toEqual(['session-1551801600', 'session-1551803062']);
    // The digest covers the first run's two copies of its one line and its last line, then the second run's lines.
    const lines = text.split('\n');
    const firstRun = [lines[0], lines[0], lines[0]].join('\n');
    const secondRun = [lines[2], lines[2], ...lines.slice(3), lines.at(-1)].join('\n');
    expect(sessions[0]?.digest).toBe(sha256(`${firstRun}\n${secondRun}`));
  });

  it('stops at the first warning when strict', async () => {
    const text = '2019-03-05 16:24:22.230Z INFO INIT\ngarbage\n';
    const error = await collect(parseObslog(memorySource('strict.log', text), { strict: true })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).line).toBe(2);
    expect((error as ImportError).message).toContain('strict.log:2');
  });
});

describe('parseObslogBatches', () => {
  it('yields what parseObslog yields', async () => {
    const text = readFileSync(fixture('obslog-1551803062.log'));
    const plain = (item: Parsed<ObslogRecord>): unknown => (item.kind === 'record' ? { record: item.record, locator: item.locator, digest: item.digest } : item);
    const perRecord: unknown[] = [];
    for await (const item of parseObslog(memorySource('same.log', text, 100))) perRecord.push(plain(item));
    const batched: unknown[] = [];
    for await (const batch of parseObslogBatches(memorySource('same.log', text, 100))) batched.push(...batch.map(plain));
    expect(batched).toHaveLength(perRecord.length);
    expect(batched).toEqual(perRecord);
  });

  it('keeps records before a strict problem', async () => {
    const text = '2019-03-05 16:24:22.230Z INFO Capture block ID = 1551803062\n2019-03-05 16:24:23.000Z INFO Offset of (0.5, 1.0) degrees\ngarbage\n2019-03-05 16:24:24.000Z INFO Offset of (0.0, 0.0) degrees\n';
    const seen: string[] = [];
    let failure: unknown;
    try {
      for await (const batch of parseObslogBatches(memorySource('strict.log', text), { strict: true })) {
        for (const item of batch) seen.push(item.kind === 'record' ? item.record.type : 'warning');
      }
    } catch (error) {
      failure = error;
    }
    expect(seen).toEqual(['capture-block', 'offset']);
    expect(failure).toBeInstanceOf(ImportError);
    expect((failure as ImportError).line).toBe(3);
  });
});

describe('parseReceptorList', () => {
  it('reads Python list reprs', () => {
    expect(parseReceptorList("['m006', 'm031']")).toEqual(['m006', 'm031']);
    expect(parseReceptorList('["m000"]')).toEqual(['m000']);
    expect(parseReceptorList('[]')).toEqual([]);
    expect(parseReceptorList("['m006', 'm03")).toBeNull();
    expect(parseReceptorList('m006, m031')).toBeNull();
  });
});

describe('parseObslog streaming', () => {
  it('keeps memory flat on a large log', async () => {
    const lines = readFileSync(fixture('obslog-museek-2023-07-11.log'), 'utf8').trim().split('\n');
    const targetBytes = 48 * 1024 * 1024;
    async function* generate(): AsyncGenerator<Buffer> {
      let written = 0;
      while (written < targetBytes) {
        const chunk = Buffer.from(`${lines.join('\n')}\n`.repeat(200));
        written += chunk.length;
        yield chunk;
      }
    }

    // Live memory, measured after a full collection: heap use without one also counts garbage
    // not yet collected, which depends on what else the machine runs and failed this test once.
    const liveHeap = (): number => {
      collectGarbage();
      return process.memoryUsage().heapUsed;
    };
    const before = liveHeap();
    let peak = before;
    let records = 0;
    for await (const item of parseObslog({ file: 'generated.log', stream: Readable.from(generate()) })) {
      if (item.kind !== 'record') continue;
      records += 1;
      if (records % 50_000 === 0) peak = Math.max(peak, liveHeap());
    }
    expect(records).toBeGreaterThan(400_000);
    // The input is 48 MiB; a parser that kept it, or its records, would grow the heap past that.
    expect(peak - before).toBeLessThan(32 * 1024 * 1024);
  });
});
