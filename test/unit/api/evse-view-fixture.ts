import type { EvseEnergyView } from '../../../src/api/energy-queries.js';

/** An EVSE's energy-side view for API and metrics tests: CP1/1 on circuit main, idle, configured defaults; `over` changes fields. */
export function anEvseView(over: Partial<EvseEnergyView> = {}): EvseEnergyView {
  return {
    evseKey: 'CP1/1',
    stationId: 'CP1',
    evseId: 1,
    circuitId: 'main',
    phases: 1,
    phaseRotation: ['L2'],
    minCurrentA: 6,
    maxCurrentA: 32,
    priority: 1,
    mode: 'LocalLoadBalancing',
    modeSource: 'config',
    settings: { priority: { value: 1, source: 'config' }, mode: { value: 'LocalLoadBalancing', source: 'config' } },
    active: false,
    limits: [],
    ...over,
  };
}
