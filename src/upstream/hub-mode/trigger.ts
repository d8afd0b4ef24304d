/**
 * Hub mode, the CSMS's TriggerMessage (2.0.1 F06). Pure. The hub's part of the spec:
 * - the answer goes out before the triggered message (the caller holds the site's upstream
 *   sends until the CALLRESULT is on the wire);
 * - BootNotification / Heartbeat are the site's own;
 * - a station-wide LogStatusNotification / FirmwareStatusNotification is ONE notification of
 *   the one station: the hub answers it from what it last sent upstream (Idle when nothing is
 *   in progress), not one per charger;
 * - a 1.6 charger asked for MeterValues answers with 1.6 MeterValues, which inside a
 *   transaction would become a TransactionEvent: the connector memo says what was requested, so
 *   from-16 sends a MeterValuesRequest for MeterValues and a TransactionEvent (Trigger) for
 *   TransactionEvent;
 * - TransactionEvent for an EVSE of a 1.6 charger without a transaction is Rejected (F06.FR.?:
 *   nothing to report).
 */
import type { OcppVersion } from '../../ocpp/versions.js';
import { mappedStations, toDownstream, type EvseMappingEntry } from './evse-mapping.js';
import { connectorKey, openTransactionOn, withConnector, type HubState } from './hub-state.js';
import type { CsmsPlan, DownstreamCall, ThenSend, VersionOf } from './csms-to-charger.js';
import type { StatusInfo2x } from './wire-2x.js';

const ACTION = 'TriggerMessage';

/** How long a 1.6 charger has to send the MeterValues it was asked for. */
export const TRIGGER_TTL_MS = 60_000;

/** 2.x requestedMessage -> 1.6; absent when 1.6 has no counterpart. */
const TRIGGER_2X_TO_16: Record<string, string> = {
  StatusNotification: 'StatusNotification',
  MeterValues: 'MeterValues',
  TransactionEvent: 'MeterValues',
  LogStatusNotification: 'DiagnosticsStatusNotification',
  FirmwareStatusNotification: 'FirmwareStatusNotification',
};

/** Statuses of an upload / firmware update still under way (anything else: the station is Idle now). */
const IN_PROGRESS: Record<'LogStatusNotification' | 'FirmwareStatusNotification', Set<string>> = {
  LogStatusNotification: new Set(['Uploading']),
  FirmwareStatusNotification: new Set(['Downloading', 'Downloaded', 'DownloadScheduled', 'DownloadPaused', 'Installing', 'InstallScheduled', 'InstallRebooting', 'SignatureVerified']),
};

