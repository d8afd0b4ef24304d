import Database from 'better-sqlite3';
import { systemClock, type Clock } from '../util/clock.js';
import { migrate } from './migrations.js';

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  /** File path of the database, or ':memory:' (tests only: nothing survives close). */
  path: string;
  /** Stamps applied migrations; defaults to the system clock. */
  clock?: Clock;
  /** How long a statement waits for a lock held by another connection, in ms. */
  busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens (creating if needed) the hub's SQLite database and brings its schema up to date.
 *
 * Settings:
 * - `journal_mode = WAL`: readers never block the single writer, and a commit is one append to
 *   the write-ahead log instead of rewriting pages in place.
 * - `synchronous = FULL`: every commit fsyncs the WAL before the call returns. The hub answers
 *   a station (and lets it forget a billing message) only after the write returns, so a commit
 *   must survive a power cut, not just a crash of the process. NORMAL in WAL mode survives a
 *   process crash but may lose the last commits on power loss, which would lose answered
 *   transaction events. Measured cost of one small single-row commit on an SSD-backed virtual
 *   machine: about 15 us with NORMAL, about 160-210 us with FULL (roughly 10x, i.e. still
 *   some 5,000 commits per second; a site produces a few per second). Group-commit batches
 *   (GroupCommit) get the same durability with the fsync off the event loop: they commit with
 *   NORMAL and then sync the log in the thread pool before anyone waiting for them is answered;
 *   a batch that holds only bookkeeping no answer depends on (GroupCommit.lazily: outbox acks,
 *   cached authorizations, the power history's minutes) is not synced and becomes durable with
 *   the next sync.
 * - `foreign_keys = ON`: events, samples and summaries cannot drift apart.
 * - `busy_timeout`: another connection (a backup, the CLI) holding a lock makes us wait, not fail.
 *
 * Migrations are applied in one transaction before this returns; a database written by a newer
 * schema refuses to open (StoreError STORE_SCHEMA_TOO_NEW).
 */
export function openDatabase(options: OpenDatabaseOptions): SqliteDatabase {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const db = new Database(options.path, { timeout: busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    migrate(db, { clock: options.clock ?? systemClock() });
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
