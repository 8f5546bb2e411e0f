/**
 * Tickets, as imported from Jira: key, summary, status, links to other tickets with their
 * direction and wording ("relates to SR-1446"), and the capture blocks, schedule blocks and
 * features the ticket mentions. A ticket is recorded from a snapshot; recording a later snapshot
 * emits only what changed, and the same snapshot again emits nothing.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Decider, DomainCommand, DomainEvent } from './event.js';
import type { DomainError } from './errors.js';
import type { FactSource } from './observation-events.js';
import { checkIsoUtc, checkKey, checkOneOf, checkText, checkTitle, firstError, sortedUnique } from './values.js';

export interface TicketLink {
  /** `outward` reads from this ticket ("relates to SR-1446"), `inward` towards it ("is blocked by"). */
  readonly direction: 'outward' | 'inward';
  /** The link wording as Jira shows it for this direction, e.g. `relates to`, `is blocked by`. */
  readonly relation: string;
  readonly ticketKey: string;
}

export interface TicketMentions {
  readonly captureBlockIds: readonly string[];
  readonly scheduleBlockIds: readonly string[];
  readonly featureKeys: readonly string[];
}

export interface TicketSnapshot {
  readonly ticketKey: string;
  readonly summary: string;
  /** Jira status name, e.g. `Open`, `In Progress`, `Done`. */
  readonly status: string;
  readonly links: readonly TicketLink[];
  readonly mentions: TicketMentions;
}

export type TicketRecorded = DomainEvent<
  'TicketRecorded',
  TicketSnapshot & { readonly source: FactSource | null; readonly recordedAt: string }
>;

export type TicketUpdated = DomainEvent<
  'TicketUpdated',
  {
    readonly ticketKey: string;
    /** New summary, or `null` when unchanged. */
    readonly summary: string | null;
    /** New status, or `null` when unchanged. */
    readonly status: string | null;
    readonly addedLinks: readonly TicketLink[];
    readonly removedLinks: readonly TicketLink[];
    readonly addedMentions: TicketMentions;
    readonly source: FactSource | null;
    readonly updatedAt: string;
  }
>;

export type TicketEvent = TicketRecorded | TicketUpdated;

export const ticketEventSchemaVersions: Record<TicketEvent['type'], number> = {
  TicketRecorded: 1,
  TicketUpdated: 1,
};

export type RecordTicket = DomainCommand<
  'RecordTicket',
  TicketSnapshot & { readonly source?: FactSource; readonly recordedAt: string }
>;

export type TicketCommand = RecordTicket;

export interface TicketState {
  readonly ticket: TicketSnapshot | null;
}

export const initialTicketState: TicketState = { ticket: null };

export function evolveTicket(state: TicketState, event: TicketEvent): TicketState {
  switch (event.type) {
    case 'TicketRecorded': {
      const { source: _source, recordedAt: _at, ...ticket } = event.data;
      return { ticket };
    }
    case 'TicketUpdated': {
      if (state.ticket === null) {
        return state;
      }
      const removed = new Set(event.data.removedLinks.map(linkKey));
      const kept = state.ticket.links.filter((link) => !removed.has(linkKey(link)));
      const { summary, status, addedLinks, addedMentions } = event.data;
      return {
        ticket: {
          ...state.ticket,
          summary: summary ?? state.ticket.summary,
          status: status ?? state.ticket.status,
          links: [...kept, ...addedLinks],
          mentions: mergeMentions(state.ticket.mentions, addedMentions),
        },
      };
    }
  }
}

/** Renders a link as Jira words it, e.g. "relates to SR-1446". */
export function describeTicketLink(link: TicketLink): string {
  return `${link.relation} ${link.ticketKey}`;
}

export function decideTicket(command: TicketCommand, state: TicketState): E.Either<DomainError, readonly TicketEvent[]> {
  const { source, recordedAt, ...snapshot } = command.data;
  const error = firstError([
    checkKey('ticketKey', snapshot.ticketKey),
    checkTitle('summary', snapshot.summary),
    checkText('status', snapshot.status),
    checkIsoUtc('recordedAt', recordedAt),
    ...snapshot.links.flatMap((link) => [
      checkOneOf('links.direction', link.direction, ['outward', 'inward']),
      checkText('links.relation', link.relation),
      checkKey('links.ticketKey', link.ticketKey),
    ]),
  ]);
  if (error !== undefined) {
    return E.left(error);
  }
  if (state.ticket === null) {
    return E.right([{ type: 'TicketRecorded', data: { ...snapshot, source: source ?? null, recordedAt } }]);
  }
  const update = diff(state.ticket, snapshot, source ?? null, recordedAt);
  return E.right(update === undefined ? [] : [update]);
}

export const ticketDecider: Decider<TicketCommand, TicketEvent, TicketState, DomainError> = {
  decide: decideTicket,
  evolve: evolveTicket,
  initialState: initialTicketState,
};

/**
 * Returns the changes from one snapshot to the next, or `undefined` when nothing changed.
 * Mentions only grow, because an export that no longer shows a comment does not prove the
 * comment was deleted.
 */
function diff(
  before: TicketSnapshot,
  after: TicketSnapshot,
  source: FactSource | null,
  updatedAt: string,
): TicketUpdated | undefined {
  const beforeLinks = new Set(before.links.map(linkKey));
  const afterLinks = new Set(after.links.map(linkKey));
  const addedLinks = after.links.filter((link) => !beforeLinks.has(linkKey(link)));
  const removedLinks = before.links.filter((link) => !afterLinks.has(linkKey(link)));
  const addedMentions: TicketMentions = {
    captureBlockIds: newValues(before.mentions.captureBlockIds, after.mentions.captureBlockIds),
    scheduleBlockIds: newValues(before.mentions.scheduleBlockIds, after.mentions.scheduleBlockIds),
    featureKeys: newValues(before.mentions.featureKeys, after.mentions.featureKeys),
  };
  const summary = after.summary === before.summary ? null : after.summary;
  const status = after.status === before.status ? null : after.status;
  const mentionCount =
    addedMentions.captureBlockIds.length + addedMentions.scheduleBlockIds.length + addedMentions.featureKeys.length;
  const unchanged =
    summary === null && status === null && addedLinks.length === 0 && removedLinks.length === 0 && mentionCount === 0;
  if (unchanged) {
    return undefined;
  }
  return {
    type: 'TicketUpdated',
    data: { ticketKey: after.ticketKey, summary, status, addedLinks, removedLinks, addedMentions, source, updatedAt },
  };
}

function newValues(before: readonly string[], after: readonly string[]): readonly string[] {
  const known = new Set(before);
  return sortedUnique(after.filter((value) => !known.has(value)));
}

function mergeMentions(a: TicketMentions, b: TicketMentions): TicketMentions {
  return {
    captureBlockIds: sortedUnique([...a.captureBlockIds, ...b.captureBlockIds]),
    scheduleBlockIds: sortedUnique([...a.scheduleBlockIds, ...b.scheduleBlockIds]),
    featureKeys: sortedUnique([...a.featureKeys, ...b.featureKeys]),
  };
}

function linkKey(link: TicketLink): string {
  return `${link.direction}|${link.relation}|${link.ticketKey}`;
}
