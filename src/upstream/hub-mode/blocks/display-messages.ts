/**
 * Display messages (2.0.1 O). Messages live on the 2.x chargers (1.6 has none).
 *
 * - SetDisplayMessage: a message for a transaction goes to the charger running it (the
 *   transaction id in the charger's terms), one for a display on an EVSE to that EVSE's charger,
 *   one without either to every connected 2.x charger. The CSMS's message id is kept on every
 *   charger, and the hub remembers which chargers hold it. A target that is a 1.6 charger is
 *   Rejected; an unknown transaction UnknownTransaction.
 * - GetDisplayMessages: the chargers holding the asked ids (or every 2.x charger); their
 *   NotifyDisplayMessages become one stream for the requestId (EVSE and transaction ids upstream,
 *   a message shown on several chargers reported once, tbc until the last charger is done).
 *   Accepted when one charger will report, Unknown otherwise.
 * - ClearDisplayMessage: the chargers holding it; Accepted when one removed it, else Unknown.
 */
import { transactionByUpstreamId } from '../hub-state.js';
import type { BlockContext, ChargerCall, ChargerRef, HubBlock } from './block-types.js';
import { callAll, componentDown, componentUp, info, is2x, isRecord, statusOf } from './targets.js';
import { ReportStream, closeWhenLate } from './report-stream.js';

const KEY = 'display-messages';

