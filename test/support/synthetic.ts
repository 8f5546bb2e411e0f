/**
 * A synthetic MeerKAT-scale history for tests and benchmarks: years of observations of real
 * catalogue targets with 64 receptors (m000–m063), changes deployed to components, features
 * proposed, delivered, verified and made suspect, reviews, archived products, tickets and
 * findings. Every event comes from the domain's deciders and policy, so its data has the shape
 * the command handler would append. The same seed and size give the same log.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  commandsAfterChangeDeployed,
  eventSchemaVersions,
  evidenceNotBeforeUtc,
  matchEvidence,
  changeStream,
  featureDecider,
  featureStream,
  findingDecider,
  observationDecider,
  targetDecider,
  targetStream,
  ticketDecider,
  type ChangeState,
  type Decider,
  type DomainError,
  type EvidenceFacts,
  type FactSource,
  type FeatureState,
  type OnskyEvent,
} from '../../domain/index.js';
import type { AppendRequest, EventStore, NewEvent } from '../../store/port.js';
import { ActionQueue, loadCatalogues, Random, receptorSets, type CatalogueEntry } from './synthetic-parts.js';
import { planChanges, planFeatures, planTicketsAndFindings } from './synthetic-work.js';
import { planObservations } from './synthetic-observations.js';

export interface SyntheticOptions {
  /** Events to write (the log ends at the first batch that reaches it). */
  readonly events: number;
  readonly seed?: number;
  /** First day of the history; default 2016-01-01. */
  readonly startUtc?: string;
  /** Observations per day; default 60. */
  readonly observationsPerDay?: number;
  /** Events per `appendBatch` call; default 5000. */
  readonly batchEvents?: number;
}

export interface SyntheticSummary {
  readonly events: number;
  readonly observations: number;
  readonly features: number;
  readonly changes: number;
  /** Commands the deciders rejected (the generator then moves on, as an importer would). */
  readonly rejected: number;
  readonly firstUtc: string;
  readonly lastUtc: string;
}

export const DAY_MS = 86_400_000;

/** Whole-second ISO 8601 UTC; flooring keeps record times in order and comparable as text. */
export function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The generator's running state, shared with the planning functions. */
export class History {
  readonly random: Random;
  readonly queue = new ActionQueue();
  readonly catalogue: readonly CatalogueEntry[];
  readonly tagsByName = new Map<string, readonly string[]>();
  readonly receptorSets: readonly (readonly string[])[];
  readonly features = new Map<string, FeatureState>();
  readonly changes = new Map<string, ChangeState>();
  readonly observations = new Map<string, ReturnType<typeof observationDecider.evolve>>();
  readonly tickets = new Map<string, ReturnType<typeof ticketDecider.evolve>>();
  readonly findings = new Map<string, ReturnType<typeof findingDecider.evolve>>();
  readonly targets = new Map<string, ReturnType<typeof targetDecider.evolve>>();
  /** Archived observations' evidence facts, newest last; a window, not the whole archive. */
  readonly archived: EvidenceFacts[] = [];
  readonly recentObservationIds: string[] = [];
  counters = { observations: 0, features: 0, changes: 0, tickets: 0, findings: 0, rejected: 0 };
  written = 0;
  private pending: AppendRequest[] = [];
  private pendingEvents = 0;

  constructor(readonly store: EventStore, readonly options: Required<SyntheticOptions>) {
    this.random = new Random(options.seed);
    this.catalogue = loadCatalogues();
    for (const entry of this.catalogue) {
      for (const name of [entry.name, ...entry.aliases]) this.tagsByName.set(name, entry.tags);
    }
    this.receptorSets = receptorSets(this.random);
  }

  /** Runs a command through a decider; appends its events, or counts a rejection. */
  decide<C, Ev extends OnskyEvent, S>(
    decider: Decider<C, Ev, S, DomainError>,
    states: Map<string, S>,
    stream: string,
    command: C,
    ms: number,
    actor: string,
    source?: FactSource & { digest?: string },
  ): readonly Ev[] {
    const before = states.get(stream) ?? decider.initialState;
    const decision = decider.decide(command, before);
    if (E.isLeft(decision)) {
      this.counters.rejected += 1;
      return [];
    }
    let after = before;
    for (const event of decision.right) after = decider.evolve(after, event);
    states.set(stream, after);
    this.emit(stream, decision.right, ms, actor, source);
    return decision.right;
  }

  private emit(stream: string, events: readonly OnskyEvent[], ms: number, actor: string, source?: FactSource): void {
    if (events.length === 0) return;
    const correlationId = this.random.uuid();
    const at = iso(ms);
    const envelopes: NewEvent[] = events.map((event) => ({
      id: this.random.uuid(),
      type: event.type,
      schemaVersion: eventSchemaVersions[event.type],
      data: event.data,
      metadata: {
        actor,
        recordedAt: at,
        occurredAt: at,
        correlationId,
        causationId: correlationId,
        ...(source === undefined
          ? {}
          : { source: { importer: source.importer, file: source.file, locator: source.locator ?? '1', digest: this.random.digest() } }),
      },
    }));
    this.pending.push({ stream, events: envelopes, expectedRevision: 'any' });
    this.pendingEvents += envelopes.length;
  }

