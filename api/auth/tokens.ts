/**
 * Bearer tokens, stored hashed in their own SQLite file (`tokens.sqlite` in the data folder).
 * A token is 32 random bytes; the file keeps only its SHA-256 digest, so a copy of the file
 * cannot be used to authenticate. The secret is shown once, when the token is created.
 */
import Database from 'better-sqlite3';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
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

export type TokenCheck = { readonly ok: true; readonly token: TokenInfo } | { readonly ok: false; readonly reason: TokenRejection };

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

export class TokenStore {
  private readonly db: Database.Database;
  /** Tokens by digest (hex), reloaded when another connection (`onsky token …`) changes the file. */
  private cache = new Map<string, TokenRow>();
  private cachedVersion = -1;
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
    this.cachedVersion = -1;
    return { info: infoOf(row), secret };
  }

  list(): TokenInfo[] {
    const rows = this.db.prepare('SELECT * FROM tokens ORDER BY created_at, id').all() as TokenRow[];
    return rows.map(infoOf);
  }

  /** Marks a token revoked; returns it, or `undefined` when no token has that id. */
  revoke(id: string, now: Date = new Date()): TokenInfo | undefined {
    this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now.toISOString(), id);
    this.cachedVersion = -1;
    const row = this.db.prepare('SELECT * FROM tokens WHERE id = ?').get(id) as TokenRow | undefined;
    return row === undefined ? undefined : infoOf(row);
  }

  /** Number of tokens in the file, revoked and expired ones included. */
  count(): number {
    this.refresh();
    return this.cache.size;
  }

  /** Checks a presented secret: hashed, looked up, then compared in constant time. */
  check(secret: string, now: Date = new Date()): TokenCheck {
    if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 100) {
      return { ok: false, reason: 'malformed' };
    }
    this.refresh();
    const digest = digestOf(secret);
    const row = this.cache.get(digest.toString('hex'));
    // The map lookup finds the row; the constant-time compare is what authenticates it.
    if (row === undefined || !timingSafeEqual(row.digest, digest)) {
      return { ok: false, reason: 'unknown' };
    }
    if (row.revoked_at !== null) {
      return { ok: false, reason: 'revoked' };
    }
    if (row.expires_at !== null && Date.parse(row.expires_at) <= now.getTime()) {
      return { ok: false, reason: 'expired' };
    }
    return { ok: true, token: infoOf(row) };
  }

  /** Says why the token with this id may no longer be used (`was revoked`, `has expired`), or `undefined` while it may. */
  problemWith(id: string, now: Date = new Date()): string | undefined {
    this.refresh();
    for (const row of this.cache.values()) {
      if (row.id !== id) continue;
      if (row.revoked_at !== null) return 'was revoked';
      if (row.expires_at !== null && Date.parse(row.expires_at) <= now.getTime()) return 'has expired';
      return undefined;
    }
    return 'is not known to this server';
  }

  close(): void {
    this.db.close();
  }

  /** Reloads the tokens when the file changed; `PRAGMA data_version` moves on another connection's commit. */
  private refresh(): void {
    const version = this.dataVersion.get() as number;
    if (version === this.cachedVersion) return;
    const rows = this.db.prepare('SELECT * FROM tokens').all() as TokenRow[];
    this.cache = new Map(rows.map((row) => [row.digest.toString('hex'), row]));
    this.cachedVersion = version;
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
