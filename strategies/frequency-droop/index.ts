export {
  createFrequencyDroopStrategy, type FrequencyDroopState, type DroopEvseState,
} from './strategy.js';
export { frequencyDroopParams, FREQUENCY_DROOP_DEFAULTS, type FrequencyDroopParams } from './params.js';
export { checkFreqWattCurve, curvePowerW, droopDeltaW, lagFraction, type DroopSettings } from './curve.js';
