/**
 * The command handler: route → load → enrich → decide → append, retried on a concurrent write,
 * then the domain's policies on what was appended. Each step is one small function. The decider
 * stays pure, because this module reads the facts it needs from other streams and passes them in
 * with the command.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import {
  changeNotFound,
  invalidValue,
  changeStream,
  commandsAfterChangeDeployed,
  type ChangeDeployed,
  type DomainError,
  type OnskyCommand,
  type OnskyEvent,
  type VerifiedFeatureLookup,
} from '../../domain/index.js';
import type { EventStore, NewEvent, Position, SourceProvenance } from '../../store/port.js';
import { enrichCommand, type FactLookups } from './enrich.js';
import { routeCommand, schemaVersionOf, type AnyDecider } from './routing.js';

/** Origin of a command (actor, correlation, source), carried into every event's metadata. */
export interface CommandContext {
  readonly actor: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly occurredAt?: string;
  readonly source?: SourceProvenance;
  /**
   * Makes event ids deterministic: the same seed and the same decided event give the same id,
   * so a retried or re-imported command adds nothing twice. Interactive commands leave it out.
   */
  readonly idSeed?: string;
}

/** A command that lost the race for its stream more often than the handler retries. */
export interface ConcurrencyConflict {
  readonly kind: 'ConcurrencyConflict';
  readonly message: string;
  readonly stream: string;
  readonly attempts: number;
}

export type CommandFailure = DomainError | ConcurrencyConflict;

export interface AppendedEvent {
  readonly id: string;
  readonly type: OnskyEvent['type'];
  readonly data: OnskyEvent['data'];
}

export interface CommandOutcome {
  readonly stream: string;
  /** Events this command appended; empty when the decider found nothing new. */
  readonly events: readonly AppendedEvent[];
  /** Revision of the stream's last event after the command, -1 when the stream does not exist. */
  readonly revision: number;
  /** Log position of the last appended event, or the head when nothing was appended. */
  readonly position: Position;
  /** Outcomes of the commands the domain's policies issued in reaction. */
  readonly followUps: readonly CommandOutcome[];
  /** Policy commands the domain rejected (a delivered feature that was never proposed, say). */
  readonly followUpErrors: readonly CommandFailure[];
}

export interface HandlerLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface CommandHandlerOptions {
  readonly store: EventStore;
  readonly lookups?: Partial<FactLookups>;
  /** Verified features by component, for the deployment policy; without it no feature turns suspect. */
  readonly verifiedFeatures?: VerifiedFeatureLookup & {
    /** Resolves once the lookup reflects the log up to `position`. */
    waitFor?(position: Position): Promise<void>;
  };
  readonly logger?: HandlerLogger;
  /** Attempts per command when another writer keeps moving the stream. Default 5. */
  readonly maxAttempts?: number;
  /** Clock for the check that no time lies in the future; injectable for tests. */
  readonly now?: () => Date;
}

/** How far a command's time may lie ahead of the server's clock, for clocks a little apart, in ms. */
const FUTURE_SLACK_MS = 3_600_000;

/**
 * Returns an error when a time the command records (`deliveredAt`, `verifiedAt`, …) lies more
 * than an hour ahead of `now`: nothing has happened in the future, and such a time would sort
 * every view and history wrongly from then on. Imports run the same check.
 */
export function futureTime(command: OnskyCommand, now: Date): DomainError | undefined {
  const data = command.data as Record<string, unknown>;
  // Keys, not entries: every imported command passes through here.
  for (const field of Object.keys(data)) {
    const value = data[field];
    if (!field.endsWith('At') || typeof value !== 'string') continue;
    const at = Date.parse(value);
    if (Number.isFinite(at) && at > now.getTime() + FUTURE_SLACK_MS) {
      return invalidValue(field, value, `a time that has passed (the server's clock reads ${now.toISOString()})`);
    }
  }
  return undefined;
}

interface Loaded {
  readonly state: unknown;
  readonly revision: number;
}

export class CommandHandler {
  private readonly maxAttempts: number;

  constructor(private readonly options: CommandHandlerOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /** Decides a command against its stream and appends the result; returns a domain error or the outcome. */
  async handle(command: OnskyCommand, context: CommandContext): Promise<E.Either<CommandFailure, CommandOutcome>> {
    const route = routeCommand(command);
    if (E.isLeft(route)) return route;
    const { stream, decider } = route.right;
    const missing = futureTime(command, this.options.now?.() ?? new Date()) ?? (await this.missingChange(command));
    if (missing !== undefined) return E.left(missing);

    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const loaded = await this.load(stream, decider);
      const enriched = await enrichCommand(command, loaded.state, this.options.store, this.options.lookups);
      const decision = decider.decide(enriched, loaded.state);
      if (E.isLeft(decision)) return decision;

      const written = await this.append(stream, decision.right, loaded.revision, context);
      if (written === 'conflict') {
        this.options.logger?.info({ stream, command: command.type, attempt }, 'stream moved while deciding; retrying the command');
        continue;
      }
      const followUps = await this.runPolicies(written.events, written.position, context);
      return E.right({ stream, ...written, ...followUps });
    }

    return E.left({
      kind: 'ConcurrencyConflict',
      message: `stream "${stream}" kept changing while ${command.type} was decided (${this.maxAttempts} attempts); try again`,
      stream,
      attempts: this.maxAttempts,
    });
  }

