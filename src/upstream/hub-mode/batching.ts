/**
 * Batching of periodic samples (the main data-volume lever of a month of upstream traffic):
 * the periodic samples of one transaction that arrive within `batchWindowS` go upstream as ONE
 * TransactionEvent Updated (triggerReason MeterValuePeriodic) whose meterValue array holds
 * every sample with its own timestamp. Because batching happens before seqNos are given out,
 * seqNo stays continuous. Any other event of the transaction flushes the batch first, so the
 * upstream order is the order the charger sent.
 *
 * Held samples live in the state (HubTransaction.pendingSamples); the caller persists the state
 * with the outbox, so they survive a crash like any queued message.
 */
import { withTransaction, type HubModeConfig, type HubState, type HubTransaction } from './hub-state.js';
import type { MeterValue2xOut, TransactionEventReq, UpstreamMessage } from './wire-2x.js';

export function batchingOn(config: HubModeConfig): boolean {
  return config.batchWindowS > 0;
}

/** The transaction with more samples held back. */
export function holdSamples(tx: HubTransaction, samples: readonly MeterValue2xOut[], receivedMs: number, offline: boolean): HubTransaction {
  return {
    ...tx,
    pendingSamples: [...(tx.pendingSamples ?? []), ...samples],
    pendingSinceMs: tx.pendingSinceMs ?? receivedMs,
    ...(offline || tx.pendingOffline ? { pendingOffline: true } : {}),
  };
}

/** Whether the batch has been open for the whole window at `nowMs`. */
export function batchDue(tx: HubTransaction, config: HubModeConfig, nowMs: number): boolean {
  return tx.pendingSinceMs !== undefined && nowMs - tx.pendingSinceMs >= config.batchWindowS * 1000;
}

/**
 * Turns the held samples into one TransactionEvent Updated with the next seqNo, or returns the
 * transaction unchanged when nothing is held.
 */
export function flushBatch(tx: HubTransaction): { tx: HubTransaction; message?: UpstreamMessage } {
  const samples = tx.pendingSamples ?? [];
  const last = samples[samples.length - 1];
  if (!last) return { tx };
  const event: TransactionEventReq = {
    eventType: 'Updated',
    timestamp: last.timestamp,
    triggerReason: 'MeterValuePeriodic',
    seqNo: tx.nextSeqNo,
    ...(tx.pendingOffline ? { offline: true } : {}),
    transactionInfo: { transactionId: tx.transactionId },
    meterValue: samples,
  };
  const { pendingSamples: _s, pendingSinceMs: _t, pendingOffline: _o, ...rest } = tx;
  return { tx: { ...rest, nextSeqNo: tx.nextSeqNo + 1 }, message: { action: 'TransactionEvent', payload: event, kind: 'billing' } };
}

/**
 * Flushes every batch whose window has passed. The link calls this on a timer (for example
 * every few seconds, from the injected clock), and may call it with `force` before shutting
 * down or when it wants everything out.
 */
export function flushDueBatches(
  state: HubState,
  config: HubModeConfig,
  nowMs: number,
  force = false,
): { state: HubState; upstream: UpstreamMessage[] } {
  let next = state;
  const upstream: UpstreamMessage[] = [];
  const due = Object.values(state.transactions)
    .filter((tx) => (tx.pendingSamples?.length ?? 0) > 0 && (force || batchDue(tx, config, nowMs)))
    .sort((a, b) => (a.pendingSinceMs ?? 0) - (b.pendingSinceMs ?? 0));
  for (const tx of due) {
    const flushed = flushBatch(tx);
    next = withTransaction(next, flushed.tx);
    if (flushed.message) upstream.push(flushed.message);
  }
  return { state: next, upstream };
}
