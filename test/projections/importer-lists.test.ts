/**
 * Observations share their lists of importer names. A name that contains the separator of a
 * joined key must still get a list of its own, or two observations with different importers
 * would read the same list, depending on which the process folded first.
 */
import { describe, expect, it } from 'vitest';
import { applyEvent } from '../../projections/fold.js';
import { createProjectionState } from '../../projections/model.js';
import type { RecordedEvent } from '../../store/port.js';

let position = 0n;

function factsEvent(observationId: string, importer: string): RecordedEvent {
  position += 1n;
  return {
    id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    stream: `observation-${observationId}`,
    revision: 0,
    position,
    type: 'ObservationFactsRecorded',
    schemaVersion: 1,
    data: { observationId, source: { importer, file: 'f.log' }, facts: { band: 'L' } },
    metadata: { actor: 'test', recordedAt: '2019-03-01T00:00:00.000Z', correlationId: 'c', causationId: 'c' },
  };
}

describe('shared importer lists', () => {
  it('keep a name with a newline apart from two names', () => {
    const state = createProjectionState();
    applyEvent(state, factsEvent('1551000001', 'obslog\narchive'));
    applyEvent(state, factsEvent('1551000002', 'obslog'));
    applyEvent(state, factsEvent('1551000002', 'archive'));
    expect(state.observations.get('1551000001')?.importers).toEqual(['obslog\narchive']);
    expect(state.observations.get('1551000002')?.importers).toEqual(['obslog', 'archive']);
  });
});
