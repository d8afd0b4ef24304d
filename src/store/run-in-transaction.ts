import type Database from 'better-sqlite3';

type Runner = (fn: () => unknown) => unknown;

/** One runner per connection: better-sqlite3 builds four wrapper functions per `db.transaction()` call. */
const runners = new WeakMap<Database.Database, Runner>();

/**
 * `db.transaction(fn)()` for hot paths: runs fn in one SQLite transaction (BEGIN / COMMIT, or a
 * savepoint when one is already open, decided at the call as better-sqlite3 does), rolled back
 * if fn throws. The same wrapper of better-sqlite3 serves every call, instead of a new one (and
 * its four variants with their properties) built per call.
 */
export function runInTransaction<T>(db: Database.Database, fn: () => T): T {
  let run = runners.get(db);
  if (!run) {
    run = db.transaction((f: () => unknown) => f());
    runners.set(db, run);
  }
  return run(fn) as T;
}
