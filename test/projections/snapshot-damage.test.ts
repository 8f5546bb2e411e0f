/**
 * A snapshot whose checksum matches but one of whose lazily read parts cannot be read (faulty code
 * or an edit that recomputed the checksum). The damage shows only when the part is first used,
 * after the start, and the runtime then rebuilds from the log and serves the same results as a
 * rebuild. Damage met by the start's own catch-up turns the start into a rebuild.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyEvent } from '../../projections/fold.js';
import { createProjectionState } from '../../projections/model.js';
import { ReadModels } from '../../projections/read-models.js';
import { startProjections, type Projections } from '../../projections/runtime.js';
import { writeSnapshot } from '../../projections/snapshot.js';
import { writeSyntheticHistory } from '../support/synthetic.js';
import { openTestStore, recordingLogger, type TestStore } from './support.js';

const VERSION = 'test-version';
const NOW = '2026-01-01T00:00:00Z';
let test: TestStore;
let snapshotFile: string;

beforeEach(async () => {
  test = openTestStore();
  snapshotFile = test.file('projections.snapshot');
  await writeSyntheticHistory(test.store, { events: 1200, seed: 11, observationsPerDay: 6, batchEvents: 200 });
});

afterEach(async () => {
  await test.close();
});

/** Folds the whole log, as a rebuild does. */
async function foldedState() {
  const state = createProjectionState();
  for await (const event of test.store.readAll()) applyEvent(state, event);
  return state;
}

/** Writes a snapshot of small batches, then replaces the `index`-th line tagged `tag` and fixes the checksum. */
async function damagedSnapshot(tag: string, index: number, replace: (line: string) => string): Promise<void> {
  writeSnapshot(snapshotFile, await foldedState(), VERSION, { observationBatch: 7 });
  const lines = readFileSync(snapshotFile, 'utf8').split('\n').slice(0, -2);
  const tagged = lines.flatMap((line, at) => (line.startsWith(`${tag} `) ? [at] : []));
  expect(tagged.length).toBeGreaterThan(index);
  lines[tagged[index]!] = replace(lines[tagged[index]!]!);
  const body = `${lines.join('\n')}\n`;
  writeFileSync(snapshotFile, `${body}E ${JSON.stringify({ sha256: createHash('sha256').update(body).digest('hex') })}\n`);
}

/** Query results that read every observation and both block indexes. */
function answers(query: ReadModels) {
  return {
    ledger: query.unverifiedData({ now: NOW }),
    search: query.searchObservations({ limit: 1000 }),
    gaps: query.dataGaps(),
    queue: query.verificationQueue(NOW),
  };
}

