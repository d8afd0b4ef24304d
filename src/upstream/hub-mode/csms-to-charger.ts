/**
 * Hub mode, CSMS -> charger: a CALL the CSMS makes to the hub's one station becomes calls to
 * the right downstream charger(s) in their own version, and their answers become the one answer
 * the CSMS gets. Pure, in two steps:
 *
 *   const { state, plan } = planCsmsCall(state, config, { action, payload, nowMs });
 *   plan.kind === 'answer'  -> answer the CSMS with plan.payload now (then send plan.then, if set);
 *   plan.kind === 'forward' -> make plan.calls (in parallel is fine), collect each charger's
 *                              response (undefined when unreachable, timed out or a CALLERROR), then
 *                              const { state, payload } = answerCsms(state, plan, results);
 *   plan.kind === 'hub'     -> not a translation: the hub's own business (device model, charging
 *                              profiles, the functional blocks in blocks/ such as DataTransfer),
 *                              handled elsewhere.
 * An EVSE the hub does not know gets the schema's "unknown" answer at once, never a hang.
 */
import type { OcppVersion } from '../../ocpp/versions.js';
import { mappedStations, toDownstream, type EvseMappingEntry } from './evse-mapping.js';
import { connectorKey, openTransactionOn, transactionByUpstreamId, type HubModeConfig, type HubState } from './hub-state.js';
import { idTagOf2x, rememberCsmsToken } from './id-tokens.js';
import { answerReset, planReset } from './reset.js';
import { answerTrigger, planTrigger } from './trigger.js';
import type { IdToken2x, StatusInfo2x } from './wire-2x.js';

export interface CsmsCall {
  action: string;
  payload: unknown;
  nowMs: number;
}

/** Which version each downstream station speaks (the session registry knows). */
export type VersionOf = (stationId: string) => OcppVersion | undefined;

export interface DownstreamCall {
  stationId: string;
  version: OcppVersion;
  action: string;
  payload: object;
}

/** What the hub sends upstream right after its answer: the site's boot or heartbeat, or a message of its own. */
export type ThenSend = 'BootNotification' | 'Heartbeat' | { action: string; payload: object };

export type CsmsPlan =
  | { kind: 'answer'; action: string; payload: object; then?: ThenSend }
  | {
      kind: 'forward';
      action: string;
      request: Record<string, unknown>;
      calls: DownstreamCall[];
      /** Reset: chargers whose reset the hub holds until they are idle (answer Scheduled). */
      scheduled?: number;
    }
  | { kind: 'hub'; action: string };

function answer(action: string, payload: object): CsmsPlan {
  return { kind: 'answer', action, payload };
}

