/**
 * A simulated site meter and PV inverter. At every interval (through the injected Clock) it
 * publishes, as JSON on MQTT topics, the building load, the PV output and the grid-connection
 * meter, where grid = building + EVs - PV per phase. It takes a publish function rather than an
 * MQTT client so that it stays testable.
 *
 * Payload (all topics): { "timeMs", "powerW", "currentA": {"L1","L2","L3"}, "voltageV": {...},
 * "frequencyHz", "energyWh" }. Signs follow MeterReading: the grid meter is positive when the
 * site imports and negative when it exports; the PV meter is negative when it produces.
 */
import { mapPhases, perPhase, PHASES, type PerPhase } from '../energy/phases.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import {
  buildingLoadW,
  DEFAULT_BUILDING_CURVE,
  makeClouds,
  pvW,
  type Cloud,
  type CurvePoint,
  type LoadStep,
  type PvSpec,
} from './load-curves.js';
import { createPrng } from './prng.js';

export interface SimMeterTopics {
  grid: string;
  pv: string;
  building: string;
}

export const DEFAULT_METER_TOPICS: SimMeterTopics = {
  grid: 'switchyard/sim/grid',
  pv: 'switchyard/sim/pv',
  building: 'switchyard/sim/building',
};

export interface SimMeterDeps {
  clock: Clock;
  publish: (topic: string, payload: string) => void | Promise<void>;
  /** Current the EVs draw now per grid phase, A (e.g. fleet.drawnCurrentA). */
  evCurrentA: () => PerPhase;
  intervalS?: number;
  topics?: Partial<SimMeterTopics>;
  /** Nominal phase voltage, V (default 230). */
  voltageV?: number;
  /** Daily building load curve (total over three phases). */
  buildingCurve?: readonly CurvePoint[];
  /** Share of the building load on L1, L2, L3 (default equal). */
  buildingPhaseShare?: PerPhase;
  steps?: readonly LoadStep[];
  /** PV array; none when absent. */
  pv?: PvSpec & { phases?: 1 | 3; cloudsPerHour?: number };
  seed?: number;
}

export interface SimMeterSample {
  timeMs: number;
  building: PerPhase;
  pv: PerPhase;
  ev: PerPhase;
  grid: PerPhase;
}

const CLOUD_HORIZON_MS = 7 * 86_400_000;

export class SimMeter {
  private readonly deps: SimMeterDeps;
  private readonly topics: SimMeterTopics;
  private readonly voltageV: number;
  private readonly steps: LoadStep[];
  private readonly clouds: Cloud[];
  private readonly energyWh = { grid: 0, pv: 0, building: 0 };
  private lastMs: number | undefined;
  private timer: TimerHandle | undefined;

  constructor(deps: SimMeterDeps) {
    this.deps = deps;
    this.topics = { ...DEFAULT_METER_TOPICS, ...deps.topics };
    this.voltageV = deps.voltageV ?? 230;
    this.steps = [...(deps.steps ?? [])];
    const now = deps.clock.nowMs();
    this.clouds = deps.pv ? makeClouds(createPrng(deps.seed ?? 1), now, now + CLOUD_HORIZON_MS, deps.pv.cloudsPerHour ?? 2) : [];
  }

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Adds a step to the building load from now (W, for durationS or for good). */
  addStep(deltaW: number, durationS?: number): void {
    this.steps.push({ atMs: this.deps.clock.nowMs(), deltaW, durationS });
  }

  /** Currents per phase now, A: building and EVs import, PV produces (shown positive here). */
  sample(): SimMeterSample {
    const timeMs = this.deps.clock.nowMs();
    const share = this.deps.buildingPhaseShare ?? perPhase(1 / 3);
    const buildingW = buildingLoadW(this.deps.buildingCurve ?? DEFAULT_BUILDING_CURVE, this.steps, timeMs);
    const building = mapPhases(share, (s) => (buildingW * s) / this.voltageV);
    const pv = this.pvCurrentA(timeMs);
    const ev = this.deps.evCurrentA();
    const grid = mapPhases(building, (b, p) => b + ev[p] - pv[p]);
    return { timeMs, building, pv, ev, grid };
  }

  /** Takes a sample and publishes it on the three topics. */
  publishNow(): SimMeterSample {
    const s = this.sample();
    const dtH = this.lastMs === undefined ? 0 : (s.timeMs - this.lastMs) / 3_600_000;
    this.lastMs = s.timeMs;
    const pvNeg = mapPhases(s.pv, (a) => -a);
    for (const [key, currentA] of [
      ['grid', s.grid],
      ['pv', pvNeg],
      ['building', s.building],
    ] as const) {
      const powerW = PHASES.reduce((sum, p) => sum + currentA[p] * this.voltageV, 0);
      this.energyWh[key] += powerW * dtH;
      const payload = {
        timeMs: s.timeMs,
        powerW: round(powerW),
        currentA: mapPhases(currentA, round),
        voltageV: perPhase(this.voltageV),
        frequencyHz: 50,
        energyWh: round(this.energyWh[key]),
      };
      void this.deps.publish(this.topics[key], JSON.stringify(payload));
    }
    return s;
  }

  private pvCurrentA(tMs: number): PerPhase {
    const pv = this.deps.pv;
    if (!pv) return perPhase(0);
    const w = pvW(pv, this.clouds, tMs);
    if ((pv.phases ?? 3) === 1) return { L1: w / this.voltageV, L2: 0, L3: 0 };
    return perPhase(w / 3 / this.voltageV);
  }

  private schedule(): void {
    this.timer = this.deps.clock.setTimeout(() => {
      this.publishNow();
      this.schedule();
    }, (this.deps.intervalS ?? 1) * 1000);
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