async function rebuiltAnswers() {
  return answers(new ReadModels(await foldedState()));
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('damaged snapshot', () => {
  let projections: Projections | undefined;

  afterEach(async () => {
    await projections?.close();
    projections = undefined;
  });

  it('rebuilds after a damaged batch', async () => {
    await damagedSnapshot('O', 3, (line) => `O {${line.slice(3)}`);
    const logger = recordingLogger();
    projections = startProjections(test.store, { snapshotFile, codeVersion: VERSION, logger });
    expect((await projections.ready).source).toBe('snapshot');
    // The background expansion meets the damaged batch and starts a rebuild.
    await waitFor(() => logger.lines.some((line) => line.message === 'read models rebuilt after a damaged snapshot'), 'the rebuild');
    const damage = logger.lines.find((line) => line.level === 'error');
    expect(damage?.message).toBe('rebuilding the read models from the log');
    expect(String(damage?.fields.reason)).toContain("the snapshot's observation batch 4 cannot be read");
    expect(existsSync(snapshotFile)).toBe(false);
    expect(answers(projections.query)).toEqual(await rebuiltAnswers());
  });

  it('rebuilds after a damaged index', async () => {
    await damagedSnapshot('B', 0, (line) => `B [[${line.slice(3)}`);
    const logger = recordingLogger();
    projections = startProjections(test.store, { snapshotFile, codeVersion: VERSION, logger });
    expect((await projections.ready).source).toBe('snapshot');
    // A capture block lookup reads the damaged index: that query fails, and the rebuild starts.
    expect(() => projections!.query.observationIdForCaptureBlock('1451984432')).toThrow(/capture block index cannot be read/);
    await waitFor(() => logger.lines.some((line) => line.message === 'read models rebuilt after a damaged snapshot'), 'the rebuild');
    expect(answers(projections.query)).toEqual(await rebuiltAnswers());
    const rebuilt = new ReadModels(await foldedState());
    expect(projections.query.observationIdForCaptureBlock('1451984432')).toBe(rebuilt.observationIdForCaptureBlock('1451984432'));
  });

  it('rejects an id line that lists another observation', async () => {
    let phantom = '';
    await damagedSnapshot('I', 2, (line) => {
      const ids = JSON.parse(line.slice(2)) as string[];
      phantom = `${ids[0]}-phantom`;
      return `I ${JSON.stringify([phantom, ...ids.slice(1)])}`;
    });
    const logger = recordingLogger();
    projections = startProjections(test.store, { snapshotFile, codeVersion: VERSION, logger });
    await projections.ready;
    expect(() => projections!.query.observation(phantom)).toThrow(/does not contain the 7 observations its id line lists/);
    await waitFor(() => logger.lines.some((line) => line.message === 'read models rebuilt after a damaged snapshot'), 'the rebuild');
    expect(projections.query.observation(phantom)).toBeUndefined();
    expect(answers(projections.query)).toEqual(await rebuiltAnswers());
  });

  it('keeps events that arrive during the rebuild', async () => {
    await damagedSnapshot('V', 0, (line) => `V [${line.slice(2)}`);
    const logger = recordingLogger();
    projections = startProjections(test.store, { snapshotFile, codeVersion: VERSION, logger });
    await projections.ready;
    await test.store.append('observation-1999999999', [
      {
        id: '00000000-0000-4000-8000-00000000d4a1',
        type: 'ObservationFactsRecorded',
        schemaVersion: 1,
        data: { observationId: '1999999999', source: { importer: 'archive', file: 'late.tsv' }, facts: { captureBlockId: '1999999999', band: 'L' } },
        metadata: { actor: 'test', recordedAt: new Date().toISOString(), correlationId: 'c', causationId: 'c' },
      },
    ], 'any');
    const head = (await test.store.headPosition())!;
    await waitFor(() => logger.lines.some((line) => line.message === 'read models rebuilt after a damaged snapshot'), 'the rebuild');
    await waitFor(() => (projections!.position ?? -1n) >= head, 'the appended event');
    expect(projections.query.observation('1999999999')?.facts.band?.value).toBe('L');
    expect(answers(projections.query)).toEqual(await rebuiltAnswers());
  });

  it('starts as a rebuild when the catch-up meets damage', async () => {
    const state = await foldedState();
    const observationId = [...state.observations.keys()][10]!;
    await damagedSnapshot('O', 1, (line) => `O {${line.slice(3)}`);
    // A review of an observation in the damaged batch, recorded after the snapshot.
    await test.store.append(`observation-${observationId}`, [
      {
        id: '00000000-0000-4000-8000-00000000d4a2',
        type: 'ObservationReviewed',
        schemaVersion: 1,
        data: { observationId, level: 'inspected', reviewer: 'tester', reviewedAt: '2025-12-01T00:00:00Z', reason: null, notes: 'looked at' },
        metadata: { actor: 'tester', recordedAt: new Date().toISOString(), correlationId: 'c', causationId: 'c' },
      },
    ], 'any');
    const logger = recordingLogger();
    projections = startProjections(test.store, { snapshotFile, codeVersion: VERSION, logger });
    const report = await projections.ready;
    expect(report.source).toBe('rebuild');
    expect(report.reason).toContain("is damaged: the snapshot's observation batch 2 cannot be read");
    expect(projections.query.observation(observationId)?.reviews.map((review) => review.notes)).toContain('looked at');
    expect(answers(projections.query)).toEqual(await rebuiltAnswers());
  });
});
