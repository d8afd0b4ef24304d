import type { V2xFreqWattPoint } from '../../src/energy/charging-profile.js';

export interface FrequencyDroopParams {
  /** EVSEs always under frequency control (LocalFrequency), besides those the snapshot or the CSMS put in a frequency mode. */
  evseKeys: string[];
  /** Meter whose frequencyHz is used; default the grid meter. */
  frequencyMeterId?: string;
  /** Nominal grid frequency, Hz. */
  nominalHz: number;
  /** No droop action while |f - nominal| <= deadBandHz (droop only; a curve has its own flat parts). */
  deadBandHz: number;
  /** Droop, % of nominal frequency for a change of the EVSE's full max power. */
  droopPct: number;
  /** v2xBaseline: power with no droop action, W (positive charges). A CSMS period's v2xBaseline wins. */
  baselineW: number;
  /**
   * v2xFreqWattCurve for LocalFrequency: points {frequency Hz, power W}, added to the baseline.
   * Power must not decrease as frequency rises. When absent, the droop above is used.
   */
  curve?: V2xFreqWattPoint[];
  /** Time for the output to cover 90% of a step of the target, s (0 = at once). */
  responseTimeS: number;
  source: string;
}

export const FREQUENCY_DROOP_DEFAULTS: FrequencyDroopParams = {
  evseKeys: [],
  nominalHz: 50,
  deadBandHz: 0.02,
  droopPct: 5,
  baselineW: 0,
  responseTimeS: 10,
  source: 'strategy:frequency-droop',
};

export function frequencyDroopParams(partial: Partial<FrequencyDroopParams> = {}): FrequencyDroopParams {
  return { ...FREQUENCY_DROOP_DEFAULTS, ...partial };
}
