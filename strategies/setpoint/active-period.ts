import type {
  ChargingProfile, ChargingSchedule, RateUnit, SchedulePeriod,
} from '../../src/energy/charging-profile.js';
import type { EvseModel } from '../../src/energy/site-model.js';
import type { SiteSnapshot } from '../../src/energy/strategy.js';

/**
 * A deliberately small reading of the CSMS's profiles for the V2X strategies: the one period in
 * force now for one EVSE, among TxProfile and TxDefaultProfile only. It is not the composite
 * schedule (no capping by ChargingStationMaxProfile, no merging over a horizon).
 */
export interface ActivePeriod {
  profileId: number;
  rateUnit: RateUnit;
  period: SchedulePeriod;
}

export interface TransactionRef {
  transactionId?: string;
  startedMs?: number;
}

const DAY_S = 86_400;
const WEEK_S = 604_800;

/** `<stationId>/<evseId>` -> parts; undefined when the key has no numeric EVSE id. */
export function parseEvseKey(key: string): { stationId: string; evseId: number } | undefined {
  const slash = key.lastIndexOf('/');
  if (slash < 0) return undefined;
  const evseId = Number(key.slice(slash + 1));
  if (!Number.isInteger(evseId)) return undefined;
  return { stationId: key.slice(0, slash), evseId };
}

/** Seconds into the schedule at nowMs, or undefined when the schedule is not in force. */
function offsetS(
  profile: ChargingProfile,
  schedule: ChargingSchedule,
  nowMs: number,
  tx: TransactionRef,
): number | undefined {
  if (profile.validFromMs !== undefined && nowMs < profile.validFromMs) return undefined;
  if (profile.validToMs !== undefined && nowMs >= profile.validToMs) return undefined;
  let offset: number;
  if (profile.kind === 'Relative') {
    offset = (nowMs - (tx.startedMs ?? nowMs)) / 1000;
  } else if (profile.kind === 'Recurring') {
    const cycleS = profile.recurrency === 'Weekly' ? WEEK_S : DAY_S;
    const sinceStartS = (nowMs - (schedule.startScheduleMs ?? 0)) / 1000;
    if (sinceStartS < 0) return undefined;
    offset = sinceStartS % cycleS;
  } else {
    offset = (nowMs - (schedule.startScheduleMs ?? profile.validFromMs ?? nowMs)) / 1000;
  }
  if (offset < 0) return undefined;
  if (schedule.durationS !== undefined && offset >= schedule.durationS) return undefined;
  return offset;
}

function rank(profile: ChargingProfile): [number, number, number] {
  return [profile.purpose === 'TxProfile' ? 1 : 0, profile.stackLevel, profile.evseId === 0 ? 0 : 1];
}

function outranks(a: ChargingProfile, b: ChargingProfile): boolean {
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < ra.length; i += 1) {
    const x = ra[i] ?? 0;
    const y = rb[i] ?? 0;
    if (x !== y) return x > y;
  }
  return false;
}

/**
 * The period in force at nowMs for EVSE `evseId`: a TxProfile for the running transaction beats
 * any TxDefaultProfile; then the highest stack level; then an EVSE-specific profile beats the
 * station-wide one (evse 0, TxDefaultProfile only).
 */
export function activePeriod(
  profiles: readonly ChargingProfile[],
  evseId: number,
  nowMs: number,
  tx: TransactionRef = {},
): ActivePeriod | undefined {
  let best: { profile: ChargingProfile; result: ActivePeriod } | undefined;
  for (const profile of profiles) {
    if (profile.purpose === 'TxProfile') {
      if (profile.evseId !== evseId || tx.transactionId === undefined) continue;
      if (profile.transactionId !== undefined && profile.transactionId !== tx.transactionId) continue;
    } else if (profile.purpose === 'TxDefaultProfile') {
      if (profile.evseId !== evseId && profile.evseId !== 0) continue;
    } else {
      continue;
    }
    const schedule = profile.schedules[0];
    if (!schedule) continue;
    const offset = offsetS(profile, schedule, nowMs, tx);
    if (offset === undefined) continue;
    let period: SchedulePeriod | undefined;
    for (const p of schedule.periods) if (p.startPeriodS <= offset) period = p;
    if (!period) continue;
    if (!best || outranks(profile, best.profile)) {
      best = { profile, result: { profileId: profile.id, rateUnit: schedule.rateUnit, period } };
    }
  }
  return best?.result;
}

/** The CSMS period in force for an EVSE now (minimal evaluation, see activePeriod). */
export function csmsPeriodFor(snapshot: SiteSnapshot, evse: EvseModel): ActivePeriod | undefined {
  const parts = parseEvseKey(evse.key);
  if (!parts) return undefined;
  const live = snapshot.live[evse.key];
  return activePeriod(snapshot.csmsProfiles[parts.stationId] ?? [], parts.evseId, snapshot.nowMs, {
    transactionId: live?.transactionId,
    startedMs: live?.transactionStartedMs,
  });
}
