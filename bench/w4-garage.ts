/**
 * W4, garage day: 200 EVSEs on a circuit tree (main 400 A per phase with a meter, four
 * sub-circuits of 125 A with 50 EVSEs each; 70 % 3-phase 16 A, 30 % 1-phase 32 A on rotating
 * phases), an office building load curve on the main, one visit per EVSE with arrivals peaking
 * 8-9 h. Pure simulation in 10 s steps; the meter reads what the previous step drew.
 *
 * Subject: decide() (allocation on the tree from the main meter, guard) every step, decreases
 * at once, increases at most every 30 s per EVSE (the dispatcher's minIntervalS).
 * Baseline: a static equal split: every EVSE gets its base share (safe under the worst-case
 * building load) all day.
 */
import { baseSharesOf, decide, initialDecideStates, type DecideStates } from '../src/control/decide.js';
import { buildStrategies } from '../src/control/strategy-registry.js';
import type { SiteSnapshot } from '../src/energy/strategy.js';
import type { CircuitNode, EvseLiveState, EvseModel } from '../src/energy/site-model.js';
import { PHASES, perPhase, type Phase, type PerPhase } from '../src/energy/phases.js';
import { EvModel } from '../src/sim/ev-model.js';
import { buildingLoadW, DEFAULT_BUILDING_CURVE } from '../src/sim/load-curves.js';
import { createPrng } from '../src/sim/prng.js';
import { randomEv } from '../src/sim/demo-scenario.js';

const DAY_MS = Date.UTC(2026, 5, 15);
const VOLTAGE_V = 230;
const STEP_S = 10;
const MAIN_A = 400;
const SUB_A = 125;
const MARGIN_A = 1;
/** Peak of the building curve per phase, A: the worst case the static split must survive. */
const BUILDING_PEAK_A = Math.max(...DEFAULT_BUILDING_CURVE.map((p) => p.powerW)) / 3 / VOLTAGE_V;

interface Visit {
  arriveS: number;
  leaveS: number;
  ev: EvModel;
}

export interface GarageDayResult {
  overloadS: number;
  /** Delivered EV power / min(available capacity, what EVs would take), over steps where EVs wanted more. */
  capacitySharePct: number;
  /** Jain's index over energy delivered 10:00-12:00 / what each EV could have taken, EVs present and wanting all along. */
  jain: number;
  deliveredKWh: number;
}

function site(prng: ReturnType<typeof createPrng>): { circuits: CircuitNode[]; evses: EvseModel[] } {
  const circuits: CircuitNode[] = [{ id: 'main', maxCurrentA: perPhase(MAIN_A), meterId: 'main' }];
  const evses: EvseModel[] = [];
  for (let c = 0; c < 4; c++) {
    circuits.push({ id: `sub-${c}`, parentId: 'main', maxCurrentA: perPhase(SUB_A) });
    for (let i = 0; i < 50; i++) {
      const n = c * 50 + i;
      const onePhase = prng.next() < 0.3;
      const rot: Phase[] = onePhase ? [PHASES[n % 3] ?? 'L1'] : ['L1', 'L2', 'L3'];
      evses.push({
        key: `G${String(n).padStart(3, '0')}/1`, circuitId: `sub-${c}`, phases: onePhase ? 1 : 3, phaseRotation: rot,
        minCurrentA: 6, maxCurrentA: onePhase ? 32 : 16, priority: 1, voltageV: VOLTAGE_V, bidirectional: false,
      });
    }
  }
  return { circuits, evses };
}

function visits(prng: ReturnType<typeof createPrng>, count: number): Visit[] {
  return Array.from({ length: count }, () => {
    // Arrival: sum of three uniforms around 8.5 h (peak 8-9 h, spread about +-1.5 h).
    const arriveH = 7 + prng.next() + prng.next() + prng.next();
    const dwellH = prng.between(4, 9);
    const spec = randomEv(prng);
    return { arriveS: arriveH * 3600, leaveS: (arriveH + dwellH) * 3600, ev: new EvModel(spec) };
  });
}

/** Jain's fairness index of values (1 = all equal). */
export function jainIndex(values: readonly number[]): number {
  const sum = values.reduce((s, v) => s + v, 0);
  const sq = values.reduce((s, v) => s + v * v, 0);
  return values.length === 0 || sq === 0 ? 1 : (sum * sum) / (values.length * sq);
}

