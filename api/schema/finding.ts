/** Findings: commissioning knowledge as symptom, cause and workaround, with links. */
import { resolveArrayConnection } from '@pothos/plugin-relay';
import type { FindingLinks } from '../../domain/index.js';
import type { FindingView } from '../../projections/entities.js';
import { builder } from './builder.js';
import { AS_OF_ARG, NOW_ARG, isoInstant, viewAt, PAGE_SIZES } from './common.js';
import { commandField, runCommand, timeOr } from './mutation.js';

const FindingLinksType = builder.objectRef<FindingLinks>('FindingLinks').implement({
  description: 'What a finding concerns.',
  fields: (t) => ({
    hosts: t.exposeStringList('hosts', { description: 'Host names.' }),
    components: t.exposeStringList('components', { description: 'Components.' }),
    changeIds: t.exposeStringList('changeIds', { description: 'Changes.' }),
    observationIds: t.exposeStringList('observationIds', { description: 'Observations.' }),
    ticketKeys: t.exposeStringList('ticketKeys', { description: 'Tickets.' }),
  }),
});

export const FindingType = builder.node(builder.objectRef<FindingView>('Finding'), {
  description: 'Commissioning knowledge worth keeping: a symptom, its cause and a workaround when known.',
  id: { resolve: (finding) => finding.findingId },
  loadOne: (findingId, context) => context.reads.current().finding(findingId) ?? null,
  fields: (t) => ({
    findingId: t.exposeString('findingId', { description: 'Id of the finding.' }),
    title: t.exposeString('title', { description: 'Title.' }),
    symptom: t.exposeString('symptom', { description: 'What was seen.' }),
    cause: t.exposeString('cause', { description: 'Why; empty while unknown.' }),
    workaround: t.exposeString('workaround', { description: 'What to do about it; empty while there is none.' }),
    links: t.field({ type: FindingLinksType, description: 'What it concerns.', resolve: (finding) => finding.links }),
    recordedBy: t.exposeString('recordedBy', { description: 'Who recorded it.' }),
    recordedAt: t.exposeString('recordedAt', { description: 'When it was recorded (ISO 8601 UTC).' }),
    revisedAt: t.exposeString('revisedAt', { description: 'When it last changed (ISO 8601 UTC).' }),
  }),
});

builder.queryFields((t) => ({
  findings: t.connection({
    type: FindingType,
    description: 'Findings containing every word of `text` (all when empty), ordered by id.',
    args: { text: t.arg.string({ required: false, description: 'Words to search for.' }), asOf: t.arg.string(AS_OF_ARG), now: t.arg.string(NOW_ARG) },
    resolve: async (_root, args, context) => resolveArrayConnection({ args, ...PAGE_SIZES }, (await viewAt(context, args.asOf, args.now)).reads.findings(args.text ?? '')),
  }),
  finding: t.field({
    type: FindingType,
    nullable: true,
    description: 'One finding; null when no finding has the id.',
    args: { findingId: t.arg.string({ required: true, description: 'Id of the finding.' }), asOf: t.arg.string(AS_OF_ARG), now: t.arg.string(NOW_ARG) },
    resolve: async (_root, args, context) => (await viewAt(context, args.asOf, args.now)).reads.finding(args.findingId) ?? null,
  }),
}));

const FindingLinksInput = builder.inputType('FindingLinksInput', {
  description: 'What a finding concerns; omitted lists are empty.',
  fields: (t) => ({
    hosts: t.stringList({ required: false, description: 'Host names.' }),
    components: t.stringList({ required: false, description: 'Components.' }),
    changeIds: t.stringList({ required: false, description: 'Changes.' }),
    observationIds: t.stringList({ required: false, description: 'Observations.' }),
    ticketKeys: t.stringList({ required: false, description: 'Tickets.' }),
  }),
});

