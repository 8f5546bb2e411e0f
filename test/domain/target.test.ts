import { describe, expect, it } from 'vitest';
import { fold } from '../../domain/event.js';
import { targetDecider, targetLookupKey, targetStream, type TargetCommand, type TargetEvent } from '../../domain/target.js';
import { specFor } from './given.js';

const given = specFor(targetDecider);

const source = { importer: 'catalogue', file: 'catalogue-ar1-cals.csv', locator: '4' };

const entry = {
  targetName: 'PKS 1934-63',
  aliases: ['1934-638', 'J1939-6342'],
  tags: ['radec', 'bfcal', 'single_accumulation'],
  coordinates: '19:39:25.03 -63:42:45.7',
};

const record: TargetCommand = { type: 'RecordTarget', data: { ...entry, source, recordedAt: '2019-03-01T00:00:00Z' } };
const recorded: TargetEvent = {
  type: 'TargetRecorded',
  data: { ...entry, tags: ['bfcal', 'radec', 'single_accumulation'], source, recordedAt: '2019-03-01T00:00:00Z' },
};

describe('RecordTarget', () => {
  it('records a new target', () => {
    given([]).when(record).then([recorded]);
  });

  it('ignores the same entry again', () => {
    given([recorded]).when(record).then([]);
  });

  it('adds only new aliases and tags', () => {
    const later: TargetCommand = {
      type: 'RecordTarget',
      data: { ...entry, aliases: ['J1939-6342'], tags: ['radec', 'bpcal'], source, recordedAt: '2019-03-02T00:00:00Z' },
    };
    const events = given([recorded]).when(later).then([
      {
        type: 'TargetUpdated',
        data: { targetName: 'PKS 1934-63', addedAliases: [], addedTags: ['bpcal'], source, updatedAt: '2019-03-02T00:00:00Z' },
      },
    ]);
    const state = fold(targetDecider, [recorded, ...events]);
    expect(state.target?.tags).toEqual(['bfcal', 'bpcal', 'radec', 'single_accumulation']);
    expect(state.target?.aliases).toEqual(['1934-638', 'J1939-6342']);
  });

  it('rejects an empty name', () => {
    const error = given([]).when({ type: 'RecordTarget', data: { ...record.data, targetName: ' ' } }).thenError('InvalidValue');
    expect(error.field).toBe('targetName');
  });

  it('rejects a local recordedAt', () => {
    const error = given([]).when({ type: 'RecordTarget', data: { ...record.data, recordedAt: '2019-03-01 00:00' } }).thenError('InvalidValue');
    expect(error.field).toBe('recordedAt');
  });
});

describe('target names', () => {
  it('names the stream without spaces', () => {
    expect(targetStream('PKS 1934-63')).toBe('target-PKS_1934-63');
  });

  it('folds case and spacing for lookups', () => {
    expect(targetLookupKey('PKS 1934-63')).toBe(targetLookupKey('pks_1934-63'));
    expect(targetLookupKey('PKS 1934-63')).toBe(targetLookupKey('PKS1934-63'));
    expect(targetLookupKey('PKS 1934-63')).not.toBe(targetLookupKey('PKS 1934-64'));
  });
});
