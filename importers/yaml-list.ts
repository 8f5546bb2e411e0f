/**
 * Reading a YAML (or JSON) document whose records sit in one top-level list, for the formats a
 * team writes by hand (plans, journals). Each item keeps its source line and raw text, so one bad
 * item becomes a warning naming its line while the others import, and editing one item changes
 * only that item's digest.
 */
import { readFile, stat } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type YAMLError } from 'yaml';
import { ImportError } from './types.js';

/**
 * Largest hand-written file read, in bytes; such files are read whole. The yaml package's
 * document tree takes far more memory than the text: a 7.5 MiB journal took 1.9 GB.
 */
export const MAX_YAML_BYTES = 2 * 1024 * 1024;

export interface YamlListItem {
  /** The item as plain data, for a schema to validate. */
  readonly value: unknown;
  /** 1-based line where the item starts. */
  readonly line: number;
  /** The item's source text, for its digest. */
  readonly raw: string;
  /** Line of a path inside the item (the nearest node that exists), for a warning. */
  lineOf(path: readonly PropertyKey[]): number;
  /** The source text of the scalar at a path inside the item, as written; undefined for other nodes. */
  sourceOf(path: readonly PropertyKey[]): string | undefined;
}

/** Description of a hand-written format, for the messages about a file's overall shape. */
export interface YamlListFormat {
  /** Top-level key of the list, e.g. `journal`. */
  readonly key: string;
  /** The file kind with its article, e.g. `a journal`. */
  readonly kind: string;
  /** Plural noun for the list's items, e.g. `entries`. */
  readonly items: string;
  /** A file to copy from, e.g. `examples/journal.yaml`. */
  readonly example: string;
}

/** Reads a hand-written file whole, rejecting one over `MAX_YAML_BYTES` or one that is not UTF-8. */
export async function readYamlFile(file: string, formatPlural: string): Promise<string> {
  const { size } = await stat(file);
  if (size > MAX_YAML_BYTES) {
    throw new ImportError(file, undefined, `${file} is ${size} bytes, over the ${MAX_YAML_BYTES}-byte (2 MiB) limit for ${formatPlural}; split it into several files`);
  }
  return decodeUtf8(file, await readFile(file));
}

/** Decodes UTF-8 strictly, so that Latin-1 text such as "René" is rejected instead of stored as U+FFFD. */
function decodeUtf8(file: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const line = firstInvalidLine(bytes);
    throw new ImportError(file, line, `${file}:${line}: the file is not valid UTF-8 (perhaps Latin-1 or Windows-1252); save it as UTF-8 and import it again`);
  }
}

/** Returns the 1-based line of the first invalid UTF-8 byte. A newline byte never occurs inside a multi-byte sequence, so each line decodes on its own. */
function firstInvalidLine(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  for (let line = 1; ; line += 1) {
    const end = bytes.indexOf(0x0a, start);
    try {
      decoder.decode(bytes.subarray(start, end < 0 ? bytes.length : end));
    } catch {
      return line;
    }
    if (end < 0) return line;
    start = end + 1;
  }
}

/**
 * Parses `text` and returns the items of its top-level list. Syntax errors, alias bombs and a
 * file of the wrong shape (no list, an empty list, a top-level list) raise an `ImportError`
 * naming the line, because nothing in such a file can be trusted.
 */
export function yamlList(file: string, text: string, format: YamlListFormat): readonly YamlListItem[] {
  const { key } = format;
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxError = document.errors[0];
  if (syntaxError !== undefined) {
    const line = lineCounter.linePos(syntaxError.pos[0]).line;
    throw new ImportError(file, line, `${file}:${line}: invalid YAML (${syntaxError.message.split('\n')[0]}); ${syntaxHint(syntaxError)}`);
  }

  const lineOf = (path: readonly PropertyKey[]): number => {
    for (let length = path.length; length >= 0; length -= 1) {
      const node = document.getIn(path.slice(0, length) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node?.range !== undefined) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };

  const list = document.get(key, true);
  if (!isSeq(list) || list.items.length === 0) throw shapeError(file, document.contents, list, lineOf([key]), format);

  let plain: unknown[];
  try {
    plain = (document.toJS({ maxAliasCount: 100 }) as Record<string, unknown[]>)[key] ?? [];
  } catch (error) {
    // The yaml package refuses documents whose aliases expand too far (a "billion laughs" file).
    throw new ImportError(file, undefined, `${file}: cannot expand the YAML aliases (${(error as Error).message}); write the values out instead of using aliases`);
  }

  return list.items.map((node, index): YamlListItem => {
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    return {
      value: plain[index],
      line: lineOf([key, index]),
      raw: range === undefined ? JSON.stringify(plain[index]) : text.slice(range[0], range[1]),
      lineOf: (path) => lineOf([key, index, ...path]),
      sourceOf: (path) => {
        const scalar = document.getIn([key, index, ...path], true);
        return isScalar(scalar) && scalar.range !== undefined && scalar.range !== null ? text.slice(scalar.range[0], scalar.range[1]).trim() : undefined;
      },
    };
  });
}

/** Picks the fix for a YAML syntax error by the yaml package's error code. */
function syntaxHint(error: YAMLError): string {
  switch (error.code) {
    case 'DUPLICATE_KEY':
      return 'remove or rename the repeated key';
    case 'RESOURCE_EXHAUSTION':
      return 'the nesting is too deep; write the lists and mappings out flatter';
    default:
      return 'fix the syntax there, e.g. the indentation or a missing colon';
  }
}

/** Builds the error for a file without a non-empty top-level list, worded for what the file contains instead. */
function shapeError(file: string, contents: unknown, list: unknown, line: number, format: YamlListFormat): ImportError {
  const { key, kind, items, example } = format;
  const at = (where: number, message: string): ImportError => new ImportError(file, where, `${file}:${where}: ${message}`);
  if (contents === null || contents === undefined || (isScalar(contents) && (contents.value === null || contents.value === ''))) {
    return at(1, `the file is empty; ${kind} is a mapping with a "${key}:" list of ${items}, see ${example}`);
  }
  if (isSeq(contents)) {
    return at(line, `the file is a list, but ${kind} is a mapping whose "${key}:" key holds the list; put "${key}:" on the first line and indent the ${items} under it`);
  }
  if (!isMap(contents) || !contents.has(key)) {
    return at(line, `no "${key}:" list found; ${kind} is a mapping with a "${key}:" list of ${items}, see ${example}`);
  }
  if (isSeq(list) || list === null || list === undefined || (isScalar(list) && list.value === null)) {
    return at(line, `"${key}:" lists no ${items}; add at least one under it, see ${example}`);
  }
  return at(line, `"${key}:" must hold a list of ${items}, each starting with "- "; see ${example}`);
}

/** Writes a zod issue path the way a person reads it: `criteria.targetTags[1]`. */
export function describePath(path: readonly PropertyKey[], whole: string): string {
  if (path.length === 0) return whole;
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[');
}
