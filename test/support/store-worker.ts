/**
 * A child process that writes to a SQLite event store, for the crash and race tests.
 *
 *   store-worker.ts crash FILE WORKER   appends batches forever; prints `ack <json>` after each
 *                                       acknowledged append, until the parent kills it.
 *   store-worker.ts race FILE WORKER N  prints `ready`, waits for a line on stdin, then appends to
 *                                       stream "race" with exact expected revisions until the
 *                                       stream has N events; prints `won`/`lost` lines.
 *   store-worker.ts open FILE WORKER    prints the store's id once it is open, and exits.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { NewEvent } from '../../store/port.js';
import { openSqliteStore } from '../../store/sqlite.js';

const [mode, file, worker, target] = process.argv.slice(2);
if (mode === undefined || file === undefined || worker === undefined) {
  process.stderr.write('usage: store-worker.ts crash|race|open FILE WORKER [N]\n');
  process.exit(2);
}

const store = openSqliteStore(file);

function event(type: string, data: Record<string, unknown>): NewEvent {
  return { id: randomUUID(), type, schemaVersion: 1, data, metadata: { actor: `worker-${worker}`, correlationId: 'c', causationId: 'c' } };
}

async function crashLoop(): Promise<never> {
  for (let sequence = 0; ; sequence++) {
    const batchId = `${worker}-${sequence}`;
    const size = 1 + (sequence % 7);
    const events = Array.from({ length: size }, (_, index) => event('Tick', { batchId, index, size, padding: 'x'.repeat(200) }));
    const stream = `crash-${sequence % 5}`;
    // Alternate the single-stream and multi-stream paths; both must be all-or-nothing.
    if (sequence % 2 === 0) {
      const result = await store.append(stream, events, 'any');
      if (isLeft(result)) throw new Error(result.left.message);
    } else {
      const half = Math.ceil(size / 2);
      const result = await store.appendBatch([
        { stream, events: events.slice(0, half), expectedRevision: 'any' },
        { stream: `crash-batch-${sequence % 3}`, events: events.slice(half), expectedRevision: 'any' },
      ]);
      if (isLeft(result)) throw new Error(result.left.message);
    }
    process.stdout.write(`ack ${JSON.stringify({ batchId, ids: events.map((e) => e.id) })}\n`);
  }
}

async function raceLoop(goal: number): Promise<void> {
  for (;;) {
    let last = -1;
    for await (const recorded of store.readStream('race', { fromRevision: 0 })) last = recorded.revision;
    if (last + 1 >= goal) break;
    const expected = last < 0 ? ('no-stream' as const) : last;
    const attempt = event('Claimed', { worker, revision: last + 1 });
    const result = await store.append('race', [attempt], expected);
    if (isLeft(result)) {
      process.stdout.write(`lost ${JSON.stringify({ expected: result.left.expected, actual: result.left.actual })}\n`);
    } else {
      process.stdout.write(`won ${JSON.stringify({ id: attempt.id, revision: result.right.nextExpectedRevision })}\n`);
    }
  }
  await store.close();
}

if (mode === 'open') {
  process.stdout.write(`${store.storeId}\n`);
  await store.close();
} else if (mode === 'crash') {
  process.stdout.write('ready\n');
  await crashLoop();
} else {
  // The parent starts every worker at once: started one by one, the first could reach N alone.
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  process.stdin.destroy();
  await raceLoop(Number(target ?? 100));
}
