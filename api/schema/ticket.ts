/** Tickets imported from Jira, with their links and the observations and features they mention. */
import { resolveArrayConnection } from '@pothos/plugin-relay';
import { z } from 'zod';
import type { TicketLink } from '../../domain/index.js';
import type { TicketView } from '../../projections/entities.js';
import { builder } from './builder.js';
import { AS_OF_ARG, NOW_ARG, isoInstant, viewAt, PAGE_SIZES } from './common.js';
import { FactSourceInput, commandField, runCommand, sourceOf, timeOr } from './mutation.js';

const TicketLinkType = builder.objectRef<TicketLink>('TicketLink').implement({
  description: 'A Jira link to another ticket, e.g. "relates to SR-1446".',
  fields: (t) => ({
    direction: t.exposeString('direction', { description: 'outward reads from this ticket, inward towards it.' }),
    relation: t.exposeString('relation', { description: 'The link wording, e.g. relates to, is blocked by.' }),
    ticketKey: t.exposeString('ticketKey', { description: 'The other ticket.' }),
  }),
});

export const TicketType = builder.node(builder.objectRef<TicketView>('Ticket'), {
  description: 'A ticket as imported from Jira.',
  id: { resolve: (ticket) => ticket.ticketKey },
  loadOne: (ticketKey, context) => context.reads.current().ticket(ticketKey) ?? null,
  fields: (t) => ({
    ticketKey: t.exposeString('ticketKey', { description: 'Jira key, e.g. SR-1446.' }),
    summary: t.exposeString('summary', { description: 'Summary line.' }),
    status: t.exposeString('status', { description: 'Jira status name, e.g. Open, Done.' }),
    links: t.field({ type: [TicketLinkType], description: 'Links to other tickets.', resolve: (ticket) => ticket.links }),
    captureBlockIds: t.stringList({ description: 'Capture block ids it mentions.', resolve: (ticket) => [...ticket.mentions.captureBlockIds] }),
    scheduleBlockIds: t.stringList({ description: 'Schedule block ids it mentions.', resolve: (ticket) => [...ticket.mentions.scheduleBlockIds] }),
    featureKeys: t.stringList({ description: 'Feature keys it mentions.', resolve: (ticket) => [...ticket.mentions.featureKeys] }),
    observationIds: t.exposeStringList('observationIds', { description: 'Observations the mentioned capture and schedule blocks resolve to.' }),
    trackedFeatureKeys: t.exposeStringList('trackedFeatureKeys', { description: "Features whose own ticket list names it (a plan's tickets, setFeatureTickets)." }),
    recordedAt: t.exposeString('recordedAt', { description: 'When it was first recorded (ISO 8601 UTC).' }),
    updatedAt: t.exposeString('updatedAt', { description: 'When it last changed (ISO 8601 UTC).' }),
  }),
});

builder.queryFields((t) => ({
  tickets: t.connection({
    type: TicketType,
    description: 'Every ticket, ordered by key.',
    args: { asOf: t.arg.string(AS_OF_ARG), now: t.arg.string(NOW_ARG) },
    resolve: async (_root, args, context) => resolveArrayConnection({ args, ...PAGE_SIZES }, (await viewAt(context, args.asOf, args.now)).reads.tickets()),
  }),
  ticket: t.field({
    type: TicketType,
    nullable: true,
    description: 'One ticket; null when no ticket has the key.',
    args: { ticketKey: t.arg.string({ required: true, description: 'Jira key.' }), asOf: t.arg.string(AS_OF_ARG), now: t.arg.string(NOW_ARG) },
    resolve: async (_root, args, context) => (await viewAt(context, args.asOf, args.now)).reads.ticket(args.ticketKey) ?? null,
  }),
}));

const TicketLinkInput = builder.inputType('TicketLinkInput', {
  description: 'A link to another ticket.',
  fields: (t) => ({
    direction: t.string({ required: true, description: 'outward or inward.', validate: z.enum(['outward', 'inward'], { message: 'direction must be outward or inward' }) }),
    relation: t.string({ required: true, description: 'Link wording, e.g. relates to.' }),
    ticketKey: t.string({ required: true, description: 'The other ticket.' }),
  }),
});

const RecordTicketInput = builder.inputType('RecordTicketInput', {
  description: 'A snapshot of a ticket; recording a later snapshot records only what changed.',
  fields: (t) => ({
    ticketKey: t.string({ required: true, description: 'Jira key, e.g. SR-1446.' }),
    summary: t.string({ required: true, description: 'Summary line.' }),
    status: t.string({ required: true, description: 'Status name.' }),
    links: t.field({ type: [TicketLinkInput], required: false, description: 'Links to other tickets.' }),
    captureBlockIds: t.stringList({ required: false, description: 'Capture block ids it mentions.' }),
    scheduleBlockIds: t.stringList({ required: false, description: 'Schedule block ids it mentions.' }),
    featureKeys: t.stringList({ required: false, description: 'Feature keys it mentions.' }),
    source: t.field({ type: FactSourceInput, required: false, description: 'Where the snapshot came from.' }),
    recordedAt: t.string({ required: false, description: 'When (ISO 8601 with a zone); default now.', validate: isoInstant }),
  }),
});

builder.mutationFields((t) => ({
  recordTicket: t.field({
    type: TicketType,
    description: 'Records a ticket snapshot.',
    args: { input: t.arg({ type: RecordTicketInput, required: true, description: 'The ticket.' }) },
    ...commandField('recordTicket'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'RecordTicket',
        data: {
          ticketKey: input.ticketKey,
          summary: input.summary,
          status: input.status,
          links: (input.links ?? []).map((link) => ({ ...link, direction: link.direction as 'outward' | 'inward' })),
          mentions: { captureBlockIds: input.captureBlockIds ?? [], scheduleBlockIds: input.scheduleBlockIds ?? [], featureKeys: input.featureKeys ?? [] },
          ...(input.source == null ? {} : { source: sourceOf(input.source) }),
          recordedAt: timeOr(input.recordedAt),
        },
      });
      return view.reads.ticket(input.ticketKey)!;
    },
  }),
}));
