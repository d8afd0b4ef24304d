/**
 * The charging profiles a test charger holds and the limit they give, written for the tests from
 * the OCPP text (independent of the hub's own composite engine): a profile counts while
 * validFrom <= t < validTo and its schedule runs; per purpose the highest stack level wins (an
 * EVSE-specific profile over a station-wide one at the same level); a TxProfile of the running
 * transaction beats TxDefaultProfile; the station maximum caps the result. W limits are turned
 * into A with the EVSE's phases and 230 V.
 */

export type ProfilePurpose = 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';

export interface HeldProfile {
  id: number;
  /** 0 = the whole station. */
  evseId: number;
  stackLevel: number;
  purpose: ProfilePurpose;
  kind: 'Absolute' | 'Relative' | 'Recurring';
  recurrency?: 'Daily' | 'Weekly';
  transactionId?: string;
  validFromMs?: number;
  validToMs?: number;
  startMs?: number;
  durationS?: number;
  unit: 'A' | 'W';
  periods: { startS: number; limit: number; numberPhases?: number }[];
}

export interface EvalContext {
  evseId: number;
  phases: number;
  voltageV: number;
  /** The running transaction, if any. */
  transactionId?: string;
  txStartMs?: number;
}

const CYCLE_MS = { Daily: 86_400_000, Weekly: 604_800_000 } as const;

/** The limit the profile gives at tMs, A per phase; undefined when it does not count then. */
function profileLimitA(p: HeldProfile, tMs: number, ctx: EvalContext): number | undefined {
  if (p.validFromMs !== undefined && tMs < p.validFromMs) return undefined;
  if (p.validToMs !== undefined && tMs >= p.validToMs) return undefined;
  let startMs: number;
  if (p.kind === 'Relative') startMs = ctx.txStartMs ?? tMs;
  else if (p.kind === 'Recurring') {
    const first = p.startMs ?? tMs;
    const cycle = CYCLE_MS[p.recurrency ?? 'Daily'];
    startMs = first + Math.floor((tMs - first) / cycle) * cycle;
  } else startMs = p.startMs ?? tMs;
  const offsetS = (tMs - startMs) / 1000;
  if (offsetS < 0 || (p.durationS !== undefined && offsetS >= p.durationS)) return undefined;
  let period: HeldProfile['periods'][number] | undefined;
  for (const q of p.periods) if (q.startS <= offsetS && (!period || q.startS >= period.startS)) period = q;
  if (!period) return undefined;
  if (p.unit === 'A') return period.limit;
  return period.limit / (ctx.voltageV * Math.min(ctx.phases, period.numberPhases ?? ctx.phases));
}

/** The winning limit of one purpose at tMs, A. */
function purposeLimitA(profiles: readonly HeldProfile[], purpose: ProfilePurpose, tMs: number, ctx: EvalContext): number | undefined {
  let best: { level: number; specific: boolean; limitA: number } | undefined;
  for (const p of profiles) {
    if (p.purpose !== purpose || (p.evseId !== 0 && p.evseId !== ctx.evseId)) continue;
    if (purpose === 'TxProfile' && (ctx.transactionId === undefined || (p.transactionId !== undefined && p.transactionId !== ctx.transactionId))) continue;
    const limitA = profileLimitA(p, tMs, ctx);
    if (limitA === undefined) continue;
    const specific = p.evseId !== 0;
    if (!best || p.stackLevel > best.level || (p.stackLevel === best.level && specific && !best.specific)) best = { level: p.stackLevel, specific, limitA };
  }
  return best?.limitA;
}

/** What the profiles allow the EVSE at tMs, A per phase; undefined when none applies. */
export function limitAtA(profiles: readonly HeldProfile[], tMs: number, ctx: EvalContext): number | undefined {
  const tx = purposeLimitA(profiles, 'TxProfile', tMs, ctx) ?? purposeLimitA(profiles, 'TxDefaultProfile', tMs, ctx);
  const cap = purposeLimitA(profiles, 'ChargePointMaxProfile', tMs, ctx);
  if (tx === undefined) return cap;
  return cap === undefined ? tx : Math.min(tx, cap);
}