  async flushIfFull(): Promise<void> {
    if (this.pendingEvents >= this.options.batchEvents) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const result = await this.store.appendBatch(this.pending);
    if (E.isLeft(result)) throw new Error(`synthetic history append failed: ${result.left.message}`);
    this.written += this.pendingEvents;
    this.pending = [];
    this.pendingEvents = 0;
  }

  get total(): number {
    return this.written + this.pendingEvents;
  }

  /** Lists verified features naming `component`, as the deployment policy's lookup, from the generator's states. */
  verifiedFeaturesWithComponent(component: string): string[] {
    const keys: string[] = [];
    for (const [stream, state] of this.features) {
      if (state.status === 'verified' && state.definition?.components.includes(component) === true) keys.push(stream.slice('feature-'.length));
    }
    return keys;
  }

  /** Reacts to a deployment as the command handler does: deliveries and suspicions. */
  applyDeploymentPolicy(event: Extract<OnskyEvent, { type: 'ChangeDeployed' }>, ms: number): void {
    for (const command of commandsAfterChangeDeployed(event, this)) {
      this.decide(featureDecider, this.features, featureStream(command.data.featureKey), command, ms, 'policy:deployment');
    }
  }

  /** Deployment of the change that delivered a feature, for the evidence time bound. */
  evidenceNotBefore(state: FeatureState): string | undefined {
    const changeId = state.delivery?.changeId;
    const deployment = changeId == null ? undefined : this.changes.get(changeStream(changeId))?.deployments.at(-1);
    const delivering = changeId == null || deployment === undefined ? undefined : { changeId, deployedAt: deployment.deployedAt };
    return evidenceNotBeforeUtc(state, delivering);
  }

  /** Finds an archived observation that qualifies as evidence, newest first, looking at most `window` back. */
  findEvidence(state: FeatureState, window = 600): EvidenceFacts | undefined {
    const criteria = state.definition?.evidenceCriteria ?? {};
    const notBefore = this.evidenceNotBefore(state);
    const context = notBefore === undefined ? {} : { takenAfterUtc: notBefore };
    for (let index = this.archived.length - 1; index >= Math.max(0, this.archived.length - window); index--) {
      const facts = this.archived[index]!;
      if (matchEvidence(facts, criteria, context).length === 0) return facts;
    }
    return undefined;
  }
}

/** Writes the history into the store and returns what it wrote. */
export async function writeSyntheticHistory(store: EventStore, options: SyntheticOptions): Promise<SyntheticSummary> {
  const settings: Required<SyntheticOptions> = {
    events: options.events,
    seed: options.seed ?? 1,
    startUtc: options.startUtc ?? '2016-01-01T00:00:00Z',
    observationsPerDay: options.observationsPerDay ?? 60,
    batchEvents: options.batchEvents ?? 5000,
  };
  const history = new History(store, settings);
  const firstMs = Date.parse(settings.startUtc);
  recordTargets(history, firstMs);
  history.queue.at(firstMs + 3_600_000, () => planDay(history, firstMs + 3_600_000));

  let lastMs = firstMs;
  while (history.total < settings.events) {
    const action = history.queue.pop();
    if (action === undefined) break;
    lastMs = action.ms;
    action.run();
    await history.flushIfFull();
  }
  await history.flush();
  return {
    events: history.written,
    observations: history.counters.observations,
    features: history.counters.features,
    changes: history.counters.changes,
    rejected: history.counters.rejected,
    firstUtc: iso(firstMs),
    lastUtc: iso(lastMs),
  };
}

function recordTargets(history: History, ms: number): void {
  for (const entry of history.catalogue) {
    const source = { importer: 'catalogue', file: entry.file, locator: String(entry.line) };
    const command = {
      type: 'RecordTarget' as const,
      data: { targetName: entry.name, aliases: entry.aliases, tags: entry.tags, coordinates: entry.coordinates, source, recordedAt: iso(ms) },
    };
    history.decide(targetDecider, history.targets, targetStream(entry.name), command, ms, 'importer:catalogue', source);
  }
}

/** Plans one day: its observations, engineering work, tickets and findings, then the next day. */
function planDay(history: History, dayMs: number): void {
  planObservations(history, dayMs);
  planFeatures(history, dayMs);
  planChanges(history, dayMs);
  planTicketsAndFindings(history, dayMs);
  history.queue.at(dayMs + DAY_MS, () => planDay(history, dayMs + DAY_MS));
}

