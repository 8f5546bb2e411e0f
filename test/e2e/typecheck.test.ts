/**
 * The strict TypeScript check of the server, tests and UI. Vitest strips types without checking
 * them, so without this test a type error would pass `npm test`.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

async function typeErrors(project: string): Promise<string> {
  try {
    await run(process.execPath, [TSC, '--noEmit', '-p', project], { maxBuffer: 16 * 1024 * 1024 });
    return '';
  } catch (error) {
    const failed = error as { stdout?: string; message: string };
    return failed.stdout === undefined || failed.stdout === '' ? failed.message : failed.stdout;
  }
}

describe('typecheck', () => {
  it('passes for server and tests', async () => {
    expect(await typeErrors('tsconfig.json')).toBe('');
  }, 300_000);

  it('passes for the UI', async () => {
    expect(await typeErrors('ui/tsconfig.json')).toBe('');
  }, 300_000);
});
