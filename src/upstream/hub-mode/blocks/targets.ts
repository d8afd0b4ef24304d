/** Which chargers a CSMS call concerns, and the small wire helpers every block shares. */
import { toDownstream, toUpstream, type EvseMappingEntry } from '../evse-mapping.js';
import type { StatusInfo2x } from '../wire-2x.js';
import type { BlockContext, ChargerRef } from './block-types.js';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function info(reasonCode: string, additionalInfo?: string): StatusInfo2x {
  return { reasonCode, ...(additionalInfo ? { additionalInfo: additionalInfo.slice(0, 512) } : {}) };
}

export function statusOf(result: unknown): string | undefined {
  return isRecord(result) && typeof result.status === 'string' ? result.status : undefined;
}

export function is2x(ref: ChargerRef): boolean {
  return ref.version !== '1.6';
}

/** The downstream EVSE behind an upstream EVSE (and connector), with its charger when connected. */
export interface EvseTarget {
  entry: EvseMappingEntry;
  charger: ChargerRef | undefined;
}

export function evseTarget(ctx: BlockContext, upstreamEvseId: number, upstreamConnectorId?: number): EvseTarget | undefined {
  const entry = toDownstream(ctx.state().mapping, upstreamEvseId, upstreamConnectorId);
  if (!entry) return undefined;
  const version = ctx.versionOf(entry.stationId);
  return { entry, charger: version ? { stationId: entry.stationId, version } : undefined };
}

/** The upstream EVSE id of a charger's EVSE, if mapped. */
export function upstreamEvseOf(ctx: BlockContext, stationId: string, evseId: number, connectorId = 1): EvseMappingEntry | undefined {
  const mapping = ctx.state().mapping;
  return toUpstream(mapping, { stationId, evseId, connectorId }) ?? mapping.entries.find((e) => e.stationId === stationId && e.evseId === evseId);
}

/**
 * A 2.x component reference with the charger's EVSE named upstream (charger -> CSMS). A
 * component of the charger as a whole keeps no EVSE.
 */
export function componentUp(ctx: BlockContext, stationId: string, component: unknown): unknown {
  if (!isRecord(component) || !isRecord(component.evse) || typeof component.evse.id !== 'number') return component;
  const connectorId = typeof component.evse.connectorId === 'number' ? component.evse.connectorId : undefined;
  const entry = upstreamEvseOf(ctx, stationId, component.evse.id, connectorId);
  if (!entry) return component;
  return { ...component, evse: { id: entry.upstreamEvseId, ...(connectorId !== undefined ? { connectorId: entry.upstreamConnectorId } : {}) } };
}

/** The same, CSMS -> charger: the target charger and the component in its own EVSE ids. */
export function componentDown(ctx: BlockContext, component: unknown): { target: EvseTarget | undefined; component: unknown } {
  if (!isRecord(component) || !isRecord(component.evse) || typeof component.evse.id !== 'number') return { target: undefined, component };
  const connectorId = typeof component.evse.connectorId === 'number' ? component.evse.connectorId : undefined;
  const target = evseTarget(ctx, component.evse.id, connectorId);
  if (!target) return { target: undefined, component };
  return { target, component: { ...component, evse: { id: target.entry.evseId, ...(connectorId !== undefined ? { connectorId: target.entry.connectorId } : {}) } } };
}

/** Calls several chargers at once; results in the same order (undefined: no answer). */
export function callAll(ctx: BlockContext, calls: readonly { charger: ChargerRef; action: string; payload: object }[], signal?: AbortSignal): Promise<(Record<string, unknown> | undefined)[]> {
  return Promise.all(calls.map((c) => ctx.callCharger(c.charger, c.action, c.payload, signal)));
}

/**
 * Several chargers' statuses -> one: every one `ok` -> ok; otherwise the first refusal, with a
 * statusInfo saying how many refused or did not answer.
 */
export function combineStatuses(statuses: readonly (string | undefined)[], ok: string, refused: string): { status: string; statusInfo?: StatusInfo2x } {
  const bad = statuses.filter((s) => s !== ok);
  if (bad.length === 0) return { status: ok };
  return { status: refused, statusInfo: info(bad.includes(undefined) ? 'Unspecified' : 'Refused', `${bad.length} of ${statuses.length} chargers refused or did not answer`) };
}

export function isoNow(ctx: BlockContext): string {
  return new Date(ctx.clock.nowMs()).toISOString();
}
