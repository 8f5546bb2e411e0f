/**
 * Builds the UI into dist/ui with Vite's API, once per test run: a build newer than every file
 * under ui/ is reused, and a lock folder keeps test files in parallel processes from building at
 * the same time.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const UI_SOURCE = join(ROOT, 'ui');
export const UI_DIST = join(ROOT, 'dist', 'ui');

function newestModification(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  const index = join(UI_DIST, 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= newestModification(UI_SOURCE);
}

/** Builds dist/ui unless a build newer than the sources exists; returns the folder. */
export async function ensureUiBuilt(): Promise<string> {
  const lock = join(ROOT, 'dist', '.ui-build-lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another process builds; a lock older than two minutes belongs to a process that died.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`the UI build lock ${lock} is still held after 2 minutes; remove it if no build runs`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (!isFresh()) {
      const { build } = await import('vite');
      await build({ configFile: join(UI_SOURCE, 'vite.config.ts'), logLevel: 'warn' });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return UI_DIST;
}
