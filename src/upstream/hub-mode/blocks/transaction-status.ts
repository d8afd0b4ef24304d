/**
 * GetTransactionStatus (2.0.1 E14): answered by the hub from its own outbox, because the hub is
 * what queues the site's transaction messages. messagesInQueue: TransactionEvents for the
 * transaction (or any, without one) wait in the outbox or as held-back batched samples;
 * ongoingIndicator: the transaction is open in the hub's translation state (only with an id).
 */
import { transactionByUpstreamId } from '../hub-state.js';
import type { BlockContext, HubBlock } from './block-types.js';

function getTransactionStatus(ctx: BlockContext, p: Record<string, unknown>): object {
  const state = ctx.state();
  if (typeof p.transactionId !== 'string') {
    const held = Object.values(state.transactions).some((t) => (t.pendingSamples?.length ?? 0) > 0);
    return { messagesInQueue: held || ctx.store.outbox.hasTransactionEvents(ctx.identity) };
  }
  const tx = transactionByUpstreamId(state, p.transactionId);
  const held = (tx?.pendingSamples?.length ?? 0) > 0;
  return { ongoingIndicator: tx !== undefined, messagesInQueue: held || ctx.store.outbox.hasTransactionEvents(ctx.identity, p.transactionId) };
}

export function transactionStatusBlock(): HubBlock {
  return { name: 'transaction-status', csms: { GetTransactionStatus: (ctx, p) => getTransactionStatus(ctx, p) } };
}
