import type { CircuitNode, EvseLiveState, EvseModel } from '../../../src/energy/site-model.js';
import type { Phase } from '../../../src/energy/phases.js';
import { perPhase } from '../../../src/energy/phases.js';
import type { AllocationInput } from '../../../src/energy/allocation/index.js';

/** Test-data builders for the allocation, load-balancing and guard tests. */
export function aCircuit(overrides: Partial<CircuitNode> & { id: string }): CircuitNode {
  return { maxCurrentA: perPhase(63), ...overrides };
}

export function anEvse(overrides: Partial<EvseModel> & { key: string }): EvseModel {
  const phaseRotation: Phase[] = overrides.phaseRotation ?? ['L1', 'L2', 'L3'];
  return {
    circuitId: 'main',
    phases: phaseRotation.length === 1 ? 1 : 3,
    minCurrentA: 6,
    maxCurrentA: 32,
    priority: 1,
    voltageV: 230,
    bidirectional: false,
    ...overrides,
    phaseRotation,
  };
}

export function liveOf(evses: readonly EvseModel[], overrides: Record<string, Partial<EvseLiveState>> = {}): Record<string, EvseLiveState> {
  const out: Record<string, EvseLiveState> = {};
  for (const e of evses) out[e.key] = { key: e.key, active: true, controllable: true, ...overrides[e.key] };
  return out;
}

export function anInput(overrides: Partial<AllocationInput> & Pick<AllocationInput, 'circuits' | 'evses'>): AllocationInput {
  return {
    nowMs: 0,
    live: liveOf(overrides.evses),
    nonEvLoadA: {},
    marginA: 0,
    caps: {},
    ...overrides,
  };
}