export function displayMessagesBlock(ctx: BlockContext): HubBlock {
  const loaded = ctx.load(KEY);
  /** message id -> stations holding it */
  let holders: Record<string, string[]> = isRecord(loaded) ? (loaded as Record<string, string[]>) : {};
  const streams = new Map<number, { stream: ReportStream; seen: Set<number> }>();
  const save = (): void => ctx.save(KEY, holders);
  const connected2x = (): ChargerRef[] => ctx.connected().filter(is2x);
  const ref = (stationId: string): ChargerRef | undefined => {
    const version = ctx.versionOf(stationId);
    return version ? { stationId, version } : undefined;
  };

  const setDisplayMessage = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const message = isRecord(p.message) ? p.message : {};
    let targets: ChargerRef[];
    let sent = message;
    if (typeof message.transactionId === 'string') {
      const tx = transactionByUpstreamId(ctx.state(), message.transactionId);
      if (!tx) return { status: 'UnknownTransaction' };
      const charger = ref(tx.stationId);
      if (!charger) return { status: 'Rejected', statusInfo: info('Unspecified', 'charger not connected') };
      const display = componentDown(ctx, message.display).component;
      sent = { ...message, transactionId: tx.chargerTransactionId, ...(message.display !== undefined ? { display } : {}) };
      targets = [charger];
    } else if (isRecord(message.display) && isRecord(message.display.evse)) {
      const down = componentDown(ctx, message.display);
      if (!down.target) return { status: 'Rejected', statusInfo: info('UnknownEvse') };
      if (!down.target.charger) return { status: 'Rejected', statusInfo: info('Unspecified', 'charger not connected') };
      sent = { ...message, display: down.component };
      targets = [down.target.charger];
    } else {
      targets = connected2x();
    }
    if (targets.length === 0 || !targets.every(is2x)) return { status: 'Rejected', statusInfo: info('UnsupportedRequest', 'no OCPP 2.x charger to show it (1.6 has no display messages)') };
    const statuses = (await callAll(ctx, targets.map((charger) => ({ charger, action: 'SetDisplayMessage', payload: { message: sent } })), signal)).map(statusOf);
    const holding = targets.filter((_, i) => statuses[i] === 'Accepted').map((t) => t.stationId);
    const id = String(message.id);
    holders = { ...holders, [id]: [...new Set([...(holders[id] ?? []), ...holding])] };
    save();
    if (statuses.every((s) => s === 'Accepted')) return { status: 'Accepted' };
    const refusal = statuses.find((s) => s !== 'Accepted' && s !== undefined);
    return { status: refusal ?? 'Rejected', statusInfo: info('Refused', `${targets.length - holding.length} of ${targets.length} chargers did not take it`) };
  };

  const getDisplayMessages = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const requestId = Number(p.requestId);
    const wanted = Array.isArray(p.id) ? p.id.map(String) : undefined;
    const stations = wanted ? [...new Set(wanted.flatMap((id) => holders[id] ?? []))] : connected2x().map((c) => c.stationId);
    const targets = stations.flatMap((s) => {
      const r = ref(s);
      return r && is2x(r) ? [r] : [];
    });
    if (targets.length === 0) return { status: 'Unknown' };
    const entry = { stream: new ReportStream(requestId, targets.map((t) => t.stationId)), seen: new Set<number>() };
    streams.set(requestId, entry);
    const statuses = (await callAll(ctx, targets.map((charger) => ({ charger, action: 'GetDisplayMessages', payload: p })), signal)).map(statusOf);
    targets.forEach((t, i) => statuses[i] !== 'Accepted' && entry.stream.drop(t.stationId));
    if (statuses.includes('Accepted')) {
      closeWhenLate(ctx, entry.stream, 'NotifyDisplayMessages', () => ({ requestId }), () => streams.get(requestId) === entry && streams.delete(requestId));
      return { status: 'Accepted' };
    }
    if (streams.get(requestId) === entry) streams.delete(requestId);
    return { status: 'Unknown' };
  };

  const notifyDisplayMessages = (call: ChargerCall): object | undefined => {
    const requestId = Number(call.payload.requestId);
    const entry = streams.get(requestId);
    if (!entry?.stream.has(call.stationId)) return undefined;
    const state = ctx.state();
    const infos: Record<string, unknown>[] = (Array.isArray(call.payload.messageInfo) ? call.payload.messageInfo : []).filter(isRecord).map((m) => {
      const tx = typeof m.transactionId === 'string' ? Object.values(state.transactions).find((t) => t.stationId === call.stationId && t.chargerTransactionId === m.transactionId) : undefined;
      return { ...m, ...(m.display !== undefined ? { display: componentUp(ctx, call.stationId, m.display) } : {}), ...(tx ? { transactionId: tx.transactionId } : {}) };
    });
    ctx.notify('NotifyDisplayMessages', () => {
      // A message shown on several chargers is reported once.
      const messageInfo = infos.filter((m) => !entry.seen.has(Number(m.id)));
      for (const m of messageInfo) entry.seen.add(Number(m.id));
      const step = entry.stream.next(call.stationId, call.payload.tbc === true);
      if (!step) return undefined;
      if (entry.stream.done && streams.get(requestId) === entry) streams.delete(requestId);
      return { requestId, ...(step.tbc ? { tbc: true } : {}), ...(messageInfo.length > 0 ? { messageInfo } : {}) };
    });
    return {};
  };

  const clearDisplayMessage = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const id = String(p.id);
    const targets = (holders[id] ?? connected2x().map((c) => c.stationId)).flatMap((s) => {
      const r = ref(s);
      return r && is2x(r) ? [r] : [];
    });
    const statuses = (await callAll(ctx, targets.map((charger) => ({ charger, action: 'ClearDisplayMessage', payload: p })), signal)).map(statusOf);
    const { [id]: _gone, ...rest } = holders;
    holders = rest;
    save();
    return statuses.includes('Accepted') ? { status: 'Accepted' } : { status: 'Unknown' };
  };

  return {
    name: 'display-messages',
    csms: {
      SetDisplayMessage: (_c, p, signal) => setDisplayMessage(p, signal),
      GetDisplayMessages: (_c, p, signal) => getDisplayMessages(p, signal),
      ClearDisplayMessage: (_c, p, signal) => clearDisplayMessage(p, signal),
    },
    charger: { NotifyDisplayMessages: (_c, call) => notifyDisplayMessages(call) },
  };
}
