/**
 * The version of the code that folds the read models: a SHA-256 over the source of projections/
 * and domain/. A snapshot records it, and a snapshot written by other code is rebuilt from the
 * log instead of trusted, because its records may have another shape or meaning.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bump when the snapshot layout changes in a way the source hash would not show. */
export const PROJECTION_FORMAT_VERSION = 1;

let computed: string | undefined;

/** Returns the code version, computed once per process. */
export function projectionCodeVersion(): string {
  computed ??= hashSourceFolders(['projections', 'domain'], `format ${PROJECTION_FORMAT_VERSION}`);
  return computed;
}

/**
 * Hashes the TypeScript and JavaScript sources of the named top-level folders with a salt, so a
 * file written by one build of the code can be distinguished from one written by another.
 */
export function hashSourceFolders(folders: readonly string[], salt: string): string {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const hash = createHash('sha256').update(`${salt}\n`);
  for (const folder of folders.map((name) => join(root, name))) {
    let files: string[];
    try {
      files = readdirSync(folder).filter((file) => /\.[cm]?[jt]s$/.test(file)).sort();
    } catch {
      // NOTE: without readable sources (a bundled build) only the format version guards snapshots.
      continue;
    }
    for (const file of files) {
      hash.update(`${file}\n`).update(readFileSync(join(folder, file)));
    }
  }
  return hash.digest('hex');
}
