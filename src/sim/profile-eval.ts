/**
 * Evaluates the charging profiles installed on a simulated station (pure).
 * A small subset of the OCPP composite-schedule rules, enough for a simulator:
 * - a profile counts at t when validFrom <= t < validTo and its schedule is active at t
 *   (Absolute from startSchedule, Recurring daily/weekly cycles, Relative from the transaction
 *   start, or from "now" when no transaction runs);
 * - per purpose, the highest stack level that counts wins; a TxProfile of the running transaction
 *   beats any TxDefaultProfile; at equal stack levels an EVSE-specific profile beats a station-wide one;
 * - ChargingStationMaxProfile and ChargingStationExternalConstraints cap the result (the sim applies
 *   the station maximum to each EVSE on its own, not to their sum);
 * - W limits become A with the nominal voltage and the phases in use.
 * Times are ms since the epoch.
 */
import type { ChargingProfile, ChargingProfilePurpose, RateUnit } from '../energy/charging-profile.js';

export interface ProfileEvalContext {
  evseId: number;
  /** The moment Relative profiles start from when no transaction runs. */
  nowMs: number;
  /** The EVSE's running transaction, if any. */
  transactionId?: string;
  txStartMs?: number;
  /** Nominal phase voltage, V. */
  voltageV: number;
  /** Phases the EVSE can use (caps numberPhases when converting W to A). */
  phases: number;
}

