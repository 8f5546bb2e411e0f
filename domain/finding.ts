/**
 * Findings: commissioning knowledge worth keeping, as a symptom, its cause and a workaround when
 * known, linked to the hosts, components, changes, observations and tickets it concerns.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Decider, DomainCommand, DomainEvent } from './event.js';
import type { DomainError } from './errors.js';
import { checkIsoUtc, checkKey, checkText, checkTitle, firstError, sortedUnique } from './values.js';

export interface FindingLinks {
  /** Host names, e.g. `mc1.sdp.mkat.karoo.kat.ac.za`. */
  readonly hosts: readonly string[];
  readonly components: readonly string[];
  readonly changeIds: readonly string[];
  readonly observationIds: readonly string[];
  readonly ticketKeys: readonly string[];
}

export const NO_FINDING_LINKS: FindingLinks = {
  hosts: [],
  components: [],
  changeIds: [],
  observationIds: [],
  ticketKeys: [],
};

export interface FindingText {
  readonly symptom: string;
  /** Empty while the cause is unknown. */
  readonly cause: string;
  /** Empty while there is no workaround. */
  readonly workaround: string;
}

export type FindingRecorded = DomainEvent<
  'FindingRecorded',
  FindingText & {
    readonly findingId: string;
    readonly title: string;
    readonly links: FindingLinks;
    readonly recordedBy: string;
    readonly recordedAt: string;
  }
>;

/** Carries only the texts that changed, each in full. */
export type FindingRevised = DomainEvent<
  'FindingRevised',
  Partial<FindingText> & { readonly findingId: string; readonly revisedBy: string; readonly revisedAt: string }
>;

/** Carries only the links that were not there before. */
export type FindingLinked = DomainEvent<
  'FindingLinked',
  { readonly findingId: string; readonly links: FindingLinks; readonly linkedBy: string; readonly linkedAt: string }
>;

export type FindingEvent = FindingRecorded | FindingRevised | FindingLinked;

export const findingEventSchemaVersions: Record<FindingEvent['type'], number> = {
  FindingRecorded: 1,
  FindingRevised: 1,
  FindingLinked: 1,
};

export type RecordFinding = DomainCommand<'RecordFinding', FindingRecorded['data']>;

export type ReviseFinding = DomainCommand<'ReviseFinding', FindingRevised['data']>;

export type LinkFinding = DomainCommand<'LinkFinding', FindingLinked['data']>;

export type FindingCommand = RecordFinding | ReviseFinding | LinkFinding;

export interface FindingState {
  readonly finding: (FindingText & { readonly findingId: string; readonly title: string; readonly links: FindingLinks }) | null;
}

export const initialFindingState: FindingState = { finding: null };

export function evolveFinding(state: FindingState, event: FindingEvent): FindingState {
  switch (event.type) {
    case 'FindingRecorded': {
      const { findingId, title, symptom, cause, workaround, links } = event.data;
      return { finding: { findingId, title, symptom, cause, workaround, links } };
    }
    case 'FindingRevised': {
      if (state.finding === null) {
        return state;
      }
      const { symptom, cause, workaround } = event.data;
      const finding = state.finding;
      return {
        finding: {
          ...finding,
          symptom: symptom ?? finding.symptom,
          cause: cause ?? finding.cause,
          workaround: workaround ?? finding.workaround,
        },
      };
    }
    case 'FindingLinked':
      return state.finding === null ? state : { finding: { ...state.finding, links: mergeLinks(state.finding.links, event.data.links) } };
  }
}

type Decision = E.Either<DomainError, readonly FindingEvent[]>;

export function decideFinding(command: FindingCommand, state: FindingState): Decision {
  if (command.type === 'RecordFinding') {
    return record(command, state);
  }
  if (state.finding === null) {
    return E.left({
      kind: 'FindingNotFound',
      message: `finding ${command.data.findingId} not found; record it first`,
      findingId: command.data.findingId,
    });
  }
  return command.type === 'ReviseFinding' ? revise(command, state.finding) : link(command, state.finding.links);
}

export const findingDecider: Decider<FindingCommand, FindingEvent, FindingState, DomainError> = {
  decide: decideFinding,
  evolve: evolveFinding,
  initialState: initialFindingState,
};

function record(command: RecordFinding, state: FindingState): Decision {
  const data = command.data;
  if (state.finding !== null) {
    return E.left({
      kind: 'FindingAlreadyRecorded',
      message: `finding ${data.findingId} is already recorded; revise it or use another id`,
      findingId: data.findingId,
    });
  }
  const error = firstError([
    checkKey('findingId', data.findingId),
    checkTitle('title', data.title),
    checkText('symptom', data.symptom),
    checkText('recordedBy', data.recordedBy),
    checkIsoUtc('recordedAt', data.recordedAt),
  ]);
  return error === undefined ? E.right([{ type: 'FindingRecorded', data }]) : E.left(error);
}

function revise(command: ReviseFinding, current: FindingText): Decision {
  const { findingId, revisedBy, revisedAt } = command.data;
  const error = firstError([
    checkText('revisedBy', revisedBy),
    checkIsoUtc('revisedAt', revisedAt),
    command.data.symptom === undefined ? E.right('') : checkText('symptom', command.data.symptom),
  ]);
  if (error !== undefined) {
    return E.left(error);
  }

  const changed: Partial<Record<keyof FindingText, string>> = {};
  for (const name of ['symptom', 'cause', 'workaround'] as const) {
    const text = command.data[name];
    if (text !== undefined && text !== current[name]) {
      changed[name] = text;
    }
  }
  if (Object.keys(changed).length === 0) {
    return E.right([]);
  }
  return E.right([{ type: 'FindingRevised', data: { findingId, ...changed, revisedBy, revisedAt } }]);
}

function link(command: LinkFinding, current: FindingLinks): Decision {
  const { findingId, links, linkedBy, linkedAt } = command.data;
  const error = firstError([checkText('linkedBy', linkedBy), checkIsoUtc('linkedAt', linkedAt)]);
  if (error !== undefined) {
    return E.left(error);
  }
  const fresh = subtractLinks(links, current);
  const count = Object.values(fresh).reduce((total, values: readonly string[]) => total + values.length, 0);
  return E.right(count === 0 ? [] : [{ type: 'FindingLinked', data: { findingId, links: fresh, linkedBy, linkedAt } }]);
}

function subtractLinks(links: FindingLinks, known: FindingLinks): FindingLinks {
  return mapLinks((field) => {
    const seen = new Set(known[field]);
    return sortedUnique(links[field].filter((value) => !seen.has(value)));
  });
}

function mergeLinks(a: FindingLinks, b: FindingLinks): FindingLinks {
  return mapLinks((field) => sortedUnique([...a[field], ...b[field]]));
}

function mapLinks(valuesOf: (field: keyof FindingLinks) => readonly string[]): FindingLinks {
  return {
    hosts: valuesOf('hosts'),
    components: valuesOf('components'),
    changeIds: valuesOf('changeIds'),
    observationIds: valuesOf('observationIds'),
    ticketKeys: valuesOf('ticketKeys'),
  };
}
