/** Stable codes for what can go wrong in the durable store. Tests assert the code, not the text. */
export type StoreErrorCode =
  /** The database was written by a newer Switchyard whose schema this build does not know. */
  | 'STORE_SCHEMA_TOO_NEW'
  /** The migration list itself is malformed (versions not 1, 2, 3, ...). */
  | 'STORE_MIGRATIONS_INVALID'
  /** A migration failed; its transaction was rolled back and the schema is unchanged. */
  | 'STORE_MIGRATION_FAILED'
  /** `switchyard backup` could not copy the database (missing, unreadable, target not writable). */
  | 'STORE_BACKUP_FAILED';

export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}
