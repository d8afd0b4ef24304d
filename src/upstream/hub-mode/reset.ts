/**
 * Hub mode, the CSMS's Reset (2.0.1 B11/B12, 2.1 adds ImmediateAndResume) for the chargers
 * behind the site. Pure.
 *
 * What each charger gets:
 * - a 2.x charger: the Reset itself (its own EVSE id for an EVSE-scoped one); it decides
 *   Accepted / Scheduled / Rejected as the spec says;
 * - a 1.6 charger: 1.6 only resets the whole charger, and a Soft reset stops running
 *   transactions. So Immediate -> Hard at once; OnIdle -> Soft, sent only while no transaction
 *   runs on the charger: otherwise the hub answers Scheduled, keeps the reset in its state and
 *   sends it when the charger's last transaction ends (`dueResets`).
 * - EVSE-scoped on a 1.6 charger that also hosts other upstream EVSEs: an Immediate reset
 *   would hit those EVSEs too, so it is Rejected (reasonCode UnsupportedRequest); OnIdle waits
 *   until no transaction runs on any of its EVSEs (then the others restart too, but nothing
 *   running is interrupted).
 */
import type { OcppVersion } from '../../ocpp/versions.js';
import { mappedStations, toDownstream, upstreamEvsesOfStation } from './evse-mapping.js';
import type { HubState, PendingReset } from './hub-state.js';
import type { CsmsPlan, DownstreamCall, VersionOf } from './csms-to-charger.js';
import type { StatusInfo2x } from './wire-2x.js';

const ACTION = 'Reset';

function info(reasonCode: string, additionalInfo?: string): StatusInfo2x {
  return { reasonCode, ...(additionalInfo ? { additionalInfo: additionalInfo.slice(0, 512) } : {}) };
}

function answer(payload: object): CsmsPlan {
  return { kind: 'answer', action: ACTION, payload };
}

/** A transaction runs somewhere on this charger. */
export function chargerBusy(state: HubState, stationId: string): boolean {
  return Object.values(state.transactions).some((t) => t.stationId === stationId);
}

function type2x(type: unknown, version: OcppVersion): string {
  if (type === 'ImmediateAndResume' && version !== '2.1') return 'Immediate';
  return String(type);
}

function withPending(state: HubState, reset: PendingReset): HubState {
  const rest = (state.pendingResets ?? []).filter((r) => r.stationId !== reset.stationId);
  return { ...state, pendingResets: [...rest, reset] };
}

function withoutPending(state: HubState, stationId: string): HubState {
  if (!(state.pendingResets ?? []).some((r) => r.stationId === stationId)) return state;
  return { ...state, pendingResets: (state.pendingResets ?? []).filter((r) => r.stationId !== stationId) };
}

/** One 1.6 charger: the call to make now, or the reset kept for later. */
function plan16(state: HubState, stationId: string, immediate: boolean, nowMs: number): { state: HubState; call?: DownstreamCall; scheduled: boolean } {
  if (immediate) return { state: withoutPending(state, stationId), call: { stationId, version: '1.6', action: ACTION, payload: { type: 'Hard' } }, scheduled: false };
  if (chargerBusy(state, stationId)) return { state: withPending(state, { stationId, type: 'Soft', requestedMs: nowMs }), scheduled: true };
  return { state, call: { stationId, version: '1.6', action: ACTION, payload: { type: 'Soft' } }, scheduled: false };
}

export function planReset(state: HubState, p: Record<string, unknown>, versionOf: VersionOf, nowMs: number): { state: HubState; plan: CsmsPlan } {
  const immediate = p.type !== 'OnIdle';
  if (typeof p.evseId === 'number') {
    const entry = toDownstream(state.mapping, p.evseId);
    if (!entry) return { state, plan: answer({ status: 'Rejected', statusInfo: info('UnknownEvse') }) };
    const version = versionOf(entry.stationId);
    if (!version) return { state, plan: answer({ status: 'Rejected', statusInfo: info('Unspecified', 'charger not connected') }) };
    if (version !== '1.6') {
      const call: DownstreamCall = { stationId: entry.stationId, version, action: ACTION, payload: { type: type2x(p.type, version), evseId: entry.evseId } };
      return { state, plan: { kind: 'forward', action: ACTION, request: p, calls: [call] } };
    }
    const others = upstreamEvsesOfStation(state.mapping, entry.stationId).filter((id) => id !== p.evseId);
    if (immediate && others.length > 0) {
      const why = `OCPP 1.6 resets the whole charger, which also hosts EVSE ${others.join(', ')}`;
      return { state, plan: answer({ status: 'Rejected', statusInfo: info('UnsupportedRequest', why) }) };
    }
    const r = plan16(state, entry.stationId, immediate, nowMs);
    if (!r.call) return { state: r.state, plan: answer({ status: 'Scheduled' }) };
    return { state: r.state, plan: { kind: 'forward', action: ACTION, request: p, calls: [r.call] } };
  }
  let next = state;
  let scheduled = 0;
  const calls: DownstreamCall[] = [];
  for (const stationId of mappedStations(state.mapping)) {
    const version = versionOf(stationId);
    if (!version) continue;
    if (version !== '1.6') {
      calls.push({ stationId, version, action: ACTION, payload: { type: type2x(p.type, version) } });
      continue;
    }
    const r = plan16(next, stationId, immediate, nowMs);
    next = r.state;
    if (r.call) calls.push(r.call);
    if (r.scheduled) scheduled++;
  }
  if (calls.length === 0) {
    if (scheduled > 0) return { state: next, plan: answer({ status: 'Scheduled' }) };
    return { state, plan: answer({ status: 'Rejected', statusInfo: info('Unspecified', 'no charger connected') }) };
  }
  return { state: next, plan: { kind: 'forward', action: ACTION, request: p, calls, ...(scheduled > 0 ? { scheduled } : {}) } };
}

/**
 * The chargers' answers -> the one answer: every charger Accepted -> Accepted; none refused but
 * some Scheduled (by the charger or held by the hub) -> Scheduled; otherwise Rejected, saying
 * how many refused or could not be reached.
 */
export function answerReset(results: readonly unknown[], scheduledByHub: number): object {
  const statuses = results.map((r) => (typeof r === 'object' && r !== null && typeof (r as { status?: unknown }).status === 'string' ? (r as { status: string }).status : undefined));
  const refused = statuses.filter((s) => s !== 'Accepted' && s !== 'Scheduled').length;
  if (refused > 0) return { status: 'Rejected', statusInfo: info('Unspecified', `${refused} of ${statuses.length} chargers refused or did not answer`) };
  if (scheduledByHub > 0 || statuses.includes('Scheduled')) return { status: 'Scheduled' };
  return { status: 'Accepted' };
}

/**
 * The held resets whose charger is idle now: the calls to make (the charger must be
 * connected, `versionOf`) and the state without them.
 */
export function dueResets(state: HubState, versionOf: VersionOf): { state: HubState; calls: DownstreamCall[] } {
  const pending = state.pendingResets ?? [];
  const due = pending.filter((r) => versionOf(r.stationId) === '1.6' && !chargerBusy(state, r.stationId));
  if (due.length === 0) return { state, calls: [] };
  return {
    state: { ...state, pendingResets: pending.filter((r) => !due.includes(r)) },
    calls: due.map((r) => ({ stationId: r.stationId, version: '1.6', action: ACTION, payload: { type: r.type } })),
  };
}

/** A charger booted: whatever reset the hub held for it is moot. */
export function resetsAfterBoot(state: HubState, stationId: string): HubState {
  return withoutPending(state, stationId);
}
