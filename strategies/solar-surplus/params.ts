import type { SolarMode } from '../../src/energy/solar-mode.js';

/** Solar-surplus charging modes per EVSE: see src/energy/solar-mode.ts. */
export type { SolarMode };

export interface SolarSurplusParams {
  /**
   * Mode per EVSE key (`<stationId>/<evseId>`) from the site config; EVSEs not listed use
   * `defaultMode`. A mode set at runtime (the snapshot's `solarModes`) wins over both.
   */
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
  /**
   * How long a charger may take to follow a new current, s (the site's energy.settleS). After a
   * change the EVSE's current is held until the grid meter and the charger's own report both
   * postdate the change by this much (see settle.ts); 0 decides on every reading.
   */
  settleS: number;
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
  settleS: 30,
  source: 'strategy:solar-surplus',
};

export function solarSurplusParams(partial: Partial<SolarSurplusParams> = {}): SolarSurplusParams {
  return { ...SOLAR_SURPLUS_DEFAULTS, ...partial };
}
