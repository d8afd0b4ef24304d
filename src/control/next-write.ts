import type { OcppVersion } from '../ocpp/versions.js';
import { wireLimitA } from './profile-payload.js';
import type { WireSetpoint } from './profile-payload.js';
import type { EvseTarget, WriteReason } from './dispatcher-types.js';
import { setpointDecreased, setpointIncreased, setpointOf } from './dispatcher-setpoint.js';
import type { Slot } from './dispatcher-slot.js';

/** Renew the lease when this share of it has passed. */
export const RENEW_AT_SHARE = 2 / 3;

/** One profile write the dispatcher sends. */
export interface Write {
  reason: WriteReason;
  profile: 'base' | 'dynamic';
  limitA: number;
  setpoint?: WireSetpoint;
}

/** The dispatcher's write rules (see Dispatcher). */
export interface WriteRules {
  leaseMs: number;
  minIntervalMs: number;
  hysteresisA: number;
  /** A dynamic profile equal to the base is not renewed (it lapses to the base). */
  lapseToBase: boolean;
}

/** Why a raise must wait now, and until when; undefined = it may go. */
export type RaiseGate = { retryAtMs?: number; byDecreases?: true; byDecision?: true } | undefined;

/**
 * The one write a slot needs now, or when its next one falls due: a decrease at once, the base
 * profile when it changed, a raise only past its gate (`raiseGate`, asked only for raises; marks
 * the slot `gateHeld` when it holds), the write rate and the hysteresis, a renewal at
 * RENEW_AT_SHARE of the lease.
 */
export function nextWrite(slot: Slot, nowMs: number, version: OcppVersion, rules: WriteRules, raiseGate: (standsAlone: boolean) => RaiseGate): { write?: Write; nextDueMs?: number } {
  const target = slot.target as EvseTarget;
  const wantA = wireLimitA(target.limitA);
  const baseA = wireLimitA(target.baseA);
  const setpoint = setpointOf(target, version);
  const dynamic = (reason: WriteReason): { write: Write } => ({ write: { reason, profile: 'dynamic', limitA: wantA, ...(setpoint ? { setpoint } : {}) } });
  const last = slot.lastSentA;
  if (last !== undefined && (wantA < last || setpointDecreased(setpoint, slot.lastSetpoint))) return dynamic('decrease');
  if (slot.baseSentA === undefined || slot.baseSentA !== baseA) return { write: { reason: 'base', profile: 'base', limitA: baseA } };

  // Anything that lets the EV draw more waits for the decreases it depends on and for budget.
  const raising = last === undefined ? wantA > baseA : wantA > last || setpointIncreased(setpoint, slot.lastSetpoint, 0);
  const gate = raising ? raiseGate(wantA <= (target.aloneA ?? -Infinity) + 1e-9) : undefined;
  if (gate) slot.gateHeld = true;
  // Held for the decision under way: nothing now, not even a renewal (its apply comes within moments).
  if (gate?.byDecision) return {};
  if (last === undefined || slot.lastSentMs === undefined) {
    if (!gate) return dynamic('initial');
    return gate.retryAtMs !== undefined ? { nextDueMs: gate.retryAtMs } : {};
  }

  const renewAtMs = slot.lastSentMs + rules.leaseMs * RENEW_AT_SHARE;
  const hysteresisW = rules.hysteresisA * (target.numberPhases ?? 3) * (target.voltageV ?? 230);
  const increase = wantA > last + rules.hysteresisA + 1e-9 || setpointIncreased(setpoint, slot.lastSetpoint, hysteresisW);
  // A start (from below the EV's minimum) is not held back by the write rate: a newly plugged-in EV gets its offer at once.
  const start = last < (target.minA ?? 0) && wantA >= (target.minA ?? 0);
  const increaseAtMs = start ? nowMs : slot.lastSentMs + rules.minIntervalMs;
  // A dynamic profile equal to the base needs no renewal: when its lease ends the base profile
  // governs with the same limit (offersOf shows it), and a write is saved every lease.
  const lapses = rules.lapseToBase && last === baseA && !slot.lastSetpoint;
  // A start held back by decreases elsewhere gets at once what fits without them, if that reaches its minimum.
  const aloneA = target.aloneA === undefined ? undefined : wireLimitA(target.aloneA);
  if (gate?.byDecreases && start && aloneA !== undefined && aloneA >= (target.minA ?? 0) && aloneA > last && aloneA < wantA) {
    return { write: { reason: 'increase', profile: 'dynamic', limitA: aloneA } };
  }
  if (gate) {
    // Held: a renewal due meanwhile keeps what the EVSE has.
    if (nowMs >= renewAtMs && !lapses) return { write: { reason: 'renewal', profile: 'dynamic', limitA: last, ...(slot.lastSetpoint ? { setpoint: slot.lastSetpoint } : {}) } };
    return nowMs >= renewAtMs ? (gate.retryAtMs !== undefined ? { nextDueMs: gate.retryAtMs } : {}) : { nextDueMs: Math.min(gate.retryAtMs ?? renewAtMs, renewAtMs) };
  }
  if (increase && nowMs >= increaseAtMs) return dynamic('increase');
  if (nowMs >= renewAtMs && lapses && wantA === last && !setpoint) return {};
  // A renewal does not carry an increase the hysteresis would not send alone: a fraction of an
  // amp more, written just before a decrease the site needs, is an increase clawed back.
  if (nowMs >= renewAtMs) return wantA > last && !increase ? { write: { reason: 'renewal', profile: 'dynamic', limitA: last, ...(setpoint ? { setpoint } : {}) } } : dynamic('renewal');
  return { nextDueMs: increase ? Math.min(increaseAtMs, renewAtMs) : renewAtMs };
}
