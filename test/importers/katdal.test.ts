import { describe, expect, it } from 'vitest';
import { parseKatdalSummary } from '../../importers/katdal.js';
import { collect } from '../../importers/types.js';
import { fixture, memorySource } from './support.js';

describe('parseKatdalSummary on katdal-summary-1548417874.txt', () => {
  it('reads the header in UTC', async () => {
    const { records, warnings } = await collect(parseKatdalSummary(fixture('katdal-summary-1548417874.txt')));
    expect(warnings).toEqual([]);
    expect(records).toHaveLength(1);
    const dataset = records[0]?.record;
    expect(dataset?.captureBlockId).toBe('1548417874');
    expect(dataset?.streamName).toBe('1548417874-sdp-l0');
    expect(dataset?.scheduleBlockId).toBe('20190125-0012');
    expect(dataset?.observer).toBe('observer1');
    expect(dataset?.description).toBe('MKAIV-449 Three calibrator Imaging');
    // 14:04:36.424 SAST is two hours ahead of UTC.
    expect(dataset?.start).toBe('2019-01-25T12:04:36.424Z');
    expect(dataset?.end).toBe('2019-01-25T12:08:28.326Z');
    expect(records[0]?.locator).toEqual({ file: fixture('katdal-summary-1548417874.txt'), line: 1, key: '1548417874' });
  });

  it('reads antennas and the spectral window', async () => {
    const { records } = await collect(parseKatdalSummary(fixture('katdal-summary-1548417874.txt')));
    const dataset = records[0]?.record;
    expect(dataset?.antennas).toEqual(['m010', 'm043', 'm053', 'm054']);
    expect(dataset?.band).toBe('L');
    expect(dataset?.product).toBe('c856M4k');
    expect(dataset?.channels).toBe(4096);
    expect(dataset?.centreFrequencyMHz).toBe(1284);
    expect(dataset?.bandwidthMHz).toBe(856);
    expect(dataset?.channelWidthKHz).toBe(208.984);
    expect(dataset?.dumpPeriodSeconds).toBe(7.997);
  });

  it('reads targets with tags', async () => {
    const { records } = await collect(parseKatdalSummary(fixture('katdal-summary-1548417874.txt')));
    expect(records[0]?.record.targets).toEqual([
      { name: 'PKS 1934-63', bodyType: 'radec', coordinates: ['19:39:25.03', '-63:42:45.7'], tags: ['bfcal', 'single_accumulation'], dumps: 29, modelFluxJy: 14.46 },
    ]);
  });

  it('reads scans in UTC', async () => {
    const { records } = await collect(parseKatdalSummary(fixture('katdal-summary-1548417874.txt')));
    expect(records[0]?.record.scans).toEqual([
      { index: 0, state: 'slew', compoundScanIndex: 0, compoundScanLabel: 'track', dumps: 4, target: 'PKS 1934-63', start: '2019-01-25T12:04:40Z', end: '2019-01-25T12:05:04Z' },
      { index: 1, state: 'track', compoundScanIndex: 0, compoundScanLabel: 'track', dumps: 24, target: 'PKS 1934-63', start: '2019-01-25T12:05:12Z', end: '2019-01-25T12:08:16Z' },
      { index: 2, state: 'stop', compoundScanIndex: 0, compoundScanLabel: 'track', dumps: 1, target: 'PKS 1934-63', start: '2019-01-25T12:08:24Z', end: '2019-01-25T12:08:24Z' },
    ]);
  });

  it('rolls scans past midnight', async () => {
    const text = [
      'Name: x.rdb | 1548460000-sdp-l0 (version 4.0)',
      'Observed from 2019-01-26 01:50:00.000 SAST to 2019-01-26 02:20:00.000 SAST',
      'Scans: 2 selected out of 2 total       Compscans: 1 selected out of 1 total',
      '  Date        Timerange(UTC)       ScanState  CompScanLabel  Dumps  Target',
      '  25-Jan-2019/23:50:00 - 23:59:58    0:track    0:track         4    0:3C286',
      '              23:59:59 - 00:10:00    1:track    0:track        24    0:3C286',
      '              00:10:08 - 00:20:00    2:track    0:track        24    0:3C286',
    ].join('\n');
    const { records, warnings } = await collect(parseKatdalSummary(memorySource('midnight.txt', text)));
    expect(warnings).toEqual([]);
    expect(records[0]?.record.start).toBe('2019-01-25T23:50:00.000Z');
    expect(records[0]?.record.scans.map((scan) => [scan.start, scan.end])).toEqual([
      ['2019-01-25T23:50:00Z', '2019-01-25T23:59:58Z'],
      ['2019-01-25T23:59:59Z', '2019-01-26T00:10:00Z'],
      ['2019-01-26T00:10:08Z', '2019-01-26T00:20:00Z'],
    ]);
  });

  it('warns on an unknown zone', async () => {
    const text = 'Name: x.rdb | 1548460000-sdp-l0 (version 4.0)\nObserved from 2019-01-26 01:50:00.000 PST to 2019-01-26 02:20:00.000 PST\n';
    const { records, warnings } = await collect(parseKatdalSummary(memorySource('zone.txt', text)));
    expect(warnings.map((warning) => warning.line)).toEqual([2]);
    expect(records[0]?.record.start).toBeUndefined();
  });
});
