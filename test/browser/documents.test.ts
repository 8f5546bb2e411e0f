/**
 * Every GraphQL document the UI sends is valid against the server's schema. The documents are
 * read from ui/src as written (`/* GraphQL *\/` template literals), with `${NAME}` fragments
 * replaced by the same file's string constants, so a renamed field fails here before a page
 * fails in the browser.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onskySchema } from '../../api/schema/index.js';
import { ROOT } from './build.js';

const SOURCE = join(ROOT, 'ui', 'src');

// The schema is built by Pothos with the CommonJS copy of graphql; validating with the ES module
// copy fails as "another module or realm", so take the same copy here.
const { parse, validate } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Extracts the operations of one file, with their interpolated constants expanded. */
function documentsOf(text: string): string[] {
  const constants = new Map<string, string>();
  for (const match of text.matchAll(/const (\w+) = (?:\/\* GraphQL \*\/ )?(?:`([^`]*)`|'([^']*)')/g)) {
    constants.set(match[1]!, match[2] ?? match[3] ?? '');
  }
  const expand = (template: string, depth = 0): string =>
    depth > 5 ? template : template.replace(/\$\{(\w+)\}/g, (_, name: string) => expand(constants.get(name) ?? `MISSING_${name}`, depth + 1));
  return [...text.matchAll(/\/\* GraphQL \*\/ `([^`]*)`/g)]
    .map((match) => expand(match[1]!))
    .filter((document) => /^\s*(query|mutation|subscription)\b/.test(document));
}

const documents = sourceFiles(SOURCE).flatMap((file) => documentsOf(readFileSync(file, 'utf8')).map((document) => ({ file: relative(ROOT, file), document })));

describe('ui graphql documents', () => {
  it('finds the documents', () => {
    expect(documents.length).toBeGreaterThanOrEqual(15);
  });

  it('rejects an unknown field', () => {
    const errors = validate(onskySchema(), parse('query { features { edges { node { noSuchField } } } }'));
    expect(errors.map((error) => error.message).join()).toContain('noSuchField');
  });

  it.each(documents.map((entry) => [`${entry.file}: ${/(query|mutation|subscription)\s+(\w+)/.exec(entry.document)?.[2] ?? '?'}`, entry.document]))(
    '%s validates',
    (_name, document) => {
      const errors = validate(onskySchema(), parse(document)).map((error) => error.message);
      expect(errors).toEqual([]);
    },
  );
});
