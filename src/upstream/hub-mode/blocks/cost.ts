/**
 * CostUpdated (2.0.1 I03): goes to the 2.x charger running the transaction, with the charger's
 * own transaction id. Its answer is empty whatever happens, so the CSMS cannot be told more: a
 * 1.6 charger (no running-cost display in 1.6) or an unknown transaction is logged.
 */
import { transactionByUpstreamId } from '../hub-state.js';
import type { BlockContext, HubBlock } from './block-types.js';

async function costUpdated(ctx: BlockContext, p: Record<string, unknown>, signal: AbortSignal): Promise<object> {
  const tx = typeof p.transactionId === 'string' ? transactionByUpstreamId(ctx.state(), p.transactionId) : undefined;
  const version = tx ? ctx.versionOf(tx.stationId) : undefined;
  if (!tx || !version || version === '1.6') {
    ctx.log.info({ transactionId: p.transactionId, stationId: tx?.stationId, version }, 'CostUpdated not shown: no connected 2.x charger runs that transaction');
    return {};
  }
  await ctx.callCharger({ stationId: tx.stationId, version }, 'CostUpdated', { totalCost: p.totalCost, transactionId: tx.chargerTransactionId }, signal);
  return {};
}

export function costBlock(): HubBlock {
  return { name: 'cost', csms: { CostUpdated: (ctx, p, signal) => costUpdated(ctx, p, signal) } };
}
