/**
 * Checkpoints. A valid snapshot resumes without reading the log from the start. A missing,
 * corrupt, truncated, foreign or mismatched one is logged, and the read models are rebuilt.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startProjections, type StartReport } from '../../projections/index.js';
import { NOW, smallHistory } from './small-history.js';
import { openTestStore, recordingLogger, type TestStore } from './support.js';

let test: TestStore;
let snapshotFile: string;

beforeEach(async () => {
  test = openTestStore();
  snapshotFile = test.file('projections.snapshot');
  await smallHistory().writeTo(test.store);
});

afterEach(async () => {
  await test.close();
});

/** Starts, waits until caught up, and closes; closing writes the snapshot. */
async function startAndClose(store = test.store, codeVersion?: string): Promise<{ report: StartReport; logger: ReturnType<typeof recordingLogger>; board: string[] }> {
  const logger = recordingLogger();
  const projections = startProjections(store, { snapshotFile, logger, codeVersion });
  // Taken before `ready` on purpose: the reference must see the restored or rebuilt state.
  const query = projections.query;
  const report = await projections.ready;
  const board = query.featureBoard(NOW).map((entry) => `${entry.featureKey}:${entry.status}`);
  await projections.close();
  return { report, logger, board };
}

function warnings(logger: ReturnType<typeof recordingLogger>): string[] {
  return logger.lines.filter((line) => line.level === 'warn').map((line) => String(line.fields.reason));
}

describe('projection checkpoints', () => {
  it('rebuilds when no snapshot exists', async () => {
    const { report, logger } = await startAndClose();
    expect(report.source).toBe('rebuild');
    expect(report.reason).toContain('no snapshot at');
    expect(logger.lines.some((line) => line.level === 'info' && line.message === 'rebuilding the read models from the log')).toBe(true);
  });

  it('resumes from a valid snapshot', async () => {
    const first = await startAndClose();
    const second = await startAndClose();
    expect(second.report).toEqual({ source: 'snapshot', reason: null, eventsReplayed: 0 });
    expect(second.board).toEqual(first.board);
  });

  it('replays only events after the snapshot', async () => {
    await startAndClose();
    await test.store.append('feature-CAM-PORTAL', [
      {
        id: '00000000-0000-4000-8000-999999999999',
        type: 'FeatureWithdrawn',
        schemaVersion: 1,
        data: { featureKey: 'CAM-PORTAL', reason: 'superseded', withdrawnBy: 'lead', withdrawnAt: '2019-03-08T00:00:00Z' },
        metadata: { actor: 'lead', recordedAt: '2019-03-08T00:00:00Z', correlationId: 'c', causationId: 'c' },
      },
    ], 'any');
    const { report, board } = await startAndClose();
    expect(report).toEqual({ source: 'snapshot', reason: null, eventsReplayed: 1 });
    expect(board).toContain('CAM-PORTAL:withdrawn');
  });

  it('removes files of killed writers', async () => {
    // A child that has exited stands for a writer killed mid-write, and this process's parent for a live
    // one (this process writes its own snapshot under its own pid).
    const child = spawnSync(process.execPath, ['-e', '0']);
    expect(child.status).toBe(0);
    const dead = `${snapshotFile}.${child.pid}.tmp`;
    const live = `${snapshotFile}.${process.ppid}.tmp`;
    writeFileSync(dead, 'H {"half":');
    writeFileSync(live, 'H {"half":');
    const { logger } = await startAndClose();
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(logger.lines.find((line) => line.level === 'warn')?.fields.removed).toEqual([basename(dead)]);
  });

  it('rebuilds from a corrupt snapshot', async () => {
    await startAndClose();
    const text = readFileSync(snapshotFile, 'utf8');
    writeFileSync(snapshotFile, text.replace('"CBF-1K-DELAY"', '"CBF-1K-DELAX"'));
    const { report, logger } = await startAndClose();
    expect(report.source).toBe('rebuild');
    expect(warnings(logger)[0]).toMatch(/checksum mismatch/);
  });

  it('rebuilds from invalid JSON', async () => {
    await startAndClose();
    writeFileSync(snapshotFile, 'H {not json\nE {"sha256":"x"}\n');
    const { report, logger } = await startAndClose();
    expect(report.source).toBe('rebuild');
    expect(warnings(logger)).toHaveLength(1);
  });

  it('rebuilds from a truncated snapshot', async () => {
    await startAndClose();
    const text = readFileSync(snapshotFile, 'utf8');
    writeFileSync(snapshotFile, text.slice(0, Math.floor(text.length / 2)));
    const { report, logger } = await startAndClose();
    expect(report.source).toBe('rebuild');
    expect(warnings(logger)[0]).toMatch(/truncated/);
    expect(report.eventsReplayed).toBeGreaterThan(0);
  });

  it('rebuilds a snapshot from other code', async () => {
    await startAndClose(test.store, 'version-a');
    const { report, logger } = await startAndClose(test.store, 'version-b');
    expect(report.source).toBe('rebuild');
    expect(warnings(logger)[0]).toMatch(/written by other projection code/);
  });

  it('rebuilds when the event id at the position differs', async () => {
    await startAndClose();
    // Another store with as many events but other ids: the log was replaced.
    const other = openTestStore();
    try {
      const history = smallHistory();
      for (const entry of history.requests) {
        const events = entry.request.events.map((event) => ({ ...event, id: event.id.replace('00000000-', '11111111-') }));
        await other.store.append(entry.request.stream, events, 'any');
      }
      const { report, logger } = await startAndClose(other.store);
      expect(report.source).toBe('rebuild');
      expect(warnings(logger)[0]).toMatch(/the event at position \d+ is 11111111-/);
    } finally {
      await other.close();
    }
  });

  it('rebuilds when the log ends before the position', async () => {
    await startAndClose();
    const shorter = openTestStore();
    try {
      const history = smallHistory();
      for (const entry of history.requests.slice(0, 3)) await shorter.store.append(entry.request.stream, entry.request.events, 'any');
      const { report, logger } = await startAndClose(shorter.store);
      expect(report.source).toBe('rebuild');
      expect(warnings(logger)[0]).toMatch(/the log ends at position/);
    } finally {
      await shorter.close();
    }
  });

  it('reports a failed start', async () => {
    const closed = openTestStore();
    await closed.store.close();
    const logger = recordingLogger();
    const projections = startProjections(closed.store, { logger });
    await expect(projections.ready).rejects.toThrow();
    expect(logger.lines.filter((line) => line.level === 'error').map((line) => line.message)).toEqual(['projections failed to start; the read models are not serving']);
    await projections.close();
    await closed.close();
  });
});
