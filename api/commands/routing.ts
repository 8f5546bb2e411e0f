/**
 * Routing of each command to its stream and decider. Every command names its aggregate's id in
 * its data, so routing is a lookup, not a decision.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  changeDecider,
  invalidValue,
  changeStream,
  eventSchemaVersions,
  featureDecider,
  featureStream,
  findingDecider,
  findingStream,
  observationDecider,
  observationStream,
  targetDecider,
  targetStream,
  ticketDecider,
  ticketStream,
  type Decider,
  type DomainError,
  type OnskyCommand,
  type OnskyEvent,
} from '../../domain/index.js';

/** A decider with its command, event and state types erased, so all aggregates share one pipeline. */
export type AnyDecider = Decider<OnskyCommand, OnskyEvent, unknown, DomainError>;

export interface Route {
  readonly stream: string;
  readonly decider: AnyDecider;
}

const FEATURE_COMMANDS = new Set([
  'ProposeFeature',
  'RescoreFeature',
  'SetEvidenceCriteria',
  'SetFeatureTickets',
  'DeliverFeature',
  'RecordVerification',
  'MarkFeatureSuspect',
  'ClearSuspicion',
  'WithdrawFeature',
]);
const CHANGE_COMMANDS = new Set(['RecordChange', 'DeployChange', 'RollBackChange']);
const OBSERVATION_COMMANDS = new Set([
  'RecordObservationFacts',
  'LinkObservationIdentifier',
  'UnlinkObservationIdentifier',
  'NoteObservationAnomaly',
  'RecordArchivedProducts',
  'ReviewObservation',
]);
const FINDING_COMMANDS = new Set(['RecordFinding', 'ReviseFinding', 'LinkFinding']);

const ROUTES: ReadonlyArray<{
  readonly commands: ReadonlySet<string>;
  readonly idField: string;
  readonly stream: (id: string) => string;
  readonly decider: AnyDecider;
}> = [
  { commands: FEATURE_COMMANDS, idField: 'featureKey', stream: featureStream, decider: featureDecider as unknown as AnyDecider },
  { commands: CHANGE_COMMANDS, idField: 'changeId', stream: changeStream, decider: changeDecider as unknown as AnyDecider },
  { commands: OBSERVATION_COMMANDS, idField: 'observationId', stream: observationStream, decider: observationDecider as unknown as AnyDecider },
  { commands: new Set(['RecordTicket']), idField: 'ticketKey', stream: ticketStream, decider: ticketDecider as unknown as AnyDecider },
  { commands: FINDING_COMMANDS, idField: 'findingId', stream: findingStream, decider: findingDecider as unknown as AnyDecider },
  { commands: new Set(['RecordTarget']), idField: 'targetName', stream: targetStream, decider: targetDecider as unknown as AnyDecider },
];

/**
 * Returns the stream a command appends to and the decider that judges it, or an error naming
 * the missing id field. An unknown command type is a programming error and throws.
 */
export function routeCommand(command: OnskyCommand): E.Either<DomainError, Route> {
  const route = ROUTES.find((candidate) => candidate.commands.has(command.type));
  if (route === undefined) {
    throw new Error(`no stream is known for command type ${JSON.stringify((command as { type: unknown }).type)}`);
  }
  const id = (command.data as unknown as Record<string, unknown>)[route.idField];
  if (typeof id !== 'string' || id.trim() === '') {
    return E.left(invalidValue(route.idField, id, `the ${route.idField} of the ${command.type} command, a non-empty key`));
  }
  return E.right({ stream: route.stream(id), decider: route.decider });
}

/** Current schema version of an event type; the store envelope carries it. */
export function schemaVersionOf(type: OnskyEvent['type']): number {
  return eventSchemaVersions[type];
}
