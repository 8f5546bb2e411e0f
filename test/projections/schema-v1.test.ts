/**
 * Events written by the onsky of schema version 1 (test/fixtures/events-schema-v1.ndjson, an
 * export of the old code) are read in the current shape, and fold to the same read models as
 * the same history written by the current deciders. Two types have moved on since: ChangeRecorded
 * (version 2: no version is `null`) and FeatureProposed (version 2: `ticketKeys`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { restoreLog } from '../../cli/export.js';
import { decideChange, decideFeature, eventSchemaVersions, initialChangeState, initialFeatureState, type ProposeFeature, type RecordChange } from '../../domain/index.js';
import { changeRecordedV1ToV2, domainUpcasters, featureProposedV1ToV2 } from '../../domain/upcasters.js';
import { startProjections } from '../../projections/index.js';
import type { NewEvent, RecordedEvent } from '../../store/port.js';
import { openSqliteStore, type SqliteEventStore } from '../../store/sqlite.js';
import { UpcasterChain } from '../../store/upcast.js';
import { collect } from '../contract/suite.js';
import { tempFolder } from '../support/temp.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/events-schema-v1.ndjson', import.meta.url));

interface FixtureLine {
  readonly id: string;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
  readonly metadata: NewEvent['metadata'];
}

function fixtureEvents(): FixtureLine[] {
  const lines = readFileSync(FIXTURE, 'utf8').split('\n').filter((line) => line.trim() !== '');
  return lines.slice(1).map((line) => JSON.parse(line) as FixtureLine);
}

let folder: ReturnType<typeof tempFolder>;
const opened: SqliteEventStore[] = [];

function openStore(name: string): SqliteEventStore {
  const store = openSqliteStore(join(folder.path, name, 'events.sqlite'), { upcasters: domainUpcasters });
  opened.push(store);
  return store;
}

beforeEach(() => {
  folder = tempFolder('onsky-schema-v1-');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  folder.remove();
});

/**
 * Writes the fixture's history as the current code writes it. Each ChangeRecorded comes from the
 * current decider, given the command that the v1 decider recorded verbatim, and each
 * FeatureProposed from the current decider given the v1 command with no tickets. Every other
 * event type is still at the version the fixture contains. Ids, streams and record times stay
 * the same, so the two logs differ only in how those two types are stored.
 */
async function writeWithCurrentCode(store: SqliteEventStore): Promise<void> {
  for (const line of fixtureEvents()) {
    let data: unknown = line.data;
    if (line.type === 'ChangeRecorded') {
      const command = { type: 'RecordChange', data: line.data } as unknown as RecordChange;
      const decided = decideChange(command, initialChangeState);
      if (decided._tag === 'Left') throw new Error(`the current decider rejects ${line.stream}: ${decided.left.message}`);
      data = decided.right[0]!.data;
    }
    if (line.type === 'FeatureProposed') {
      const command = { type: 'ProposeFeature', data: { ...line.data, ticketKeys: [] } } as unknown as ProposeFeature;
      const decided = decideFeature(command, initialFeatureState);
      if (decided._tag === 'Left') throw new Error(`the current decider rejects ${line.stream}: ${decided.left.message}`);
      data = decided.right[0]!.data;
    }
    const schemaVersion = eventSchemaVersions[line.type as keyof typeof eventSchemaVersions];
    const event: NewEvent = { id: line.id, type: line.type, schemaVersion, data, metadata: line.metadata };
    const result = await store.append(line.stream, [event], line.revision === 0 ? 'no-stream' : line.revision - 1);
    if (result._tag === 'Left') throw new Error(result.left.message);
  }
}

/** Folds the store's log and returns the snapshot text, which contains every read-model record. */
async function readModelText(store: SqliteEventStore, name: string): Promise<string> {
  const snapshotFile = join(folder.path, `${name}.snapshot`);
  const projections = startProjections(store, { snapshotFile });
  await projections.ready;
  await projections.close();
  return readFileSync(snapshotFile, 'utf8');
}

function storedChangeRecorded(store: SqliteEventStore): Array<{ schema_version: number; version: string | null }> {
  return store.database
    .prepare(`SELECT schema_version, json_extract(data, '$.version') AS version FROM events WHERE type = 'ChangeRecorded' ORDER BY position`)
    .all() as Array<{ schema_version: number; version: string | null }>;
}

