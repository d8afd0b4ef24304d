import type { CircuitBudget } from '../energy/allocation/index.js';
import type { KeptFamilyDef } from './kept-family.js';

const PHASES = ['L1', 'L2', 'L3'] as const;

type Def = KeptFamilyDef<CircuitBudget, 'circuit' | 'phase'>;

const labels: Def['labels'] = (circuitId, _label, slot) => [
  ['circuit', circuitId],
  ['phase', PHASES[slot] as string],
];

/** The per-circuit families of metrics.ts (three series per circuit, one per grid phase), in registration order. */
export const CIRCUIT_FAMILIES: [Def, Def] = [
  {
    name: 'switchyard_circuit_allocated_amperes',
    help: 'What the last decision budgeted per circuit and grid phase: non-EV load (measured or worst case) plus what EVSEs were given, A',
    labelNames: ['circuit', 'phase'],
    each: (c, add) => PHASES.forEach((p, slot) => add(c.circuitId, c.phases[p].nonEvA + c.phases[p].allocatedA, undefined, slot)),
    labels,
  },
  {
    name: 'switchyard_circuit_limit_amperes',
    help: 'Limit per circuit and grid phase, A',
    labelNames: ['circuit', 'phase'],
    each: (c, add) => PHASES.forEach((p, slot) => add(c.circuitId, c.phases[p].limitA, undefined, slot)),
    labels,
  },
];
