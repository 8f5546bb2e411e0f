/**
 * Tells text from other bytes at the start of a file, so that a file of random or compressed
 * bytes without NUL bytes is rejected whole instead of read as thousands of Latin-1 lines.
 */
import { ImportError } from './types.js';

/** Bytes at the start of a file that are checked (64 KiB). */
export const TEXT_SAMPLE_BYTES = 64 * 1024;

/**
 * Share of control bytes above which a sample is not text. Text in UTF-8 or any ISO 8859
 * encoding has none besides tab, line and page breaks and ESC (colour codes). Windows-1252 uses
 * 0x80–0x9F for a few letters and quotes, far below this share. Random bytes have about 23 %
 * (58 of the 255 values other than NUL).
 */
const MAX_CONTROL_SHARE = 0.1;

const NUL = 0x00;
const TAB = 0x09;
const NEWLINE = 0x0a;
const VERTICAL_TAB = 0x0b;
const FORM_FEED = 0x0c;
const CARRIAGE_RETURN = 0x0d;
const ESCAPE = 0x1b;
const DELETE = 0x7f;

/**
 * Counts the control bytes of a sample: C0 controls other than NUL, tab, LF, VT, FF, CR and ESC,
 * DEL, and bytes 0x80–0x9F that are not part of a valid UTF-8 sequence.
 */
export function countControlBytes(sample: Uint8Array): number {
  let controls = 0;
  let index = 0;
  while (index < sample.length) {
    const byte = sample[index] as number;
    if (byte < 0x80) {
      // NUL is left to the line reader, whose error names the line it is on.
      const allowed = byte >= 0x20 || byte === NUL || byte === TAB || byte === NEWLINE || byte === VERTICAL_TAB || byte === FORM_FEED || byte === CARRIAGE_RETURN || byte === ESCAPE;
      if (!allowed || byte === DELETE) controls += 1;
      index += 1;
      continue;
    }
    const length = utf8SequenceLength(sample, index);
    if (length > 0) {
      index += length;
      continue;
    }
    if (byte <= 0x9f) controls += 1;
    index += 1;
  }
  return controls;
}

/**
 * Raises `ImportError` when more than 10 % of the first 64 KiB of `sample` are control bytes.
 * The error names the file and the share found.
 */
export function rejectNonText(sample: Uint8Array, file: string): void {
  const checked = sample.subarray(0, TEXT_SAMPLE_BYTES);
  if (checked.length === 0) return;
  const share = countControlBytes(checked) / checked.length;
  if (share <= MAX_CONTROL_SHARE) return;

  const extent = checked.length === TEXT_SAMPLE_BYTES ? 'the first 64 KiB' : `its ${checked.length} bytes`;
  throw new ImportError(
    file,
    undefined,
    `${file} is not text: ${Math.round(share * 100)} % of ${extent} are control characters, which text logs do not contain; check that this is the right file (not compressed or binary), or save it as UTF-8 text`,
  );
}

/** Returns the length of the valid UTF-8 sequence starting at `index`, or 0 when there is none. */
function utf8SequenceLength(bytes: Uint8Array, index: number): number {
  const lead = bytes[index] as number;
  let length: number;
  let min: number;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    min = 0x80;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    min = 0x800;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (index + length > bytes.length) return 0;

  let codePoint = lead & (0xff >> (length + 1));
  for (let offset = 1; offset < length; offset += 1) {
    const next = bytes[index + offset] as number;
    if ((next & 0xc0) !== 0x80) return 0;
    codePoint = (codePoint << 6) | (next & 0x3f);
  }
  const surrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
  return codePoint < min || codePoint > 0x10ffff || surrogate ? 0 : length;
}
