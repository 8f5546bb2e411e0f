/**
 * The timeline (changes, observations, verifications, suspicions in time order), the
 * configuration in effect at a time, and what changed between two observations.
 */
import { compareText } from '../domain/index.js';
import { factOf, startMs } from './facts.js';
import type { LoggedTimelineEntry, LoggedTimelineKind, ObservationRecord, ProjectionState } from './model.js';
import { lowerBound } from './queue.js';

/** Kinds of timeline entry. */
export type TimelineKind = LoggedTimelineKind | 'observation';

/** One dated entry of the timeline. */
export interface TimelineEntry {
  readonly kind: TimelineKind;
  /** When it happened (ISO 8601 UTC): deployment, rollback, verification time or observation start. */
  readonly at: string;
  readonly changeId: string | null;
  readonly featureKey: string | null;
  /** The observation for `observation` entries; the cited ones for verifications are in `observationIds`. */
  readonly observationId: string | null;
  readonly observationIds: readonly string[];
  readonly components: readonly string[];
  readonly summary: string;
}

/** Range, kinds and paging of a timeline query. */
export interface TimelineFilter {
  /** Inclusive start (ISO 8601 UTC). */
  readonly from?: string;
  /** Inclusive end (ISO 8601 UTC). */
  readonly to?: string;
  readonly kinds?: readonly TimelineKind[];
  readonly offset?: number;
  /** Entries returned; default 500. */
  readonly limit?: number;
}

/** One page of timeline entries. */
export interface TimelinePage {
  readonly entries: readonly TimelineEntry[];
  /** Entries that match the filter, before paging. */
  readonly total: number;
}

/**
 * Lists timeline entries in time order. `loggedByTime` is the state's logged entries sorted by
 * time and `observationsByStart` the observations with a known start, oldest first.
 */
export function timeline(
  loggedByTime: readonly LoggedTimelineEntry[],
  observationsByStart: readonly ObservationRecord[],
  filter: TimelineFilter = {},
): TimelinePage {
  const fromMs = filter.from === undefined ? Number.NEGATIVE_INFINITY : Date.parse(filter.from);
  const toMs = filter.to === undefined ? Number.POSITIVE_INFINITY : Date.parse(filter.to);
  const kinds = filter.kinds === undefined ? undefined : new Set(filter.kinds);
  const matches: TimelineEntry[] = [];

  for (const entry of loggedByTime) {
    const ms = Date.parse(entry.at);
    if (ms < fromMs || ms > toMs || (kinds !== undefined && !kinds.has(entry.kind))) continue;
    matches.push({ ...entry, observationId: null });
  }
  if (kinds === undefined || kinds.has('observation')) {
    const first = Number.isFinite(fromMs) ? lowerBound(observationsByStart, fromMs) : 0;
    for (let index = first; index < observationsByStart.length; index++) {
      const observation = observationsByStart[index]!;
      if (startMs(observation) > toMs) break;
      matches.push(observationEntry(observation));
    }
  }
  matches.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const offset = filter.offset ?? 0;
  return { entries: matches.slice(offset, offset + (filter.limit ?? 500)), total: matches.length };
}

function observationEntry(observation: ObservationRecord): TimelineEntry {
  const description = factOf(observation, 'description') ?? '';
  return {
    kind: 'observation',
    at: factOf(observation, 'startUtc') ?? '',
    changeId: null,
    featureKey: null,
    observationId: observation.observationId,
    observationIds: [observation.observationId],
    components: [],
    summary: `observation ${observation.observationId}${description === '' ? '' : `: ${description}`}`,
  };
}

/** The change live on one component at a time. */
export interface ComponentConfiguration {
  readonly component: string;
  readonly changeId: string;
  readonly deploymentId: string;
  readonly deployedAt: string;
  /** The change's version, `null` when it has none. */
  readonly version: string | null;
  readonly summary: string;
}

/**
 * Returns, for each component, the change that was live at `at`: the latest deployment at or
 * before `at` that had not been rolled back by then. Ordered by component.
 */
export function configurationAt(state: ProjectionState, at: string): ComponentConfiguration[] {
  const atMs = Date.parse(at);
  const live = new Map<string, ComponentConfiguration & { ms: number }>();
  for (const change of state.changes.values()) {
    const definition = change.state.definition;
    if (definition === null) continue;
    for (const deployment of change.state.deployments) {
      const ms = Date.parse(deployment.deployedAt);
      const rolledBack = deployment.rolledBackAt !== null && Date.parse(deployment.rolledBackAt) <= atMs;
      if (ms > atMs || rolledBack) continue;
      for (const component of definition.components) {
        const current = live.get(component);
        if (current !== undefined && current.ms > ms) continue;
        live.set(component, {
          component,
          changeId: change.changeId,
          deploymentId: deployment.deploymentId,
          deployedAt: deployment.deployedAt,
          version: definition.version,
          summary: definition.summary,
          ms,
        });
      }
    }
  }
  return [...live.values()].sort((a, b) => compareText(a.component, b.component)).map(({ ms: _ms, ...entry }) => entry);
}

/** A deployment or rollback between two observations. */
export interface ChangeBetween {
  readonly changeId: string;
  readonly action: 'deployed' | 'rolled-back';
  readonly at: string;
  readonly components: readonly string[];
  readonly summary: string;
}

/** The deployments and rollbacks between two observations' starts. */
export interface ChangesBetween {
  readonly fromObservationId: string;
  readonly toObservationId: string;
  readonly fromUtc: string;
  readonly toUtc: string;
  /** Deployments and rollbacks after the earlier start and at or before the later one, in time order. */
  readonly changes: readonly ChangeBetween[];
}

/** Lists what changed between the starts of two observations; `undefined` when one is unknown or has no start. */
export function changesBetween(state: ProjectionState, observationA: string, observationB: string): ChangesBetween | undefined {
  const a = state.observations.get(observationA);
  const b = state.observations.get(observationB);
  const startA = a === undefined ? undefined : factOf(a, 'startUtc');
  const startB = b === undefined ? undefined : factOf(b, 'startUtc');
  if (startA === undefined || startB === undefined) return undefined;

  const [from, to] = Date.parse(startA) <= Date.parse(startB) ? [startA, startB] : [startB, startA];
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const inRange = (instant: string): boolean => Date.parse(instant) > fromMs && Date.parse(instant) <= toMs;
  const changes: ChangeBetween[] = [];
  for (const change of state.changes.values()) {
    const components = change.state.definition?.components ?? [];
    const summary = change.state.definition?.summary ?? '';
    for (const deployment of change.state.deployments) {
      if (inRange(deployment.deployedAt)) changes.push({ changeId: change.changeId, action: 'deployed', at: deployment.deployedAt, components, summary });
    }
    for (const rollback of change.rollbacks) {
      if (inRange(rollback.rolledBackAt)) changes.push({ changeId: change.changeId, action: 'rolled-back', at: rollback.rolledBackAt, components, summary });
    }
  }
  changes.sort((x, y) => Date.parse(x.at) - Date.parse(y.at) || compareText(x.changeId, y.changeId));
  return { fromObservationId: observationA, toObservationId: observationB, fromUtc: from, toUtc: to, changes };
}
