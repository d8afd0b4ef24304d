/**
 * What is left of each circuit's budget once the EVSEs take given currents: per circuit and
 * grid phase, available minus what every EVSE below it holds on that phase; per circuit with a
 * power limit, available power minus their power. Pure.
 */
import type { Phase } from '../phases.js';
import type { EvseModel } from '../site-model.js';
import { pathToRoot, type CircuitTree } from './circuit-tree.js';
import { evseVoltageV, gridPhases } from './constraints.js';
import type { CircuitBudget } from './types.js';

export interface CircuitRoom {
  /** A left per circuit and grid phase (key: roomKey); only circuits with a budget. */
  phaseA: Map<string, number>;
  /** W left per circuit id; only circuits with a power budget. */
  powerW: Map<string, number>;
}

export function roomKey(circuitId: string, phase: Phase): string {
  return `${circuitId}|${phase}`;
}

const roomKeysMemo = new WeakMap<CircuitTree, WeakMap<EvseModel, { circuitId: string; phases: readonly Phase[]; keys: readonly string[] }>>();

/** The circuit-phase keys an EVSE loads: each grid phase of each circuit on its way to the root. Shared per tree and EVSE: never changed. */
export function roomKeysOf(tree: CircuitTree, evse: EvseModel): readonly string[] {
  const phases = gridPhases(evse);
  let memo = roomKeysMemo.get(tree);
  if (!memo) {
    memo = new WeakMap();
    roomKeysMemo.set(tree, memo);
  }
  const known = memo.get(evse);
  if (known && known.circuitId === evse.circuitId && known.phases === phases) return known.keys;
  const keys = pathToRoot(tree, evse.circuitId).flatMap((c) => phases.map((p) => roomKey(c, p)));
  memo.set(evse, { circuitId: evse.circuitId, phases, keys });
  return keys;
}

/**
 * Available minus held. `heldA(evse, j)` is what the EVSE takes on its j-th grid phase (in the
 * order of gridPhases), A; an EVSE takes it on every circuit on its way to the root.
 */
export function roomLeft(
  tree: CircuitTree,
  evses: readonly EvseModel[],
  budgets: readonly CircuitBudget[],
  heldA: (evse: EvseModel, phaseIndex: number) => number,
): CircuitRoom {
  const phaseA = new Map<string, number>();
  const powerW = new Map<string, number>();
  for (const b of budgets) {
    for (const p of ['L1', 'L2', 'L3'] as const) phaseA.set(roomKey(b.circuitId, p), b.phases[p].availableA);
    if (b.power) powerW.set(b.circuitId, b.power.availableW);
  }
  for (const e of evses) {
    const phases = gridPhases(e);
    const n = phases.length;
    const held = phases.map((_, j) => heldA(e, j));
    const w = held.reduce((s, a) => s + a, 0) * evseVoltageV(e);
    // roomKeysOf lists the keys circuit by circuit, each circuit's phases in the order of gridPhases.
    const keys = roomKeysOf(tree, e);
    const path = pathToRoot(tree, e.circuitId);
    for (let i = 0; i < path.length; i++) {
      const c = path[i] as string;
      for (let j = 0; j < n; j++) {
        const k = keys[i * n + j] as string;
        const left = phaseA.get(k);
        if (left !== undefined) phaseA.set(k, left - (held[j] ?? 0));
      }
      const leftW = powerW.get(c);
      if (leftW !== undefined) powerW.set(c, leftW - w);
    }
  }
  return { phaseA, powerW };
}

/** Whether some circuit phase or power limit on the EVSE's way to the root is overdrawn. */
export function overdrawnFor(tree: CircuitTree, room: CircuitRoom, evse: EvseModel): boolean {
  if (roomKeysOf(tree, evse).some((k) => (room.phaseA.get(k) ?? 0) < -1e-9)) return true;
  return pathToRoot(tree, evse.circuitId).some((c) => (room.powerW.get(c) ?? 0) < -1e-6);
}
