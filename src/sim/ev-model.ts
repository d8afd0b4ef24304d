/**
 * A simple EV battery model for the simulator (pure: no I/O, time passed in as a step length).
 * The EV draws what it is offered up to what it accepts; acceptance tapers linearly above 80 % SoC,
 * and the EV stops drawing once it reaches its target SoC. Below the IEC 61851 minimum (6 A) it
 * cannot charge at all.
 */
export interface EvSpec {
  /** Usable battery capacity, Wh. */
  capacityWh: number;
  /** State of charge at plug-in, %. */
  socPct: number;
  /** The EV wants power until this SoC, % (default 100). */
  targetSocPct?: number;
  /** Highest AC current per phase the on-board charger accepts, A. */
  maxAcCurrentA: number;
  /** Phases the on-board charger uses (1, 2 or 3). */
  phases: number;
  /** Lowest current per phase the EV can charge with, A (default 6). */
  minCurrentA?: number;
  /** Share of metered AC energy that ends up in the battery (default 0.92). */
  efficiency?: number;
}

/** SoC above which acceptance tapers. */
export const TAPER_START_SOC_PCT = 80;
/** Acceptance never tapers below this share of the maximum (above the minimum current). */
const TAPER_FLOOR = 0.1;

export interface EvStepResult {
  /** Average current per phase over the step, A. */
  currentA: number;
  /** AC energy drawn from the EVSE over the step (what its meter counts), Wh. */
  energyWh: number;
  /** Phases actually used. */
  phasesUsed: number;
}

export class EvModel {
  readonly capacityWh: number;
  readonly targetSocPct: number;
  readonly maxAcCurrentA: number;
  readonly phases: number;
  readonly minCurrentA: number;
  readonly efficiency: number;
  private soc: number;

  constructor(spec: EvSpec) {
    this.capacityWh = spec.capacityWh;
    this.soc = clamp(spec.socPct, 0, 100);
    this.targetSocPct = clamp(spec.targetSocPct ?? 100, 0, 100);
    this.maxAcCurrentA = spec.maxAcCurrentA;
    this.phases = spec.phases;
    this.minCurrentA = spec.minCurrentA ?? 6;
    this.efficiency = spec.efficiency ?? 0.92;
  }

  get socPct(): number {
    return this.soc;
  }

  /** True while the SoC is below the target. */
  wantsPower(): boolean {
    return this.soc < this.targetSocPct;
  }

  /** Highest current per phase the EV accepts at its present SoC, A (0 once at target). */
  acceptanceA(): number {
    if (!this.wantsPower()) return 0;
    if (this.soc <= TAPER_START_SOC_PCT) return this.maxAcCurrentA;
    const share = Math.max(TAPER_FLOOR, (100 - this.soc) / (100 - TAPER_START_SOC_PCT));
    return Math.max(Math.min(this.minCurrentA, this.maxAcCurrentA), this.maxAcCurrentA * share);
  }

  /** Current per phase the EV draws when offered this much, A. */
  currentAt(offeredCurrentA: number): number {
    if (offeredCurrentA < this.minCurrentA) return 0;
    return Math.min(offeredCurrentA, this.acceptanceA());
  }

  /**
   * Charges for dtS seconds with the given offer. The current is taken at the start of the step;
   * the step ends early (in effect) when the target SoC is reached.
   */
  step(dtS: number, offeredCurrentA: number, voltageV: number, evsePhases = 3): EvStepResult {
    const phasesUsed = Math.max(1, Math.min(this.phases, evsePhases));
    const currentA = this.currentAt(offeredCurrentA);
    if (currentA <= 0 || dtS <= 0) return { currentA: 0, energyWh: 0, phasesUsed };
    const neededWh = ((this.targetSocPct - this.soc) / 100) * this.capacityWh / this.efficiency;
    const offeredWh = (currentA * voltageV * phasesUsed * dtS) / 3600;
    const energyWh = Math.min(offeredWh, Math.max(0, neededWh));
    this.soc = energyWh >= neededWh ? this.targetSocPct : this.soc + (energyWh * this.efficiency * 100) / this.capacityWh;
    return { currentA: (currentA * energyWh) / offeredWh, energyWh, phasesUsed };
  }
}

function clamp(v: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, v));
}
