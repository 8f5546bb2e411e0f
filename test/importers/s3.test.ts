import { describe, expect, it } from 'vitest';
import { parseS3Listing, type S3BucketSummary, splitBucketName } from '../../importers/s3.js';
import { collect } from '../../importers/types.js';
import { fixture, memorySource } from './support.js';

describe('parseS3Listing on s3-listing-1551803062.txt', () => {
  it('lists the products', async () => {
    const { records, warnings } = await collect(parseS3Listing(fixture('s3-listing-1551803062.txt')));
    expect(warnings).toEqual([]);
    const products = records.flatMap((item) => (item.record.type === 'product' ? [[item.record.product, item.locator.line]] : []));
    expect(products).toEqual([
      ['correlator_data', 2],
      ['flags', 3],
      ['weights', 4],
      ['weights_channel', 5],
    ]);
  });

  it('finds no gap', async () => {
    const { records } = await collect(parseS3Listing(fixture('s3-listing-1551803062.txt')));
    const summary = records.map((item) => item.record).find((record): record is S3BucketSummary => record.type === 'bucket');
    expect(summary).toEqual({
      type: 'bucket',
      bucket: '1551803062-sdp-l0',
      captureBlockId: '1551803062',
      stream: 'sdp-l0',
      products: ['correlator_data', 'flags', 'weights', 'weights_channel'],
      expected: ['correlator_data', 'flags', 'weights', 'weights_channel'],
      missing: [],
      rootObjects: 0,
    });
  });

  it('reports a missing product', async () => {
    const text = [
      '$ s3cmd ls s3://1552039941-sdp-l0/',
      '                       DIR   s3://1552039941-sdp-l0/correlator_data/',
      '                       DIR   s3://1552039941-sdp-l0/weights/',
      '2019-03-08 10:20      4096   s3://1552039941-sdp-l0/1552039941-sdp-l0.rdb',
    ].join('\n');
    const { records } = await collect(parseS3Listing(memorySource('gap.txt', text)));
    const summary = records.map((item) => item.record).find((record): record is S3BucketSummary => record.type === 'bucket');
    expect(summary?.missing).toEqual(['flags', 'weights_channel']);
    expect(summary?.rootObjects).toBe(1);
  });

  it('takes expected products from options', async () => {
    const text = 'DIR s3://1552039941-sdp-l1-flags/flags/\n';
    const { records } = await collect(parseS3Listing(memorySource('l1.txt', text), { expectedProducts: { 'sdp-l1-flags': ['flags', 'quality'] } }));
    const summary = records.map((item) => item.record).find((record): record is S3BucketSummary => record.type === 'bucket');
    expect(summary?.missing).toEqual(['quality']);
  });

  it('warns on foreign lines', async () => {
    const { warnings } = await collect(parseS3Listing(memorySource('odd.txt', 'ERROR: S3 error: 403 (AccessDenied)\n')));
    expect(warnings.map((warning) => warning.line)).toEqual([1]);
  });
});

describe('splitBucketName', () => {
  it('splits capture block and stream', () => {
    expect(splitBucketName('1551803062-sdp-l0')).toEqual({ captureBlockId: '1551803062', stream: 'sdp-l0' });
    expect(splitBucketName('archive')).toEqual({});
  });
});
