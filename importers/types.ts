/**
 * Types every importer shares: where a record came from, what a parser yields, and the error
 * raised for input that cannot be read at all.
 */
import { hash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** The position of a parsed record in its source: a 1-based line number, a record key, or both. */
export interface Locator {
  readonly file: string;
  readonly line?: number;
  readonly key?: string;
}

/** A malformed record that was skipped or read only in part. `line` is 1-based. */
export interface ImportWarning {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/**
 * One parsed record with its locator and the SHA-256 (lowercase hex) of the raw bytes it was
 * read from. For line records those are the line's bytes without its terminator; each format
 * documents what it hashes for multi-line or summary records.
 */
export interface ParsedRecord<R> {
  readonly kind: 'record';
  readonly record: R;
  readonly locator: Locator;
  readonly digest: string;
}

export interface ParsedWarning {
  readonly kind: 'warning';
  readonly warning: ImportWarning;
}

export type Parsed<R> = ParsedRecord<R> | ParsedWarning;

/** A file path, or an already open byte stream with the name to report it under. */
export type Source = string | { readonly file: string; readonly stream: Readable | AsyncIterable<Uint8Array> };

export interface ParseOptions {
  /** Raise the first warning as an `ImportError` instead of yielding it. */
  readonly strict?: boolean;
  /** Lines longer than this many bytes are skipped with a warning; default 1 MiB. */
  readonly maxLineBytes?: number;
  /**
   * The thread that scans the lines of a file, for a format that can use a worker (obslog): a
   * worker thread while the main thread builds records, or the main thread alone. By default a
   * worker scans files of 128 MiB or more, which repay the worker's start (about half a second).
   */
  readonly scanThread?: 'worker' | 'main';
}

/** Input that cannot be imported at all (wrong encoding, binary, too large) or a strict-mode warning. */
export class ImportError extends Error {
  override readonly name = 'ImportError';

  constructor(
    readonly file: string,
    readonly line: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

export function sourceName(source: Source): string {
  return typeof source === 'string' ? source : source.file;
}

/** SHA-256 of the given bytes or UTF-8 text as lowercase hex. */
export function sha256(data: Uint8Array | string): string {
  return hash('sha256', data, 'hex');
}

/** Builds a parsed record; a digest given as text to hash is computed once, when first read. */
export function record<R>(value: R, locator: Locator, digest: string | { readonly text: string }): ParsedRecord<R> {
  return typeof digest === 'string' ? { kind: 'record', record: value, locator, digest } : new TextRecord(value, locator, digest.text);
}

/**
 * A record whose digest is the SHA-256 of its line's UTF-8 text, computed on first read, so a
 * line that no command cites (most obslog lines only feed the session summary) costs no hash.
 * Spreading it drops the digest, which lives on the prototype, so copy `digest` by name.
 */
class TextRecord<R> implements ParsedRecord<R> {
  readonly kind = 'record';
  #text: string;
  #digest: string | undefined;

  constructor(
    readonly record: R,
    readonly locator: Locator,
    text: string,
  ) {
    this.#text = text;
  }

  get digest(): string {
    this.#digest ??= sha256(this.#text);
    return this.#digest;
  }
}

/**
 * Builds a parsed record whose digest is the SHA-256 of `source[start, end)`, computed once,
 * when first read. The record keeps a reference to `source`, which must not change afterwards.
 */
export function bytesRecord<R>(value: R, locator: Locator, source: Uint8Array, start: number, end: number): ParsedRecord<R> {
  return new BytesRecord(value, locator, source, start, end);
}

/** A record whose digest is the SHA-256 of its line's bytes, computed on first read; see `TextRecord`. */
class BytesRecord<R> implements ParsedRecord<R> {
  readonly kind = 'record';
  #source: Uint8Array;
  #start: number;
  #end: number;
  #digest: string | undefined;

  constructor(
    readonly record: R,
    readonly locator: Locator,
    source: Uint8Array,
    start: number,
    end: number,
  ) {
    this.#source = source;
    this.#start = start;
    this.#end = end;
  }

  get digest(): string {
    this.#digest ??= sha256(this.#source.subarray(this.#start, this.#end));
    return this.#digest;
  }
}

export function warning(file: string, line: number, message: string): ParsedWarning {
  return { kind: 'warning', warning: { file, line, message } };
}

/**
 * Passes parsed items through, but in strict mode raises the first warning as an
 * `ImportError` so that a caller can reject a file with any malformed record.
 */
export function applyStrictness<R>(items: AsyncGenerator<Parsed<R>>, strict: boolean | undefined): AsyncGenerator<Parsed<R>> {
  return strict === true ? strictly(items) : items;
}

async function* strictly<R>(items: AsyncIterable<Parsed<R>>): AsyncGenerator<Parsed<R>> {
  for await (const item of items) {
    if (item.kind === 'warning') throw strictError(item.warning);
    yield item;
  }
}

/** Raises the first warning among the items as an `ImportError`, for strict mode. */
export function throwFirstWarning<R>(items: readonly Parsed<R>[]): void {
  for (const item of items) {
    if (item.kind === 'warning') throw strictError(item.warning);
  }
}

function strictError({ file, line, message }: ImportWarning): ImportError {
  return new ImportError(file, line, `${file}:${line}: ${message} (strict mode stops at the first malformed record)`);
}

/** Collects a parser's output into records and warnings; for tests and small files only. */
export async function collect<R>(items: AsyncIterable<Parsed<R>>): Promise<{ records: ParsedRecord<R>[]; warnings: ImportWarning[] }> {
  const records: ParsedRecord<R>[] = [];
  const warnings: ImportWarning[] = [];
  for await (const item of items) {
    if (item.kind === 'record') records.push(item);
    else warnings.push(item.warning);
  }
  return { records, warnings };
}
