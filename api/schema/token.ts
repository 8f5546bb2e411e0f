/** Access tokens, for admins: list, create (the secret is returned once) and revoke. */
import { GraphQLError } from 'graphql';
import { z } from 'zod';
import type { TokenInfo } from '../auth/tokens.js';
import { MUTATION_ROLES, ROLES, type Role } from '../auth/roles.js';
import { builder } from './builder.js';
import { isoInstant } from './common.js';

const RoleEnum = builder.enumType('Role', {
  description: 'What a token may do: viewer reads; engineer records changes, observations, tickets, findings and targets; commissioner decides on features, verifications, scores, criteria, reviews and suspicion; admin manages tokens and may do everything.',
  values: Object.fromEntries(ROLES.map((role) => [role.toUpperCase(), { value: role, description: `The ${role} role.` }])) as Record<Uppercase<Role>, { value: Role; description: string }>,
});

const TokenInfoType = builder.objectRef<TokenInfo>('AccessToken').implement({
  description: 'A bearer token without its secret, which is never stored.',
  fields: (t) => ({
    tokenId: t.exposeString('id', { description: 'Id used to revoke it.' }),
    role: t.field({ type: RoleEnum, description: 'Its role.', resolve: (token) => token.role }),
    label: t.exposeString('label', { description: 'Label; recorded as the actor of what it does.' }),
    createdAt: t.exposeString('createdAt', { description: 'When it was created (ISO 8601 UTC).' }),
    expiresAt: t.exposeString('expiresAt', { nullable: true, description: 'When it expires; null when it does not.' }),
    revokedAt: t.exposeString('revokedAt', { nullable: true, description: 'When it was revoked; null while valid.' }),
  }),
});

const CreatedTokenType = builder.simpleObject('CreatedToken', {
  description: 'A new token with its secret, shown this once.',
  fields: (t) => ({
    token: t.field({ type: TokenInfoType, description: 'The token.' }),
    secret: t.string({ description: 'The bearer secret: send it as `Authorization: Bearer <secret>`. It cannot be shown again.' }),
  }),
});

builder.queryFields((t) => ({
  tokens: t.field({
    type: [TokenInfoType],
    description: 'Every token, revoked and expired ones included (admin only).',
    authScopes: { role: 'admin' },
    resolve: (_root, _args, context) => context.tokens.list(),
  }),
}));

builder.mutationFields((t) => ({
  createToken: t.field({
    type: CreatedTokenType,
    description: 'Creates a token (admin only).',
    authScopes: { role: MUTATION_ROLES.createToken },
    args: {
      role: t.arg({ type: RoleEnum, required: true, description: 'Its role.' }),
      label: t.arg.string({ required: true, description: 'Who or what uses it, e.g. a person or a script.', validate: z.string().trim().min(1, 'label must not be empty').max(100, 'label must be 100 characters or fewer') }),
      expiresAt: t.arg.string({ required: false, description: 'When it stops working (ISO 8601 with a zone); default never.', validate: isoInstant }),
    },
    resolve: (_root, args, context) => {
      const created = context.tokens.create(args.role, args.label, { expiresAt: args.expiresAt == null ? null : new Date(args.expiresAt).toISOString() });
      context.logger.info({ requestId: context.requestId, actor: context.actor.name, tokenId: created.info.id, role: created.info.role }, 'token created');
      return { token: created.info, secret: created.secret };
    },
  }),
  revokeToken: t.field({
    type: TokenInfoType,
    description: 'Revokes a token at once (admin only).',
    authScopes: { role: MUTATION_ROLES.revokeToken },
    args: { tokenId: t.arg.string({ required: true, description: 'Id of the token, as `tokens` lists it.' }) },
    resolve: (_root, args, context) => {
      const revoked = context.tokens.revoke(args.tokenId);
      if (revoked === undefined) {
        throw new GraphQLError(`token ${args.tokenId} not found; list the tokens to find its id`, { extensions: { code: 'NOT_FOUND' } });
      }
      context.logger.info({ requestId: context.requestId, actor: context.actor.name, tokenId: revoked.id }, 'token revoked');
      return revoked;
    },
  }),
}));