export function simulateGarageDay(kind: 'subject' | 'baseline', seed = 21, onHour?: (h: number) => void): GarageDayResult {
  const prng = createPrng(seed);
  const { circuits, evses } = site(prng);
  const plan = visits(prng, evses.length);
  const strategies = buildStrategies([], { marginA: MARGIN_A, rotationPeriodS: 900, nominalVoltageV: VOLTAGE_V });
  const params = { marginA: MARGIN_A, worstCaseNonEvA: { main: perPhase(BUILDING_PEAK_A) } };
  let states: DecideStates = initialDecideStates(strategies);
  const sentA = new Map<string, number>();
  const lastIncreaseMs = new Map<string, number>();
  const drawA = new Map<string, number>();
  const baseShares = baseSharesOf({ nowMs: DAY_MS, circuits, evses, live: {}, meters: {}, meterRoles: {}, modes: {}, csmsProfiles: {} }, params);
  const windowWh = new Map<string, number>();
  const windowKeys = new Set(evses.map((e) => e.key));
  let overloadS = 0;
  let deliveredWh = 0;
  let usedW = 0;
  let usableW = 0;
  let mainA: PerPhase = perPhase(0);

  for (let t = 0; t < 86_400; t += STEP_S) {
    const nowMs = DAY_MS + t * 1000;
    if (t % 3600 === 0) onHour?.(t / 3600);
    const buildingA = buildingLoadW(DEFAULT_BUILDING_CURVE, [], nowMs) / 3 / VOLTAGE_V;
    const live: Record<string, EvseLiveState> = {};
    evses.forEach((e, i) => {
      const v = plan[i];
      const present = v !== undefined && t >= v.arriveS && t < v.leaveS;
      const d = drawA.get(e.key) ?? 0;
      live[e.key] = { key: e.key, active: present, controllable: true, measuredCurrentA: Array.from({ length: e.phases }, () => d), transactionId: `tx-${i}`, transactionStartedMs: DAY_MS + (v?.arriveS ?? 0) * 1000 };
    });

    if (kind === 'subject') {
      const snapshot: SiteSnapshot = {
        nowMs, circuits, evses, live,
        meters: { main: { meterId: 'main', timeMs: nowMs - 1000, currentA: mainA, ageS: 1, stale: false } },
        meterRoles: {}, modes: {}, csmsProfiles: {},
      };
      const r = decide(snapshot, states, { strategies, params, baseShares });
      states = r.states;
      for (const e of evses) {
        const want = r.limits[e.key]?.limit.maxCurrentA ?? 0;
        const sent = sentA.get(e.key) ?? 0;
        if (want < sent) sentA.set(e.key, want);
        else if (want >= sent + 1 && nowMs - (lastIncreaseMs.get(e.key) ?? -Infinity) >= 30_000) {
          sentA.set(e.key, want);
          lastIncreaseMs.set(e.key, nowMs);
        }
      }
    } else {
      for (const e of evses) sentA.set(e.key, baseShares[e.key]?.maxCurrentA ?? 0);
    }

    // Physics: each present EV draws what it is offered up to what it accepts.
    const sub: Record<string, PerPhase> = {};
    const evOnMain = perPhase(0);
    let wantW = 0;
    let drawW = 0;
    let someWantMore = false;
    evses.forEach((e, i) => {
      const v = plan[i];
      const present = live[e.key]?.active === true && v !== undefined;
      const phasesUsed = v ? Math.min(v.ev.phases, e.phases) : e.phases;
      const acceptA = present ? Math.min(v.ev.acceptanceA(), e.maxCurrentA) : 0;
      const step = present ? v.ev.step(STEP_S, sentA.get(e.key) ?? 0, VOLTAGE_V, e.phases) : { currentA: 0, energyWh: 0 };
      drawA.set(e.key, step.currentA);
      deliveredWh += step.energyWh;
      if (t >= 10 * 3600 && t < 12 * 3600) {
        if (!present || acceptA <= 0) windowKeys.delete(e.key);
        else windowWh.set(e.key, (windowWh.get(e.key) ?? 0) + step.energyWh / (acceptA * phasesUsed * VOLTAGE_V));
      }
      if (present && step.currentA + 0.5 < acceptA) someWantMore = true;
      wantW += acceptA * phasesUsed * VOLTAGE_V;
      drawW += step.currentA * phasesUsed * VOLTAGE_V;
      const s = (sub[e.circuitId] ??= perPhase(0));
      for (const p of e.phaseRotation.slice(0, phasesUsed)) {
        s[p] += step.currentA;
        evOnMain[p] += step.currentA;
      }
    });
    mainA = { L1: buildingA + evOnMain.L1, L2: buildingA + evOnMain.L2, L3: buildingA + evOnMain.L3 };
    const over = PHASES.some((p) => mainA[p] > MAIN_A) || Object.values(sub).some((s) => PHASES.some((p) => s[p] > SUB_A));
    if (over) overloadS += STEP_S;
    if (someWantMore) {
      const availableW = 3 * Math.max(0, MAIN_A - MARGIN_A - buildingA) * VOLTAGE_V;
      usableW += Math.min(availableW, wantW);
      usedW += drawW;
    }
  }
  const jain = jainIndex([...windowKeys].map((k) => windowWh.get(k) ?? 0));
  return { overloadS, capacitySharePct: usableW > 0 ? (usedW / usableW) * 100 : 100, jain, deliveredKWh: deliveredWh / 1000 };
}
