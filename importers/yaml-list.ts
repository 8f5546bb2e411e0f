/**
 * Reading a YAML (or JSON) document whose records sit in one top-level list, for the formats a
 * team writes by hand (plans, journals). Each item keeps its source line and raw text, so one bad
 * item becomes a warning naming its line while the others import, and editing one item changes
 * only that item's digest.
 */
import { readFile, stat } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { ImportError } from './types.js';

/** Largest hand-written file read, in bytes; such files are read whole. */
export const MAX_YAML_BYTES = 8 * 1024 * 1024;

export interface YamlListItem {
  /** The item as plain data, for a schema to validate. */
  readonly value: unknown;
  /** 1-based line where the item starts. */
  readonly line: number;
  /** The item's source text, for its digest. */
  readonly raw: string;
  /** Line of a path inside the item (the nearest node that exists), for a warning. */
  lineOf(path: readonly PropertyKey[]): number;
}

export type YamlList =
  | { readonly kind: 'list'; readonly items: readonly YamlListItem[] }
  | { readonly kind: 'missing'; readonly line: number };

export async function readYamlFile(file: string, what: string): Promise<string> {
  const { size } = await stat(file);
  if (size > MAX_YAML_BYTES) {
    throw new ImportError(file, undefined, `${file} is ${size} bytes, over the ${MAX_YAML_BYTES}-byte limit for ${what}; split it into several files`);
  }
  return readFile(file, 'utf8');
}

/**
 * Parses `text` and returns the items of its top-level `key:` list. Syntax errors and alias bombs
 * raise an `ImportError` naming the line, because nothing in such a file can be trusted.
 */
export function yamlList(file: string, text: string, key: string): YamlList {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxError = document.errors[0];
  if (syntaxError !== undefined) {
    const line = lineCounter.linePos(syntaxError.pos[0]).line;
    throw new ImportError(file, line, `${file}:${line}: invalid YAML (${syntaxError.message.split('\n')[0]}); fix the syntax there, e.g. the indentation or a missing colon`);
  }

  const lineOf = (path: readonly PropertyKey[]): number => {
    for (let length = path.length; length >= 0; length -= 1) {
      const node = document.getIn(path.slice(0, length) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node?.range !== undefined) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };

  const list = document.get(key, true);
  if (!isMap(document.contents) || !isSeq(list)) return { kind: 'missing', line: lineOf([key]) };

  let plain: unknown[];
  try {
    plain = (document.toJS({ maxAliasCount: 100 }) as Record<string, unknown[]>)[key] ?? [];
  } catch (error) {
    // The yaml package refuses documents whose aliases expand too far (a "billion laughs" file).
    throw new ImportError(file, undefined, `${file}: cannot expand the YAML aliases (${(error as Error).message}); write the values out instead of using aliases`);
  }

  const items = list.items.map((node, index): YamlListItem => {
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    return {
      value: plain[index],
      line: lineOf([key, index]),
      raw: range === undefined ? JSON.stringify(plain[index]) : text.slice(range[0], range[1]),
      lineOf: (path) => lineOf([key, index, ...path]),
    };
  });
  return { kind: 'list', items };
}

/** Writes a zod issue path the way a person reads it: `criteria.targetTags[1]`. */
export function describePath(path: readonly PropertyKey[], whole: string): string {
  if (path.length === 0) return whole;
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[');
}
