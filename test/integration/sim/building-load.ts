import type { PerPhase } from '../../../src/energy/phases.js';

/** The building's load: steps, each in force from its instant on. */
export class BuildingLoad {
  readonly steps: { atMs: number; a: PerPhase }[] = [];
  constructor(initial: PerPhase, fromMs: number) {
    this.steps.push({ atMs: fromMs, a: initial });
  }
  step(atMs: number, a: PerPhase): void {
    this.steps.push({ atMs, a });
    this.steps.sort((x, y) => x.atMs - y.atMs);
  }
  at(tMs: number): PerPhase {
    let a = this.steps[0]?.a ?? { L1: 0, L2: 0, L3: 0 };
    for (const s of this.steps) if (s.atMs <= tMs) a = s.a;
    return a;
  }
  /** Instants at which the load changed (after the first), ms. */
  changeTimes(): number[] {
    return this.steps.slice(1).map((s) => s.atMs);
  }
}