type LinksArg = { hosts?: string[] | null; components?: string[] | null; changeIds?: string[] | null; observationIds?: string[] | null; ticketKeys?: string[] | null };

function linksOf(input: LinksArg | null | undefined): FindingLinks {
  return {
    hosts: input?.hosts ?? [],
    components: input?.components ?? [],
    changeIds: input?.changeIds ?? [],
    observationIds: input?.observationIds ?? [],
    ticketKeys: input?.ticketKeys ?? [],
  };
}

const optionalTime = { required: false, description: 'When (ISO 8601 with a zone); default now.', validate: isoInstant } as const;

const RecordFindingInput = builder.inputType('RecordFindingInput', {
  description: 'A new finding; the recorder is the token holder.',
  fields: (t) => ({
    findingId: t.string({ required: true, description: 'Unique id without spaces.' }),
    title: t.string({ required: true, description: 'Title.' }),
    symptom: t.string({ required: true, description: 'What was seen.' }),
    cause: t.string({ required: false, description: 'Why; default empty (unknown).' }),
    workaround: t.string({ required: false, description: 'What to do; default empty (none).' }),
    links: t.field({ type: FindingLinksInput, required: false, description: 'What it concerns.' }),
    recordedAt: t.string(optionalTime),
  }),
});

const ReviseFindingInput = builder.inputType('ReviseFindingInput', {
  description: 'New texts of a finding; omitted texts stay as they are.',
  fields: (t) => ({
    findingId: t.string({ required: true, description: 'The finding.' }),
    symptom: t.string({ required: false, description: 'New symptom.' }),
    cause: t.string({ required: false, description: 'New cause.' }),
    workaround: t.string({ required: false, description: 'New workaround.' }),
    revisedAt: t.string(optionalTime),
  }),
});

const LinkFindingInput = builder.inputType('LinkFindingInput', {
  description: 'More links of a finding.',
  fields: (t) => ({
    findingId: t.string({ required: true, description: 'The finding.' }),
    links: t.field({ type: FindingLinksInput, required: true, description: 'Links to add.' }),
    linkedAt: t.string(optionalTime),
  }),
});

builder.mutationFields((t) => ({
  recordFinding: t.field({
    type: FindingType,
    description: 'Records a finding.',
    args: { input: t.arg({ type: RecordFindingInput, required: true, description: 'The finding.' }) },
    ...commandField('recordFinding'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'RecordFinding',
        data: {
          findingId: input.findingId,
          title: input.title,
          symptom: input.symptom,
          cause: input.cause ?? '',
          workaround: input.workaround ?? '',
          links: linksOf(input.links),
          recordedBy: context.actor.name,
          recordedAt: timeOr(input.recordedAt),
        },
      });
      return view.reads.finding(input.findingId)!;
    },
  }),
  reviseFinding: t.field({
    type: FindingType,
    description: 'Revises the texts of a finding.',
    args: { input: t.arg({ type: ReviseFindingInput, required: true, description: 'The new texts.' }) },
    ...commandField('reviseFinding'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'ReviseFinding',
        data: {
          findingId: input.findingId,
          ...(input.symptom == null ? {} : { symptom: input.symptom }),
          ...(input.cause == null ? {} : { cause: input.cause }),
          ...(input.workaround == null ? {} : { workaround: input.workaround }),
          revisedBy: context.actor.name,
          revisedAt: timeOr(input.revisedAt),
        },
      });
      return view.reads.finding(input.findingId)!;
    },
  }),
  linkFinding: t.field({
    type: FindingType,
    description: 'Adds links to a finding.',
    args: { input: t.arg({ type: LinkFindingInput, required: true, description: 'The links.' }) },
    ...commandField('linkFinding'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'LinkFinding',
        data: { findingId: input.findingId, links: linksOf(input.links), linkedBy: context.actor.name, linkedAt: timeOr(input.linkedAt) },
      });
      return view.reads.finding(input.findingId)!;
    },
  }),
}));
