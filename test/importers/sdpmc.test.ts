import { describe, expect, it } from 'vitest';
import { parseSdpmc, readOutcome, type SdpmcRecord } from '../../importers/sdpmc.js';
import { collect } from '../../importers/types.js';
import { fixture, memorySource } from './support.js';

type Result = Extract<SdpmcRecord, { type: 'request-result' }>;
type Issued = Extract<SdpmcRecord, { type: 'request-issued' }>;

describe('parseSdpmc on sdpmc-array_1_0-2019-03-08.log', () => {
  it('reads configuration and the capture block', async () => {
    const { records } = await collect(parseSdpmc(fixture('sdpmc-array_1_0-2019-03-08.log')));
    const values = records.map((item) => item.record);
    expect(values[0]).toEqual({ type: 'product-configured', at: '2019-03-08T10:08:47.265Z', host: 'mc1.sdp.mkat.karoo.kat.ac.za', subarrayProduct: 'array_1_0', truncated: false });
    expect(values.find((value) => value.type === 'capture-block-id')).toMatchObject({ captureBlockId: '1552039941', at: '2019-03-08T10:12:21.466Z' });
    expect(values.find((value) => value.type === 'capture-block-started')).toMatchObject({ captureBlockId: '1552039941', at: '2019-03-08T10:12:21.793Z', subarrayProduct: 'array_1_0' });
  });

  it('reads capture-init results per node', async () => {
    const { records } = await collect(parseSdpmc(fixture('sdpmc-array_1_0-2019-03-08.log')));
    const results = records.map((item) => item.record).filter((value): value is Result => value.type === 'request-result' && value.request === 'capture-init');
    expect(results.map((value) => [value.node, value.outcome, value.truncated])).toEqual([
      ['array_1_0.flag_writer.sdp_l1_flags', 'unknown', true],
      ['array_1_0.cal.1', 'success', false],
      ['array_1_0.vis_writer.sdp_l0', 'success', true],
      ['array_1_0.ingest.sdp_l0.1', 'success', false],
      ['array_1_0.ingest.sdp_l0.2', 'success', false],
      ['array_1_0.ingest.sdp_l0.3', 'success', false],
      ['array_1_0.ingest.sdp_l0.4', 'success', false],
    ]);
    expect(results.every((value) => value.captureBlockId === '1552039941')).toBe(true);
  });

  it('reads capture-done with timeouts', async () => {
    const { records } = await collect(parseSdpmc(fixture('sdpmc-array_1_0-2019-03-08.log')));
    const values = records.map((item) => item.record);
    const issued = values.filter((value): value is Issued => value.type === 'request-issued' && value.request === 'capture-done');
    expect(issued.map((value) => [value.node, value.timeoutSeconds])).toEqual([
      ['array_1_0.ingest.sdp_l0.1', 120],
      ['array_1_0.ingest.sdp_l0.2', 120],
      ['array_1_0.ingest.sdp_l0.3', 120],
      ['array_1_0.ingest.sdp_l0.4', 120],
      ['array_1_0.cal.1', 120],
      ['array_1_0.vis_writer.sdp_l0', 120],
    ]);
    const done = values.filter((value): value is Result => value.type === 'request-result' && value.request === 'capture-done');
    expect(done).toHaveLength(6);
    expect(done.every((value) => value.outcome === 'success')).toBe(true);
    expect(done.find((value) => value.node === 'array_1_0.cal.1')?.at).toBe('2019-03-08T10:18:46.624Z');
  });

  it('warns on cut-off lines by number', async () => {
    const { warnings } = await collect(parseSdpmc(fixture('sdpmc-array_1_0-2019-03-08.log')));
    expect(warnings.map((warning) => warning.line)).toEqual([3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 32]);
    expect(warnings.find((warning) => warning.line === 4)?.message).toContain('"out 30s)"');
    expect(warnings.find((warning) => warning.line === 10)?.message).toContain('read "successf" as success');
    expect(warnings.find((warning) => warning.line === 3)?.message).toContain('node name may be incomplete');
    expect(warnings.find((warning) => warning.line === 11)?.message).not.toContain('node name');
  });

  it('reads failures and timeouts', async () => {
    const text = [
      "2019-03-08 10:18:28.703 mc1 sdpmc: array_1_0 Request capture-done () to node array_1_0.ingest.sdp_l0.1 failed: Device busy",
      "2019-03-08 10:20:28.703 mc1 sdpmc: array_1_0 Request capture-done () to node array_1_0.ingest.sdp_l0.2 timed out",
    ].join('\n');
    const { records, warnings } = await collect(parseSdpmc(memorySource('fail.log', text)));
    expect(warnings).toEqual([]);
    expect(records.map((item) => item.record)).toMatchObject([
      { outcome: 'failure', detail: 'Device busy', node: 'array_1_0.ingest.sdp_l0.1' },
      { outcome: 'timeout', node: 'array_1_0.ingest.sdp_l0.2' },
    ]);
  });
});

describe('readOutcome', () => {
  it('reads whole and cut words', () => {
    expect(readOutcome('successful')).toEqual({ outcome: 'success', truncated: false });
    expect(readOutcome('succe')).toEqual({ outcome: 'success', truncated: true });
    expect(readOutcome('fai')).toEqual({ outcome: 'failure', truncated: true });
    expect(readOutcome('s')).toEqual({ outcome: 'unknown', truncated: true });
    expect(readOutcome('')).toEqual({ outcome: 'unknown', truncated: true });
  });
});
