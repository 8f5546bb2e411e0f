/** Catalogued targets (katpoint catalogues): names, aliases and tags that evidence criteria ask for. */
import type { TargetEntry } from '../../domain/index.js';
import { builder } from './builder.js';
import { AS_OF_ARG, NOW_ARG, isoInstant, viewAt } from './common.js';
import { FactSourceInput, commandField, runCommand, sourceOf, timeOr } from './mutation.js';

export const TargetType = builder.objectRef<TargetEntry & { readonly recordedAt: string }>('Target').implement({
  description: 'A catalogued target.',
  fields: (t) => ({
    targetName: t.exposeString('targetName', { description: "The catalogue's first name, e.g. PKS 1934-63." }),
    aliases: t.exposeStringList('aliases', { description: 'Other names, e.g. 1934-638, J1939-6342.' }),
    tags: t.exposeStringList('tags', { description: 'katpoint tags, body type first, e.g. radec, bpcal.' }),
    coordinates: t.exposeString('coordinates', { description: 'Coordinates as the catalogue writes them; empty when absent.' }),
    recordedAt: t.exposeString('recordedAt', { description: 'When it was first recorded (ISO 8601 UTC).' }),
  }),
});

builder.queryFields((t) => ({
  targets: t.field({
    type: [TargetType],
    description: 'Every catalogued target, ordered by name.',
    args: { asOf: t.arg.string(AS_OF_ARG), now: t.arg.string(NOW_ARG) },
    resolve: async (_root, args, context) => (await viewAt(context, args.asOf, args.now)).reads.targets(),
  }),
  target: t.field({
    type: TargetType,
    nullable: true,
    description: 'A target by name or alias (case, spaces and underscores do not matter); null when not catalogued.',
    args: { name: t.arg.string({ required: true, description: 'Name or alias.' }), asOf: t.arg.string(AS_OF_ARG), now: t.arg.string(NOW_ARG) },
    resolve: async (_root, args, context) => (await viewAt(context, args.asOf, args.now)).reads.target(args.name) ?? null,
  }),
}));

const RecordTargetInput = builder.inputType('RecordTargetInput', {
  description: 'A catalogue entry; a later entry for the same target only adds aliases and tags.',
  fields: (t) => ({
    targetName: t.string({ required: true, description: "The catalogue's first name for the target." }),
    aliases: t.stringList({ required: false, description: 'Other names.' }),
    tags: t.stringList({ required: false, description: 'katpoint tags, body type first.' }),
    coordinates: t.string({ required: false, description: 'Coordinates as the catalogue writes them.' }),
    source: t.field({ type: FactSourceInput, required: false, description: 'The catalogue file.' }),
    recordedAt: t.string({ required: false, description: 'When (ISO 8601 with a zone); default now.', validate: isoInstant }),
  }),
});

builder.mutationFields((t) => ({
  recordTarget: t.field({
    type: TargetType,
    description: 'Records a catalogued target.',
    args: { input: t.arg({ type: RecordTargetInput, required: true, description: 'The catalogue entry.' }) },
    ...commandField('recordTarget'),
    resolve: async (_root, { input }, context) => {
      const { view } = await runCommand(context, {
        type: 'RecordTarget',
        data: {
          targetName: input.targetName,
          aliases: input.aliases ?? [],
          tags: input.tags ?? [],
          coordinates: input.coordinates ?? '',
          ...(input.source == null ? {} : { source: sourceOf(input.source) }),
          recordedAt: timeOr(input.recordedAt),
        },
      });
      return view.reads.target(input.targetName)!;
    },
  }),
}));
