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
  computed ??= hashSources();
  return computed;
}

function hashSources(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const hash = createHash('sha256').update(`format ${PROJECTION_FORMAT_VERSION}\n`);
  for (const folder of [here, join(here, '..', 'domain')]) {
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
