import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/sqlite.js';
import { collect } from '../contract/suite.js';
import { runCli } from '../support/cli.js';
import { tempFolder } from '../support/temp.js';

let folder: ReturnType<typeof tempFolder>;
let data: string;

beforeEach(() => {
  folder = tempFolder('onsky-hostile-');
  data = join(folder.path, 'data');
});

afterEach(() => folder.remove());

async function storedEvents(): Promise<number> {
  const store = openSqliteStore(join(data, 'events.sqlite'));
  const count = (await collect(store.readAll())).length;
  await store.close();
  return count;
}

function archiveRows(count: number): string[] {
  const rows = ['Proposal ID\tSchedule Block\tStartTime\tTarget/s\tObserver\tDescription'];
  for (let row = 0; row < count; row++) {
    const minute = String(row % 60).padStart(2, '0');
    const hour = String(Math.floor(row / 60) % 24).padStart(2, '0');
    rows.push(`20180306SB-02\t20190301-${String(row).padStart(4, '0')}\t2019-03-${String(1 + Math.floor(row / 1440)).padStart(2, '0')} ${hour}:${minute}:00\tPKS 1934-63\tobserver1\tcheck ${row}`);
  }
  return rows;
}

describe('hostile files', () => {
  it('rejects a late NUL byte whole', async () => {
    const file = join(folder.path, 'listing.tsv');
    const rows = archiveRows(3000);
    rows.push('20180306SB-02\t20190301-9999\t2019-03-05 00:00:00\tPKS 1934-63\tobserver1\tbad \u0000 row');
    writeFileSync(file, `${rows.join('\n')}\n`);

    const result = await runCli(['import', 'archive', file, '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:3002 contains a NUL byte`);
    expect(result.stderr).not.toContain('    at ');
    expect(await storedEvents()).toBe(0);
  });

  it('rejects UTF-16 with the fix', async () => {
    const file = join(folder.path, 'listing-utf16.tsv');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(archiveRows(3).join('\n'), 'utf16le')]));
    const result = await runCli(['import', 'archive', file, '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('UTF-16');
    expect(result.stderr).toContain('save it as UTF-8');
    expect(await storedEvents()).toBe(0);
  });

  it('rejects random bytes without NUL whole', async () => {
    const file = join(folder.path, 'noise.log');
    writeFileSync(file, Buffer.from(randomBytes(512 * 1024).filter((byte) => byte !== 0)));
    const result = await runCli(['import', 'obslog', file, '--data', data]);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`${file} is not text: \\d+ % of the first 64 KiB are control characters`));
    expect(result.stdout).toBe('');
    expect(await storedEvents()).toBe(0);
  });

  it('reads Latin-1 with a warning', async () => {
    const file = join(folder.path, 'listing-latin1.tsv');
    const rows = archiveRows(2);
    rows[1] = `${rows[1]} caf\u00e9`;
    writeFileSync(file, Buffer.from(`${rows.join('\n')}\n`, 'latin1'));
    const result = await runCli(['import', 'archive', file, '--data', data, '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { read: number; warnings: Array<{ line: number; message: string }> };
    expect(summary.read).toBe(2);
    expect(summary.warnings.some((warning) => warning.line === 2 && /Latin-1/.test(warning.message))).toBe(true);
  });

  it('skips a 10 MB line with a warning', async () => {
    const file = join(folder.path, 'huge-line.log');
    const lines = [
      '2019-03-05 16:24:22.230Z INFO     Capture block ID = 1551803062',
      `2019-03-05 16:24:23.000Z INFO     ${'x'.repeat(10 * 1024 * 1024)}`,
      "2019-03-05 16:24:24.000Z INFO     Waiting for sensor 'lock' == True had 2 straggler(s): ['m006', 'm031']",
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await runCli(['import', 'obslog', file, '--data', data, '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { appended: number; warnings: Array<{ line: number; message: string }> };
    expect(summary.warnings.map((warning) => warning.line)).toContain(2);
    // The lines around it still count: the capture block's facts, the straggler anomaly, and
    // the session summary written at the end of the file.
    expect(summary.appended).toBe(3);
  });
});