function info(reasonCode: string, additionalInfo?: string): StatusInfo2x {
  return { reasonCode, ...(additionalInfo ? { additionalInfo } : {}) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The CSMS's actions this module translates; everything else is the hub's own. */
export const FORWARDED_ACTIONS = new Set([
  'RequestStartTransaction',
  'RequestStopTransaction',
  'Reset',
  'ChangeAvailability',
  'UnlockConnector',
  'TriggerMessage',
]);

export function planCsmsCall(state: HubState, config: HubModeConfig, call: CsmsCall, versionOf: VersionOf): { state: HubState; plan: CsmsPlan } {
  const p = isRecord(call.payload) ? call.payload : {};
  switch (call.action) {
    case 'RequestStartTransaction':
      return requestStart(state, config, call, p, versionOf);
    case 'RequestStopTransaction':
      return { state, plan: requestStop(state, p, versionOf) };
    case 'Reset':
      return planReset(state, p, versionOf, call.nowMs);
    case 'ChangeAvailability':
      return { state, plan: changeAvailability(state, p, versionOf) };
    case 'UnlockConnector':
      return { state, plan: unlockConnector(state, p, versionOf) };
    case 'TriggerMessage':
      return planTrigger(state, p, versionOf, call.nowMs);
    default:
      return { state, plan: { kind: 'hub', action: call.action } };
  }
}

function unreachable(action: string, payload: object): CsmsPlan {
  return answer(action, payload);
}

function requestStart(state: HubState, config: HubModeConfig, call: CsmsCall, p: Record<string, unknown>, versionOf: VersionOf): { state: HubState; plan: CsmsPlan } {
  const action = 'RequestStartTransaction';
  const evseId = typeof p.evseId === 'number' ? p.evseId : undefined;
  const entry = evseId !== undefined ? toDownstream(state.mapping, evseId) : firstAvailable(state);
  if (!entry) {
    const reason = evseId !== undefined ? info('UnknownEvse', `EVSE ${evseId} is not mapped`) : info('NotFound', 'no EVSE is available');
    return { state, plan: answer(action, { status: 'Rejected', statusInfo: reason }) };
  }
  const version = versionOf(entry.stationId);
  if (!version) return { state, plan: unreachable(action, { status: 'Rejected', statusInfo: info('Unspecified', 'charger not connected') }) };
  const idToken = p.idToken as IdToken2x;
  const remoteStartId = Number(p.remoteStartId);
  if (version === '1.6') {
    const idTag = idTagOf2x(idToken);
    if (idTag === undefined) return { state, plan: answer(action, { status: 'Rejected', statusInfo: info('InvalidIdToken', 'longer than a 1.6 idTag (20)') }) };
    const profile = isRecord(p.chargingProfile) ? chargingProfile16(p.chargingProfile) : undefined;
    const next: HubState = {
      ...rememberCsmsToken(state, idToken),
      remoteStarts: [
        ...state.remoteStarts.filter((r) => !(r.stationId === entry.stationId && r.evseId === entry.evseId) && r.expiresAtMs >= call.nowMs),
        { stationId: entry.stationId, evseId: entry.evseId, remoteStartId, idToken, expiresAtMs: call.nowMs + config.remoteStartTtlS * 1000 },
      ],
    };
    const payload = { connectorId: entry.evseId, idTag, ...(profile ? { chargingProfile: profile } : {}) };
    return { state: next, plan: { kind: 'forward', action, request: p, calls: [{ stationId: entry.stationId, version, action: 'RemoteStartTransaction', payload }] } };
  }
  const payload = { ...p, evseId: entry.evseId };
  return { state, plan: { kind: 'forward', action, request: p, calls: [{ stationId: entry.stationId, version, action, payload }] } };
}

/** The first mapped EVSE (by upstream id) whose connector last reported Available. */
function firstAvailable(state: HubState): EvseMappingEntry | undefined {
  return [...state.mapping.entries]
    .sort((a, b) => a.upstreamEvseId - b.upstreamEvseId || a.upstreamConnectorId - b.upstreamConnectorId)
    .find((e) => state.connectors[connectorKey(e.stationId, e.evseId, e.connectorId)]?.status === 'Available' && !openTransactionOn(state, e.stationId, e.evseId));
}

/** 2.x ChargingProfile -> 1.6 (first schedule; 2.x-only fields dropped). Undefined when 1.6 cannot carry it. */
export function chargingProfile16(cp: Record<string, unknown>): Record<string, unknown> | undefined {
  const schedules = Array.isArray(cp.chargingSchedule) ? cp.chargingSchedule : [];
  const s: unknown = schedules[0];
  if (!isRecord(s) || !Array.isArray(s.chargingSchedulePeriod)) return undefined;
  const purpose = cp.chargingProfilePurpose === 'ChargingStationMaxProfile' ? 'ChargePointMaxProfile' : cp.chargingProfilePurpose;
  if (purpose !== 'TxProfile' && purpose !== 'TxDefaultProfile' && purpose !== 'ChargePointMaxProfile') return undefined;
  const kind = cp.chargingProfileKind;
  if (kind !== 'Absolute' && kind !== 'Recurring' && kind !== 'Relative') return undefined;
  const periods = s.chargingSchedulePeriod.filter(isRecord).map((period) => ({
    startPeriod: period.startPeriod,
    limit: period.limit,
    ...(period.numberPhases !== undefined ? { numberPhases: period.numberPhases } : {}),
  }));
  return {
    chargingProfileId: cp.id,
    stackLevel: cp.stackLevel,
    chargingProfilePurpose: purpose,
    chargingProfileKind: kind,
    ...(cp.recurrencyKind !== undefined ? { recurrencyKind: cp.recurrencyKind } : {}),
    ...(cp.validFrom !== undefined ? { validFrom: cp.validFrom } : {}),
    ...(cp.validTo !== undefined ? { validTo: cp.validTo } : {}),
    chargingSchedule: {
      ...(s.duration !== undefined ? { duration: s.duration } : {}),
      ...(s.startSchedule !== undefined ? { startSchedule: s.startSchedule } : {}),
      chargingRateUnit: s.chargingRateUnit,
      chargingSchedulePeriod: periods,
      ...(s.minChargingRate !== undefined ? { minChargingRate: s.minChargingRate } : {}),
    },
  };
}

function requestStop(state: HubState, p: Record<string, unknown>, versionOf: VersionOf): CsmsPlan {
  const action = 'RequestStopTransaction';
  const tx = typeof p.transactionId === 'string' ? transactionByUpstreamId(state, p.transactionId) : undefined;
  if (!tx) return answer(action, { status: 'Rejected', statusInfo: info('TxNotFound') });
  const version = versionOf(tx.stationId);
  if (!version) return answer(action, { status: 'Rejected', statusInfo: info('Unspecified', 'charger not connected') });
  const call: DownstreamCall = tx.legacy
    ? { stationId: tx.stationId, version, action: 'RemoteStopTransaction', payload: { transactionId: Number(tx.chargerTransactionId) } }
    : { stationId: tx.stationId, version, action, payload: { transactionId: tx.chargerTransactionId } };
  return { kind: 'forward', action, request: p, calls: [call] };
}

/** Every mapped station that is connected, as (stationId, version). */
function connectedStations(state: HubState, versionOf: VersionOf): { stationId: string; version: OcppVersion }[] {
  return mappedStations(state.mapping).flatMap((stationId) => {
    const version = versionOf(stationId);
    return version ? [{ stationId, version }] : [];
  });
}

function changeAvailability(state: HubState, p: Record<string, unknown>, versionOf: VersionOf): CsmsPlan {
  const action = 'ChangeAvailability';
  const type = p.operationalStatus;
  if (isRecord(p.evse) && typeof p.evse.id === 'number') {
    const connectorId = typeof p.evse.connectorId === 'number' ? p.evse.connectorId : undefined;
    const entry = toDownstream(state.mapping, p.evse.id, connectorId);
    if (!entry) return answer(action, { status: 'Rejected', statusInfo: info(connectorId === undefined ? 'UnknownEvse' : 'UnknownConnectorId') });
    const version = versionOf(entry.stationId);
    if (!version) return answer(action, { status: 'Rejected', statusInfo: info('Unspecified', 'charger not connected') });
    const payload =
      version === '1.6'
        ? { connectorId: entry.evseId, type }
        : { operationalStatus: type, evse: { id: entry.evseId, ...(connectorId !== undefined ? { connectorId: entry.connectorId } : {}) } };
    return { kind: 'forward', action, request: p, calls: [{ stationId: entry.stationId, version, action, payload }] };
  }
  const calls = connectedStations(state, versionOf).map(({ stationId, version }) => ({
    stationId,
    version,
    action,
    payload: version === '1.6' ? { connectorId: 0, type } : { operationalStatus: type },
  }));
  if (calls.length === 0) return answer(action, { status: 'Rejected', statusInfo: info('Unspecified', 'no charger connected') });
  return { kind: 'forward', action, request: p, calls };
}

/**
 * UnlockConnector: unknown EVSE/connector -> UnknownConnector; a transaction running there ->
 * OngoingAuthorizedTransaction without asking the charger (2.x forbids unlocking then; a 1.6
 * charger would end the transaction).
 */
function unlockConnector(state: HubState, p: Record<string, unknown>, versionOf: VersionOf): CsmsPlan {
  const action = 'UnlockConnector';
  const entry = typeof p.evseId === 'number' && typeof p.connectorId === 'number' ? toDownstream(state.mapping, p.evseId, p.connectorId) : undefined;
  if (!entry) return answer(action, { status: 'UnknownConnector' });
  if (openTransactionOn(state, entry.stationId, entry.evseId)) return answer(action, { status: 'OngoingAuthorizedTransaction' });
  const version = versionOf(entry.stationId);
  if (!version) return answer(action, { status: 'UnlockFailed', statusInfo: info('Unspecified', 'charger not connected') });
  const payload = version === '1.6' ? { connectorId: entry.evseId } : { evseId: entry.evseId, connectorId: entry.connectorId };
  return { kind: 'forward', action, request: p, calls: [{ stationId: entry.stationId, version, action, payload }] };
}

function statusOf(result: unknown): string | undefined {
  return isRecord(result) && typeof result.status === 'string' ? result.status : undefined;
}

/**
 * Answers of several chargers -> one: all Accepted -> Accepted; otherwise none Rejected (some
 * Scheduled) -> Scheduled; otherwise Rejected, saying how many refused or could not be reached.
 */
function combineAcceptedScheduled(results: readonly unknown[]): object {
  const statuses = results.map(statusOf);
  if (statuses.every((s) => s === 'Accepted')) return { status: 'Accepted' };
  const refused = statuses.filter((s) => s !== 'Accepted' && s !== 'Scheduled').length;
  if (refused === 0) return { status: 'Scheduled' };
  return { status: 'Rejected', statusInfo: info('Unspecified', `${refused} of ${statuses.length} chargers refused or did not answer`) };
}

export function answerCsms(state: HubState, plan: CsmsPlan, results: readonly unknown[]): { state: HubState; payload: object } {
  if (plan.kind === 'answer') return { state, payload: plan.payload };
  if (plan.kind === 'hub') return { state, payload: {} };
  const first = results[0];
  const firstStatus = statusOf(first);
  switch (plan.action) {
    case 'RequestStartTransaction': {
      const call = plan.calls[0];
      const accepted = firstStatus === 'Accepted';
      let next = state;
      if (!accepted && call) {
        const sent: unknown = call.payload;
        const evseId = isRecord(sent) && typeof sent.connectorId === 'number' ? sent.connectorId : undefined;
        next = { ...state, remoteStarts: state.remoteStarts.filter((r) => !(r.stationId === call.stationId && r.evseId === evseId)) };
      }
      if (call && call.version !== '1.6' && isRecord(first)) {
        return { state: next, payload: { status: accepted ? 'Accepted' : 'Rejected', ...(typeof first.transactionId === 'string' ? { transactionId: first.transactionId } : {}) } };
      }
      return { state: next, payload: accepted ? { status: 'Accepted' } : { status: 'Rejected', ...(firstStatus ? {} : { statusInfo: info('Unspecified', 'charger did not answer') }) } };
    }
    case 'RequestStopTransaction':
      return { state, payload: firstStatus === 'Accepted' ? { status: 'Accepted' } : { status: 'Rejected', ...(firstStatus ? {} : { statusInfo: info('Unspecified', 'charger did not answer') }) } };
    case 'Reset':
      return { state, payload: answerReset(plan.calls.map((_, i) => results[i]), plan.scheduled ?? 0) };
    case 'ChangeAvailability':
      return { state, payload: combineAcceptedScheduled(plan.calls.map((_, i) => results[i])) };
    case 'UnlockConnector': {
      const known = ['Unlocked', 'UnlockFailed', 'OngoingAuthorizedTransaction', 'UnknownConnector'];
      if (firstStatus && known.includes(firstStatus)) return { state, payload: { status: firstStatus } };
      if (firstStatus === 'NotSupported') return { state, payload: { status: 'UnlockFailed', statusInfo: info('UnsupportedRequest') } };
      return { state, payload: { status: 'UnlockFailed', statusInfo: info('Unspecified', 'charger did not answer') } };
    }
    case 'TriggerMessage':
      return { state, payload: answerTrigger(plan.calls.map((_, i) => results[i])) };
    default:
      return { state, payload: {} };
  }
}
