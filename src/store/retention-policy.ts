/** How long each kind of stored data is kept (the `data.retention` config block, in days). */
export interface RetentionPolicy {
  messageLogDays: number;
  meterSamplesDays: number;
  transactionEventsDays: number;
  /** null: transactions are kept for ever. */
  transactionsDays: number | null;
}

/** Per kind, data older than this (ms since the epoch) may go; undefined: nothing goes. */
export interface RetentionCutoffs {
  messageLogMs: number;
  meterSamplesMs: number;
  transactionEventsMs: number;
  transactionsMs: number | undefined;
}

const DAY_MS = 86_400_000;

/**
 * The cutoffs at `nowMs`. `oldestUndeliveredMs` is the creation time of the oldest message the
 * outbox still holds: nothing from that moment on is pruned, so while the upstream is away
 * (however long) the hub keeps everything it may still need to explain or resend.
 */
export function retentionCutoffs(nowMs: number, policy: RetentionPolicy, oldestUndeliveredMs?: number): RetentionCutoffs {
  const cap = (ms: number) => (oldestUndeliveredMs === undefined ? ms : Math.min(ms, oldestUndeliveredMs));
  return {
    messageLogMs: cap(nowMs - policy.messageLogDays * DAY_MS),
    meterSamplesMs: cap(nowMs - policy.meterSamplesDays * DAY_MS),
    transactionEventsMs: cap(nowMs - policy.transactionEventsDays * DAY_MS),
    transactionsMs: policy.transactionsDays === null ? undefined : cap(nowMs - policy.transactionsDays * DAY_MS),
  };
}
