/** The timeline: changes, observations, verifications and suspicions in time order. */
import { z } from 'zod';
import type { TimelineEntry, TimelineKind, TimelinePage } from '../../projections/timeline.js';
import { builder } from './builder.js';
import { AS_OF_ARG, NOW_ARG, isoInstant, viewAt } from './common.js';

const TIMELINE_KINDS = [
  'change-recorded',
  'change-deployed',
  'change-rolled-back',
  'feature-delivered',
  'verification',
  'suspicion',
  'suspicion-cleared',
  'observation',
] as const satisfies readonly TimelineKind[];

const EntryType = builder.objectRef<TimelineEntry>('TimelineEntry').implement({
  description: 'One dated entry of the timeline.',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: `One of ${TIMELINE_KINDS.join(', ')}.` }),
    at: t.exposeString('at', { description: 'When it happened (ISO 8601 UTC).' }),
    changeId: t.exposeString('changeId', { nullable: true, description: 'The change involved.' }),
    featureKey: t.exposeString('featureKey', { nullable: true, description: 'The feature involved.' }),
    observationId: t.exposeString('observationId', { nullable: true, description: 'The observation, for observation entries.' }),
    observationIds: t.exposeStringList('observationIds', { description: 'Observations cited, for verifications.' }),
    components: t.exposeStringList('components', { description: 'Components involved.' }),
    summary: t.exposeString('summary', { description: 'What happened.' }),
  }),
});

const PageType = builder.objectRef<TimelinePage>('TimelinePage').implement({
  description: 'A page of timeline entries.',
  fields: (t) => ({
    entries: t.field({ type: [EntryType], description: 'Entries in time order.', resolve: (page) => page.entries }),
    total: t.exposeInt('total', { description: 'Entries that match, before paging.' }),
  }),
});

builder.queryFields((t) => ({
  timeline: t.field({
    type: PageType,
    description: 'Changes, observations, verifications and suspicions in time order.',
    args: {
      asOf: t.arg.string(AS_OF_ARG),
      now: t.arg.string(NOW_ARG),
      from: t.arg.string({ required: false, description: 'Inclusive start (ISO 8601).', validate: isoInstant }),
      to: t.arg.string({ required: false, description: 'Inclusive end (ISO 8601).', validate: isoInstant }),
      kinds: t.arg.stringList({
        required: false,
        description: `Only these kinds: ${TIMELINE_KINDS.join(', ')}.`,
        validate: z.array(z.enum(TIMELINE_KINDS, { message: `each kind must be one of ${TIMELINE_KINDS.join(', ')}` })),
      }),
      offset: t.arg.int({ required: false, description: 'Entries to skip.', validate: z.number().int().min(0) }),
      limit: t.arg.int({ required: false, description: 'Entries to return, 1 to 2000; default 500.', validate: z.number().int().min(1).max(2000) }),
    },
    resolve: async (_root, args, context) => {
      const { reads } = await viewAt(context, args.asOf, args.now);
      return reads.timeline({
        ...(args.from == null ? {} : { from: new Date(args.from).toISOString() }),
        ...(args.to == null ? {} : { to: new Date(args.to).toISOString() }),
        ...(args.kinds == null ? {} : { kinds: args.kinds as TimelineKind[] }),
        ...(args.offset == null ? {} : { offset: args.offset }),
        ...(args.limit == null ? {} : { limit: args.limit }),
      });
    },
  }),
}));
