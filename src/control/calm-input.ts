import type { CircuitBudget, CircuitTree } from '../energy/allocation/index.js';
import type { CurrentLimit } from '../energy/limit.js';
import type { EvseLiveState, EvseModel } from '../energy/site-model.js';

/** What the calm steps after the guard (ramp-reserve.ts, hold-where-fits.ts, fits-alone.ts) read of a decision. */
export interface CalmInput {
  nowMs: number;
  tree: CircuitTree;
  evses: readonly EvseModel[];
  live: Record<string, EvseLiveState>;
  /** The decision's budgets (available room per circuit and phase on the safe estimate). */
  circuits: readonly CircuitBudget[];
  /** The limits so far: each step gets the previous one's. */
  limits: Record<string, CurrentLimit>;
  /** Longest time an EV takes to follow a lower limit, s. */
  followS: number;
}
