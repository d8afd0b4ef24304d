/**
 * Solar-surplus charging modes, per EVSE:
 * - `off`: do not charge (0 A).
 * - `now`: charge at the EVSE's max, whatever the sun does.
 * - `min+pv`: always at least the EVSE's min current, more when there is surplus.
 * - `pv`: only from surplus; start and stop with hysteresis.
 */
export type { SolarMode } from '../../src/energy/strategy.js';
import type { SolarMode } from '../../src/energy/strategy.js';

export interface SolarSurplusParams {
  /** Mode per EVSE key (`<stationId>/<evseId>`); EVSEs not listed use `defaultMode`. */
  modes: Record<string, SolarMode>;
  defaultMode: SolarMode;
  /** Surplus must stay above the start power for this long before the car starts, s. */
  enableDelayS: number;
  /** Surplus must stay below the stop power for this long before the car stops, s. */
  disableDelayS: number;
  /** Extra surplus above the EVSE's min power needed to start (or to go up to 3 phases), W. */
  enableThresholdW: number;
  /** Grid import tolerated at min current before stopping (or going down to 1 phase), W. */
  disableThresholdW: number;
  /** A phase switch (1p <-> 3p) must be wanted for this long before it happens, s. */
  phaseSwitchDelayS: number;
  /** Three-phase EVSEs that can switch to one phase. */
  phaseSwitchingEvseKeys: string[];
  /** While the home battery's SoC is below this, the battery gets PV first (0 = never). */
  batteryPrioritySocPct: number;
  /** While the battery has priority, this much surplus is left to it on top of what it takes, W. */
  batteryReserveW: number;
  source: string;
}

export const SOLAR_SURPLUS_DEFAULTS: SolarSurplusParams = {
  modes: {},
  defaultMode: 'pv',
  enableDelayS: 60,
  disableDelayS: 180,
  enableThresholdW: 0,
  disableThresholdW: 200,
  phaseSwitchDelayS: 120,
  phaseSwitchingEvseKeys: [],
  batteryPrioritySocPct: 0,
  batteryReserveW: 0,
  source: 'strategy:solar-surplus',
};

export function solarSurplusParams(partial: Partial<SolarSurplusParams> = {}): SolarSurplusParams {
  return { ...SOLAR_SURPLUS_DEFAULTS, ...partial };
}
