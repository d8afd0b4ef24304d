import type Database from 'better-sqlite3';

/**
 * better-sqlite3 compiles the SQL text on every `prepare()`. The repositories prepare where they
 * use a statement, which reads well but costs a compile per call on hot paths (a station lookup
 * per profile write, a sequence number per transaction event). This makes `db.prepare` return
 * the statement compiled before for the same text. Safe because no repository keeps a statement
 * in a mode (`raw`, `pluck`, `expand`) or iterates one while another call may use it. At most
 * `maxStatements` are kept, oldest first out.
 */
export function cacheStatements(db: Database.Database, maxStatements = 500): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  const cached = (source: string): Database.Statement => {
    let statement = cache.get(source);
    if (!statement) {
      statement = compile(source);
      // Built SQL (filters, IN lists) can vary without end: forget the oldest past the bound.
      if (cache.size >= maxStatements) cache.delete(cache.keys().next().value as string);
      cache.set(source, statement);
    }
    return statement;
  };
  db.prepare = cached as Database.Database['prepare'];
}
