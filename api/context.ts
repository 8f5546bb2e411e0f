/** The context every GraphQL resolver receives: who is asking, and the services they may use. */
import type { Logger } from 'pino';
import type { CommandHandler } from './commands/handler.js';
import type { TokenStore } from './auth/tokens.js';
import type { Role } from './auth/roles.js';
import type { ReadSide } from './read-side.js';
import type { Metrics } from './http/metrics.js';
import type { QueryLimits } from './schema/builder.js';

export interface Actor {
  readonly role: Role;
  /** Recorded as the events' actor: the token's label, or `local` in single-user mode. */
  readonly name: string;
  /** `null` in local single-user mode. */
  readonly tokenId: string | null;
}

export interface ApiContext {
  readonly actor: Actor;
  /** Reference id of the request; masked internal errors show it, and the log carries it. */
  readonly requestId: string;
  /**
   * "Now" for read models that depend on the clock (days waiting, flow windows), ISO 8601 UTC.
   * The server rounds it down to its cache interval so that a cached response equals a fresh one.
   */
  readonly now: string;
  readonly reads: ReadSide;
  readonly commands: CommandHandler;
  readonly tokens: TokenStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly queryLimits: QueryLimits;
}
