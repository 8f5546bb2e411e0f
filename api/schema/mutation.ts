/** Running a domain command from a mutation: authorize, handle, wait for the read models, return the entity. */
import * as E from 'fp-ts/lib/Either.js';
import type { FactSource, OnskyCommand } from '../../domain/index.js';
import type { CommandOutcome } from '../commands/handler.js';
import type { ApiContext } from '../context.js';
import { MUTATION_ROLES, type MutationName } from '../auth/roles.js';
import { utcInstant, type View } from './common.js';
import { COMMAND_ERROR_TYPES, commandError } from './errors.js';
import { builder } from './builder.js';

/** Options every command mutation shares: its role from the matrix and the domain errors as result types. */
export function commandField(name: MutationName) {
  return {
    authScopes: { role: MUTATION_ROLES[name] },
    errors: { types: COMMAND_ERROR_TYPES, directResult: true },
  } as const;
}

/**
 * Handles a command as the request's actor, throws its failure as a typed error, and waits until
 * the live read models contain what it appended, so the returned entity shows the change.
 */
export async function runCommand(context: ApiContext, command: OnskyCommand): Promise<{ outcome: CommandOutcome; view: View }> {
  const result = await context.commands.handle(command, { actor: context.actor.name, correlationId: context.requestId });
  if (E.isLeft(result)) {
    context.logger.info({ requestId: context.requestId, actor: context.actor.name, command: command.type, error: result.left.kind }, 'command rejected');
    throw commandError(result.left);
  }

  const outcome = result.right;
  const appended = countEvents(outcome);
  context.metrics.countEventsAppended(appended);
  context.logger.info({ requestId: context.requestId, actor: context.actor.name, command: command.type, stream: outcome.stream, events: appended }, 'command handled');
  await context.reads.waitFor(lastPosition(outcome));
  return { outcome, view: { reads: context.reads.current(), now: new Date().toISOString() } };
}

function countEvents(outcome: CommandOutcome): number {
  return outcome.events.length + outcome.followUps.reduce((sum, followUp) => sum + countEvents(followUp), 0);
}

function lastPosition(outcome: CommandOutcome): bigint {
  return outcome.followUps.reduce((max, followUp) => (lastPosition(followUp) > max ? lastPosition(followUp) : max), outcome.position);
}

/** Time a command records when the request gives none: now, ISO 8601 UTC. */
export function timeOr(given: string | null | undefined): string {
  return given == null ? new Date().toISOString() : utcInstant(given);
}

/** Source recorded for facts entered through the API when the request names none. */
export const API_SOURCE: FactSource = { importer: 'api', file: 'graphql' };

export const FactSourceInput = builder.inputType('FactSourceInput', {
  description: 'Where facts came from; omitted, the API records importer "api", file "graphql".',
  fields: (t) => ({
    importer: t.string({ required: true, description: 'Importer or tool name, e.g. obslog.' }),
    file: t.string({ required: true, description: 'File name.' }),
    locator: t.string({ required: false, description: 'Line number or record key inside the file.' }),
  }),
});

export function sourceOf(input: { importer: string; file: string; locator?: string | null } | null | undefined): FactSource {
  if (input == null) return API_SOURCE;
  return { importer: input.importer, file: input.file, ...(input.locator == null ? {} : { locator: input.locator }) };
}

/** Drops null fields, which GraphQL uses for "not given", so domain types see them as absent. */
export function withoutNulls<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null)) as { [K in keyof T]: Exclude<T[K], null> };
}