function info(reasonCode: string, additionalInfo?: string): StatusInfo2x {
  return { reasonCode, ...(additionalInfo ? { additionalInfo } : {}) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function answer(payload: object, then?: ThenSend): CsmsPlan {
  return { kind: 'answer', action: ACTION, payload, ...(then ? { then } : {}) };
}

/** The station-wide status notification the hub sends for a trigger: the last one if still in progress, else Idle. */
export function siteStatusNotification(state: HubState, message: 'LogStatusNotification' | 'FirmwareStatusNotification'): Record<string, unknown> {
  const last = state.lastNotified?.[message];
  const status = isRecord(last) && typeof last.status === 'string' ? last.status : undefined;
  if (last && status && IN_PROGRESS[message].has(status)) return { ...last };
  return { status: 'Idle' };
}

/** Remembers the last station-wide status notifications going upstream (for siteStatusNotification). */
export function noteNotified(state: HubState, upstream: readonly { action: string; payload: object }[]): HubState {
  let next = state;
  for (const m of upstream) {
    if (m.action !== 'LogStatusNotification' && m.action !== 'FirmwareStatusNotification') continue;
    next = { ...next, lastNotified: { ...(next.lastNotified ?? {}), [m.action]: { ...(m.payload as Record<string, unknown>) } } };
  }
  return next;
}

export function planTrigger(state: HubState, p: Record<string, unknown>, versionOf: VersionOf, nowMs: number): { state: HubState; plan: CsmsPlan } {
  const requested = String(p.requestedMessage);
  if (requested === 'BootNotification' || requested === 'Heartbeat') return { state, plan: answer({ status: 'Accepted' }, requested) };
  const evseRef = isRecord(p.evse) && typeof p.evse.id === 'number' ? p.evse : undefined;
  if (!evseRef && (requested === 'LogStatusNotification' || requested === 'FirmwareStatusNotification')) {
    return { state, plan: answer({ status: 'Accepted' }, { action: requested, payload: siteStatusNotification(state, requested) }) };
  }
  let targets: { stationId: string; version: OcppVersion; entry?: EvseMappingEntry }[];
  if (evseRef) {
    const connectorId = typeof evseRef.connectorId === 'number' ? evseRef.connectorId : undefined;
    const entry = toDownstream(state.mapping, Number(evseRef.id), connectorId);
    if (!entry) return { state, plan: answer({ status: 'Rejected', statusInfo: info(connectorId === undefined ? 'UnknownEvse' : 'UnknownConnectorId') }) };
    const version = versionOf(entry.stationId);
    if (!version) return { state, plan: answer({ status: 'Rejected', statusInfo: info('Unspecified', 'charger not connected') }) };
    if (version === '1.6' && requested === 'TransactionEvent' && !openTransactionOn(state, entry.stationId, entry.evseId)) {
      return { state, plan: answer({ status: 'Rejected', statusInfo: info('NoTransaction', `no transaction on EVSE ${String(evseRef.id)}`) }) };
    }
    targets = [{ stationId: entry.stationId, version, entry }];
  } else {
    targets = mappedStations(state.mapping).flatMap((stationId) => {
      const version = versionOf(stationId);
      return version ? [{ stationId, version }] : [];
    });
  }
  const calls: DownstreamCall[] = [];
  for (const t of targets) {
    if (t.version === '1.6') {
      const requested16 = TRIGGER_2X_TO_16[requested];
      if (!requested16) continue;
      calls.push({ stationId: t.stationId, version: t.version, action: ACTION, payload: { requestedMessage: requested16, ...(t.entry ? { connectorId: t.entry.evseId } : {}) } });
    } else {
      const { evse: _e, ...rest } = p;
      const evse = t.entry ? { evse: { id: t.entry.evseId, ...(evseRef?.connectorId !== undefined ? { connectorId: t.entry.connectorId } : {}) } } : {};
      calls.push({ stationId: t.stationId, version: t.version, action: ACTION, payload: { ...rest, ...evse } });
    }
  }
  if (calls.length === 0) return { state, plan: answer({ status: targets.length === 0 ? 'Rejected' : 'NotImplemented' }) };
  let next = state;
  const only = targets[0]?.entry;
  for (const e of state.mapping.entries) {
    const call = calls.find((c) => c.stationId === e.stationId);
    if (!call || (only && only.evseId !== e.evseId)) continue;
    const key = connectorKey(e.stationId, e.evseId, e.connectorId);
    const memo = next.connectors[key] ?? {};
    if (requested === 'StatusNotification') {
      // The charger's answer repeats a status the hub may already have sent: send it anyway.
      next = withConnector(next, key, { ...memo, forceNext: true });
    } else if (call.version === '1.6' && (requested === 'MeterValues' || requested === 'TransactionEvent')) {
      next = withConnector(next, key, { ...memo, trigger: { requestedMessage: requested, untilMs: nowMs + TRIGGER_TTL_MS } });
    }
  }
  return { state: next, plan: { kind: 'forward', action: ACTION, request: p, calls } };
}

/** The chargers' answers -> one: any Accepted -> Accepted; all NotImplemented -> NotImplemented; else Rejected. */
export function answerTrigger(results: readonly unknown[]): object {
  const statuses = results.map((r) => (isRecord(r) && typeof r.status === 'string' ? r.status : undefined));
  if (statuses.includes('Accepted')) return { status: 'Accepted' };
  if (statuses.length > 0 && statuses.every((s) => s === 'NotImplemented')) return { status: 'NotImplemented' };
  return { status: 'Rejected' };
}