/** Installs a profile: one with the same id, or the same purpose, stack level and EVSE, is replaced. */
export function install(profiles: readonly HeldProfile[], p: HeldProfile): HeldProfile[] {
  return [...profiles.filter((q) => q.id !== p.id && !(q.purpose === p.purpose && q.stackLevel === p.stackLevel && q.evseId === p.evseId)), p];
}

const ms = (iso: unknown): number | undefined => (typeof iso === 'string' ? Date.parse(iso) : undefined);

interface WireSchedule {
  startSchedule?: string;
  duration?: number;
  chargingRateUnit: 'A' | 'W';
  chargingSchedulePeriod: { startPeriod: number; limit: number; numberPhases?: number }[];
}

function fromSchedule(s: WireSchedule): Pick<HeldProfile, 'startMs' | 'durationS' | 'unit' | 'periods'> {
  return {
    ...(s.startSchedule !== undefined ? { startMs: ms(s.startSchedule) } : {}),
    ...(s.duration !== undefined ? { durationS: s.duration } : {}),
    unit: s.chargingRateUnit,
    periods: s.chargingSchedulePeriod.map((q) => ({ startS: q.startPeriod, limit: q.limit, ...(q.numberPhases !== undefined ? { numberPhases: q.numberPhases } : {}) })),
  };
}

/** An OCPP 1.6 SetChargingProfile request as a held profile. */
export function fromSet16(req: { connectorId: number; csChargingProfiles: Record<string, unknown> }): HeldProfile {
  const p = req.csChargingProfiles as {
    chargingProfileId: number; transactionId?: number; stackLevel: number; chargingProfilePurpose: ProfilePurpose; chargingProfileKind: HeldProfile['kind'];
    recurrencyKind?: 'Daily' | 'Weekly'; validFrom?: string; validTo?: string; chargingSchedule: WireSchedule;
  };
  return {
    id: p.chargingProfileId,
    evseId: req.connectorId,
    stackLevel: p.stackLevel,
    purpose: p.chargingProfilePurpose,
    kind: p.chargingProfileKind,
    ...(p.recurrencyKind ? { recurrency: p.recurrencyKind } : {}),
    ...(p.transactionId !== undefined ? { transactionId: String(p.transactionId) } : {}),
    ...(p.validFrom !== undefined ? { validFromMs: ms(p.validFrom) } : {}),
    ...(p.validTo !== undefined ? { validToMs: ms(p.validTo) } : {}),
    ...fromSchedule(p.chargingSchedule),
  };
}

/** An OCPP 2.0.1 SetChargingProfile request as a held profile (its first schedule). */
export function fromSet201(req: { evseId: number; chargingProfile: Record<string, unknown> }): HeldProfile {
  const p = req.chargingProfile as {
    id: number; transactionId?: string; stackLevel: number; chargingProfilePurpose: string; chargingProfileKind: HeldProfile['kind'];
    recurrencyKind?: 'Daily' | 'Weekly'; validFrom?: string; validTo?: string; chargingSchedule: WireSchedule[];
  };
  const schedule = p.chargingSchedule[0];
  if (!schedule) throw new Error('a 2.0.1 profile without a schedule');
  return {
    id: p.id,
    evseId: req.evseId,
    stackLevel: p.stackLevel,
    purpose: p.chargingProfilePurpose === 'ChargingStationMaxProfile' ? 'ChargePointMaxProfile' : (p.chargingProfilePurpose as ProfilePurpose),
    kind: p.chargingProfileKind,
    ...(p.recurrencyKind ? { recurrency: p.recurrencyKind } : {}),
    ...(p.transactionId !== undefined ? { transactionId: p.transactionId } : {}),
    ...(p.validFrom !== undefined ? { validFromMs: ms(p.validFrom) } : {}),
    ...(p.validTo !== undefined ? { validToMs: ms(p.validTo) } : {}),
    ...fromSchedule(schedule),
  };
}
