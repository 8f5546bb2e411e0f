/** The fold for tickets, findings and catalogued targets: few events, folded with the domain's `evolve`. */
import {
  evolveFinding,
  evolveTarget,
  evolveTicket,
  initialFindingState,
  initialTargetState,
  initialTicketState,
  targetLookupKey,
  type FindingEvent,
  type TargetEvent,
  type TicketEvent,
} from '../domain/index.js';
import type { ProjectionState, ReadModelName } from './model.js';

const TICKET_MODELS: readonly ReadModelName[] = ['tickets', 'traceability'];
const FINDING_MODELS: readonly ReadModelName[] = ['findings'];
const TARGET_MODELS: readonly ReadModelName[] = ['targets', 'queue'];

/** Applies a ticket, finding or target event and returns the read models it changed. */
export function foldOtherEvent(
  state: ProjectionState,
  event: TicketEvent | FindingEvent | TargetEvent,
  recordedAt: string,
): readonly ReadModelName[] {
  switch (event.type) {
    case 'TicketRecorded':
    case 'TicketUpdated':
      foldTicket(state, event);
      return TICKET_MODELS;
    case 'FindingRecorded':
    case 'FindingRevised':
    case 'FindingLinked':
      foldFinding(state, event);
      return FINDING_MODELS;
    case 'TargetRecorded':
    case 'TargetUpdated':
      foldTarget(state, event, recordedAt);
      return TARGET_MODELS;
  }
}

function foldTicket(state: ProjectionState, event: TicketEvent): void {
  const existing = state.tickets.get(event.data.ticketKey);
  if (event.type === 'TicketRecorded') {
    const ticket = evolveTicket(initialTicketState, event).ticket;
    if (ticket !== null) {
      const at = event.data.recordedAt;
      state.tickets.set(ticket.ticketKey, { ticketKey: ticket.ticketKey, ticket, source: event.data.source, recordedAt: at, updatedAt: at });
    }
    return;
  }
  if (existing !== undefined) {
    existing.ticket = evolveTicket({ ticket: existing.ticket }, event).ticket ?? existing.ticket;
    existing.updatedAt = event.data.updatedAt;
  }
}

function foldFinding(state: ProjectionState, event: FindingEvent): void {
  const findingId = event.data.findingId;
  if (event.type === 'FindingRecorded') {
    const { recordedBy, recordedAt } = event.data;
    const findingState = evolveFinding(initialFindingState, event);
    state.findings.set(findingId, { findingId, state: findingState, recordedBy, recordedAt, revisedAt: recordedAt });
    return;
  }
  const record = state.findings.get(findingId);
  if (record !== undefined) {
    record.state = evolveFinding(record.state, event);
    record.revisedAt = event.type === 'FindingRevised' ? event.data.revisedAt : event.data.linkedAt;
  }
}

function foldTarget(state: ProjectionState, event: TargetEvent, recordedAt: string): void {
  const name = event.data.targetName;
  const record = state.targets.get(name);
  const before = record === undefined ? initialTargetState : { target: record.entry };
  const entry = evolveTarget(before, event).target;
  if (entry === null) {
    return;
  }
  if (record === undefined) {
    state.targets.set(name, { targetName: name, entry, recordedAt });
  } else {
    record.entry = entry;
  }
  for (const alias of [entry.targetName, ...entry.aliases]) {
    const key = targetLookupKey(alias);
    if (!state.targetKeys.has(key)) {
      state.targetKeys.set(key, entry.targetName);
    }
  }
}
