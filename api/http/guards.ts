/**
 * Checks every request passes before it reaches GraphQL: cross-site request forgery, the bearer
 * token, and the body size. Each rejects with a client error whose message names the fix.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Actor } from '../context.js';
import type { TokenStore } from '../auth/tokens.js';

/** An HTTP error for the client; `code` goes into `extensions.code` of the GraphQL-style body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Content types a browser may POST from another site without a preflight request. */
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/** Header that marks a request as sent by a script, for uploads whose content type is a simple one. */
export const CSRF_HEADER = 'x-onsky-request';

/**
 * Rejects requests a browser could send from another site. These are requests whose `Origin` is
 * not this server, requests the browser marks cross-site, and POSTs with a simple content type and
 * no `x-onsky-request` header, because another site can send those without a CORS preflight.
 */
export function checkCsrf(request: IncomingMessage): void {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    throw new HttpError(403, 'CSRF_REJECTED', `requests from other sites are rejected (Sec-Fetch-Site: ${site}); open the onsky UI from this server instead`);
  }
  const origin = request.headers.origin;
  // `Origin: null` comes from sandboxed frames and local files, never from a page this server sent.
  if (origin !== undefined) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      throw new HttpError(403, 'CSRF_REJECTED', `Origin header "${origin}" is not a URL; requests from other sites are rejected`);
    }
    if (originHost !== request.headers.host) {
      throw new HttpError(403, 'CSRF_REJECTED', `requests from origin ${origin} are rejected; only pages served by ${request.headers.host ?? 'this server'} may call it`);
    }
  }
  if (request.method !== 'POST') return;
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const simple = contentType === '' || SIMPLE_CONTENT_TYPES.includes(contentType);
  if (simple && request.headers[CSRF_HEADER] === undefined) {
    throw new HttpError(
      403,
      'CSRF_REJECTED',
      `POST with content type "${contentType || 'none'}" needs the header ${CSRF_HEADER}: 1; send JSON as application/json, or add the header`,
    );
  }
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

interface AcceptedHeader {
  readonly header: string;
  /** `TokenStore.generation()` when the header was checked. */
  readonly generation: number;
  readonly actor: Actor;
  /** Epoch milliseconds; `Infinity` for a token that does not expire. */
  readonly expiresAtMs: number;
}

/** Interval of the repeated warning while local single-user mode is in use. */
const LOCAL_MODE_WARNING_MS = 60_000;

export class Authenticator {
  /** The server logs the first warning when it starts, so the repeats count from construction. */
  private lastWarningMs = Date.now();
  private localRequests = 0;
  /** The header each open connection was last accepted with; entries go with their sockets. */
  private readonly accepted = new WeakMap<object, AcceptedHeader>();

  constructor(
    private readonly tokens: TokenStore,
    private readonly loopback: boolean,
    private readonly logger: Logger,
  ) {}

  /** True when no token exists and the server listens on loopback, so every request acts as admin. */
  localMode(): boolean {
    return this.loopback && this.tokens.count() === 0;
  }

  /**
   * Returns the actor of a request, or throws a 401 `HttpError`; the token never appears in
   * messages or logs. A keep-alive connection that repeats the header it was last accepted with
   * skips the hash until the tokens file changes or the token expires. That comparison is with a
   * header the same connection sent, so its timing reveals nothing about other secrets.
   */
  authenticate(request: IncomingMessage): Actor {
    const header = request.headers.authorization;
    if (header === undefined) {
      if (this.localMode()) return this.localActor();
      const hint = this.tokens.count() === 0 ? 'no token exists yet: create one with `onsky token create --role admin`' : 'create one with `onsky token create --role viewer`';
      throw new HttpError(401, 'UNAUTHENTICATED', `missing bearer token; send the header "Authorization: Bearer <token>" (${hint})`);
    }
    const generation = this.tokens.generation();
    const last = this.accepted.get(request.socket);
    if (last !== undefined && last.header === header && last.generation === generation && Date.now() < last.expiresAtMs) return last.actor;

    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null) {
      throw new HttpError(401, 'UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
    }
    const check = this.tokens.check(match[1]!);
    if (!check.ok) {
      const reasons = {
        malformed: 'is not an onsky token (they start with onsky_)',
        unknown: 'is not known to this server',
        revoked: 'was revoked',
        expired: 'has expired',
      } as const;
      throw new HttpError(401, 'UNAUTHENTICATED', `the bearer token ${reasons[check.reason]}; ask an admin for a new one (onsky token create)`);
    }
    const actor: Actor = { role: check.token.role, name: check.token.label === '' ? `token-${check.token.id}` : check.token.label, tokenId: check.token.id };
    this.accepted.set(request.socket, { header, generation, actor, expiresAtMs: check.expiresAtMs });
    return actor;
  }

  /** Returns the local admin, logging a warning at most once a minute (with the request count) while the mode is used. */
  private localActor(): Actor {
    this.localRequests += 1;
    const now = Date.now();
    if (now - this.lastWarningMs >= LOCAL_MODE_WARNING_MS) {
      this.logger.warn(
        { requests: this.localRequests },
        'local single-user mode: no token exists, so every request acts as admin; create a token (onsky token create --role admin) to require tokens',
      );
      this.lastWarningMs = now;
      this.localRequests = 0;
    }
    return { role: 'admin', name: 'local', tokenId: null };
  }
}

/** Reads a request body up to `limit` bytes; a larger body is rejected with 413 before it is read in full. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume();
    throw tooLarge(limit);
  }
  // Event listeners rather than `for await`: this runs on every request, and the async iterator costs more.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData);
      request.resume();
      reject(tooLarge(limit));
    };
    request.on('data', onData);
    request.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'PAYLOAD_TOO_LARGE', `request body exceeds the limit of ${limit} bytes; send a smaller request or raise the server's limit`);
}
