/** System queries: the log position the read models reflect, and the caller's identity. */
import { builder } from './builder.js';

const WhoAmIType = builder.simpleObject('WhoAmI', {
  description: 'The identity the request acts as.',
  fields: (t) => ({
    name: t.string({ description: "The token's label, or local in single-user mode; recorded as the actor of what it does." }),
    role: t.string({ description: 'viewer, engineer, commissioner or admin.' }),
    localMode: t.boolean({ description: 'True in local single-user mode, where every request acts as admin because no token exists.' }),
  }),
});

builder.queryFields((t) => ({
  logPosition: t.string({
    nullable: true,
    description: 'Position of the last event the read models applied, as a decimal string (positions can pass 2^53); null before the first.',
    resolve: (_root, _args, context) => context.reads.position()?.toString() ?? null,
  }),
  whoAmI: t.field({
    type: WhoAmIType,
    description: 'The identity the request acts as.',
    resolve: (_root, _args, context) => ({ name: context.actor.name, role: context.actor.role, localMode: context.actor.tokenId === null }),
  }),
}));
