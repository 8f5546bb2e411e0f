/**
 * `s3cmd ls` listings of capture-block buckets (`s3://1551803062-sdp-l0/`). The first path
 * component under a bucket is a data product (correlator_data, flags, weights, …). An expected
 * product that the listing lacks is a data gap.
 */
import { type LineHandler, parseLinesWith } from './driver.js';
import type { TextLine } from './lines.js';
import { preview } from './obslog.js';
import { type Parsed, type ParseOptions, type Source, record, sha256, sourceName, warning } from './types.js';

export type S3Record =
  | { readonly type: 'product'; readonly bucket: string; readonly product: string; readonly captureBlockId?: string }
  | S3BucketSummary;

export interface S3BucketSummary {
  readonly type: 'bucket';
  readonly bucket: string;
  readonly captureBlockId?: string;
  /** The stream part of the bucket name, e.g. sdp-l0. */
  readonly stream?: string;
  readonly products: readonly string[];
  readonly expected: readonly string[];
  /** Expected products the listing does not show: the data gaps. */
  readonly missing: readonly string[];
  /** Objects listed directly in the bucket rather than under a product folder. */
  readonly rootObjects: number;
}

export interface S3Options extends ParseOptions {
  /** Products every bucket of a stream must hold, by stream name (the bucket name after the capture block id). */
  readonly expectedProducts?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Products the MeerKAT SDP writes per capture block of a stream: the chunk stores of the sdp-l0
 * visibility writer and the sdp-l1-flags writer (as in the s3-listing-1551803062.txt sample).
 */
export const DEFAULT_EXPECTED_PRODUCTS: Readonly<Record<string, readonly string[]>> = {
  'sdp-l0': ['correlator_data', 'flags', 'weights', 'weights_channel'],
  'sdp-l1-flags': ['flags'],
};

const S3_URL = /s3:\/\/([a-z0-9][a-z0-9.-]{1,62})\/(\S*)/;
const OBJECT_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d\s+\d+\s+s3:\/\//;

interface BucketState {
  readonly firstLine: number;
  readonly products: Set<string>;
  rootObjects: number;
  /** Raw bytes of the lines that named a product, for the summary's digest. */
  readonly productLines: Buffer[];
}

export function parseS3Listing(source: Source, options: S3Options = {}): AsyncGenerator<Parsed<S3Record>> {
  return parseLinesWith(source, options, new S3Handler(sourceName(source), options.expectedProducts ?? DEFAULT_EXPECTED_PRODUCTS));
}

/** Splits a bucket name like 1551803062-sdp-l0 into its capture block id and stream name. */
export function splitBucketName(bucket: string): { captureBlockId?: string; stream?: string } {
  const match = /^(\d{10})-(.+)$/.exec(bucket);
  return match === null ? {} : { captureBlockId: match[1] ?? '', stream: match[2] ?? '' };
}

class S3Handler implements LineHandler<S3Record> {
  private readonly buckets = new Map<string, BucketState>();

  constructor(
    private readonly file: string,
    private readonly expectedProducts: Readonly<Record<string, readonly string[]>>,
  ) {}

  line(line: TextLine, out: Parsed<S3Record>[]): void {
    const text = line.text.trim();
    if (text === '' || text === '$') return;

    const url = S3_URL.exec(text);
    const isPrompt = text.startsWith('$ ') || text.startsWith('# ');
    const isListing = text.startsWith('DIR ') || OBJECT_LINE.test(text);
    if (url === null || (!isPrompt && !isListing)) {
      out.push(warning(this.file, line.line, `not an s3cmd ls line ("DIR s3://bucket/folder/" or "DATE TIME SIZE s3://bucket/key"): "${preview(text)}"`));
      return;
    }

    const bucket = url[1] ?? '';
    const state = this.bucket(bucket, line.line);
    if (isPrompt) return;

    const path = url[2] ?? '';
    const slash = path.indexOf('/');
    if (slash < 0) {
      state.rootObjects += 1;
      return;
    }
    const product = path.slice(0, slash);
    if (product === '' || state.products.has(product)) return;

    state.products.add(product);
    state.productLines.push(Buffer.from(line.bytes));
    const { captureBlockId } = splitBucketName(bucket);
    out.push(record<S3Record>({ type: 'product', bucket, product, ...(captureBlockId === undefined ? {} : { captureBlockId }) }, { file: this.file, line: line.line, key: `${bucket}/${product}` }, line.lazyDigest()));
  }

  /**
   * Yields one summary per bucket. Its digest covers the raw lines that named the bucket's
   * products, joined by \n, so the same listing gives the same digest.
   */
  end(out: Parsed<S3Record>[]): void {
    for (const [bucket, state] of this.buckets) {
      const { captureBlockId, stream } = splitBucketName(bucket);
      const expected = stream === undefined ? [] : (this.expectedProducts[stream] ?? []);
      const products = [...state.products].sort();
      const summary: S3BucketSummary = {
        type: 'bucket',
        bucket,
        ...(captureBlockId === undefined ? {} : { captureBlockId, stream }),
        products,
        expected,
        missing: expected.filter((product) => !state.products.has(product)),
        rootObjects: state.rootObjects,
      };
      const raw = Buffer.concat(state.productLines.flatMap((bytes, index) => (index === 0 ? [bytes] : [Buffer.from('\n'), bytes])));
      out.push(record<S3Record>(summary, { file: this.file, line: state.firstLine, key: bucket }, sha256(raw)));
    }
  }

  private bucket(name: string, line: number): BucketState {
    let state = this.buckets.get(name);
    if (state === undefined) {
      state = { firstLine: line, products: new Set(), rootObjects: 0, productLines: [] };
      this.buckets.set(name, state);
    }
    return state;
  }
}
