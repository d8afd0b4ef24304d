import type Database from 'better-sqlite3';
import type { AuthorizationEntry, AuthorizationStatus } from '../model/types.js';
import { Statements } from './statements.js';

export interface AuthorizationRepoDeps {
  db: Database.Database;
}

/** An entry of the authorization cache: the last answer seen for an id token. */
export interface CachedAuthorization {
  idToken: string;
  status: AuthorizationStatus;
  expiryMs?: number;
  lastSeenMs: number;
}

interface EntryRow {
  id_token: string;
  status: AuthorizationStatus;
  expiry_ms: number | null;
  parent_id_token: string | null;
}

interface CacheRow {
  id_token: string;
  status: AuthorizationStatus;
  expiry_ms: number | null;
  last_seen_ms: number;
}

const LIST_VERSION_COUNTER = 'local_list_version';

/**
 * The site's local authorization list (with its version, as SendLocalList / GetLocalListVersion
 * know it) and the authorization cache (answers seen from a CSMS, for offline use).
 */
export class AuthorizationRepo {
  private readonly db: Database.Database;
  private readonly sql: Statements;

  constructor(deps: AuthorizationRepoDeps) {
    this.db = deps.db;
    this.sql = new Statements(deps.db);
  }

  /**
   * The list's answer for the token at nowMs, or undefined when it is not on the list. An entry
   * is expired from its expiryMs on: it then reads as Expired, except Blocked, which stays
   * Blocked (the stronger statement).
   */
  lookup(idToken: string, nowMs: number): AuthorizationStatus | undefined {
    const entry = this.get(idToken);
    if (!entry) return undefined;
    return effectiveStatus(entry.status, entry.expiryMs, nowMs);
  }

  /** The stored entry, as stored (no expiry applied). */
  get(idToken: string): AuthorizationEntry | undefined {
    const row = this.sql
      .prepare<[string], EntryRow>('SELECT * FROM local_auth_list WHERE id_token = ?')
      .get(idToken);
    return row ? toEntry(row) : undefined;
  }

  /** Adds or replaces entries (a differential update); sets the list version when given. */
  upsertMany(entries: readonly AuthorizationEntry[], version?: number): void {
    this.db.transaction(() => {
      this.upsertRows(entries);
      if (version !== undefined) this.setVersion(version);
    }).immediate();
  }

  /** Replaces the whole list (a full update) and sets its version, atomically. */
  replaceAll(entries: readonly AuthorizationEntry[], version: number): void {
    this.db.transaction(() => {
      this.sql.prepare('DELETE FROM local_auth_list').run();
      this.upsertRows(entries);
      this.setVersion(version);
    }).immediate();
  }

  /** Removes entries; sets the list version when given. Returns how many were on the list. */
  remove(idTokens: readonly string[], version?: number): number {
    return this.db.transaction(() => {
      const del = this.sql.prepare<[string]>('DELETE FROM local_auth_list WHERE id_token = ?');
      let removed = 0;
      for (const idToken of idTokens) removed += del.run(idToken).changes;
      if (version !== undefined) this.setVersion(version);
      return removed;
    }).immediate();
  }

  /** The list version; 0 when no list was ever installed. */
  version(): number {
    const row = this.sql
      .prepare<[string], { value: number }>('SELECT value FROM counters WHERE name = ?')
      .get(LIST_VERSION_COUNTER);
    return row?.value ?? 0;
  }

  /** Every entry, by id token. */
  list(): AuthorizationEntry[] {
    return this.sql
      .prepare<[], EntryRow>('SELECT * FROM local_auth_list ORDER BY id_token')
      .all()
      .map(toEntry);
  }

  /** Remembers the answer seen for a token at nowMs (replacing an older one). */
  cache(idToken: string, status: AuthorizationStatus, nowMs: number, expiryMs?: number): void {
    this.sql
      .prepare<[string, string, number | null, number]>(
        `INSERT INTO auth_cache (id_token, status, expiry_ms, last_seen_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (id_token) DO UPDATE SET status = excluded.status, expiry_ms = excluded.expiry_ms,
           last_seen_ms = excluded.last_seen_ms`,
      )
      .run(idToken, status, expiryMs ?? null, nowMs);
  }

  /** The cached answer for a token, as stored (the caller applies expiry with its own time). */
  cached(idToken: string): CachedAuthorization | undefined {
    const row = this.sql
      .prepare<[string], CacheRow>('SELECT * FROM auth_cache WHERE id_token = ?')
      .get(idToken);
    if (!row) return undefined;
    return {
      idToken: row.id_token,
      status: row.status,
      expiryMs: row.expiry_ms ?? undefined,
      lastSeenMs: row.last_seen_ms,
    };
  }

  /** Empties the authorization cache (ClearCache); returns how many entries it held. */
  clearCache(): number {
    return this.sql.prepare('DELETE FROM auth_cache').run().changes;
  }

  /** Drops one token from the authorization cache; false when it was not there. */
  forgetCached(idToken: string): boolean {
    return this.sql.prepare<[string]>('DELETE FROM auth_cache WHERE id_token = ?').run(idToken).changes > 0;
  }

  private upsertRows(entries: readonly AuthorizationEntry[]): void {
    const put = this.sql.prepare<[string, string, number | null, string | null]>(
      `INSERT INTO local_auth_list (id_token, status, expiry_ms, parent_id_token) VALUES (?, ?, ?, ?)
       ON CONFLICT (id_token) DO UPDATE SET status = excluded.status, expiry_ms = excluded.expiry_ms,
         parent_id_token = excluded.parent_id_token`,
    );
    for (const e of entries) put.run(e.idToken, e.status, e.expiryMs ?? null, e.parentIdToken ?? null);
  }

  private setVersion(version: number): void {
    this.sql
      .prepare<[number, string]>('UPDATE counters SET value = ? WHERE name = ?')
      .run(version, LIST_VERSION_COUNTER);
  }
}

/** Applies expiry to a stored status: from expiryMs on, anything but Blocked reads as Expired. */
export function effectiveStatus(
  status: AuthorizationStatus,
  expiryMs: number | undefined,
  nowMs: number,
): AuthorizationStatus {
  if (expiryMs !== undefined && nowMs >= expiryMs && status !== 'Blocked') return 'Expired';
  return status;
}

function toEntry(row: EntryRow): AuthorizationEntry {
  return {
    idToken: row.id_token,
    status: row.status,
    expiryMs: row.expiry_ms ?? undefined,
    parentIdToken: row.parent_id_token ?? undefined,
  };
}
