import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/sqlite.js';
import { collect } from '../contract/suite.js';
import { collectStderr, exited, onLines, spawnTypeScript } from '../support/processes.js';
import { tempFolder } from '../support/temp.js';

const KILLS = 24;

describe('SQLite store under SIGKILL', () => {
  it('keeps every acknowledged append', async () => {
    const folder = tempFolder('onsky-crash-');
    const file = join(folder.path, 'events.sqlite');
    const acknowledged = new Map<string, string[]>();
    let killsWhileWriting = 0;

    try {
      for (let round = 0; round < KILLS; round++) {
        const child = spawnTypeScript('test/support/store-worker.ts', ['crash', file, String(round)]);
        const stderr = collectStderr(child);
        let ready!: () => void;
        const started = new Promise<void>((resolve) => (ready = resolve));
        let acksThisRound = 0;
        onLines(child, (line) => {
          if (line === 'ready') ready();
          if (line.startsWith('ack ')) {
            const ack = JSON.parse(line.slice(4)) as { batchId: string; ids: string[] };
            acknowledged.set(ack.batchId, ack.ids);
            acksThisRound += 1;
          }
        });
        await Promise.race([started, exited(child).then((code) => Promise.reject(new Error(`worker exited with ${code}: ${stderr()}`)))]);
        // A random moment while the worker is appending as fast as it can.
        await new Promise((resolve) => setTimeout(resolve, 30 + Math.random() * 250));
        child.kill('SIGKILL');
        expect(await exited(child)).toBe('SIGKILL');
        if (acksThisRound > 0) killsWhileWriting += 1;

        const store = openSqliteStore(file);
        try {
          const events = await collect(store.readAll());
          const storedIds = new Set(events.map((event) => event.id));
          for (const [batchId, ids] of acknowledged) {
            for (const id of ids) expect(storedIds.has(id), `acknowledged event ${id} of batch ${batchId} is missing`).toBe(true);
          }

          // No partial append: every batch in the log is there whole.
          const batchCounts = new Map<string, { seen: number; size: number }>();
          for (const event of events) {
            const data = event.data as { batchId: string; size: number };
            const entry = batchCounts.get(data.batchId) ?? { seen: 0, size: data.size };
            entry.seen += 1;
            batchCounts.set(data.batchId, entry);
          }
          for (const [batchId, { seen, size }] of batchCounts) {
            expect(seen, `batch ${batchId} is partial`).toBe(size);
          }

          // Positions and per-stream revisions are contiguous.
          events.forEach((event, index) => expect(event.position).toBe(BigInt(index + 1)));
          const nextRevision = new Map<string, number>();
          for (const event of events) {
            expect(event.revision).toBe(nextRevision.get(event.stream) ?? 0);
            nextRevision.set(event.stream, event.revision + 1);
          }
        } finally {
          await store.close();
        }
      }
      expect(killsWhileWriting).toBeGreaterThanOrEqual(KILLS / 2);
    } finally {
      folder.remove();
    }
  }, 180_000);
});
