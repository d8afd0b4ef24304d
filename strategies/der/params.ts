export interface DerStrategyParams {
  /** EVSEs the DER controls act on; empty = every EVSE of the site. */
  evseKeys: string[];
  /** EVSEs that can run at a fixed power factor (FixedPFAbsorb / FixedPFInject go to them). */
  powerFactorEvseKeys: string[];
  /** Meter for grid frequency and voltage; default the grid meter. */
  gridMeterId?: string;
  /** Nominal grid frequency for FreqDroop, Hz. */
  nominalHz: number;
  /** Power with no frequency response, W (positive charges); an EVSE's live setpoint wins. */
  baselineW: number;
  /** Seed of the random enter-service delays (kept in the strategy's state). */
  seed: number;
}

export const DER_STRATEGY_DEFAULTS: DerStrategyParams = {
  evseKeys: [],
  powerFactorEvseKeys: [],
  nominalHz: 50,
  baselineW: 0,
  seed: 1,
};

export function derStrategyParams(partial: Partial<DerStrategyParams> = {}): DerStrategyParams {
  return { ...DER_STRATEGY_DEFAULTS, ...partial };
}
