import { describe, expect, it } from 'vitest';
import { fold } from '../../domain/event.js';
import { isLookedAtInDetail, type ObservationEvent } from '../../domain/observation-events.js';
import { evidenceFactsOf, observationDecider, type ObservationCommand } from '../../domain/observation.js';
import { archiveSource, sdpmcSource } from './fixtures.js';
import { specFor } from './given.js';

const given = specFor(observationDecider);

const OBSERVATION_ID = '1552039941';

const archiveFacts = {
  scheduleBlockId: '20190308-0083',
  proposalId: '20180306SB-02',
  observer: 'observer1',
  description: 'COMM-305 Generic skarab delaycal',
  startUtc: '2019-03-08T10:12:26Z',
  targets: [{ name: 'PKS 1934-63', tags: [] }],
};

const recordFromArchive: ObservationCommand = {
  type: 'RecordObservationFacts',
  data: { observationId: OBSERVATION_ID, source: archiveSource, facts: archiveFacts },
};

const archiveRecorded: ObservationEvent = {
  type: 'ObservationFactsRecorded',
  data: { observationId: OBSERVATION_ID, source: archiveSource, facts: archiveFacts },
};

const scheduleBlockLinked: ObservationEvent = {
  type: 'ObservationIdentifierLinked',
  data: {
    observationId: OBSERVATION_ID,
    identifier: { kind: 'schedule-block', value: '20190308-0083' },
    source: archiveSource,
    reason: 'recorded with facts from archive-search archive-search-2019-03-08.tsv',
  },
};

const recorded = [archiveRecorded, scheduleBlockLinked];

function recordFromSdpmc(facts: Record<string, unknown>): ObservationCommand {
  return { type: 'RecordObservationFacts', data: { observationId: OBSERVATION_ID, source: sdpmcSource, facts } };
}

describe('RecordObservationFacts', () => {
  it('records facts and links the schedule block', () => {
    given([]).when(recordFromArchive).then(recorded);
  });

  it('ignores the same facts again', () => {
    given(recorded).when(recordFromArchive).then([]);
  });

  it('adds facts another source knows', () => {
    const facts = { captureBlockId: OBSERVATION_ID, product: 'c856M4k', startUtc: '2019-03-08T10:12:21Z' };
    given(recorded).when(recordFromSdpmc(facts)).then([
      {
        type: 'ObservationFactsRecorded',
        data: { observationId: OBSERVATION_ID, source: sdpmcSource, facts: { captureBlockId: OBSERVATION_ID, product: 'c856M4k' } },
      },
    ]);
  });

  it('flags a conflict and keeps both', () => {
    const events = given(recorded).when(recordFromSdpmc({ observer: 'observer2' })).then([
      {
        type: 'ObservationFactConflicted',
        data: {
          observationId: OBSERVATION_ID,
          fact: 'observer',
          kept: { value: 'observer1', source: archiveSource },
          conflicting: { value: 'observer2', source: sdpmcSource },
        },
      },
    ]);
    const state = fold(observationDecider, [...recorded, ...events]);
    expect(state.facts.observer?.value).toBe('observer1');
    expect(state.conflicts[0]?.conflicting.value).toBe('observer2');
  });

  it('flags a conflict only once', () => {
    const conflict = given(recorded).when(recordFromSdpmc({ observer: 'observer2' })).then([
      expect.objectContaining({ type: 'ObservationFactConflicted' }) as ObservationEvent,
    ]);
    given([...recorded, ...conflict]).when(recordFromSdpmc({ observer: 'observer2' })).then([]);
  });

  it('treats close start times as one', () => {
    given(recorded).when(recordFromSdpmc({ startUtc: '2019-03-08T10:13:25Z' })).then([]);
  });

  it('flags start times a minute apart', () => {
    const [event] = given(recorded).when(recordFromSdpmc({ startUtc: '2019-03-08T10:13:27Z' })).then([
      expect.objectContaining({ type: 'ObservationFactConflicted' }) as ObservationEvent,
    ]);
    expect(event).toMatchObject({ data: { fact: 'startUtc' } });
  });

  it('compares receptors regardless of order', () => {
    const first = given([]).when(recordFromSdpmc({ receptors: ['m010', 'm043'] })).then([
      expect.objectContaining({ type: 'ObservationFactsRecorded' }) as ObservationEvent,
    ]);
    given(first).when(recordFromSdpmc({ receptors: ['m043', 'm010', 'm010'] })).then([]);
  });

  it('rejects an end before the start', () => {
    const error = given([])
      .when(recordFromSdpmc({ startUtc: '2019-03-08T10:12:21Z', endUtc: '2019-03-08T10:00:00Z' }))
      .thenError('InvalidValue');
    expect(error.field).toBe('endUtc');
  });

  it('rejects a source without a file', () => {
    const error = given([])
      .when({ type: 'RecordObservationFacts', data: { observationId: OBSERVATION_ID, source: { importer: 'obslog', file: '' }, facts: {} } })
      .thenError('InvalidValue');
    expect(error.field).toBe('source.file');
  });
});

