/**
 * Opening a snapshot with its checksum computed on a worker thread beside the read. It restores
 * the same state as the read on this thread. A changed byte is found in the part hashed while the
 * file was read and in the last part, hashed once the body's end was known.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent } from '../../projections/fold.js';
import { createProjectionState } from '../../projections/model.js';
import { openSnapshot, readSnapshot, writeSnapshot } from '../../projections/snapshot.js';
import { writeSyntheticHistory } from '../support/synthetic.js';
import { openTestStore, type TestStore } from './support.js';

const VERSION = 'test-version';
let test: TestStore;
let file: string;
let original: Buffer;

beforeAll(async () => {
  test = openTestStore();
  await writeSyntheticHistory(test.store, { events: 3000, seed: 7, observationsPerDay: 6, batchEvents: 200 });
  const state = createProjectionState();
  for await (const event of test.store.readAll()) applyEvent(state, event);
  file = test.file('open.snapshot');
  writeSnapshot(file, state, VERSION);
  original = readFileSync(file);
});

afterAll(async () => {
  await test.close();
});

/** Rewrites the snapshot with the byte at `offset` changed from one digit to another. */
function withDigitChanged(near: number): void {
  const bytes = Buffer.from(original);
  let offset = near;
  while (bytes[offset]! < 0x30 || bytes[offset]! > 0x39) offset += 1;
  bytes[offset] = bytes[offset] === 0x31 ? 0x32 : 0x31;
  writeFileSync(file, bytes);
}

describe('opening a snapshot', () => {
  it('restores what the read on this thread restores', async () => {
    writeFileSync(file, original);
    // Large enough that most of it is hashed while it is read.
    expect(original.length).toBeGreaterThan(64 * 1024);
    const opened = await openSnapshot(file, VERSION);
    const read = readSnapshot(file, VERSION);
    expect(opened.ok).toBe(true);
    expect(read.ok).toBe(true);
    if (!opened.ok || !read.ok) return;
    expect(opened.header).toEqual(read.header);
    expect([...opened.state.observations.values()]).toEqual([...read.state.observations.values()]);
    expect([...opened.state.features.values()]).toEqual([...read.state.features.values()]);
  });

  it('finds a changed byte in the middle', async () => {
    withDigitChanged(Math.floor(original.length / 2));
    const opened = await openSnapshot(file, VERSION);
    expect(opened).toMatchObject({ ok: false, missing: false });
    expect(opened.ok ? '' : opened.reason).toMatch(/^snapshot checksum mismatch/);
  });

  it('finds a changed byte near the end of the body', async () => {
    // Inside the last 4 KiB, which are hashed only once the closing line is found.
    const trailerStart = original.lastIndexOf('\nE ');
    withDigitChanged(trailerStart - 600);
    const opened = await openSnapshot(file, VERSION);
    expect(opened.ok ? '' : opened.reason).toMatch(/^snapshot checksum mismatch/);
  });

  it('reports a missing file', async () => {
    const opened = await openSnapshot(test.file('none.snapshot'), VERSION);
    expect(opened).toMatchObject({ ok: false, missing: true });
  });
});
