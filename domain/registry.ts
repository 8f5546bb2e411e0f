/**
 * Every event and command type of the domain in one place, with the current schema version of
 * each event type, for the store (envelopes, upcasting) and for code that handles any event.
 */
import { changeEventSchemaVersions, type ChangeCommand, type ChangeEvent } from './change.js';
import { featureEventSchemaVersions, type FeatureEvent } from './feature-events.js';
import type { FeatureCommand } from './feature.js';
import { findingEventSchemaVersions, type FindingCommand, type FindingEvent } from './finding.js';
import { observationEventSchemaVersions, type ObservationEvent } from './observation-events.js';
import type { ObservationCommand } from './observation.js';
import { ticketEventSchemaVersions, type TicketCommand, type TicketEvent } from './ticket.js';
import { targetEventSchemaVersions, type TargetCommand, type TargetEvent } from './target.js';

export type OnskyEvent = FeatureEvent | ChangeEvent | ObservationEvent | TicketEvent | FindingEvent | TargetEvent;

export type OnskyCommand = FeatureCommand | ChangeCommand | ObservationCommand | TicketCommand | FindingCommand | TargetCommand;

export type OnskyEventType = OnskyEvent['type'];

export const eventSchemaVersions: Readonly<Record<OnskyEventType, number>> = {
  ...featureEventSchemaVersions,
  ...changeEventSchemaVersions,
  ...observationEventSchemaVersions,
  ...ticketEventSchemaVersions,
  ...findingEventSchemaVersions,
  ...targetEventSchemaVersions,
};

export function isOnskyEventType(type: string): type is OnskyEventType {
  return Object.hasOwn(eventSchemaVersions, type);
}
