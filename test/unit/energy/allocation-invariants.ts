import { PHASES, type PerPhase } from '../../../src/energy/phases.js';
import type { CircuitNode, EvseModel } from '../../../src/energy/site-model.js';

/**
 * An independent check of the circuit invariants, written plainly (recursion over the tree)
 * rather than with the allocation's own index structures.
 */
export interface InvariantInput {
  circuits: CircuitNode[];
  evses: EvseModel[];
  nonEvLoadA: Record<string, Partial<PerPhase>>;
  marginA: number;
  /** Currents that were free to choose (controllable EVSEs), A. */
  chosenA: Record<string, number>;
  /** Currents imposed beforehand (uncontrollable at max, failsafe), A. */
  imposedA: Record<string, number>;
  siteLimitW?: number;
  /** nonEvLoadA is already per circuit as meant (no max with the sum of the children). */
  nonEvIsFinal?: boolean;
}

const EPS = 1e-6;

function children(circuits: CircuitNode[], id: string): CircuitNode[] {
  return circuits.filter((c) => c.parentId === id);
}

function effectiveNonEv(input: InvariantInput, c: CircuitNode): PerPhase {
  if (input.nonEvIsFinal) {
    const g = input.nonEvLoadA[c.id] ?? {};
    return { L1: g.L1 ?? 0, L2: g.L2 ?? 0, L3: g.L3 ?? 0 };
  }
  const kids = children(input.circuits, c.id).map((k) => effectiveNonEv(input, k));
  const given = input.nonEvLoadA[c.id] ?? {};
  const out: PerPhase = { L1: 0, L2: 0, L3: 0 };
  for (const p of PHASES) out[p] = Math.max(Math.max(0, given[p] ?? 0), kids.reduce((s, k) => s + k[p], 0));
  return out;
}

function inSubtree(input: InvariantInput, circuitId: string, rootId: string): boolean {
  let cur: string | undefined = circuitId;
  while (cur !== undefined) {
    if (cur === rootId) return true;
    cur = input.circuits.find((c) => c.id === cur)?.parentId;
  }
  return false;
}

/** (a) for every circuit and grid phase (and power): chosen currents fit what is left after imposed ones. */
export function circuitViolations(input: InvariantInput): string[] {
  const out: string[] = [];
  for (const c of input.circuits) {
    const eff = effectiveNonEv(input, c);
    const below = input.evses.filter((e) => inSubtree(input, e.circuitId, c.id));
    for (const p of PHASES) {
      let chosen = 0;
      let imposed = 0;
      for (const e of below) {
        const n = e.phaseRotation.filter((q) => q === p).length;
        chosen += n * (input.chosenA[e.key] ?? 0);
        imposed += n * (input.imposedA[e.key] ?? 0);
      }
      const left = c.maxCurrentA[p] - eff[p] - input.marginA - imposed;
      if (chosen > Math.max(0, left) + EPS) out.push(`${c.id} ${p}: ${chosen} > ${left}`);
    }
    const limitW = c.parentId === undefined && input.siteLimitW !== undefined ? Math.min(input.siteLimitW, c.maxPowerW ?? Infinity) : c.maxPowerW;
    if (limitW !== undefined) {
      let chosen = 0;
      let imposed = 0;
      for (const e of below) {
        const w = e.phaseRotation.length * e.voltageV;
        chosen += w * (input.chosenA[e.key] ?? 0);
        imposed += w * (input.imposedA[e.key] ?? 0);
      }
      const left = limitW - (eff.L1 + eff.L2 + eff.L3) * 230 - input.marginA * 230 * 3 - imposed;
      if (chosen > Math.max(0, left) + 1e-3) out.push(`${c.id} power: ${chosen} > ${left}`);
    }
  }
  return out;
}

/** (b), (c): no EVSE above its max or caps, none strictly between 0 and its minimum. */
export function evseViolations(evses: EvseModel[], chosenA: Record<string, number>, capsA: Record<string, number[]> = {}): string[] {
  const out: string[] = [];
  for (const e of evses) {
    const v = chosenA[e.key];
    if (v === undefined) continue;
    if (v < 0) out.push(`${e.key} negative ${v}`);
    if (v > e.maxCurrentA + EPS) out.push(`${e.key} ${v} above max ${e.maxCurrentA}`);
    for (const cap of capsA[e.key] ?? []) if (v > Math.max(0, cap) + EPS) out.push(`${e.key} ${v} above cap ${cap}`);
    if (v > EPS && v < e.minCurrentA - EPS) out.push(`${e.key} ${v} between 0 and min ${e.minCurrentA}`);
  }
  return out;
}
