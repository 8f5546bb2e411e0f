/**
 * Bearer tokens, stored hashed in their own SQLite file (`tokens.sqlite` in the data folder).
 * A token is 32 random bytes; the file keeps only its SHA-256 digest, so a copy of the file
 * cannot be used to authenticate. The secret is shown once, when the token is created.
 */
import Database from 'better-sqlite3';
import { createHash, hash, randomBytes } from 'node:crypto';
import { isRole, type Role } from './roles.js';

/** Prefix of every token, so a leaked one is recognisable in logs or source code. */
const TOKEN_PREFIX = 'onsky_';

/** A token as listed: everything but the secret, which is never stored. */
export interface TokenInfo {
  readonly id: string;
  readonly role: Role;
  readonly label: string;
  readonly createdAt: string;
  /** ISO 8601 UTC, or `null` for a token that does not expire. */
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
}

export interface CreatedToken {
  readonly info: TokenInfo;
  /** The bearer secret; shown once and never stored. */
  readonly secret: string;
}

/** Reason a presented token was rejected; messages built from it never contain the token. */
export type TokenRejection = 'malformed' | 'unknown' | 'revoked' | 'expired';

export type TokenCheck =
  | { readonly ok: true; readonly token: TokenInfo; /** `expiresAt` in epoch milliseconds; `Infinity` when it does not expire. */ readonly expiresAtMs: number }
  | { readonly ok: false; readonly reason: TokenRejection };

interface TokenRow {
  id: string;
  role: string;
  label: string;
  digest: Buffer;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export function digestOf(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * Maximum time, in milliseconds, between checks of whether another process (`onsky token revoke`)
 * changed the tokens file. A check is a SQLite read transaction, about a tenth of the time of a
 * cached response in the graphql benchmark, so it is not made on every request. A token revoked
 * elsewhere is therefore rejected at most this long after the revoking command committed; changes
 * made through this store apply at once.
 */
export const TOKEN_FILE_CHECK_MS = 100;

interface KnownToken {
  readonly row: TokenRow;
  /** `undefined` for a row whose role is unknown; checking that token then throws, and only that token. */
  readonly info: TokenInfo | undefined;
  /** `expires_at` in epoch milliseconds; `Infinity` when the token does not expire. */
  readonly expiresAtMs: number;
}

export class TokenStore {
  private readonly db: Database.Database;
  /** Tokens by SHA-256 digest (hex), reloaded when another connection (`onsky token …`) changes the file. */
  private cache = new Map<string, KnownToken>();
  private cachedVersion = -1;
  /** `performance.now()` of the last `data_version` check. */
  private checkedAtMs = -Infinity;
  /** Count of token reloads, so a caller that remembers a check can see when to check again. */
  private loads = 0;
  private readonly dataVersion: Database.Statement;

  constructor(readonly file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS tokens (
      id TEXT PRIMARY KEY,
      role TEXT NOT NULL,
      label TEXT NOT NULL,
      digest BLOB NOT NULL UNIQUE,
      created_at TEXT NOT NULL,
      expires_at TEXT,
      revoked_at TEXT
    )`);
    this.dataVersion = this.db.prepare('PRAGMA data_version').pluck();
  }

  create(role: Role, label: string, options: { now?: Date; expiresAt?: string | null } = {}): CreatedToken {
    const secret = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row: TokenRow = {
      id: randomBytes(6).toString('hex'),
      role,
      label,
      digest: digestOf(secret),
      created_at: (options.now ?? new Date()).toISOString(),
      expires_at: options.expiresAt ?? null,
      revoked_at: null,
    };
    this.db
      .prepare('INSERT INTO tokens (id, role, label, digest, created_at, expires_at, revoked_at) VALUES (@id, @role, @label, @digest, @created_at, @expires_at, @revoked_at)')
      .run(row);
    this.forget();
    return { info: infoOf(row), secret };
  }

  list(): TokenInfo[] {
    const rows = this.db.prepare('SELECT * FROM tokens ORDER BY created_at, id').all() as TokenRow[];
    return rows.map(infoOf);
  }

  /** Marks a token revoked; returns it, or `undefined` when no token has that id. */
  revoke(id: string, now: Date = new Date()): TokenInfo | undefined {
    this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now.toISOString(), id);
    this.forget();
    const row = this.db.prepare('SELECT * FROM tokens WHERE id = ?').get(id) as TokenRow | undefined;
    return row === undefined ? undefined : infoOf(row);
  }

  /** Number of tokens in the file, revoked and expired ones included. */
  count(): number {
    this.refresh();
    return this.cache.size;
  }

  /**
   * Returns a number that changes whenever a token may have been created, revoked or changed. A
   * check remembered under one generation stays valid, expiry aside, until the number changes.
   */
  generation(): number {
    this.refresh();
    return this.loads;
  }

  /**
   * Checks a presented secret by looking up its SHA-256 digest. The lookup compares digests, not
   * secrets, so its duration reveals nothing about a secret the caller has not got.
   */
  check(secret: string, now: number = Date.now()): TokenCheck {
    if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 100) {
      return { ok: false, reason: 'malformed' };
    }
    this.refresh();
    const known = this.cache.get(hash('sha256', secret, 'hex'));
    if (known === undefined) {
      return { ok: false, reason: 'unknown' };
    }
    if (known.row.revoked_at !== null) {
      return { ok: false, reason: 'revoked' };
    }
    if (known.expiresAtMs <= now) {
      return { ok: false, reason: 'expired' };
    }
    return { ok: true, token: known.info ?? infoOf(known.row), expiresAtMs: known.expiresAtMs };
  }

  /** Says why the token with this id may no longer be used (`was revoked`, `has expired`), or `undefined` while it may. */
  problemWith(id: string, now: Date = new Date()): string | undefined {
    this.refresh();
    for (const { row, expiresAtMs } of this.cache.values()) {
      if (row.id !== id) continue;
      if (row.revoked_at !== null) return 'was revoked';
      if (expiresAtMs <= now.getTime()) return 'has expired';
      return undefined;
    }
    return 'is not known to this server';
  }

  close(): void {
    this.db.close();
  }

  /** Makes the next check read the file, after a change through this connection. */
  private forget(): void {
    this.cachedVersion = -1;
    this.checkedAtMs = -Infinity;
  }

  /**
   * Reloads the tokens when the file changed, checking at most once per `TOKEN_FILE_CHECK_MS`.
   * `PRAGMA data_version` changes when another connection commits.
   */
  private refresh(): void {
    const nowMs = performance.now();
    if (nowMs - this.checkedAtMs < TOKEN_FILE_CHECK_MS) return;
    this.checkedAtMs = nowMs;
    const version = this.dataVersion.get() as number;
    if (version === this.cachedVersion) return;
    const rows = this.db.prepare('SELECT * FROM tokens').all() as TokenRow[];
    this.cache = new Map(
      rows.map((row) => [row.digest.toString('hex'), { row, info: isRole(row.role) ? infoOf(row) : undefined, expiresAtMs: row.expires_at === null ? Infinity : Date.parse(row.expires_at) }]),
    );
    this.cachedVersion = version;
    this.loads += 1;
  }
}

function infoOf(row: TokenRow): TokenInfo {
  if (!isRole(row.role)) {
    throw new Error(`token ${row.id} has unknown role "${row.role}" in the tokens file; revoke it and create a new one`);
  }
  return {
    id: row.id,
    role: row.role,
    label: row.label,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export function openTokenStore(file: string): TokenStore {
  return new TokenStore(file);
}
