/**
 * CustomerInformation (2.0.1 N09/N10). The hub holds customer data itself (its local list and
 * authorization cache entries of an id token); 2.x chargers hold their own.
 *
 * - No idToken, customerCertificate or customerIdentifier: Invalid.
 * - Otherwise Accepted, and the request goes to every connected 2.x charger. With clear, the hub
 *   drops the token from its authorization cache (the local list is the CSMS's and stays), and a
 *   1.6 charger, which can only forget every token at once, gets ClearCache.
 * - NotifyCustomerInformation: with report, the hub's own part first, then the chargers' parts,
 *   as one stream for the requestId (seqNo renumbered, tbc until the last part).
 */
import type { BlockContext, ChargerCall, HubBlock } from './block-types.js';
import { callAll, is2x, isRecord, isoNow, statusOf } from './targets.js';
import { ReportStream, closeWhenLate } from './report-stream.js';

function hubPart(ctx: BlockContext, idToken: string | undefined, cleared: boolean): string {
  if (idToken === undefined) return 'hub: no customer data for this identifier';
  const listed = ctx.store.authorizations.get(idToken);
  const cached = ctx.store.authorizations.cached(idToken);
  const parts = [
    `hub: id token ${idToken}`,
    `local list: ${listed ? listed.status : 'not listed'}`,
    `authorization cache: ${cached ? `${cached.status}, last seen ${new Date(cached.lastSeenMs).toISOString()}` : 'none'}${cleared && cached ? ' (cleared)' : ''}`,
  ];
  return parts.join('; ').slice(0, 512);
}

export function customerInfoBlock(ctx: BlockContext): HubBlock {
  const streams = new Map<number, ReportStream>();

  const customerInformation = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const idToken = isRecord(p.idToken) && typeof p.idToken.idToken === 'string' ? p.idToken.idToken : undefined;
    if (idToken === undefined && p.customerCertificate === undefined && p.customerIdentifier === undefined) return { status: 'Invalid' };
    const requestId = Number(p.requestId);
    const report = p.report === true;
    const clear = p.clear === true;
    const ownText = report ? hubPart(ctx, idToken, clear) : undefined;
    const chargers = ctx.connected();
    const twoX = chargers.filter(is2x);
    const calls = [
      ...twoX.map((charger) => ({ charger, action: 'CustomerInformation', payload: p })),
      ...(clear && idToken !== undefined ? chargers.filter((c) => !is2x(c)).map((charger) => ({ charger, action: 'ClearCache', payload: {} })) : []),
    ];
    const stream = new ReportStream(requestId, twoX.map((c) => c.stationId));
    streams.set(requestId, stream);
    if (ownText !== undefined) {
      const generatedAt = isoNow(ctx);
      ctx.notify('NotifyCustomerInformation', () => {
        const step = stream.own();
        return { data: ownText, seqNo: step.seqNo, generatedAt, requestId, ...(step.tbc ? { tbc: true } : {}) };
      });
    }
    const results = await callAll(ctx, calls, signal);
    if (clear && idToken !== undefined) forget(ctx, idToken);
    twoX.forEach((c, i) => statusOf(results[i]) !== 'Accepted' && stream.drop(c.stationId));
    if (stream.done && streams.get(requestId) === stream) streams.delete(requestId);
    else closeWhenLate(ctx, stream, 'NotifyCustomerInformation', (step) => ({ data: '', seqNo: step.seqNo, generatedAt: isoNow(ctx), requestId }), () => streams.get(requestId) === stream && streams.delete(requestId));
    return { status: 'Accepted' };
  };

  const notify = (call: ChargerCall): object | undefined => {
    const requestId = Number(call.payload.requestId);
    const stream = streams.get(requestId);
    if (!stream?.has(call.stationId)) return undefined;
    const generatedAt = typeof call.payload.generatedAt === 'string' ? call.payload.generatedAt : isoNow(ctx);
    ctx.notify('NotifyCustomerInformation', () => {
      const step = stream.next(call.stationId, call.payload.tbc === true);
      if (!step) return undefined;
      if (stream.done && streams.get(requestId) === stream) streams.delete(requestId);
      return { data: String(call.payload.data).slice(0, 512), seqNo: step.seqNo, generatedAt, requestId, ...(step.tbc ? { tbc: true } : {}) };
    });
    return {};
  };

  return {
    name: 'customer-info',
    csms: { CustomerInformation: (_c, p, signal) => customerInformation(p, signal) },
    charger: { NotifyCustomerInformation: (_c, call) => notify(call) },
  };
}

/** Drops one token from the hub's authorization cache. */
function forget(ctx: BlockContext, idToken: string): void {
  ctx.store.authorizations.forgetCached(idToken);
}