describe('LinkObservationIdentifier', () => {
  const link: ObservationCommand = {
    type: 'LinkObservationIdentifier',
    data: {
      observationId: OBSERVATION_ID,
      identifier: { kind: 'schedule-block', value: '20190308-0084' },
      source: sdpmcSource,
      reason: 'same start time',
    },
  };

  it('links another identifier', () => {
    given(recorded).when(link).then([{ type: 'ObservationIdentifierLinked', data: link.data } as ObservationEvent]);
  });

  it('rejects a linked identifier', () => {
    const error = given(recorded)
      .when({ ...link, data: { ...link.data, identifier: { kind: 'schedule-block', value: '20190308-0083' } } } as ObservationCommand)
      .thenError('IdentifierAlreadyLinked');
    expect(error.identifier).toBe('sb-20190308-0083');
  });

  it('rejects an unknown observation', () => {
    given([]).when(link).thenError('ObservationNotFound');
  });
});

describe('UnlinkObservationIdentifier', () => {
  const unlink: ObservationCommand = {
    type: 'UnlinkObservationIdentifier',
    data: { observationId: OBSERVATION_ID, identifier: { kind: 'schedule-block', value: '20190308-0083' }, reason: 'wrong match' },
  };

  it('undoes a link', () => {
    const events = given(recorded).when(unlink).then([{ type: 'ObservationIdentifierUnlinked', data: unlink.data } as ObservationEvent]);
    expect(fold(observationDecider, [...recorded, ...events]).identifiers).toEqual([]);
  });

  it('rejects the stream id', () => {
    const error = given(recorded)
      .when({ ...unlink, data: { ...unlink.data, identifier: { kind: 'capture-block', value: OBSERVATION_ID } } } as ObservationCommand)
      .thenError('IdentifierNotLinked');
    expect(error.message).toContain('stream id');
  });
});

describe('NoteObservationAnomaly', () => {
  const note: ObservationCommand = {
    type: 'NoteObservationAnomaly',
    data: {
      observationId: OBSERVATION_ID,
      anomaly: { kind: 'stragglers', receptors: ['m044'], detail: "sensor 'lock' had 1 straggler" },
      source: { importer: 'obslog', file: 'obslog-1551803062.log', locator: '12' },
      notedAt: '2019-03-08T10:13:00Z',
    },
  };

  it('notes stragglers', () => {
    given(recorded).when(note).then([{ type: 'ObservationAnomalyNoted', data: note.data } as ObservationEvent]);
  });

  it('ignores the same anomaly again', () => {
    given([...recorded, { type: 'ObservationAnomalyNoted', data: note.data } as ObservationEvent]).when(note).then([]);
  });
});

describe('RecordArchivedProducts', () => {
  const product = { name: '1552039941-sdp-l0', location: 's3://1552039941-sdp-l0/', archivedAt: null };
  const archive: ObservationCommand = {
    type: 'RecordArchivedProducts',
    data: { observationId: OBSERVATION_ID, products: [product], source: { importer: 's3-listing', file: 's3-listing.txt' } },
  };

  it('records new products only', () => {
    const first = given(recorded).when(archive).then([{ type: 'ObservationProductsArchived', data: archive.data } as ObservationEvent]);
    given([...recorded, ...first]).when(archive).then([]);
  });
});

describe('ReviewObservation', () => {
  function review(level: string, reason?: string): ObservationCommand {
    return {
      type: 'ReviewObservation',
      data: { observationId: OBSERVATION_ID, level, reviewer: 'commissioner', reviewedAt: '2019-03-09T08:00:00Z', reason },
    } as ObservationCommand;
  }

  it('records an inspection', () => {
    const events = given(recorded).when(review('inspected')).then([
      {
        type: 'ObservationReviewed',
        data: { observationId: OBSERVATION_ID, level: 'inspected', reviewer: 'commissioner', reviewedAt: '2019-03-09T08:00:00Z', reason: null, notes: '' },
      },
    ]);
    expect(isLookedAtInDetail(fold(observationDecider, [...recorded, ...events]))).toBe(true);
  });

  it('does not count automated QA', () => {
    const events = given(recorded).when(review('automated-qa')).then([expect.objectContaining({ type: 'ObservationReviewed' }) as ObservationEvent]);
    expect(isLookedAtInDetail(fold(observationDecider, [...recorded, ...events]))).toBe(false);
  });

  it('ignores the same review again', () => {
    const first = given(recorded).when(review('inspected')).then([expect.objectContaining({ type: 'ObservationReviewed' }) as ObservationEvent]);
    given([...recorded, ...first]).when(review('inspected')).then([]);
    given([...recorded, ...first]).when(review('imaged')).then([expect.objectContaining({ type: 'ObservationReviewed' }) as ObservationEvent]);
  });

  it('requires a reason to discard', () => {
    const error = given(recorded).when(review('discarded')).thenError('InvalidValue');
    expect(error.field).toBe('reason');
  });

  it('rejects an unknown level', () => {
    const error = given(recorded).when(review('glanced')).thenError('InvalidValue');
    expect(error.expected).toContain('imaged');
  });
});

describe('evidenceFactsOf', () => {
  it('merges catalogue tags', () => {
    const state = fold(observationDecider, recorded);
    const facts = evidenceFactsOf(state, (name) => (name === 'PKS 1934-63' ? ['delaycal', 'bpcal'] : []));
    expect(facts?.targets).toEqual([{ name: 'PKS 1934-63', tags: ['delaycal', 'bpcal'] }]);
    expect(facts?.startUtc).toBe('2019-03-08T10:12:26Z');
  });

  it('returns nothing before facts', () => {
    expect(evidenceFactsOf(observationDecider.initialState)).toBeUndefined();
  });
});
