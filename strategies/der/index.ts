export {
  createDerStrategy, decideDer,
  type DerDecision, type DerEvseState, type DerNotApplied, type DerStrategyState, type PowerFactorSetting,
} from './strategy.js';
export { derStrategyParams, DER_STRATEGY_DEFAULTS, type DerStrategyParams } from './params.js';
export { freqDroopResponseW, freqWattPoints } from './freq-response.js';
export { rampRateWPerS, rampToward } from './ramp.js';
export { stepEnterService, type EnterServiceState } from './enter-service.js';
export { nextUniform } from './seeded-random.js';
