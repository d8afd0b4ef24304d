/**
 * DataTransfer from the CSMS (2.0.1 P01) names no EVSE, so the hub routes it by this rule, first
 * match wins:
 *   1. a configured route (upstream.dataTransfer: vendorId, optional messageId, station);
 *   2. an EVSE named in the data: a JSON object (or a string holding one) with a numeric
 *      `evseId` goes to the charger of that upstream EVSE, with evseId rewritten to the
 *      charger's own;
 *   3. a site with exactly one charger: that charger.
 * Otherwise the answer is UnknownVendorId (the hub itself implements no vendor extension).
 * A 1.6 charger gets `data` as a string (JSON text when the CSMS sent a structure); the
 * charger's status and data come back as they are.
 */
import { mappedStations } from '../evse-mapping.js';
import type { BlockContext, ChargerRef, HubBlock } from './block-types.js';
import { evseTarget, info, isRecord, statusOf } from './targets.js';

export interface DataTransferRoute {
  vendorId: string;
  messageId?: string;
  station: string;
}

function parsed(data: unknown): { value: Record<string, unknown>; wasString: boolean } | undefined {
  if (isRecord(data)) return { value: data, wasString: false };
  if (typeof data !== 'string') return undefined;
  try {
    const v: unknown = JSON.parse(data);
    return isRecord(v) ? { value: v, wasString: true } : undefined;
  } catch {
    return undefined;
  }
}

const STATUSES = ['Accepted', 'Rejected', 'UnknownMessageId', 'UnknownVendorId'];

export function dataTransferBlock(ctx: BlockContext, routes: readonly DataTransferRoute[]): HubBlock {
  const route = (p: Record<string, unknown>): { stationId: string; data: unknown } | { refusal: object } => {
    const configured = routes.find((r) => r.vendorId === p.vendorId && (r.messageId === undefined || r.messageId === p.messageId));
    if (configured) return { stationId: configured.station, data: p.data };
    const named = parsed(p.data);
    if (named && typeof named.value.evseId === 'number') {
      const target = evseTarget(ctx, named.value.evseId);
      if (!target) return { refusal: { status: 'Rejected', statusInfo: info('UnknownEvse', `EVSE ${named.value.evseId} is not mapped`) } };
      const value = { ...named.value, evseId: target.entry.evseId };
      return { stationId: target.entry.stationId, data: named.wasString ? JSON.stringify(value) : value };
    }
    const stations = mappedStations(ctx.state().mapping);
    if (stations.length === 1 && stations[0] !== undefined) return { stationId: stations[0], data: p.data };
    return { refusal: { status: 'UnknownVendorId', statusInfo: info('NoRoute', 'no route for this vendorId/messageId and no evseId in data') } };
  };

  const dataTransfer = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const r = route(p);
    if ('refusal' in r) return r.refusal;
    const version = ctx.versionOf(r.stationId);
    if (!version) return { status: 'Rejected', statusInfo: info('Unspecified', 'charger not connected') };
    const charger: ChargerRef = { stationId: r.stationId, version };
    const data = version === '1.6' && r.data !== undefined && typeof r.data !== 'string' ? JSON.stringify(r.data) : r.data;
    const payload = { vendorId: p.vendorId, ...(p.messageId !== undefined ? { messageId: p.messageId } : {}), ...(data !== undefined ? { data } : {}) };
    const answer = await ctx.callCharger(charger, 'DataTransfer', payload, signal);
    const status = statusOf(answer);
    if (!answer || !status || !STATUSES.includes(status)) return { status: 'Rejected', statusInfo: info('Unspecified', 'charger did not answer') };
    return { status, ...(answer.data !== undefined ? { data: answer.data } : {}) };
  };

  return { name: 'data-transfer', csms: { DataTransfer: (_c, p, signal) => dataTransfer(p, signal) } };
}
