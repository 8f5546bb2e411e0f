/**
 * The session every page reads besides its own data: the `asOf` or `now` instant of the time control, a revision
 * that bumps when the live subscription reports new events, and the viewer's role. Shared through
 * @lit/context from the shell.
 */
import { createContext } from '@lit/context';

export type Role = 'viewer' | 'engineer' | 'commissioner' | 'admin';

const ROLE_ORDER: readonly Role[] = ['viewer', 'engineer', 'commissioner', 'admin'];

export interface Session {
  /** ISO 8601 UTC instant the pages show the state as of; `null` for now. */
  readonly asOf: string | null;
  /**
   * ISO 8601 UTC instant the pages measure ages, waits and trailing windows at while every record
   * counts, as `report --now` does; `null` for the request time. Set only while `asOf` is `null`.
   */
  readonly now: string | null;
  /** Bumps each time the server reports that the log moved, unless `asOf` shows a past time. */
  readonly revision: number;
  /** The token's role; `null` until the API has responded. */
  readonly role: Role | null;
}

/** True while the time control shows a past time, by record time or by clock; actions are off then. */
export function showsPast(session: Session): boolean {
  return session.asOf !== null || session.now !== null;
}

export const sessionContext = createContext<Session>(Symbol('onsky-session'));

/** True when `role` may do what `required` may; roles are ordered viewer < engineer < commissioner < admin. */
export function roleAllows(role: Role | null, required: Role): boolean {
  if (role === null) return false;
  return ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(required);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLE_ORDER as readonly string[]).includes(value);
}
