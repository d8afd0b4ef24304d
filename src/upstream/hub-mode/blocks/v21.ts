/**
 * OCPP 2.1 additions on a 2.1 site link (DER control is src/der/, wired by der-wiring).
 *
 * Carried to the 2.1 charger concerned (ids in its own terms; a 1.6 or 2.0.1 charger cannot
 * take them, so the CSMS gets Rejected with a reason):
 * - by transaction: ChangeTransactionTariff (unknown: TxNotFound), UsePriorityCharging,
 *   NotifyAllowedEnergyTransfer;
 * - by EVSE: SetDefaultTariff, GetTariffs, ClearTariffs, NotifyWebPaymentStarted; EVSE 0 (or
 *   none, for ClearTariffs) means every connected 2.1 charger, answers combined (GetTariffs
 *   merges the assignments with EVSE ids upstream).
 * Answered by the hub:
 * - UpdateDynamicSchedule: Rejected. The CSMS's profiles are the hub's own (never on a charger),
 *   and the hub does not take the Dynamic profile kind.
 * - AFRRSignal: Rejected (the hub's energy management takes no aFRR signal).
 * - RequestBatterySwap: Rejected (no battery-swap station behind a hub).
 * - GetPeriodicEventStream: no streams (the hub opens none); AdjustPeriodicEventStream Rejected.
 */
import { transactionByUpstreamId } from '../hub-state.js';
import type { BlockContext, ChargerRef, HubBlock } from './block-types.js';
import { callAll, evseTarget, info, isRecord, statusOf, upstreamEvseOf } from './targets.js';

const NOT_21 = info('UnsupportedRequest', 'the charger does not speak OCPP 2.1');

async function byTransaction(ctx: BlockContext, action: string, p: Record<string, unknown>, signal: AbortSignal, unknown: string): Promise<object> {
  const tx = typeof p.transactionId === 'string' ? transactionByUpstreamId(ctx.state(), p.transactionId) : undefined;
  if (!tx) return { status: unknown, statusInfo: info('TxNotFound') };
  const version = ctx.versionOf(tx.stationId);
  if (!version) return { status: 'Rejected', statusInfo: info('Unspecified', 'charger not connected') };
  if (version !== '2.1') return { status: 'Rejected', statusInfo: NOT_21 };
  const r = await ctx.callCharger({ stationId: tx.stationId, version }, action, { ...p, transactionId: tx.chargerTransactionId }, signal);
  return r && statusOf(r) ? r : { status: 'Rejected', statusInfo: info('Unspecified', 'charger did not answer') };
}

/** The 2.1 chargers an evseId concerns: its charger (with its own EVSE id), or all for EVSE 0 / none. */
function byEvse(ctx: BlockContext, evseId: number | undefined): { targets: { charger: ChargerRef; evseId: number | undefined }[]; refusal?: object } {
  if (evseId === undefined || evseId === 0) {
    const all = ctx.connected().filter((c) => c.version === '2.1');
    return all.length > 0 ? { targets: all.map((charger) => ({ charger, evseId })) } : { targets: [], refusal: { status: 'Rejected', statusInfo: NOT_21 } };
  }
  const t = evseTarget(ctx, evseId);
  if (!t) return { targets: [], refusal: { status: 'Rejected', statusInfo: info('UnknownEvse') } };
  if (!t.charger) return { targets: [], refusal: { status: 'Rejected', statusInfo: info('Unspecified', 'charger not connected') } };
  if (t.charger.version !== '2.1') return { targets: [], refusal: { status: 'Rejected', statusInfo: NOT_21 } };
  return { targets: [{ charger: t.charger, evseId: t.entry.evseId }] };
}

async function toEvses(ctx: BlockContext, action: string, p: Record<string, unknown>, signal: AbortSignal): Promise<{ refusal?: object; results: (Record<string, unknown> | undefined)[]; targets: { charger: ChargerRef }[] }> {
  const evseId = typeof p.evseId === 'number' ? p.evseId : undefined;
  const { targets, refusal } = byEvse(ctx, evseId);
  if (refusal) return { refusal, results: [], targets };
  const results = await callAll(ctx, targets.map((t) => ({ charger: t.charger, action, payload: { ...p, ...(t.evseId !== undefined ? { evseId: t.evseId } : {}) } })), signal);
  return { results, targets };
}

