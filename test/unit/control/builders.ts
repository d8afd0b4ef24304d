import type { AgedReading } from '../../../src/energy/meter-reading.js';
import type { CircuitNode, EvseLiveState, EvseModel } from '../../../src/energy/site-model.js';
import type { SiteSnapshot } from '../../../src/energy/strategy.js';

export const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

/** A 3-phase EVSE on circuit `main`, 6..16 A. */
export function anEvse(key: string, overrides: Partial<EvseModel> = {}): EvseModel {
  return {
    key,
    circuitId: 'main',
    phases: 3,
    phaseRotation: ['L1', 'L2', 'L3'],
    minCurrentA: 6,
    maxCurrentA: 16,
    priority: 1,
    voltageV: 230,
    bidirectional: false,
    ...overrides,
  };
}

/** The root `main`, 32 A per phase, measured by meter `grid`. */
export function aRoot(overrides: Partial<CircuitNode> = {}): CircuitNode {
  return { id: 'main', maxCurrentA: { L1: 32, L2: 32, L3: 32 }, meterId: 'grid', ...overrides };
}

export function anActive(key: string, overrides: Partial<EvseLiveState> = {}): EvseLiveState {
  return { key, active: true, controllable: true, transactionId: `tx-${key}`, transactionStartedMs: T0 - 60_000, ...overrides };
}

/** A grid reading with the same current on every phase, taken at timeMs. */
export function aGridReading(currentA: number, timeMs = T0, overrides: Partial<AgedReading> = {}): AgedReading {
  return {
    meterId: 'grid',
    timeMs,
    currentA: { L1: currentA, L2: currentA, L3: currentA },
    ageS: 0,
    stale: false,
    ...overrides,
  };
}

/** Two active EVSEs `cs1/1` and `cs1/2` on a 32 A root with a fresh grid meter reading 4 A per phase. */
export function aSnapshot(overrides: Partial<SiteSnapshot> = {}): SiteSnapshot {
  return {
    nowMs: T0,
    circuits: [aRoot()],
    evses: [anEvse('cs1/1'), anEvse('cs1/2')],
    live: { 'cs1/1': anActive('cs1/1'), 'cs1/2': anActive('cs1/2') },
    meters: { grid: aGridReading(4) },
    meterRoles: { gridMeterId: 'grid' },
    modes: {},
    csmsProfiles: {},
    ...overrides,
  };
}
