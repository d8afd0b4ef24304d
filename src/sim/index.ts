/** The simulator: EVSEs with EV battery models, a demo fleet, and a site meter with PV. */
export { SimCharger, type SimChargerConfig, type SimChargerOptions, type SimChargerState, type SimEvseState } from './sim-charger.js';
export { startFleet, demoChargers, type Fleet, type FleetOptions, type FleetChargerConfig } from './fleet.js';
export { SimMeter, DEFAULT_METER_TOPICS, type SimMeterDeps, type SimMeterSample, type SimMeterTopics } from './sim-meter.js';
export { EvModel, type EvSpec } from './ev-model.js';
export { DEFAULT_DEMO_PARAMS, type DemoScenarioParams } from './demo-scenario.js';
export { strictModeValidators } from './rpc-validators.js';
