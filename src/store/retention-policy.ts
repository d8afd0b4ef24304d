/** How long each kind of stored data is kept (the `data.retention` config block, in days). */
export interface RetentionPolicy {
  messageLogDays: number;
  meterSamplesDays: number;
  transactionEventsDays: number;
  /** null: transactions are kept for ever. */
  transactionsDays: number | null;
  /** Site and EVSE power history (15-minute buckets); absent: DEFAULT_POWER_HISTORY_DAYS. */
  powerHistoryDays?: number;
}

/** Default of `data.retention.powerHistoryDays`. */
export const DEFAULT_POWER_HISTORY_DAYS = 30;
/** The 1-minute buckets of the power history are kept this long (or powerHistoryDays if shorter). */
export const FINE_POWER_HISTORY_DAYS = 2;

/** Per kind, data older than this (ms since the epoch) may go; undefined: nothing goes. */
export interface RetentionCutoffs {
  messageLogMs: number;
  meterSamplesMs: number;
  transactionEventsMs: number;
  transactionsMs: number | undefined;
  /** Power history: 15-minute buckets, and 1-minute buckets (kept for a shorter time). */
  powerHistoryMs: number;
  finePowerHistoryMs: number;
}

const DAY_MS = 86_400_000;

/**
 * The cutoffs at `nowMs`. `oldestUndeliveredMs` is the creation time of the oldest message the
 * outbox still holds: nothing from that moment on is pruned, so while the upstream is away
 * (however long) the hub keeps everything it may still need to explain or resend.
 */
export function retentionCutoffs(nowMs: number, policy: RetentionPolicy, oldestUndeliveredMs?: number): RetentionCutoffs {
  const historyDays = policy.powerHistoryDays ?? DEFAULT_POWER_HISTORY_DAYS;
  const cap = (ms: number) => (oldestUndeliveredMs === undefined ? ms : Math.min(ms, oldestUndeliveredMs));
  return {
    messageLogMs: cap(nowMs - policy.messageLogDays * DAY_MS),
    meterSamplesMs: cap(nowMs - policy.meterSamplesDays * DAY_MS),
    transactionEventsMs: cap(nowMs - policy.transactionEventsDays * DAY_MS),
    transactionsMs: policy.transactionsDays === null ? undefined : cap(nowMs - policy.transactionsDays * DAY_MS),
    // The power history is the hub's own record, nothing the outbox may still need: not capped.
    powerHistoryMs: nowMs - historyDays * DAY_MS,
    finePowerHistoryMs: nowMs - Math.min(historyDays, FINE_POWER_HISTORY_DAYS) * DAY_MS,
  };
}
