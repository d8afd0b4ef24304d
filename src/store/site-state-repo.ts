import type Database from 'better-sqlite3';
import type { Clock } from '../util/clock.js';
import { Statements } from './statements.js';

export interface SiteStateRepoDeps {
  db: Database.Database;
  clock: Clock;
}

/** Durable values of the site itself, by key (what SiteStateRepo offers, for its users' deps). */
export interface SiteValues {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/**
 * Free-form durable state of the site itself (not of any station), by key, as JSON: the site's
 * lifetime energy totals. Values come back as `unknown`: the owner of a key validates its shape.
 */
export class SiteStateRepo implements SiteValues {
  private readonly sql: Statements;
  private readonly clock: Clock;

  constructor(deps: SiteStateRepoDeps) {
    this.sql = new Statements(deps.db);
    this.clock = deps.clock;
  }

  /** Stores a JSON-serialisable value under the key, replacing the previous one. */
  set(key: string, value: unknown): void {
    this.sql
      .prepare<[string, string, number]>(
        `INSERT INTO site_state (key, value_json, updated_ms) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_ms = excluded.updated_ms`,
      )
      .run(key, JSON.stringify(value ?? null), this.clock.nowMs());
  }

  /** The stored value, or undefined when the key was never set. */
  get(key: string): unknown {
    const row = this.sql
      .prepare<[string], { value_json: string }>('SELECT value_json FROM site_state WHERE key = ?')
      .get(key);
    return row ? (JSON.parse(row.value_json) as unknown) : undefined;
  }
}
