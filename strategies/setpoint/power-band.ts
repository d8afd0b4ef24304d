import type { EvseModel } from '../../src/energy/site-model.js';
import type { ActivePeriod } from './active-period.js';
import { floorTenth } from '../../src/energy/composite/units.js';

/**
 * The power an EVSE may run at, W: charging up to `upperW` (>= 0), discharging down to
 * `lowerW` (<= 0; 0 for an EVSE that cannot discharge). Positive charges, negative discharges.
 */
export interface PowerBand {
  lowerW: number;
  upperW: number;
  /** W per A of per-phase current on the EVSE's phases. */
  wattsPerAmp: number;
  /** What narrowed the band, for reasons. */
  notes: string[];
}

/**
 * A power on the band's EVSE as a per-phase current, floored to 0.1 A (floorTenth: a limit of
 * whole tenths of an ampere comes back as itself, whatever float noise A x V / V leaves).
 */
export function bandAmps(band: PowerBand, powerW: number = band.upperW): number {
  return floorTenth(powerW / band.wattsPerAmp);
}

/** EVSE max power, W: the tighter of max current on all its phases and maxPowerW. */
export function evseMaxPowerW(evse: EvseModel): number {
  const byCurrentW = evse.maxCurrentA * evse.phases * evse.voltageV;
  return evse.maxPowerW === undefined ? byCurrentW : Math.min(byCurrentW, evse.maxPowerW);
}

/** A period value in its rate unit -> W (A per phase x phases x voltage). */
export function periodValueW(value: number, active: ActivePeriod, evse: EvseModel): number {
  if (active.rateUnit === 'W') return value;
  return value * (active.period.numberPhases ?? evse.phases) * evse.voltageV;
}

/**
 * The EVSE's band, narrowed by a CSMS period's limit and dischargeLimit (a negative limit is the
 * legacy way of giving a discharge limit) and by a given discharge limit (<= 0), W.
 */
export function powerBand(evse: EvseModel, active?: ActivePeriod, dischargeLimitW?: number): PowerBand {
  const maxW = evseMaxPowerW(evse);
  let upperW = maxW;
  let lowerW = evse.bidirectional ? -maxW : 0;
  const notes: string[] = [];
  const narrowLower = (w: number, why: string): void => {
    if (w > lowerW) {
      lowerW = Math.min(0, w);
      notes.push(why);
    }
  };
  if (active) {
    const { limit, dischargeLimit } = active.period;
    if (limit !== undefined && limit >= 0) {
      const w = periodValueW(limit, active, evse);
      if (w < upperW) {
        upperW = w;
        notes.push(`csms:profile ${active.profileId} limit`);
      }
    }
    if (limit !== undefined && limit < 0) narrowLower(periodValueW(limit, active, evse), `csms:profile ${active.profileId} limit`);
    if (dischargeLimit !== undefined) {
      narrowLower(periodValueW(dischargeLimit, active, evse), `csms:profile ${active.profileId} dischargeLimit`);
    }
  }
  if (dischargeLimitW !== undefined) narrowLower(dischargeLimitW, 'setpoint dischargeLimit');
  return { lowerW, upperW, wattsPerAmp: evse.phases * evse.voltageV, notes };
}

export function clampToBand(valueW: number, band: PowerBand): number {
  return Math.min(band.upperW, Math.max(band.lowerW, valueW));
}
