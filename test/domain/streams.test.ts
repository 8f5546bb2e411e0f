import { describe, expect, it } from 'vitest';
import {
  captureBlockStartUtc,
  changeStream,
  featureStream,
  findingStream,
  observationStream,
  observationStreamId,
  parseStreamName,
  ticketStream,
} from '../../domain/streams.js';

describe('stream names', () => {
  it('prefixes each aggregate', () => {
    expect(featureStream('CBF-1K-DELAY')).toBe('feature-CBF-1K-DELAY');
    expect(changeStream('SDP-REL-2.3')).toBe('change-SDP-REL-2.3');
    expect(observationStream('1551803062')).toBe('observation-1551803062');
    expect(ticketStream('DEMO-2719')).toBe('ticket-DEMO-2719');
    expect(findingStream('F-7')).toBe('finding-F-7');
  });

  it('parses a stream back', () => {
    expect(parseStreamName('observation-sb-20190308-0083')).toEqual({ aggregate: 'observation', id: 'sb-20190308-0083' });
    expect(parseStreamName('$all')).toBeUndefined();
    expect(parseStreamName('feature-')).toBeUndefined();
  });
});

describe('observation stream id', () => {
  it('prefers the capture block id', () => {
    expect(observationStreamId({ captureBlockId: '1552039941', scheduleBlockId: '20190308-0083' })).toBe('1552039941');
  });

  it('falls back to the schedule block', () => {
    expect(observationStreamId({ scheduleBlockId: '20190308-0083' })).toBe('sb-20190308-0083');
  });

  it('is undefined without identifiers', () => {
    expect(observationStreamId({})).toBeUndefined();
  });
});

describe('captureBlockStartUtc', () => {
  it('decodes the Unix time', () => {
    expect(captureBlockStartUtc('1551803062')).toBe('2019-03-05T16:24:22Z');
    expect(captureBlockStartUtc('1552039941')).toBe('2019-03-08T10:12:21Z');
  });

  it('rejects a schedule block id', () => {
    expect(captureBlockStartUtc('20190308-0083')).toBeUndefined();
  });
});
