import type { Allocation } from '../energy/allocation/index.js';
import { sameLimit, sameLimits, type CurrentLimit } from '../energy/limit.js';
import type { SiteSnapshot } from '../energy/strategy.js';
import type { EvseModel } from '../energy/site-model.js';
import { sameFields } from '../util/same-fields.js';
import { clampSetpoint, type WantedSetpoint } from './decision-setpoints.js';
import { effectiveMode } from './operation-modes.js';
import type { SetpointMode } from './profile-payload.js';

/** What was decided for one EVSE, and why. */
export interface EvseDecision {
  evseKey: string;
  /** The limit to send, A per phase; its source is the one that bound. */
  limit: CurrentLimit;
  status: Allocation['status'];
  /** Every limit that applied (own max, CSMS, strategies, circuit share, guard, failsafe). */
  limits: CurrentLimit[];
  /** The guaranteed safe share (the base profile). */
  baseShare: CurrentLimit;
  /**
   * Power setpoint from the strategies, W (positive charges, negative discharges), clamped: never
   * above `limit` at the EVSE's voltage and phases, never below `dischargeLimitW`. Absent when no
   * strategy gave one, on failsafe and in Idle. Only OCPP 2.1 EVSEs receive it.
   */
  setpointW?: number;
  /** Most negative power allowed, W (<= 0; 0 for an EVSE that cannot discharge). With setpointW. */
  dischargeLimitW?: number;
  /** operationMode sent with the setpoint: ExternalSetpoint for an EVSE in that mode, else CentralSetpoint. */
  setpointMode?: SetpointMode;
  /**
   * For an increase: the limit it may take at once, without waiting for decreases elsewhere to be
   * followed (fits-alone.ts), A. Absent: the increase waits for them (make before break).
   */
  aloneA?: number;
  /** Who gave the setpoint and why (with any clamping). */
  setpointSource?: string;
  setpointReason?: string;
}

/** What every EVSE's decision reads, once per decision (decideSteps' last loop). */
export interface EvseDecisionContext {
  snapshot: SiteSnapshot;
  baseShares: Readonly<Record<string, CurrentLimit>>;
  /** Per EVSE with an increase, what it may take at once (fits-alone.ts), A. */
  alone: Readonly<Record<string, number>>;
  /** What the strategies asked in power, per EVSE key. */
  wanted: Readonly<Record<string, WantedSetpoint>>;
  /** The earlier decision given (DecideSetup.previous), if any. */
  previous: Readonly<Record<string, EvseDecision>> | undefined;
}

/**
 * One EVSE's decision from its allocation and its final limit (after the guard, the ramp
 * reserves and the holds): the earlier decision's object when the decision comes out equal to it
 * (every field, limits compared field by field), else a new object. Its optional fields are set
 * only when they have a value, in the order the decision has always listed them (aloneA, then the
 * setpoint's); no object is made for a field it does not have.
 */
export function evseDecisionOf(ctx: EvseDecisionContext, a: Allocation, finalLimit: CurrentLimit, evse: EvseModel | undefined): EvseDecision {
  const same = finalLimit.maxCurrentA === a.currentA && finalLimit.source === a.binding.source;
  const limit = same ? boundAt(a) : finalLimit;
  const prev = ctx.previous?.[a.evseKey];
  const decision: EvseDecision = {
    evseKey: a.evseKey,
    limit,
    status: a.status,
    limits: same ? a.limits : keptLimits(prev?.limits, a.limits, finalLimit),
    baseShare: ctx.baseShares[a.evseKey] ?? { maxCurrentA: 0, source: 'failsafe', reason: 'no base share' },
  };
  const aloneA = ctx.alone[a.evseKey];
  if (aloneA !== undefined) decision.aloneA = aloneA;
  addSetpointFields(decision, ctx.wanted[a.evseKey], limit, evse, ctx.snapshot);
  return prev && sameDecision(prev, decision) ? prev : decision;
}

/** The limit an allocation bound at its current: its binding itself when that already says so. */
export function boundAt(a: Allocation): CurrentLimit {
  return a.binding.maxCurrentA === a.currentA ? a.binding : { ...a.binding, maxCurrentA: a.currentA };
}

/** `[...base, last]`, or `prev` when it holds the same limits. */
function keptLimits(prev: CurrentLimit[] | undefined, base: CurrentLimit[], last: CurrentLimit): CurrentLimit[] {
  if (prev?.length === base.length + 1 && sameLimit(prev[base.length] as CurrentLimit, last)) {
    let i = 0;
    while (i < base.length && sameLimit(prev[i] as CurrentLimit, base[i] as CurrentLimit)) i++;
    if (i === base.length) return prev;
  }
  return [...base, last];
}

/** Two decisions of one EVSE with the same fields and values (limits compared field by field). */
function sameDecision(a: EvseDecision, b: EvseDecision): boolean {
  return sameFields(a, b, sameDecisionField);
}

function sameDecisionField(field: string, x: unknown, y: unknown): boolean {
  if (field === 'limit' || field === 'baseShare') return Boolean(y) && sameLimit(x as CurrentLimit, y as CurrentLimit);
  if (field === 'limits') return Array.isArray(y) && sameLimits(x as CurrentLimit[], y as CurrentLimit[]);
  return false;
}

/** Sets the clamped setpoint of one EVSE on its decision; none on failsafe, in Idle or without one. */
function addSetpointFields(decision: EvseDecision, wanted: WantedSetpoint | undefined, limit: CurrentLimit, evse: EvseModel | undefined, snapshot: SiteSnapshot): void {
  if (!evse || wanted?.setpointW === undefined || limit.source === 'failsafe') return;
  const mode = effectiveMode(snapshot, evse);
  if (mode === 'Idle') return;
  const sp = clampSetpoint(wanted, limit, evse, mode === 'ExternalSetpoint' ? 'ExternalSetpoint' : 'CentralSetpoint');
  if (!sp) return;
  decision.setpointW = sp.setpointW;
  decision.dischargeLimitW = sp.dischargeLimitW;
  decision.setpointMode = sp.operationMode;
  decision.setpointSource = sp.source;
  decision.setpointReason = sp.reason;
}
