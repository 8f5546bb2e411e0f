/**
 * Incremental maintenance equals a fold from scratch: for any split of the log into batches,
 * with snapshots, restores and replayed overlaps in between, the state matches the state folded
 * from the whole log in one go. States are compared through their snapshot text, which contains
 * every record in insertion order.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent } from '../../projections/fold.js';
import { createProjectionState, type ProjectionState } from '../../projections/model.js';
import { readSnapshot, writeSnapshot } from '../../projections/snapshot.js';
import { startProjections, type ReadModelChange } from '../../projections/index.js';
import type { RecordedEvent } from '../../store/port.js';
import { openSqliteStore } from '../../store/sqlite.js';
import { writeSyntheticHistory } from '../support/synthetic.js';
import { openTestStore, type TestStore } from './support.js';

const VERSION = 'test-version';
let test: TestStore;
let events: RecordedEvent[] = [];
let expectedText = '';

function snapshotText(state: ProjectionState, name: string): string {
  const file = test.file(name);
  writeSnapshot(file, state, VERSION);
  return readFileSync(file, 'utf8');
}

/** Restores through a snapshot whose observation batches hold `batch` observations each. */
function restore(state: ProjectionState, batch: number): ProjectionState {
  const file = test.file('restore.snapshot');
  writeSnapshot(file, state, VERSION, { observationBatch: batch });
  const result = readSnapshot(file, VERSION);
  if (!result.ok) throw new Error(result.reason);
  return result.state;
}

beforeAll(async () => {
  test = openTestStore();
  await writeSyntheticHistory(test.store, { events: 1500, seed: 3, observationsPerDay: 6, batchEvents: 200 });
  for await (const event of test.store.readAll()) events.push(event);
  const scratch = createProjectionState();
  for (const event of events) applyEvent(scratch, event);
  expectedText = snapshotText(scratch, 'expected.snapshot');
});

afterAll(async () => {
  await test.close();
});

describe('incremental fold', () => {
  it('covers every kind of read-model record', () => {
    const types = new Set(events.map((event) => event.type));
    for (const type of ['ObservationFactsRecorded', 'ObservationReviewed', 'ObservationProductsArchived', 'FeatureDelivered', 'VerificationRecorded', 'FeatureMarkedSuspect', 'ChangeDeployed', 'TicketRecorded', 'TargetRecorded']) {
      expect(types.has(type), type).toBe(true);
    }
  });

  it('matches a fold from scratch', () => {
    const step = fc.record({
      size: fc.integer({ min: 1, max: 400 }),
      restore: fc.boolean(),
      // Small batches leave most observations unexpanded when the next events arrive.
      batch: fc.integer({ min: 1, max: 60 }),
      overlap: fc.integer({ min: 0, max: 30 }),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        let state = createProjectionState();
        let next = 0;
        for (const { size, restore: restoreNow, batch, overlap } of steps) {
          // A resumed subscription may deliver events the state already contains, and they must be ignored.
          const from = Math.max(0, next - overlap);
          for (const event of events.slice(from, next + size)) applyEvent(state, event);
          next = Math.min(events.length, next + size);
          if (restoreNow) state = restore(state, batch);
        }
        for (const event of events.slice(next)) applyEvent(state, event);
        expect(snapshotText(state, 'actual.snapshot')).toBe(expectedText);
      }),
      { numRuns: 40 },
    );
  });
});

describe('live projections', () => {
  it('match a rebuild after batches and a restart', async () => {
    const live = openTestStore();
    try {
      const snapshotFile = live.file('live.snapshot');
      let projections = startProjections(live.store, { snapshotFile, snapshotEveryEvents: 250, codeVersion: VERSION });
      await projections.ready;
      const changes: ReadModelChange[] = [];
      projections.onChange((change) => changes.push(change));

      const half = Math.floor(events.length / 2);
      await appendEvents(live, events.slice(0, half));
      await waitForPosition(() => projections.position, events[half - 1]!.position);
      expect(changes.length).toBeGreaterThan(0);
      expect(changes.at(-1)?.position).toBe(events[half - 1]!.position);
      expect(new Set(changes.flatMap((change) => change.models))).toContain('observations');
      await projections.close();

      projections = startProjections(live.store, { snapshotFile, codeVersion: VERSION });
      expect((await projections.ready).source).toBe('snapshot');
      // Build the search index now, so the second half updates it in place.
      const searched = { band: 'L', limit: 1000 } as const;
      const before = projections.query.searchObservations(searched).total;
      const ledgerNow = { now: '2016-12-31T00:00:00Z' };
      const ledgerBefore = projections.query.unverifiedData(ledgerNow);
      await appendEvents(live, events.slice(half));
      await waitForPosition(() => projections.position, events.at(-1)!.position);
      const updated = projections.query.searchObservations(searched);
      const queue = projections.query.verificationQueue('2016-12-31T00:00:00Z');
      const ledgerAfter = projections.query.unverifiedData(ledgerNow);
      projections.snapshot();
      await projections.close();
      expect(readFileSync(snapshotFile, 'utf8')).toBe(expectedText);

      const fresh = startProjections(live.store, { codeVersion: VERSION });
      await fresh.ready;
      expect(updated.total).toBeGreaterThan(before);
      expect(updated).toEqual(fresh.query.searchObservations(searched));
      expect(queue).toEqual(fresh.query.verificationQueue('2016-12-31T00:00:00Z'));
      expect(ledgerAfter.observations).toBeGreaterThan(ledgerBefore.observations);
      expect(ledgerAfter).toEqual(fresh.query.unverifiedData(ledgerNow));
      await fresh.close();
    } finally {
      await live.close();
    }
  });
});

describe('a rebuild read ahead on a worker thread', () => {
  it('folds the same state as the fold from scratch', async () => {
    // Another handle on the same file that reads every replay ahead on a worker thread.
    const ahead = openSqliteStore(test.store.file, { readAheadMinEvents: 0 });
    const snapshotFile = test.file('ahead.snapshot');
    try {
      const projections = startProjections(ahead, { snapshotFile, codeVersion: VERSION });
      expect(await projections.ready).toMatchObject({ source: 'rebuild', eventsReplayed: events.length });
      projections.snapshot();
      await projections.close();
      expect(readFileSync(snapshotFile, 'utf8')).toBe(expectedText);
    } finally {
      await ahead.close();
    }
  });
});

/** Appends recorded events to another store stream by stream, in log order, keeping ids and record times. */
async function appendEvents(target: TestStore, batch: readonly RecordedEvent[]): Promise<void> {
  for (const event of batch) {
    const { id, type, schemaVersion, data, metadata } = event;
    await target.store.append(event.stream, [{ id, type, schemaVersion, data, metadata }], 'any');
  }
}

async function waitForPosition(position: () => bigint | undefined, expected: bigint): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((position() ?? -1n) < expected) {
    if (Date.now() > deadline) throw new Error(`projections stopped at position ${position()}, expected ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
