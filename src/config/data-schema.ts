import { z } from 'zod';

const days = z.number().positive().max(36_500);

/**
 * How long each kind of stored data is kept, in days. Transactions' own rows (who charged, when,
 * how much) and anything the outbox has not delivered upstream yet are never pruned early. With
 * the defaults a W1-like site's database levels off at about 49 MB per station, about 1 GB for
 * 20 chargers (BENCHMARKS.md, "Database size with retention").
 */
export const retentionConfigSchema = z
  .strictObject({
    /** Notifications kept for audit (status, firmware, security events, DataTransfer, ...), by their time. */
    messageLogDays: days.default(30),
    /** A transaction's structured meter samples (charts, energy), counted from the transaction's end. */
    meterSamplesDays: days.default(30),
    /** A transaction's events as received (with their meter values), counted from its end. */
    transactionEventsDays: days.default(90),
    /** The transaction rows themselves, counted from their end; null: kept for ever. */
    transactionsDays: days.nullable().default(null),
    /** Site and per-EVSE power history (the dashboard's chart, /api/history) in 15-minute buckets; the 1-minute buckets are kept 2 days. */
    powerHistoryDays: days.default(30),
    /** How often the pruning job runs, s. */
    pruneIntervalS: z.number().positive().default(3600),
    /** Rows deleted per SQLite transaction: small, so that no write waits long for the lock. */
    batchRows: z.number().int().positive().max(100_000).default(500),
  })
  .superRefine((r, ctx) => {
    // Samples hang off events (deleting an event deletes its samples), events off transactions.
    if (r.meterSamplesDays > r.transactionEventsDays) {
      ctx.addIssue({ code: 'custom', path: ['meterSamplesDays'], message: `must not exceed transactionEventsDays (${r.transactionEventsDays}): samples go with their events` });
    }
    if (r.transactionsDays !== null && r.transactionEventsDays > r.transactionsDays) {
      ctx.addIssue({ code: 'custom', path: ['transactionEventsDays'], message: `must not exceed transactionsDays (${r.transactionsDays}): events go with their transaction` });
    }
  });

export type RetentionConfig = z.infer<typeof retentionConfigSchema>;

/** `data:` where the database lives and how long what is in it is kept. */
export const dataConfigSchema = z.strictObject({
  /** Folder of the SQLite database, relative to the config file. */
  dir: z.string().default('./data'),
  retention: retentionConfigSchema.default(retentionConfigSchema.parse({})),
});
