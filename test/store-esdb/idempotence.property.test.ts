/**
 * Two adapters on one stand-in, like two onsky processes, append random mixes of new and
 * already stored events under random expectations. Every result must match the port's rules as
 * computed from a plain model of the streams. With a young id cache (`idCacheTrustMs`), the
 * counts and `nextExpectedRevision` may be wrong after the other process stored the same events,
 * but success, conflicts and the log must still match.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openEsdbStore, type EsdbStoreOptions } from '../../store/esdb.js';
import type { ExpectedRevision, NewEvent, RecordedEvent } from '../../store/port.js';
import { EsdbStandIn } from '../support/esdb-standin.js';

interface Step {
  readonly writer: 0 | 1;
  readonly stream: 'a' | 'b';
  /** Indexes into the ids used so far (reused events); -1 means a new event. */
  readonly picks: readonly number[];
  /** Repeat the previous step's events on its stream, like a second process importing a file again. */
  readonly replay: boolean;
  readonly expectation: 'any' | 'no-stream' | 'actual' | 'stale' | 'ahead';
}

const step: fc.Arbitrary<Step> = fc.record({
  writer: fc.constantFrom(0 as const, 1 as const),
  stream: fc.constantFrom('a' as const, 'b' as const),
  picks: fc.array(fc.integer({ min: -1, max: 12 }), { minLength: 1, maxLength: 4 }),
  replay: fc.boolean(),
  expectation: fc.constantFrom('any' as const, 'no-stream' as const, 'actual' as const, 'stale' as const, 'ahead' as const),
});

function toExpected(kind: Step['expectation'], actual: number): ExpectedRevision {
  switch (kind) {
    case 'any':
    case 'no-stream':
      return kind;
    case 'actual':
      return actual === -1 ? 'no-stream' : actual;
    case 'stale':
      return Math.max(0, actual - 1);
    case 'ahead':
      return actual + 1;
  }
}

/** Runs random steps of two writers against the model; `exactCounts` also checks every count. */
async function checkAgainstModel(options: EsdbStoreOptions, exactCounts: boolean): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
      const standIn = await EsdbStandIn.start();
      const writers = [openEsdbStore(standIn.url, options), openEsdbStore(standIn.url, options)];
      const model = new Map<string, string[]>([['a', []], ['b', []]]);
      const used: string[] = [];
      let previous: { stream: 'a' | 'b'; ids: string[] } | undefined;
      try {
        for (const { writer, picks, expectation, replay, ...rest } of steps) {
          const stream = replay && previous !== undefined ? previous.stream : rest.stream;
          const ids =
            replay && previous !== undefined
              ? previous.ids
              : [...new Set(picks.map((pick) => (pick === -1 || pick >= used.length ? randomUUID() : used[pick]!)))];
          previous = { stream, ids };
          for (const id of ids) if (!used.includes(id)) used.push(id);
          const events: NewEvent[] = ids.map((id) => ({
            id,
            type: 'Tick',
            schemaVersion: 1,
            data: {},
            metadata: { actor: 'model', correlationId: 'c', causationId: 'c' },
          }));
          const stored = model.get(stream)!;
          const actual = stored.length - 1;
          const expected = toExpected(expectation, actual);

          const result = await writers[writer]!.append(stream, events, expected);

          const fresh = ids.filter((id) => !stored.includes(id));
          const meets = expected === 'any' || (expected === 'no-stream' ? actual === -1 : expected === actual);
          if (fresh.length === 0) {
            expect(result._tag).toBe('Right');
            if (result._tag === 'Right' && exactCounts) {
              expect(result.right.appended).toBe(0);
              expect(result.right.duplicates).toBe(ids.length);
              expect(result.right.nextExpectedRevision).toBe(actual);
            }
          } else if (!meets) {
            expect(result._tag).toBe('Left');
            if (result._tag === 'Left') expect(result.left.actual).toBe(actual === -1 ? 'no-stream' : actual);
          } else {
            expect(result._tag).toBe('Right');
            stored.push(...fresh);
            if (result._tag === 'Right' && exactCounts) {
              expect(result.right.appended).toBe(fresh.length);
              expect(result.right.duplicates).toBe(ids.length - fresh.length);
              expect(result.right.nextExpectedRevision).toBe(stored.length - 1);
            }
          }
        }
        for (const [stream, ids] of model) {
          const read: RecordedEvent[] = [];
          for await (const event of writers[0]!.readStream(stream)) read.push(event);
          expect(read.map((event) => event.id)).toEqual(ids);
        }
      } finally {
        await Promise.all(writers.map((writer) => writer.close()));
        await standIn.close();
      }
    }),
    { numRuns: 30 },
  );
}

describe('EventStoreDB adapter idempotence model', () => {
  it('matches the port rules', () => checkAgainstModel({}, true));

  it('keeps the log and conflicts with a young cache', () => checkAgainstModel({ idCacheTrustMs: 60_000 }, false));
});
