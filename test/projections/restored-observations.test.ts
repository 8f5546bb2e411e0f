/**
 * Observations restored from a snapshot stay unparsed until read. Reading one expands only its
 * batch; counting, lookups and the iteration order match the state that was written, whatever
 * order the batches are expanded in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent } from '../../projections/fold.js';
import { createProjectionState, type ObservationRecord, type ProjectionState } from '../../projections/model.js';
import { ReadModels } from '../../projections/read-models.js';
import { RestoredObservations } from '../../projections/restored-observations.js';
import { readFileSync } from 'node:fs';
import { readSnapshot, writeSnapshot, writeSnapshotInSteps } from '../../projections/snapshot.js';
import { writeSyntheticHistory } from '../support/synthetic.js';
import { openTestStore, type TestStore } from './support.js';

const VERSION = 'test-version';
/** Observations per batch line: small, so the history spreads over many batches. */
const BATCH = 7;
let test: TestStore;
let folded: ProjectionState;
let ids: string[];

beforeAll(async () => {
  test = openTestStore();
  await writeSyntheticHistory(test.store, { events: 1200, seed: 5, observationsPerDay: 6, batchEvents: 200 });
  folded = createProjectionState();
  for await (const event of test.store.readAll()) applyEvent(folded, event);
  ids = [...folded.observations.keys()];
});

afterAll(async () => {
  await test.close();
});

function restored(): { state: ProjectionState; observations: RestoredObservations } {
  const file = test.file('restored.snapshot');
  writeSnapshot(file, folded, VERSION, { observationBatch: BATCH });
  const result = readSnapshot(file, VERSION);
  if (!result.ok) throw new Error(result.reason);
  const observations = result.state.observations;
  if (!(observations instanceof RestoredObservations)) throw new Error('the restored observations are not expanded lazily');
  return { state: result.state, observations };
}

function record(id: string): ObservationRecord {
  const found = folded.observations.get(id);
  if (found === undefined) throw new Error(`no observation ${id} in the folded state`);
  return found;
}

describe('restored observations', () => {
  it('spans several batches', () => {
    expect(ids.length).toBeGreaterThan(BATCH * 4);
    const { observations } = restored();
    expect(observations.pendingBatches).toBe(Math.ceil(ids.length / BATCH));
  });

  it('count and look up without expanding', () => {
    const { observations } = restored();
    const before = observations.pendingBatches;
    expect(observations.size).toBe(ids.length);
    expect(observations.has(ids.at(-1)!)).toBe(true);
    expect(observations.has('no-such-observation')).toBe(false);
    expect(observations.get('no-such-observation')).toBeUndefined();
    expect(observations.pendingBatches).toBe(before);
  });

  it('expand only the batch read', () => {
    const { observations } = restored();
    const before = observations.pendingBatches;
    const last = ids.at(-1)!;
    expect(observations.get(last)).toEqual(record(last));
    expect(observations.pendingBatches).toBe(before - 1);
    expect(observations.size).toBe(ids.length);
  });

  it('iterate in log order after expanding out of turn', () => {
    const { observations } = restored();
    observations.get(ids.at(-1)!);
    observations.get(ids[Math.floor(ids.length / 2)]!);
    expect([...observations.keys()]).toEqual(ids);
    expect(observations.pendingBatches).toBe(0);
    expect([...observations.values()]).toEqual(ids.map(record));
  });

  it('keep new observations after the restored ones', () => {
    const { observations } = restored();
    const added: ObservationRecord = { ...record(ids[0]!), observationId: 'added-after-restore' };
    observations.get(ids[BATCH * 2]!);
    observations.set(added.observationId, added);
    expect(observations.size).toBe(ids.length + 1);
    expect([...observations.keys()]).toEqual([...ids, added.observationId]);
  });

  it('expand in order in the background', () => {
    const { observations } = restored();
    let steps = 0;
    while (observations.expandNext()) steps++;
    expect(steps).toBe(Math.ceil(ids.length / BATCH));
    expect(observations.expandNext()).toBe(false);
    expect([...observations.keys()]).toEqual(ids);
  });

  it('delete a pending observation', () => {
    const { observations } = restored();
    const middle = ids[Math.floor(ids.length / 2)]!;
    expect(observations.delete(middle)).toBe(true);
    expect(observations.has(middle)).toBe(false);
    expect(observations.size).toBe(ids.length - 1);
    expect([...observations.keys()]).toEqual(ids.filter((id) => id !== middle));
  });

  it('serve queries as the folded state does', () => {
    const { state } = restored();
    const live = new ReadModels(folded);
    const fromSnapshot = new ReadModels(state);
    const id = ids[Math.floor(ids.length / 3)]!;
    expect(fromSnapshot.observation(id)).toEqual(live.observation(id));
    const now = '2026-01-01T00:00:00Z';
    expect(fromSnapshot.unverifiedData({ now })).toEqual(live.unverifiedData({ now }));
    expect(fromSnapshot.searchObservations({ text: 'J' })).toEqual(live.searchObservations({ text: 'J' }));
  });
});

describe('snapshot written in steps', () => {
  it('matches one written at once', async () => {
    const atOnce = test.file('at-once.snapshot');
    const inSteps = test.file('in-steps.snapshot');
    writeSnapshot(atOnce, folded, VERSION, { observationBatch: BATCH });
    let pauses = 0;
    const pause = async (): Promise<void> => {
      pauses += 1;
    };
    const header = await writeSnapshotInSteps(inSteps, folded, VERSION, pause, { observationBatch: BATCH });
    expect(readFileSync(inSteps, 'utf8')).toBe(readFileSync(atOnce, 'utf8'));
    expect(header.events).toBe(folded.version);
    // At least one pause per batch of observations, so a large write leaves room for requests.
    expect(pauses).toBeGreaterThanOrEqual(Math.floor(ids.length / BATCH));
  });
});
