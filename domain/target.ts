/**
 * Targets, as catalogued in katpoint catalogues: a name, its aliases (PKS 1934-63 is also
 * 1934-638 and J1939-6342) and tags (radec, bpcal, gaincal, fluxcal, delaycal, …). Evidence
 * criteria ask for tags, so the tags of every target an observation pointed at come from here.
 * A target is recorded from a catalogue entry. A later entry only adds aliases and tags, because
 * one catalogue not listing a tag does not prove another catalogue was wrong.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Decider, DomainCommand, DomainEvent } from './event.js';
import type { DomainError } from './errors.js';
import type { FactSource } from './observation-events.js';
import { checkIsoUtc, checkText, firstError, sortedUnique } from './values.js';

export interface TargetEntry {
  /** The catalogue's first name for the target, e.g. `PKS 1934-63` or `J0010-4153`. */
  readonly targetName: string;
  readonly aliases: readonly string[];
  /** katpoint tags, body type first as katpoint writes it, e.g. `radec`, `bpcal`. */
  readonly tags: readonly string[];
  /** Coordinates as the catalogue writes them, e.g. `19:39:25.03 -63:42:45.6`; empty when absent. */
  readonly coordinates: string;
}

export type TargetRecorded = DomainEvent<
  'TargetRecorded',
  TargetEntry & { readonly source: FactSource | null; readonly recordedAt: string }
>;

export type TargetUpdated = DomainEvent<
  'TargetUpdated',
  {
    readonly targetName: string;
    readonly addedAliases: readonly string[];
    readonly addedTags: readonly string[];
    readonly source: FactSource | null;
    readonly updatedAt: string;
  }
>;

export type TargetEvent = TargetRecorded | TargetUpdated;

export const targetEventSchemaVersions: Record<TargetEvent['type'], number> = {
  TargetRecorded: 1,
  TargetUpdated: 1,
};

export type RecordTarget = DomainCommand<
  'RecordTarget',
  TargetEntry & { readonly source?: FactSource; readonly recordedAt: string }
>;

export type TargetCommand = RecordTarget;

export interface TargetState {
  readonly target: TargetEntry | null;
}

export const initialTargetState: TargetState = { target: null };

/** Names a target's stream: whitespace becomes `_`, because stream ids carry no spaces. */
export function targetStreamId(targetName: string): string {
  return targetName.trim().replace(/\s+/g, '_');
}

export function targetStream(targetName: string): string {
  return `target-${targetStreamId(targetName)}`;
}

/**
 * Normalises a target name for lookups: case, spaces, underscores and a leading catalogue
 * prefix's spacing do not matter (`PKS 1934-63`, `pks_1934-63` and `PKS1934-63` are one key).
 */
export function targetLookupKey(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_]+/g, '');
}

export function evolveTarget(state: TargetState, event: TargetEvent): TargetState {
  switch (event.type) {
    case 'TargetRecorded': {
      const { source: _source, recordedAt: _at, ...target } = event.data;
      return { target };
    }
    case 'TargetUpdated': {
      if (state.target === null) {
        return state;
      }
      return {
        target: {
          ...state.target,
          aliases: sortedUnique([...state.target.aliases, ...event.data.addedAliases]),
          tags: sortedUnique([...state.target.tags, ...event.data.addedTags]),
        },
      };
    }
  }
}

export function decideTarget(command: TargetCommand, state: TargetState): E.Either<DomainError, readonly TargetEvent[]> {
  const { source, recordedAt, ...entry } = command.data;
  const error = firstError([
    checkText('targetName', entry.targetName),
    checkIsoUtc('recordedAt', recordedAt),
    ...entry.aliases.map((alias) => checkText('aliases', alias)),
    ...entry.tags.map((tag) => checkText('tags', tag)),
  ]);
  if (error !== undefined) {
    return E.left(error);
  }

  const normalised: TargetEntry = {
    targetName: entry.targetName.trim(),
    aliases: sortedUnique(entry.aliases.map((alias) => alias.trim()).filter((alias) => alias !== entry.targetName.trim())),
    tags: sortedUnique(entry.tags.map((tag) => tag.trim())),
    coordinates: entry.coordinates.trim(),
  };
  if (state.target === null) {
    return E.right([{ type: 'TargetRecorded', data: { ...normalised, source: source ?? null, recordedAt } }]);
  }

  const knownAliases = new Set(state.target.aliases);
  const knownTags = new Set(state.target.tags);
  const addedAliases = normalised.aliases.filter((alias) => !knownAliases.has(alias));
  const addedTags = normalised.tags.filter((tag) => !knownTags.has(tag));
  if (addedAliases.length === 0 && addedTags.length === 0) {
    return E.right([]);
  }
  return E.right([
    {
      type: 'TargetUpdated',
      data: { targetName: state.target.targetName, addedAliases, addedTags, source: source ?? null, updatedAt: recordedAt },
    },
  ]);
}

export const targetDecider: Decider<TargetCommand, TargetEvent, TargetState, DomainError> = {
  decide: decideTarget,
  evolve: evolveTarget,
  initialState: initialTargetState,
};
