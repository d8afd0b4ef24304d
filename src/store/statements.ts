import type Database from 'better-sqlite3';

/**
 * A repository's prepared statements. better-sqlite3 compiles the SQL text at every `prepare()`;
 * a repository prepares through its own `Statements` instead, which compiles each text once, at
 * its first use, and hands out that statement afterwards (hot paths such as a sequence number per
 * transaction event no longer compile per call). The database itself is left as it is.
 *
 * Safe because no repository keeps a statement in a mode (`raw`, `pluck`, `expand`) or iterates
 * one while another call may use it. Built SQL (filters, IN lists) can vary without end: at most
 * `maxStatements` are kept per repository, oldest first out.
 */
export class Statements {
  private readonly compiled = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly maxStatements = 100,
  ) {}

  /** The statement for this SQL text, compiled at its first use (same typing as db.prepare). */
  readonly prepare = ((source: string): Database.Statement => {
    let statement = this.compiled.get(source);
    if (!statement) {
      statement = this.db.prepare(source);
      if (this.compiled.size >= this.maxStatements) this.compiled.delete(this.compiled.keys().next().value as string);
      this.compiled.set(source, statement);
    }
    return statement;
  }) as Database.Database['prepare'];
}
