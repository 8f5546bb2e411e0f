/**
 * Reads the fields of an ASCII line from its bytes, left to right, for parsers of logs that run to
 * gigabytes. Each step either consumes what it expects and returns true, or returns false. The
 * caller then reads the line the general way (regular expressions on its text), so the cursor
 * only has to be right for the lines it accepts.
 */
import { DIGIT_0, DIGIT_9, DOT, MINUS } from './char-codes.js';

/**
 * Powers of ten that doubles hold exactly. A decimal of at most 15 digits is an integer below
 * 2^53 divided by one of them, and that one division rounds correctly, so the result equals
 * `Number()` of the same text.
 */
// Parsed from text, which the language rounds correctly; `10 ** n` is `Math.pow`, whose accuracy
// the standard leaves to the engine.
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, exponent) => Number(`1e${exponent}`));
const MAX_EXACT_DIGITS = 15;

/** Returns the bytes of an expected literal, for `AsciiCursor.literal`. */
export function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (character) => character.charCodeAt(0));
}

export class AsciiCursor {
  /** The line's bytes, and where in them the line starts and ends. */
  private bytes: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  /** The byte the next step reads. */
  private index = 0;
  /** The number the last `decimal`, `signedDecimal` or `digits` step read. */
  value = 0;

  /** Points the cursor at the line in `bytes[start, end)`, at `offset` bytes from its start. */
  reset(bytes: Buffer, start: number, end: number, offset: number): void {
    this.bytes = bytes;
    this.start = start;
    this.end = end;
    this.index = start + offset;
  }

  /** The cursor's offset from the start of the line (a character index for ASCII). */
  get offset(): number {
    return this.index - this.start;
  }

  /** The line's length. */
  get length(): number {
    return this.end - this.start;
  }

  atEnd(): boolean {
    return this.index === this.end;
  }

  /** Returns the byte at `offset` from the start of the line, or -1 past its end. */
  byteAt(offset: number): number {
    const index = this.start + offset;
    return index < this.end ? (this.bytes[index] ?? -1) : -1;
  }

  /** Consumes `expected` when the line continues with it. */
  literal(expected: Uint8Array): boolean {
    const index = this.index;
    const bytes = this.bytes;
    if (this.end - index < expected.length) return false;
    for (let offset = 0; offset < expected.length; offset += 1) {
      if (bytes[index + offset] !== expected[offset]) return false;
    }
    this.index = index + expected.length;
    return true;
  }

  /** True when the rest of the line is exactly `expected`; consumes it. */
  rest(expected: Uint8Array): boolean {
    return this.end - this.index === expected.length && this.literal(expected);
  }

  /** Consumes `\d+` and sets `value`. */
  digits(): boolean {
    const from = this.index;
    const to = this.digitsEnd(from);
    if (to === from) return false;
    return this.finishNumber(from, to, to, to, false);
  }

  /** Consumes `\d+(?:\.\d+)?`, as a regular expression would, and sets `value`. */
  decimal(): boolean {
    return this.readDecimal(this.index, false);
  }

  /** Consumes `-?\d+(?:\.\d+)?` and sets `value`. */
  signedDecimal(): boolean {
    const negative = this.bytes[this.index] === MINUS && this.index < this.end;
    return this.readDecimal(negative ? this.index + 1 : this.index, negative);
  }

  /** Offset of the next `byte` at or after the cursor, or -1. */
  find(byte: number): number {
    for (let index = this.index; index < this.end; index += 1) {
      if (this.bytes[index] === byte) return index - this.start;
    }
    return -1;
  }

  /** Offset of the next occurrence of `expected` at or after `offset`, or -1. */
  findLiteral(expected: Uint8Array, offset: number): number {
    const last = this.end - expected.length;
    for (let index = this.start + offset; index <= last; index += 1) {
      let offsetInLiteral = 0;
      while (offsetInLiteral < expected.length && this.bytes[index + offsetInLiteral] === expected[offsetInLiteral]) offsetInLiteral += 1;
      if (offsetInLiteral === expected.length) return index - this.start;
    }
    return -1;
  }

  /** True when the bytes from `from` to `to` (offsets) hold `byte`. */
  holds(byte: number, from: number, to: number): boolean {
    for (let index = this.start + from; index < this.start + to; index += 1) {
      if (this.bytes[index] === byte) return true;
    }
    return false;
  }