describe('schema version 1 fixture', () => {
  it('contains version 1 ChangeRecorded events', () => {
    const recorded = fixtureEvents().filter((event) => event.type === 'ChangeRecorded');
    expect(recorded).toHaveLength(11);
    expect(recorded.every((event) => event.schemaVersion === 1)).toBe(true);
    expect(recorded.filter((event) => event.data.version === '')).toHaveLength(8);
  });

  it('restores unchanged and reads as version 2', async () => {
    const store = openStore('restored');
    expect(await restoreLog(store, FIXTURE)).toBe(29);

    // The log keeps what the old code wrote; upcasting happens on read.
    const stored = storedChangeRecorded(store);
    expect(stored.every((row) => row.schema_version === 1)).toBe(true);
    expect(stored.filter((row) => row.version === '')).toHaveLength(8);

    const events = await collect(store.readAll());
    const recorded = events.filter((event) => event.type === 'ChangeRecorded');
    expect(recorded.map((event) => event.schemaVersion)).toEqual(Array(11).fill(2));
    const versions = new Map(recorded.map((event) => [event.stream, (event.data as { version: unknown }).version]));
    expect(versions.get('change-CBF-REL-5.1')).toBe('cbf-fengine 5.1.0');
    expect(versions.get('change-abdf54d1a03c9d5494cefafdf7303c5022c00b79')).toBe('slice karoocamv8');
    expect(versions.get('change-PROC-DELAYCAL-2')).toBeNull();
    expect(versions.get('change-RX-L-SWAP-M010')).toBeNull();
    expect([...versions.values()].filter((version) => version === null)).toHaveLength(9);
  });

  it('keeps other fields and events as written', async () => {
    const store = openStore('restored');
    await restoreLog(store, FIXTURE);
    const events = await collect(store.readAll());
    const fixture = fixtureEvents();
    expect(events.map((event) => event.id)).toEqual(fixture.map((line) => line.id));
    for (const [index, event] of events.entries()) {
      const line = fixture[index]!;
      if (line.type === 'ChangeRecorded') {
        const { version: _read, ...readRest } = event.data as Record<string, unknown>;
        const { version: _written, ...writtenRest } = line.data;
        expect(readRest, line.stream).toEqual(writtenRest);
      } else if (line.type === 'FeatureProposed') {
        expect(event.schemaVersion).toBe(2);
        expect(event.data, line.stream).toEqual({ ...line.data, ticketKeys: [] });
      } else {
        expect(event.data, `${line.type} in ${line.stream}`).toEqual(line.data);
        expect(event.schemaVersion).toBe(line.schemaVersion);
      }
      expect(event.metadata).toEqual(line.metadata);
    }
  });

  it('folds to the read models of current code', async () => {
    const old = openStore('old');
    await restoreLog(old, FIXTURE);
    const current = openStore('current');
    await writeWithCurrentCode(current);

    // The two logs really differ: version 1 with empty texts against version 2 with nulls.
    expect(storedChangeRecorded(old).map((row) => row.schema_version)).toEqual(Array(11).fill(1));
    expect(storedChangeRecorded(current).map((row) => row.schema_version)).toEqual(Array(11).fill(2));
    expect(storedChangeRecorded(current).filter((row) => row.version === null)).toHaveLength(9);

    expect(await readModelText(old, 'old')).toEqual(await readModelText(current, 'current'));
  });

  it('answers the same queries as current code', async () => {
    const old = openStore('old');
    await restoreLog(old, FIXTURE);
    const current = openStore('current');
    await writeWithCurrentCode(current);
    const fromOld = startProjections(old);
    const fromCurrent = startProjections(current);
    await Promise.all([fromOld.ready, fromCurrent.ready]);
    try {
      const now = '2019-03-10T00:00:00Z';
      expect(fromOld.query.changes()).toEqual(fromCurrent.query.changes());
      expect(fromOld.query.change('PROC-DELAYCAL-2')?.definition.version).toBeNull();
      expect(fromOld.query.configurationAt('2019-03-07T15:00:00Z')).toEqual(fromCurrent.query.configurationAt('2019-03-07T15:00:00Z'));
      expect(fromOld.query.timeline()).toEqual(fromCurrent.query.timeline());
      expect(fromOld.query.featureBoard(now)).toEqual(fromCurrent.query.featureBoard(now));
      expect(fromOld.query.verificationQueue(now)).toEqual(fromCurrent.query.verificationQueue(now));
      expect(fromOld.query.searchObservations()).toEqual(fromCurrent.query.searchObservations());
    } finally {
      await fromOld.close();
      await fromCurrent.close();
    }
  });

  it('rejects a fold without the upcasters', async () => {
    const file = join(folder.path, 'bare', 'events.sqlite');
    const upcasting = openStore('bare');
    await restoreLog(upcasting, FIXTURE);
    const bare = openSqliteStore(file);
    opened.push(bare);
    const projections = startProjections(bare, { logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
    // The fixture starts with the plan's proposals, so the first event the fold refuses is one of them.
    await expect(projections.ready).rejects.toThrow(/FeatureProposed schema version 1, but the read models fold version 2; open the store with the upcasters/);
    await projections.close();
  });
});

describe('ChangeRecorded upcaster', () => {
  const chain = new UpcasterChain(domainUpcasters);
  const v1 = (version: string): RecordedEvent => ({
    id: '00000000-0000-4000-8000-000000000001',
    stream: 'change-X',
    revision: 0,
    position: 1n,
    type: 'ChangeRecorded',
    schemaVersion: 1,
    data: { changeId: 'X', kind: 'procedure', version, summary: 's', components: [], ticketKeys: [], deliversFeatures: [], subsystem: 'SDP', recordedBy: 'a', recordedAt: '2019-03-06T10:00:00Z' },
    metadata: { actor: 'a', correlationId: 'c', causationId: 'c', recordedAt: '2019-03-06T10:00:00Z' },
  });

  it('turns an empty or blank version into null', () => {
    for (const text of ['', ' ', '\t']) {
      const read = chain.apply(v1(text));
      expect(read.schemaVersion, JSON.stringify(text)).toBe(2);
      expect((read.data as { version: unknown }).version, JSON.stringify(text)).toBeNull();
    }
  });

  it('keeps a real version and the envelope', () => {
    const written = v1('katsdpcontroller 0.15.2');
    const read = chain.apply(written);
    expect(read).toEqual({ ...written, schemaVersion: 2 });
  });

  it('leaves version 2 events alone', () => {
    for (const version of [null, 'katsdpcontroller 0.15.2']) {
      const written = { ...v1(''), schemaVersion: 2, data: { ...v1('').data as object, version } };
      expect(chain.apply(written)).toBe(written);
    }
  });

  it('leaves other event types alone', () => {
    const written = { ...v1(''), type: 'ChangeDeployed' };
    expect(chain.apply(written)).toBe(written);
    expect(changeRecordedV1ToV2.fromVersion).toBe(1);
  });
});

describe('FeatureProposed upcaster', () => {
  const chain = new UpcasterChain(domainUpcasters);
  const v1: RecordedEvent = {
    id: '00000000-0000-4000-8000-000000000002',
    stream: 'feature-MKAIV-449',
    revision: 0,
    position: 1n,
    type: 'FeatureProposed',
    schemaVersion: 1,
    data: {
      featureKey: 'MKAIV-449',
      title: 'Three-calibrator imaging',
      subsystem: 'SDP',
      components: ['sdp.cal'],
      requirementRefs: ['R.RC.P.30'],
      evidenceCriteria: {},
      scores: { userBusinessValue: 8, timeCriticality: 5, riskReductionOpportunityEnablement: 3, jobSize: 2 },
      verificationEffort: 3,
      proposedBy: 'lead',
      proposedAt: '2019-03-01T08:00:00Z',
    },
    metadata: { actor: 'lead', correlationId: 'c', causationId: 'c', recordedAt: '2019-03-01T08:00:00Z' },
  };

  it('adds an empty ticket list and keeps every other field and the envelope', () => {
    expect(chain.apply(v1)).toEqual({ ...v1, schemaVersion: 2, data: { ...v1.data as object, ticketKeys: [] } });
    expect(featureProposedV1ToV2.fromVersion).toBe(1);
  });

  it('leaves version 2 events and their tickets alone', () => {
    const written = { ...v1, schemaVersion: 2, data: { ...v1.data as object, ticketKeys: ['MKAIV-449'] } };
    expect(chain.apply(written)).toBe(written);
  });
});
