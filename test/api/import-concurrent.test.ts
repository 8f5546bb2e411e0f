/**
 * An import against another writer. The import takes an observation that its identity index has
 * never seen as new, and does not read its stream. When another writer created that stream after
 * the index was folded, the append's expected revision fails. The import then reads the stream and
 * decides the record again on top of what the other writer stored.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { schemaVersionOf } from '../../api/commands/routing.js';
import { importFile } from '../../api/imports.js';
import { domainUpcasters } from '../../domain/upcasters.js';
import { ImportError } from '../../importers/types.js';
import type { AppendRequest, EventStore, NewEvent } from '../../store/port.js';
import { openSqliteStore, type SqliteEventStore, type SqliteStoreOptions } from '../../store/sqlite.js';
import { collect, eventually } from '../contract/suite.js';
import { tempFolder } from '../support/temp.js';

const folder = tempFolder('onsky-import-concurrent-');
const file = join(folder.path, 'events.sqlite');
const store = openSqliteStore(file, { upcasters: domainUpcasters });
const other = openSqliteStore(file, { upcasters: domainUpcasters });
afterAll(async () => {
  await store.close();
  await other.close();
  folder.remove();
});

/** Writes an archive listing of one row per schedule block 20190101-0001, -0002, …, six hours apart. */
function writeListing(path: string, rows: number): void {
  const lines = ['Proposal ID\tSchedule Block\tStartTime\tTarget/s\tObserver\tDescription'];
  for (let row = 1; row <= rows; row++) {
    const hour = String((row - 1) * 6 % 24).padStart(2, '0');
    const day = String(1 + Math.floor(((row - 1) * 6) / 24)).padStart(2, '0');
    lines.push(`20180306SB-02\t20190101-${String(row).padStart(4, '0')}\t2019-01-${day} ${hour}:00:00\tPKS 1934-63\tobserver1\tCOMM-300 row ${row}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** Builds an observation's facts as another writer records them, with another observer. */
function otherFacts(observationId: string, scheduleBlockId: string): NewEvent {
  return {
    id: randomUUID(),
    type: 'ObservationFactsRecorded',
    schemaVersion: schemaVersionOf('ObservationFactsRecorded'),
    data: { observationId, source: { importer: 'archive', file: 'other.tsv', locator: scheduleBlockId }, facts: { scheduleBlockId, observer: 'someone else' } },
    metadata: { actor: 'test', correlationId: 'test', causationId: 'test' },
  };
}

/**
 * Wraps a real store so that `race` runs, as another writer, before each append reaches it. A
 * harness for timing, not a stand-in: every read and write goes to the store.
 */
function racedBefore(store: EventStore, race: (requests: readonly AppendRequest[]) => Promise<void>): EventStore {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'appendBatch') {
        return async (requests: readonly AppendRequest[]) => {
          await race(requests);
          return target.appendBatch(requests);
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Runs a test with a new store file opened twice: the import's store (with `options`) and another
 * writer's connection.
 */
async function withTwoWriters(test: (target: SqliteEventStore, racer: SqliteEventStore, folder: string) => Promise<void>, options: SqliteStoreOptions = {}): Promise<void> {
  const scratch = tempFolder('onsky-import-racing-');
  const path = join(scratch.path, 'events.sqlite');
  const target = openSqliteStore(path, { upcasters: domainUpcasters, ...options });
  const racer = openSqliteStore(path, { upcasters: domainUpcasters });
  try {
    await test(target, racer, scratch.path);
  } finally {
    await target.close();
    await racer.close();
    scratch.remove();
  }
}

describe('an import beside another writer', () => {
  it('reads a stream created meanwhile', async () => {
    const listing = join(folder.path, 'archive.tsv');
    writeFileSync(
      listing,
      [
        'Proposal ID\tSchedule Block\tStartTime\tTarget/s\tObserver\tDescription',
        '20180306SB-02\t20190101-0001\t2019-01-01 00:00:00\tPKS 1934-63\tobserver1\tCOMM-300 first',
        '20180306SB-02\t20190101-0002\t2019-01-01 06:00:00\t3C286\tobserver1\tCOMM-301 second',
        '',
      ].join('\n'),
    );
    let written = false;
    const summary = await importFile({
      store,
      format: 'archive',
      path: listing,
      batchEvents: 1,
      // After the first row is stored, and so after the import folded its index, another writer
      // records the second row's observation with another observer.
      onProgress: () => {
        if (written) return;
        written = true;
        void other.append('observation-sb-20190101-0002', [otherFacts('sb-20190101-0002', '20190101-0002')], 'no-stream');
      },
    });

    expect(written).toBe(true);
    expect(summary.warnings).toEqual([]);
    const events = [];
    for await (const event of store.readStream('observation-sb-20190101-0002')) events.push(event);
    // The other writer's event first, then the import's facts and its conflict over the observer.
    expect(events.map((event) => event.type)).toEqual(['ObservationFactsRecorded', 'ObservationFactsRecorded', 'ObservationFactConflicted']);
    expect((events[1]!.data as { facts: Record<string, unknown> }).facts).toMatchObject({ startUtc: '2019-01-01T06:00:00Z', description: 'COMM-301 second' });
    expect(events[2]!.data).toMatchObject({ fact: 'observer', kept: { value: 'someone else' }, conflicting: { value: 'observer1' } });
    // The first observation's stream and the second's two imported events.
    expect(summary.appended).toBe(3);
  });

  it('redecides a conflicting batch in flight', () =>
    withTwoWriters(
      async (threaded, before, folder2) => {
        await eventually(() => threaded.writerThreadRunning, 30_000);
        const listing = join(folder2, 'archive.tsv');
        writeListing(listing, 6);
        let progress = 0;
        // Batches of two rows. When the first batch is stored, the second (rows 3 and 4) has been
        // decided and is about to be handed over. The other writer now records row 4's observation,
        // so the second append meets it while rows 5 and 6 are decided.
        const summary = await importFile({
          store: threaded,
          format: 'archive',
          path: listing,
          batchEvents: 2,
          onProgress: () => {
            progress += 1;
            if (progress === 1) void before.append('observation-sb-20190101-0004', [otherFacts('sb-20190101-0004', '20190101-0004')], 'no-stream');
          },
        });

        expect(summary.warnings).toEqual([]);
        expect(threaded.writesOnThread).toBeGreaterThan(2);
        const events = await collect(threaded.readAll());
        const byStream = new Map<string, string[]>();
        for (const event of events) byStream.set(event.stream, [...(byStream.get(event.stream) ?? []), event.type]);
        expect(Object.fromEntries(byStream)).toEqual({
          'observation-sb-20190101-0001': ['ObservationFactsRecorded'],
          'observation-sb-20190101-0002': ['ObservationFactsRecorded'],
          'observation-sb-20190101-0004': ['ObservationFactsRecorded', 'ObservationFactsRecorded', 'ObservationFactConflicted'],
          'observation-sb-20190101-0003': ['ObservationFactsRecorded'],
          'observation-sb-20190101-0005': ['ObservationFactsRecorded'],
          'observation-sb-20190101-0006': ['ObservationFactsRecorded'],
        });
        // Six facts and one conflict over the observer; the other writer's event is not the import's.
        expect(summary.appended).toBe(7);
      },
      { writerThread: true, writerThreadMinEvents: 1 },
    ));

  it('outlasts a writer racing ahead', () =>
    withTwoWriters(async (target, racer, folder3) => {
      let races = 0;
      // Before each of the first eight appends, the other writer records the observation of the
      // append's last new stream, so that eight appends in a row meet it, each on another stream.
      const racing = racedBefore(target, async (requests) => {
        const fresh = requests.filter((request) => request.expectedRevision === 'no-stream').at(-1);
        if (races >= 8 || fresh === undefined) return;
        races += 1;
        const observationId = fresh.stream.slice('observation-'.length);
        await racer.append(fresh.stream, [otherFacts(observationId, observationId.slice('sb-'.length))], 'no-stream');
      });
      const listing = join(folder3, 'archive.tsv');
      writeListing(listing, 12);
      const summary = await importFile({ store: racing, format: 'archive', path: listing, batchEvents: 3 });

      expect(races).toBe(8);
      expect(summary.warnings).toEqual([]);
      // Twelve facts, and a conflict over the observer in each of the eight raced streams.
      expect(summary.appended).toBe(20);
      const events = await collect(target.readAll());
      expect(events.filter((event) => event.type === 'ObservationFactConflicted').length).toBe(8);
    }));

  it('gives up on a stream that keeps changing', () =>
    withTwoWriters(async (target, racer, folder4) => {
      // Before every append, the other writer adds to the first row's observation again.
      const racing = racedBefore(target, async () => {
        await racer.append('observation-sb-20190101-0001', [otherFacts('sb-20190101-0001', '20190101-0001')], 'any');
      });
      const listing = join(folder4, 'archive.tsv');
      writeListing(listing, 2);
      const failure = await importFile({ store: racing, format: 'archive', path: listing }).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(ImportError);
      expect((failure as ImportError).message).toContain('another writer kept changing stream "observation-sb-20190101-0001" during the import; run the import again');
    }));
});
