import type { V2xFreqWattPoint } from '../../src/energy/charging-profile.js';
import type { DerCurve, FreqDroop } from '../../src/der/der-control-types.js';

/**
 * FreqDroop as a power change for an EVSE rated ratedW, W (charging positive): 0 between
 * underFreq and overFreq; above overFreq the EV absorbs more, (f - overFreq) / (nominal x
 * overDroop) of its rating; below underFreq it absorbs less (or discharges) likewise with
 * underDroop. Non-decreasing in frequency when underFreq <= overFreq and the droops are > 0.
 */
export function freqDroopResponseW(frequencyHz: number, ratedW: number, droop: FreqDroop, nominalHz: number): number {
  if (frequencyHz > droop.overFreq) return ((frequencyHz - droop.overFreq) / (nominalHz * droop.overDroop)) * ratedW;
  if (frequencyHz < droop.underFreq) return -((droop.underFreq - frequencyHz) / (nominalHz * droop.underDroop)) * ratedW;
  return 0;
}

/**
 * A FreqWatt curve (x: Hz, y: % of rated power, OCPP's generator view: positive injects) as
 * frequency-watt points in Switchyard's view (positive charges), for curvePowerW.
 */
export function freqWattPoints(curve: DerCurve, ratedW: number): V2xFreqWattPoint[] {
  return curve.curveData.map((p) => ({ frequency: p.x, power: (-p.y / 100) * ratedW }));
}
