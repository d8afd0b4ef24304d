/**
 * Pieces shared by the 1.6 and 2.x charging-profile conversions (pure): wire date-times, and a
 * composite schedule's periods as wire periods.
 */
import type { OperationMode } from '../energy/charging-profile.js';
import type { CompositePeriod } from '../energy/composite/index.js';
import { ceilTenth, floorTenth } from '../energy/composite/units.js';

/** ms since the epoch of an optional wire date-time; NaN when it is present but not a date. */
export function parseWireTime(iso: string | undefined): number | undefined {
  return iso === undefined ? undefined : Date.parse(iso);
}

export function wireTime(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

export interface WirePeriodOptions {
  /** OCPP 2.1: also setpoint, dischargeLimit and operationMode. */
  extras: boolean;
}

export interface WireCompositePeriod {
  startPeriod: number;
  limit: number;
  numberPhases?: number;
  setpoint?: number;
  dischargeLimit?: number;
  operationMode?: OperationMode;
}

/**
 * Composite periods as wire periods: whole seconds (a period starting within a second joins the
 * period that second starts with, keeping the lower limit), limits with at most one decimal.
 */
export function wirePeriods(periods: readonly CompositePeriod[], options: WirePeriodOptions): WireCompositePeriod[] {
  const out: WireCompositePeriod[] = [];
  for (const p of periods) {
    const startPeriod = Math.floor(p.startOffsetS);
    const wire: WireCompositePeriod = { startPeriod, limit: floorTenth(p.limit), numberPhases: p.numberPhases };
    if (options.extras) {
      if (p.setpoint !== undefined) wire.setpoint = Math.round(p.setpoint * 10) / 10;
      if (p.dischargeLimit !== undefined) wire.dischargeLimit = ceilTenth(p.dischargeLimit);
      if (p.operationMode !== undefined) wire.operationMode = p.operationMode;
    }
    const last = out[out.length - 1];
    if (last && last.startPeriod === startPeriod) {
      if (wire.limit < last.limit) out[out.length - 1] = wire;
      continue;
    }
    if (last && samePeriod(last, wire)) continue;
    out.push(wire);
  }
  return out;
}

function samePeriod(a: WireCompositePeriod, b: WireCompositePeriod): boolean {
  return a.limit === b.limit && a.numberPhases === b.numberPhases && a.setpoint === b.setpoint
    && a.dischargeLimit === b.dischargeLimit && a.operationMode === b.operationMode;
}
