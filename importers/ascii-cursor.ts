/**
 * Reads the fields of an ASCII line from its bytes, left to right, for parsers of logs that run to
 * gigabytes. Each step either consumes what it expects and returns true, or returns false. The
 * caller then reads the line the general way (regular expressions on its text), so the cursor
 * only has to be right for the lines it accepts.
 */

const DIGIT_0 = 48;
const DIGIT_9 = 57;
const DOT = 46;
const MINUS = 45;

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
  private bytes: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;
  /** The byte the next step reads. */
  private index = 0;
  /** The number the last `decimal`, `signedDecimal` or `digits` step read. */
  value = 0;

  /** Points the cursor at the line in `bytes[start, end)`, at `offset` bytes from its start. */
  reset(bytes: Uint8Array, start: number, end: number, offset: number): void {
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
    if (this.end - index < expected.length) return false;
    for (let offset = 0; offset < expected.length; offset += 1) {
      if (this.bytes[index + offset] !== expected[offset]) return false;
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
      value = Number(Buffer.from(this.bytes.buffer, this.bytes.byteOffset + from, end - from).toString('latin1'));
    }
    this.value = negative ? -value : value;
    this.index = end;
    return true;
  }
}