  /** Moves the cursor to `offset` from the start of the line. */
  moveTo(offset: number): void {
    this.index = this.start + offset;
  }

  private readDecimal(from: number, negative: boolean): boolean {
    const integerEnd = this.digitsEnd(from);
    if (integerEnd === from) return false;
    if (this.bytes[integerEnd] !== DOT || integerEnd + 1 >= this.end) return this.finishNumber(from, integerEnd, integerEnd, integerEnd, negative);
    const fractionEnd = this.digitsEnd(integerEnd + 1);
    // `1.` is the number 1 followed by a dot, as the regular expression reads it.
    if (fractionEnd === integerEnd + 1) return this.finishNumber(from, integerEnd, integerEnd, integerEnd, negative);
    return this.finishNumber(from, integerEnd, integerEnd + 1, fractionEnd, negative);
  }

  private digitsEnd(from: number): number {
    let index = from;
    while (index < this.end) {
      const byte = this.bytes[index] ?? 0;
      if (byte < DIGIT_0 || byte > DIGIT_9) break;
      index += 1;
    }
    return index;
  }

  /** Sets `value` from the digits in `[from, integerEnd)` and `[fractionStart, end)`, and consumes up to `end`. */
  private finishNumber(from: number, integerEnd: number, fractionStart: number, end: number, negative: boolean): boolean {
    const fractionDigits = end - fractionStart;
    let value: number;
    if (integerEnd - from + fractionDigits <= MAX_EXACT_DIGITS) {
      let mantissa = 0;
      for (let index = from; index < integerEnd; index += 1) mantissa = mantissa * 10 + (this.bytes[index] ?? 0) - DIGIT_0;
      for (let index = fractionStart; index < end; index += 1) mantissa = mantissa * 10 + (this.bytes[index] ?? 0) - DIGIT_0;
      value = mantissa / (EXACT_POWERS_OF_TEN[fractionDigits] ?? 1);
    } else {
      value = Number(this.bytes.toString('latin1', from, end));
    }
    this.value = negative ? -value : value;
    this.index = end;
    return true;
  }
}

/** Slots of the cache of field texts (a power of two), and the longest field it keeps. */
const FIELD_CACHE_SLOTS = 4096;
const MAX_CACHED_FIELD_BYTES = 64;

/**
 * Decodes short ASCII fields, reusing the text of a field seen before. A log repeats its targets,
 * sensors and values on thousands of lines, and finding their strings again costs less than
 * decoding each: a `Buffer.toString` costs about 150 ns here however short the text.
 */
export class FieldTexts {
  /** Texts of recent fields, by a hash of their bytes; bounded, so a collision only costs a decode. */
  private readonly cache: string[] = new Array<string>(FIELD_CACHE_SLOTS).fill('');

  /** Returns the text of the ASCII bytes in `bytes[first, last)`. */
  text(bytes: Buffer, first: number, last: number): string {
    const length = last - first;
    if (length > MAX_CACHED_FIELD_BYTES) return bytes.toString('latin1', first, last);
    // A hash of the length and five of the bytes: fields that differ elsewhere share a slot and
    // replace each other there, which costs a decode, while hashing every byte cost more.
    const quarter = length >> 2;
    let hash = Math.imul(length, 0x01000193);
    hash = Math.imul(hash ^ (bytes[first] ?? 0), 0x01000193);
    hash = Math.imul(hash ^ (bytes[first + quarter] ?? 0), 0x01000193);
    hash = Math.imul(hash ^ (bytes[first + (length >> 1)] ?? 0), 0x01000193);
    hash = Math.imul(hash ^ (bytes[last - 1 - quarter] ?? 0), 0x01000193);
    hash = Math.imul(hash ^ (bytes[last - 1] ?? 0), 0x01000193);
    const slot = (hash ^ (hash >>> 15)) & (FIELD_CACHE_SLOTS - 1);
    const cached = this.cache[slot] ?? '';
    if (cached.length === length && sameText(cached, bytes, first)) return cached;
    const decoded = bytes.toString('latin1', first, last);
    this.cache[slot] = decoded;
    return decoded;
  }
}

/** True when `text` has the character codes of the bytes from `first` on. */
function sameText(text: string, bytes: Uint8Array, first: number): boolean {
  for (let index = 0; index < text.length; index += 1) {
    if (text.charCodeAt(index) !== bytes[first + index]) return false;
  }
  return true;
}
