/** A grid phase. */
export type Phase = 'L1' | 'L2' | 'L3';
export const PHASES: readonly Phase[] = ['L1', 'L2', 'L3'];

/** One value per grid phase. */
export type PerPhase = Record<Phase, number>;

export function perPhase(value: number): PerPhase {
  return { L1: value, L2: value, L3: value };
}

export function mapPhases(a: PerPhase, fn: (v: number, p: Phase) => number): PerPhase {
  return { L1: fn(a.L1, 'L1'), L2: fn(a.L2, 'L2'), L3: fn(a.L3, 'L3') };
}

export function addPhases(a: PerPhase, b: PerPhase): PerPhase {
  return mapPhases(a, (v, p) => v + b[p]);
}