  /**
   * Returns an error when a delivery or a suspicion names a change the log does not contain. A
   * delivery by an unknown change could never be verified, because verification needs that
   * change's deployment.
   */
  private async missingChange(command: OnskyCommand): Promise<CommandFailure | undefined> {
    if (command.type !== 'DeliverFeature' && command.type !== 'MarkFeatureSuspect') return undefined;
    const changeId = command.data.changeId;
    if (changeId === undefined || changeId.trim() === '') return undefined;
    for await (const _event of this.options.store.readStream(changeStream(changeId), { maxCount: 1 })) return undefined;
    return changeNotFound(changeId);
  }

  private async load(stream: string, decider: AnyDecider): Promise<Loaded> {
    let state = decider.initialState;
    let revision = -1;
    for await (const event of this.options.store.readStream(stream)) {
      state = decider.evolve(state, event as unknown as OnskyEvent);
      revision = event.revision;
    }
    return { state, revision };
  }

  private async append(
    stream: string,
    decided: readonly OnskyEvent[],
    revision: number,
    context: CommandContext,
  ): Promise<'conflict' | { events: AppendedEvent[]; revision: number; position: Position }> {
    const correlationId = context.correlationId ?? randomUUID();
    const events: NewEvent[] = decided.map((event, index) => ({
      id: eventId(context.idSeed, stream, index, event),
      type: event.type,
      schemaVersion: schemaVersionOf(event.type),
      data: event.data,
      metadata: {
        actor: context.actor,
        correlationId,
        causationId: context.causationId ?? correlationId,
        ...(context.occurredAt === undefined ? {} : { occurredAt: context.occurredAt }),
        ...(context.source === undefined ? {} : { source: context.source }),
      },
    }));
    const result = await this.options.store.append(stream, events, revision < 0 ? 'no-stream' : revision);
    if (E.isLeft(result)) return 'conflict';
    return {
      events: decided.map((event, index) => ({ id: events[index]!.id, type: event.type, data: event.data })),
      revision: result.right.nextExpectedRevision,
      position: result.right.position,
    };
  }

  /** Runs the domain's policies on appended events; each reaction is a command of its own. */
  async runPolicies(
    events: readonly AppendedEvent[],
    position: Position,
    context: CommandContext,
  ): Promise<{ followUps: CommandOutcome[]; followUpErrors: CommandFailure[] }> {
    const followUps: CommandOutcome[] = [];
    const followUpErrors: CommandFailure[] = [];
    const deployments = events.filter((event) => event.type === 'ChangeDeployed');
    if (deployments.length === 0) return { followUps, followUpErrors };

    const lookup = this.options.verifiedFeatures ?? { verifiedFeaturesWithComponent: () => [] };
    await lookup.waitFor?.(position);
    for (const event of deployments) {
      const deployed = { type: 'ChangeDeployed', data: event.data } as ChangeDeployed;
      for (const reaction of commandsAfterChangeDeployed(deployed, lookup)) {
        const outcome = await this.handle(reaction, {
          actor: context.actor,
          correlationId: context.correlationId,
          causationId: event.id,
          // The reaction to one stored event is always the same command, so its ids can be too.
          idSeed: `policy:${event.id}`,
        });
        if (E.isRight(outcome)) {
          followUps.push(outcome.right);
        } else {
          followUpErrors.push(outcome.left);
          this.options.logger?.warn(
            { causationId: event.id, command: reaction.type, featureKey: reaction.data.featureKey, error: outcome.left.kind },
            `deployment policy could not ${reaction.type === 'DeliverFeature' ? 'deliver' : 'mark suspect'} feature ${reaction.data.featureKey}: ${outcome.left.message}`,
          );
        }
      }
    }
    return { followUps, followUpErrors };
  }
}

/**
 * Returns a random id, or, with a seed, a UUID (version 5 layout) hashed from the seed, the
 * stream, the event's index and its content, so a different event never reuses a stored id.
 */
export function eventId(seed: string | undefined, stream: string, index: number, event: OnskyEvent): string {
  if (seed === undefined) return randomUUID();
  const digest = createHash('sha1').update(`${seed}\u0000${stream}\u0000${index}\u0000${event.type}\u0000${JSON.stringify(event.data)}`).digest();
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
