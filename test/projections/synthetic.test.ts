/** The synthetic history generator: deterministic for a seed, and made of valid domain events. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventSchemaVersions, isOnskyEventType, parseStreamName } from '../../domain/index.js';
import type { RecordedEvent } from '../../store/port.js';
import { writeSyntheticHistory, type SyntheticSummary } from '../support/synthetic.js';
import { openTestStore, type TestStore } from './support.js';

let first: TestStore;
let second: TestStore;
let summary: SyntheticSummary;
const logs: RecordedEvent[][] = [[], []];

beforeAll(async () => {
  first = openTestStore();
  second = openTestStore();
  summary = await writeSyntheticHistory(first.store, { events: 3000, seed: 11 });
  await writeSyntheticHistory(second.store, { events: 3000, seed: 11 });
  for await (const event of first.store.readAll()) logs[0]!.push(event);
  for await (const event of second.store.readAll()) logs[1]!.push(event);
});

afterAll(async () => {
  await first.close();
  await second.close();
});

describe('synthetic history', () => {
  it('is the same for the same seed', () => {
    const shape = (events: RecordedEvent[]): unknown[] => events.map((event) => [event.id, event.stream, event.type, event.data, event.metadata]);
    expect(shape(logs[1]!)).toEqual(shape(logs[0]!));
  });

  it('writes at least the requested size', () => {
    expect(summary.events).toBe(logs[0]!.length);
    expect(summary.events).toBeGreaterThanOrEqual(3000);
    expect(summary.rejected).toBe(0);
  });

  it('writes known event types to aggregate streams', () => {
    for (const event of logs[0]!) {
      expect(isOnskyEventType(event.type), event.type).toBe(true);
      expect(event.schemaVersion).toBe(eventSchemaVersions[event.type as keyof typeof eventSchemaVersions]);
      expect(parseStreamName(event.stream), event.stream).toBeDefined();
    }
  });

  it('keeps record time in order', () => {
    const times = logs[0]!.map((event) => event.metadata.recordedAt);
    expect(times).toEqual([...times].sort());
  });

  it('uses MeerKAT receptors and catalogue targets', () => {
    const facts = logs[0]!.filter((event) => event.type === 'ObservationFactsRecorded').map((event) => (event.data as { facts: { receptors?: string[] } }).facts);
    const receptors = new Set(facts.flatMap((fact) => fact.receptors ?? []));
    expect([...receptors].every((name) => /^m0[0-6]\d$/.test(name))).toBe(true);
    expect(receptors.has('m063')).toBe(true);
    const targets = logs[0]!.filter((event) => event.type === 'TargetRecorded').map((event) => (event.data as { targetName: string }).targetName);
    expect(targets).toContain('J1939-6342');
  });
});