function combined(results: readonly (Record<string, unknown> | undefined)[]): object {
  const statuses = results.map(statusOf);
  if (statuses.every((s) => s === 'Accepted')) return { status: 'Accepted' };
  const first = statuses.find((s) => s !== 'Accepted' && s !== undefined);
  return { status: first ?? 'Rejected', statusInfo: info('Refused', `${statuses.filter((s) => s !== 'Accepted').length} of ${statuses.length} chargers refused or did not answer`) };
}

export function v21Block(): HubBlock {
  return {
    name: 'ocpp-2.1',
    csms: {
      ChangeTransactionTariff: (ctx, p, signal) => byTransaction(ctx, 'ChangeTransactionTariff', p, signal, 'TxNotFound'),
      UsePriorityCharging: (ctx, p, signal) => byTransaction(ctx, 'UsePriorityCharging', p, signal, 'Rejected'),
      NotifyAllowedEnergyTransfer: (ctx, p, signal) => byTransaction(ctx, 'NotifyAllowedEnergyTransfer', p, signal, 'Rejected'),
      SetDefaultTariff: async (ctx, p, signal) => {
        const r = await toEvses(ctx, 'SetDefaultTariff', p, signal);
        return r.refusal ?? combined(r.results);
      },
      GetTariffs: async (ctx, p, signal) => {
        const r = await toEvses(ctx, 'GetTariffs', p, signal);
        if (r.refusal) return r.refusal;
        const assignments = r.results.flatMap((res, i) => {
          const stationId = r.targets[i]?.charger.stationId ?? '';
          const list = res && Array.isArray(res.tariffAssignments) ? res.tariffAssignments.filter(isRecord) : [];
          return list.map((a) => ({
            ...a,
            ...(Array.isArray(a.evseIds) ? { evseIds: (a.evseIds as number[]).map((id) => (id === 0 ? 0 : (upstreamEvseOf(ctx, stationId, id)?.upstreamEvseId ?? id))) } : {}),
          }));
        });
        if (assignments.length > 0) return { status: 'Accepted', tariffAssignments: assignments };
        return { status: r.results.some((res) => statusOf(res) === 'NoTariff') ? 'NoTariff' : 'Rejected' };
      },
      ClearTariffs: async (ctx, p, signal) => {
        const r = await toEvses(ctx, 'ClearTariffs', p, signal);
        if (r.refusal) return { clearTariffsResult: [{ status: 'Rejected', statusInfo: NOT_21 }] };
        const results = r.results.flatMap((res) => (res && Array.isArray(res.clearTariffsResult) ? res.clearTariffsResult.filter(isRecord) : [{ status: 'Rejected', statusInfo: info('Unspecified', 'charger did not answer') }]));
        return { clearTariffsResult: results.length > 0 ? results : [{ status: 'NoTariff' }] };
      },
      NotifyWebPaymentStarted: async (ctx, p, signal) => {
        await toEvses(ctx, 'NotifyWebPaymentStarted', p, signal);
        return {};
      },
      UpdateDynamicSchedule: () => ({ status: 'Rejected', statusInfo: info('UnsupportedRequest', 'the hub takes no Dynamic charging profiles') }),
      AFRRSignal: () => ({ status: 'Rejected', statusInfo: info('UnsupportedRequest', 'the hub takes no aFRR signal') }),
      RequestBatterySwap: () => ({ status: 'Rejected', statusInfo: info('UnsupportedRequest', 'no battery-swap station at this site') }),
      GetPeriodicEventStream: () => ({}),
      AdjustPeriodicEventStream: () => ({ status: 'Rejected', statusInfo: info('UnknownStream', 'the hub has opened no periodic event stream') }),
    },
  };
}
