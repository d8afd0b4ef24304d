export { createSolarSurplusStrategy, type SolarSurplusState } from './strategy.js';
export { solarSurplusParams, SOLAR_SURPLUS_DEFAULTS, type SolarMode, type SolarSurplusParams } from './params.js';
export { siteSurplus, type SurplusResult } from './surplus.js';
export { controlSurplus, type SolarEvseState } from './evse-control.js';
export { selfConsumption, type EnergySample, type SelfConsumptionReport } from './self-consumption.js';
