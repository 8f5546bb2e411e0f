import { describe, expect, it } from 'vitest';
import { fold } from '../../domain/event.js';
import { compareTicketKeys } from '../../domain/values.js';
import { describeTicketLink, ticketDecider, type TicketCommand, type TicketEvent, type TicketLink, type TicketSnapshot } from '../../domain/ticket.js';
import { specFor } from './given.js';

const given = specFor(ticketDecider);

const source = { importer: 'jira', file: 'jira-issue-DEMO-2719.json', locator: 'DEMO-2719' };

const links: TicketLink[] = [
  { direction: 'outward', relation: 'details', ticketKey: 'DEMO-2717' },
  { direction: 'outward', relation: 'relates to', ticketKey: 'DEMO-2722' },
  { direction: 'inward', relation: 'is related to', ticketKey: 'DEMO-2718' },
];

const snapshot: TicketSnapshot = {
  ticketKey: 'DEMO-2719',
  summary: 'REST ye merry gentlemen.',
  status: 'Open',
  links,
  mentions: { captureBlockIds: ['1552039941'], scheduleBlockIds: [], featureKeys: [] },
};

const record: TicketCommand = { type: 'RecordTicket', data: { ...snapshot, source, recordedAt: '2019-03-08T12:00:00Z' } };
const recorded: TicketEvent = { type: 'TicketRecorded', data: { ...snapshot, source, recordedAt: '2019-03-08T12:00:00Z' } };

function recordLater(changes: Partial<TicketSnapshot>): TicketCommand {
  return { type: 'RecordTicket', data: { ...snapshot, ...changes, source, recordedAt: '2019-03-10T12:00:00Z' } };
}

describe('RecordTicket', () => {
  it('records a new ticket', () => {
    given([]).when(record).then([recorded]);
  });

  it('ignores an unchanged snapshot', () => {
    given([recorded]).when(recordLater({})).then([]);
  });

  it('records only what changed', () => {
    const newLinks = [links[1]!, { direction: 'outward' as const, relation: 'relates to', ticketKey: 'SR-1446' }];
    const mentions = { captureBlockIds: ['1552039941', '1551803062'], scheduleBlockIds: ['20190308-0083'], featureKeys: [] };
    const events = given([recorded]).when(recordLater({ status: 'In Progress', links: newLinks, mentions })).then([
      {
        type: 'TicketUpdated',
        data: {
          ticketKey: 'DEMO-2719',
          summary: null,
          status: 'In Progress',
          addedLinks: [{ direction: 'outward', relation: 'relates to', ticketKey: 'SR-1446' }],
          removedLinks: [links[0]!, links[2]!],
          addedMentions: { captureBlockIds: ['1551803062'], scheduleBlockIds: ['20190308-0083'], featureKeys: [] },
          source,
          updatedAt: '2019-03-10T12:00:00Z',
        },
      },
    ]);
    const ticket = fold(ticketDecider, [recorded, ...events]).ticket;
    expect(ticket?.status).toBe('In Progress');
    expect(ticket?.links.map(describeTicketLink)).toEqual(['relates to DEMO-2722', 'relates to SR-1446']);
    expect(ticket?.mentions.captureBlockIds).toEqual(['1551803062', '1552039941']);
  });

  it('rejects an unknown link direction', () => {
    const bad = [{ direction: 'sideways', relation: 'relates to', ticketKey: 'SR-1446' }] as unknown as TicketLink[];
    const error = given([]).when(recordLater({ links: bad })).thenError('InvalidValue');
    expect(error.field).toBe('links.direction');
  });
});

describe('describeTicketLink', () => {
  it('words an outward link', () => {
    expect(describeTicketLink({ direction: 'outward', relation: 'relates to', ticketKey: 'SR-1446' })).toBe('relates to SR-1446');
  });
});

describe('compareTicketKeys', () => {
  it('sorts by project, then number', () => {
    expect(['BIG-10', 'not a key', 'BIG-2', 'ABC-1', 'BIG-1'].sort(compareTicketKeys)).toEqual(['ABC-1', 'BIG-1', 'BIG-2', 'BIG-10', 'not a key']);
  });
});
