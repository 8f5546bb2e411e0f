import { describe, expect, it } from 'vitest';
import { fold } from '../../domain/event.js';
import { findingDecider, NO_FINDING_LINKS, type FindingCommand, type FindingEvent } from '../../domain/finding.js';
import { specFor } from './given.js';

const given = specFor(findingDecider);

const recordData = {
  findingId: 'F-7',
  title: 'Capture-init times out on a slow ingest node',
  symptom: 'capture-init to ingest.sdp_l0.2 takes longer than 30 s',
  cause: '',
  workaround: '',
  links: { ...NO_FINDING_LINKS, hosts: ['mc1.sdp.mkat.karoo.kat.ac.za'], observationIds: ['1552039941'] },
  recordedBy: 'engineer',
  recordedAt: '2019-03-08T12:00:00Z',
};
const record: FindingCommand = { type: 'RecordFinding', data: recordData };
const recorded: FindingEvent = { type: 'FindingRecorded', data: recordData };

describe('RecordFinding', () => {
  it('records a finding', () => {
    given([]).when(record).then([recorded]);
  });

  it('rejects an existing id', () => {
    const error = given([recorded]).when(record).thenError('FindingAlreadyRecorded');
    expect(error.findingId).toBe('F-7');
  });

  it('requires a symptom', () => {
    const error = given([]).when({ type: 'RecordFinding', data: { ...recordData, symptom: '' } }).thenError('InvalidValue');
    expect(error.field).toBe('symptom');
  });
});

describe('ReviseFinding', () => {
  const revise: FindingCommand = {
    type: 'ReviseFinding',
    data: { findingId: 'F-7', cause: 'ingest node swapping', workaround: 'restart ingest', revisedBy: 'engineer', revisedAt: '2019-03-09T08:00:00Z' },
  };

  it('records changed texts', () => {
    const events = given([recorded]).when(revise).then([{ type: 'FindingRevised', data: revise.data } as FindingEvent]);
    const finding = fold(findingDecider, [recorded, ...events]).finding;
    expect(finding?.cause).toBe('ingest node swapping');
    expect(finding?.symptom).toBe(recordData.symptom);
  });

  it('ignores unchanged texts', () => {
    const same: FindingCommand = {
      type: 'ReviseFinding',
      data: { findingId: 'F-7', symptom: recordData.symptom, revisedBy: 'engineer', revisedAt: '2019-03-09T08:00:00Z' },
    };
    given([recorded]).when(same).then([]);
  });

  it('rejects an unknown finding', () => {
    given([]).when(revise).thenError('FindingNotFound');
  });
});

describe('LinkFinding', () => {
  it('adds new links only', () => {
    const link: FindingCommand = {
      type: 'LinkFinding',
      data: {
        findingId: 'F-7',
        links: { ...NO_FINDING_LINKS, observationIds: ['1552039941', '1551803062'], changeIds: ['SDP-REL-2.3'] },
        linkedBy: 'engineer',
        linkedAt: '2019-03-09T08:00:00Z',
      },
    };
    const events = given([recorded]).when(link).then([
      {
        type: 'FindingLinked',
        data: {
          findingId: 'F-7',
          links: { ...NO_FINDING_LINKS, observationIds: ['1551803062'], changeIds: ['SDP-REL-2.3'] },
          linkedBy: 'engineer',
          linkedAt: '2019-03-09T08:00:00Z',
        },
      },
    ]);
    const links = fold(findingDecider, [recorded, ...events]).finding?.links;
    expect(links?.observationIds).toEqual(['1551803062', '1552039941']);
    given([recorded, ...events]).when(link).then([]);
  });
});
