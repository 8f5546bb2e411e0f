/**
 * What an import makes of a path that is not a plain file it can read. A file that went away
 * after the command checked it gets an ImportError in words, which the command prints on one
 * line. A file that changes while it is read gets a warning. A pipe, which reports no size, is
 * read like a file rather than called empty.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFile } from '../../api/imports.js';
import { domainUpcasters } from '../../domain/upcasters.js';
import { ImportError } from '../../importers/types.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { fixture } from '../importers/support.js';
import { tempFolder } from '../support/temp.js';

const folder = tempFolder('onsky-import-sources-');
const store = openSqliteStore(join(folder.path, 'events.sqlite'), { upcasters: domainUpcasters });
afterAll(async () => {
  await store.close();
  folder.remove();
});

describe('import sources', () => {
  it('names a file that went away', async () => {
    const missing = join(folder.path, 'gone.log');
    const failure = await importFile({ store, format: 'obslog', path: missing }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ImportError);
    expect((failure as ImportError).message).toBe(`${missing} was not found (moved or deleted since the import started?); check the path and import it again`);
  });

  it('warns of a file changed midway', async () => {
    const log = join(folder.path, 'growing.log');
    writeFileSync(log, readFileSync(fixture('obslog-1551803062.log')));
    // Each flushed event calls onProgress, which here writes more to the file, as a running
    // observation script would.
    const summary = await importFile({ store, format: 'obslog', path: log, batchEvents: 1, onProgress: () => appendFileSync(log, '2019-03-05 18:00:00.000Z INFO slewing to target\n') });
    const sizeAfter = statSync(log).size;
    expect(summary.appended).toBeGreaterThan(0);
    expect(summary.warnings.map((warning) => warning.message)).toContainEqual(expect.stringMatching(new RegExp(`^${log} changed while it was being imported \\(it went from \\d+ to ${sizeAfter} bytes\\)`)));
  });

  it('reads a pipe as a file', async () => {
    const pipe = join(folder.path, 'obslog.pipe');
    execFileSync('mkfifo', [pipe]);
    // The writer blocks until the import opens the pipe for reading.
    const writer = spawn('sh', ['-c', 'cat "$0" > "$1"', fixture('obslog-1551803062.log'), pipe], { stdio: 'ignore' });
    const written = once(writer, 'exit');
    const summary = await importFile({ store, format: 'obslog', path: pipe });
    await written;
    expect(summary.warnings.filter((warning) => warning.message.includes('empty'))).toEqual([]);
    expect(summary.read).toBeGreaterThan(10);
    // The observation was stored by the test before, so the pipe's records are duplicates.
    expect(summary.appended + summary.duplicates).toBeGreaterThan(0);
  });
});