export interface ProfileLimitA {
  /** Current limit per phase, A. */
  limitA: number;
  /** `csms:profile <id>` of the profile that set it. */
  source: string;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** The limit of the profile's active period at tMs, in its own unit; undefined when inactive. */
export function profileLimitAt(
  profile: ChargingProfile,
  tMs: number,
  ctx: Pick<ProfileEvalContext, 'nowMs' | 'txStartMs'>,
): { limit: number; rateUnit: RateUnit; numberPhases?: number } | undefined {
  if (profile.validFromMs !== undefined && tMs < profile.validFromMs) return undefined;
  if (profile.validToMs !== undefined && tMs >= profile.validToMs) return undefined;
  const schedule = profile.schedules[0];
  if (!schedule) return undefined;
  const startMs = scheduleStartMs(profile, tMs, ctx);
  if (startMs === undefined || tMs < startMs) return undefined;
  const offsetS = (tMs - startMs) / 1000;
  if (schedule.durationS !== undefined && offsetS >= schedule.durationS) return undefined;
  let active: (typeof schedule.periods)[number] | undefined;
  for (const p of schedule.periods) if (p.startPeriodS <= offsetS) active = p;
  if (!active) return undefined;
  return { limit: active.limit, rateUnit: schedule.rateUnit, numberPhases: active.numberPhases };
}

/** Where the schedule's offset 0 lies for an evaluation at tMs. */
function scheduleStartMs(
  profile: ChargingProfile,
  tMs: number,
  ctx: Pick<ProfileEvalContext, 'nowMs' | 'txStartMs'>,
): number | undefined {
  const schedule = profile.schedules[0];
  switch (profile.kind) {
    case 'Absolute':
      return schedule?.startScheduleMs ?? profile.validFromMs ?? ctx.nowMs;
    case 'Relative':
      return ctx.txStartMs ?? ctx.nowMs;
    case 'Recurring': {
      const periodMs = profile.recurrency === 'Weekly' ? WEEK_MS : DAY_MS;
      const anchor = schedule?.startScheduleMs ?? 0;
      return anchor + Math.floor((tMs - anchor) / periodMs) * periodMs;
    }
  }
}

/** The profile's limit at tMs as current per phase, A. */
function limitAAt(profile: ChargingProfile, tMs: number, ctx: ProfileEvalContext): number | undefined {
  const l = profileLimitAt(profile, tMs, ctx);
  if (!l) return undefined;
  if (l.rateUnit === 'A') return l.limit;
  const phases = Math.max(1, Math.min(l.numberPhases ?? 3, ctx.phases));
  return l.limit / (ctx.voltageV * phases);
}

interface Candidate {
  profile: ChargingProfile;
  limitA: number;
}

/** Highest stack level among the profiles that count; an EVSE-specific one wins a tie. */
function winner(profiles: readonly ChargingProfile[], tMs: number, ctx: ProfileEvalContext): Candidate | undefined {
  let best: Candidate | undefined;
  for (const profile of profiles) {
    const limitA = limitAAt(profile, tMs, ctx);
    if (limitA === undefined) continue;
    if (
      !best ||
      profile.stackLevel > best.profile.stackLevel ||
      (profile.stackLevel === best.profile.stackLevel && profile.evseId !== 0 && best.profile.evseId === 0)
    ) {
      best = { profile, limitA };
    }
  }
  return best;
}

function ofPurpose(profiles: readonly ChargingProfile[], purpose: ChargingProfilePurpose, evseId: number): ChargingProfile[] {
  return profiles.filter((p) => p.purpose === purpose && (p.evseId === evseId || p.evseId === 0));
}

/** The effective limit for one EVSE at tMs, or undefined when no profile applies. */
export function effectiveLimitA(profiles: readonly ChargingProfile[], tMs: number, ctx: ProfileEvalContext): ProfileLimitA | undefined {
  const txProfiles =
    ctx.transactionId === undefined
      ? []
      : ofPurpose(profiles, 'TxProfile', ctx.evseId).filter(
          (p) => p.evseId === ctx.evseId && (p.transactionId === undefined || p.transactionId === ctx.transactionId),
        );
  const tx = winner(txProfiles, tMs, ctx) ?? winner(ofPurpose(profiles, 'TxDefaultProfile', ctx.evseId), tMs, ctx);
  const caps = [
    tx,
    winner(ofPurpose(profiles, 'ChargingStationMaxProfile', ctx.evseId), tMs, ctx),
    winner(ofPurpose(profiles, 'ChargingStationExternalConstraints', ctx.evseId), tMs, ctx),
  ];
  let best: Candidate | undefined;
  for (const c of caps) if (c && (!best || c.limitA < best.limitA)) best = c;
  return best && { limitA: best.limitA, source: `csms:profile ${best.profile.id}` };
}

export interface CompositePeriod {
  /** Offset from the schedule start, s. */
  startPeriodS: number;
  /** Limit in the requested unit. */
  limit: number;
  numberPhases: number;
}

/**
 * The composite schedule of one EVSE over [ctx.nowMs, ctx.nowMs + durationS), as periods relative
 * to ctx.nowMs with equal neighbours merged. Where no profile applies, the EVSE's maximum.
 */
export function compositeSchedule(
  profiles: readonly ChargingProfile[],
  ctx: ProfileEvalContext,
  durationS: number,
  rateUnit: RateUnit,
  maxCurrentA: number,
): CompositePeriod[] {
  const fromMs = ctx.nowMs;
  const toMs = fromMs + durationS * 1000;
  const times = [...new Set([fromMs, ...profiles.flatMap((p) => breakpoints(p, fromMs, toMs, ctx))])]
    .filter((t) => t >= fromMs && t < toMs)
    .sort((a, b) => a - b);
  const toUnit = (a: number): number => (rateUnit === 'A' ? a : a * ctx.voltageV * ctx.phases);
  const periods: CompositePeriod[] = [];
  for (const t of times) {
    const limitA = Math.min(maxCurrentA, effectiveLimitA(profiles, t, ctx)?.limitA ?? maxCurrentA);
    const limit = round3(toUnit(limitA));
    if (periods.at(-1)?.limit === limit) continue;
    periods.push({ startPeriodS: Math.round((t - fromMs) / 1000), limit, numberPhases: ctx.phases });
  }
  return periods;
}

/** Instants in [fromMs, toMs) where the profile's contribution may change. */
function breakpoints(profile: ChargingProfile, fromMs: number, toMs: number, ctx: ProfileEvalContext): number[] {
  const schedule = profile.schedules[0];
  if (!schedule) return [];
  const out: number[] = [];
  if (profile.validFromMs !== undefined) out.push(profile.validFromMs);
  if (profile.validToMs !== undefined) out.push(profile.validToMs);
  const starts: number[] = [];
  if (profile.kind === 'Recurring') {
    const cycleMs = profile.recurrency === 'Weekly' ? WEEK_MS : DAY_MS;
    const first = scheduleStartMs(profile, fromMs, ctx) ?? fromMs;
    for (let s = first; s < toMs; s += cycleMs) starts.push(s);
  } else {
    const s = scheduleStartMs(profile, fromMs, ctx);
    if (s !== undefined) starts.push(s);
  }
  for (const s of starts) {
    for (const p of schedule.periods) out.push(s + p.startPeriodS * 1000);
    if (schedule.durationS !== undefined) out.push(s + schedule.durationS * 1000);
  }
  return out;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
