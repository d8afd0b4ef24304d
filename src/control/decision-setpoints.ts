import type { CurrentLimit, LimitSource } from '../energy/limit.js';
import type { EvseModel } from '../energy/site-model.js';
import type { Decision } from '../energy/strategy.js';
import { evseMaxPowerW } from '../../strategies/setpoint/power-band.js';
import type { SetpointMode } from './profile-payload.js';

/** What the strategies asked of one EVSE in power, W (positive charges, negative discharges). */
export interface WantedSetpoint {
  /** The last strategy's setpoint wins (later strategies refine earlier ones, e.g. DER after setpoint). */
  setpointW?: number;
  source?: LimitSource;
  reason?: string;
  /** The tightest discharge limit any strategy gave, W (<= 0). */
  dischargeLimitW?: number;
}

/** A setpoint as decided: within the guard's limit and the EVSE's discharge band. */
export interface DecidedSetpoint {
  setpointW: number;
  /** Most negative power allowed, W (<= 0; 0 for an EVSE that cannot discharge). */
  dischargeLimitW: number;
  operationMode: SetpointMode;
  source: LimitSource;
  reason: string;
}

/**
 * Adds a strategy's setpoints to `wanted` per EVSE key (mutates it). A decision without evseKey
 * applies to every EVSE; decisions for unknown EVSE keys are ignored.
 */
export function addDecisionSetpoints(wanted: Record<string, WantedSetpoint>, decisions: readonly Decision[], evses: readonly EvseModel[]): void {
  // Built at the first decision with a setpoint: a strategy that gives none (the usual case at
  // thousands of EVSEs) costs no pass over the EVSEs.
  let known: Set<string> | undefined;
  for (const d of decisions) {
    if (d.setpointW === undefined && d.dischargeLimitW === undefined) continue;
    known ??= new Set(evses.map((e) => e.key));
    const keys = d.evseKey === undefined ? [...known] : known.has(d.evseKey) ? [d.evseKey] : [];
    for (const key of keys) {
      const w = (wanted[key] ??= {});
      if (d.setpointW !== undefined) {
        w.setpointW = Number.isFinite(d.setpointW) ? d.setpointW : 0;
        w.source = d.source;
        w.reason = d.reason;
      }
      if (d.dischargeLimitW !== undefined && Number.isFinite(d.dischargeLimitW)) {
        const limitW = Math.min(0, d.dischargeLimitW);
        w.dischargeLimitW = w.dischargeLimitW === undefined ? limitW : Math.max(w.dischargeLimitW, limitW);
      }
    }
  }
}

/**
 * The setpoint within what the guard allows: never above the final current limit at the EVSE's
 * voltage and phases, never below the tightest discharge limit, -(EVSE max power), or 0 for an
 * EVSE that cannot discharge. Undefined when no strategy gave a setpoint.
 */
export function clampSetpoint(wanted: WantedSetpoint | undefined, limit: CurrentLimit, evse: EvseModel, operationMode: SetpointMode): DecidedSetpoint | undefined {
  if (wanted?.setpointW === undefined) return undefined;
  const voltageV = evse.voltageV > 0 ? evse.voltageV : 230;
  const allowedW = Math.max(0, limit.maxCurrentA) * evse.phases * voltageV;
  let lowerW = evse.bidirectional ? -evseMaxPowerW(evse) : 0;
  if (wanted.dischargeLimitW !== undefined) lowerW = Math.max(lowerW, wanted.dischargeLimitW);
  lowerW = Math.min(0, lowerW);
  const setpointW = Math.min(allowedW, Math.max(lowerW, wanted.setpointW));
  const notes: string[] = [];
  if (setpointW < wanted.setpointW) notes.push(`charging capped by ${limit.source} ${round(limit.maxCurrentA)} A (${Math.round(allowedW)} W)`);
  if (setpointW > wanted.setpointW) notes.push(evse.bidirectional ? `discharge held at ${Math.round(-lowerW)} W` : 'EVSE cannot discharge');
  return {
    setpointW,
    dischargeLimitW: lowerW,
    operationMode,
    source: wanted.source ?? 'strategy',
    reason: `${wanted.reason ?? ''}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`,
  };
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
