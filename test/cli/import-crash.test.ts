import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/sqlite.js';
import { collect } from '../contract/suite.js';
import { runCli } from '../support/cli.js';
import { exited, spawnTypeScript } from '../support/processes.js';
import { tempFolder } from '../support/temp.js';

const KILLS = 20;
/** Large enough that the kills land while the import still writes, on a quiet machine too. */
const ROWS = 20_000;

/** Writes an archive listing of ROWS observations, ten minutes apart, each citing a ticket. */
function writeArchive(file: string): void {
  const targets = ['PKS 1934-63', 'J0825-5010', '3C286', 'J2322-2650', 'PKS 0408-65'];
  const lines = ['Proposal ID\tSchedule Block\tStartTime\tTarget/s\tObserver\tDescription'];
  const start = Date.UTC(2019, 2, 1, 0, 0, 0);
  for (let row = 0; row < ROWS; row++) {
    const time = new Date(start + row * 600_000);
    const day = time.toISOString().slice(0, 10).replace(/-/g, '');
    const stamp = time.toISOString().slice(0, 19).replace('T', ' ');
    lines.push(`20180306SB-02\t${day}-${String(row % 10_000).padStart(4, '0')}\t${stamp}\t${targets[row % targets.length]}\tobserver1\tCOMM-${300 + (row % 50)} delay check ${row}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

async function logOf(dataDir: string): Promise<string[]> {
  const store = openSqliteStore(join(dataDir, 'events.sqlite'));
  const events = await collect(store.readAll());
  await store.close();
  return events.map((event) => JSON.stringify([event.id, event.stream, event.revision, event.type, event.data]));
}

describe('import killed midway', () => {
  it('completes on re-run with nothing twice', async () => {
    const folder = tempFolder('onsky-import-crash-');
    try {
      const file = join(folder.path, 'archive-large.tsv');
      writeArchive(file);
      const crashed = join(folder.path, 'crashed');
      const clean = join(folder.path, 'clean');

      let killedWhileRunning = 0;
      for (let round = 0; round < KILLS; round++) {
        const child = spawnTypeScript('cli/onsky.ts', ['import', 'archive', file, '--data', crashed]);
        child.stdin.end();
        await new Promise((resolve) => setTimeout(resolve, 600 + Math.random() * 1500));
        if (child.exitCode === null) killedWhileRunning += 1;
        child.kill('SIGKILL');
        await exited(child);
      }
      const finish = await runCli(['import', 'archive', file, '--data', crashed, '--json']);
      expect(finish.code).toBe(0);
      const cleanRun = await runCli(['import', 'archive', file, '--data', clean, '--json']);
      expect(cleanRun.code).toBe(0);
      expect((JSON.parse(cleanRun.stdout) as { appended: number }).appended).toBeGreaterThanOrEqual(ROWS);

      const crashedLog = await logOf(crashed);
      const cleanLog = await logOf(clean);
      expect(new Set(crashedLog).size).toBe(crashedLog.length);
      expect(crashedLog).toEqual(cleanLog);
      // Kills must land while the import still runs, or the test proves little. Once a round
      // completes the import, later rounds only confirm it and exit early, hence the low bar.
      expect(killedWhileRunning).toBeGreaterThanOrEqual(5);
    } finally {
      folder.remove();
    }
  }, 300_000);
});
