/**
 * W4, garage day with real timing: the hub's own controller and dispatcher (in process, on a fake
 * clock) against 200 simulated chargers that follow a new limit 5 s late (both ways) and report
 * their current every 10 s, a grid meter that reports the true sum every second, and a building
 * load that follows the office curve plus random steps. One simulated second per step.
 *
 * Overload caused by the hub: a second in which some circuit phase is over its limit although it
 * would not be if every EV drew no more than the limit its charger held when the building load
 * last stepped up (so overloads that only the building's rise explains are not counted; an
 * increase the hub made after it, or made before a decrease had taken effect, is).
 * Clawback: an increase on an EVSE followed within 60 s by a decrease on it while the building
 * load did not rise in between.
 *
 * Subject: this release (aligned non-EV estimate, staged increases, make before break, decisions
 * at once on a rising meter). Baseline: the same code with the earlier release's behaviour
 * switched back on (latest-report estimate, no staging, no settle wait, 200 ms gathering window).
 */
import { Controller } from '../src/control/controller.js';
import { Dispatcher } from '../src/control/dispatcher.js';
import { buildStrategies } from '../src/control/strategy-registry.js';
import { gridPhases } from '../src/energy/allocation/index.js';
import type { CircuitNode, EvseLiveState, EvseModel } from '../src/energy/site-model.js';
import type { AgedReading } from '../src/energy/meter-reading.js';
import { PHASES, perPhase, type Phase, type PerPhase } from '../src/energy/phases.js';
import { EvModel } from '../src/sim/ev-model.js';
import { buildingLoadW, DEFAULT_BUILDING_CURVE } from '../src/sim/load-curves.js';
import { createPrng } from '../src/sim/prng.js';
import { randomEv } from '../src/sim/demo-scenario.js';
import { FakeClock } from '../src/util/fake-clock.js';
import { silentLogger } from '../src/util/logger.js';

const DAY_MS = Date.UTC(2026, 5, 15);
const VOLTAGE_V = 230;
const MARGIN_A = 1;
const FOLLOW_MS = 5_000;
const REPORT_S = 10;
const BUILDING_PEAK_A = Math.max(...DEFAULT_BUILDING_CURVE.map((p) => p.powerW)) / 3 / VOLTAGE_V;

export type TimingVariant = 'subject' | 'baseline';

export interface TimingResult {
  simulatedS: number;
  overloadS: number;
  hubOverloadS: number;
  writesPerEvsePerDay: number;
  maxWritesPerEvsePerHour: number;
  clawbacks: number;
  capacitySharePct: number;
  deliveredKWh: number;
  /** Seconds from plug-in to a first offer of at least the minimum, median / max, over EVs that got one. */
  firstOfferP50S: number;
  firstOfferP95S: number;
  firstOfferMaxS: number;
  /**
   * The same over EVs that arrived while capacity allowed: at plug-in, every circuit phase on their
   * way had at least their minimum free beyond the building load, the margin and the limits the
   * chargers held (nobody had to give anything up), and no other EV present was waiting for an
   * offer. Count, median, 95th percentile.
   */
  roomyArrivals: number;
  firstOfferRoomyP50S: number;
  firstOfferRoomyP95S: number;
}

interface Charger {
  evse: EvseModel;
  arriveS: number;
  leaveS: number;
  ev: EvModel;
  /** Limit the charger holds (accepted), and the limit the EV follows (5 s later). */
  heldA: number;
  followedA: number;
  follow: Array<{ atMs: number; limitA: number }>;
  drawA: number;
  reportOffsetS: number;
  lastIncreaseMs?: number;
  firstOfferS?: number;
  /** Capacity allowed its minimum when it arrived (see roomyArrivals). */
  roomyAtArrival?: boolean;
}

function site(prng: ReturnType<typeof createPrng>, count: number, MAIN_A: number, SUB_A: number): { circuits: CircuitNode[]; evses: EvseModel[] } {
  const circuits: CircuitNode[] = [{ id: 'main', maxCurrentA: perPhase(MAIN_A), meterId: 'main' }];
  const evses: EvseModel[] = [];
  const perSub = Math.ceil(count / 4);
  for (let c = 0; c < 4; c++) {
    circuits.push({ id: `sub-${c}`, parentId: 'main', maxCurrentA: perPhase(SUB_A) });
    for (let i = 0; i < perSub && evses.length < count; i++) {
      const n = evses.length;
      const onePhase = prng.next() < 0.3;
      const rot: Phase[] = onePhase ? [PHASES[n % 3] ?? 'L1'] : ['L1', 'L2', 'L3'];
      evses.push({ key: `G${String(n).padStart(3, '0')}/1`, circuitId: `sub-${c}`, phases: onePhase ? 1 : 3, phaseRotation: rot, minCurrentA: 6, maxCurrentA: onePhase ? 32 : 16, priority: 1, voltageV: VOLTAGE_V, bidirectional: false });
    }
  }
  return { circuits, evses };
}

/** Random building steps (A per phase on top of the curve): every 2-10 min, -20..+25 A, never below 0 in sum. */
function buildingSteps(prng: ReturnType<typeof createPrng>, fromS: number, toS: number): Array<{ atS: number; deltaA: number }> {
  const out: Array<{ atS: number; deltaA: number }> = [];
  let level = 0;
  for (let t = fromS + prng.between(60, 600); t < toS; t += prng.between(120, 600)) {
    const next = Math.max(0, Math.min(40, level + prng.between(-20, 25)));
    out.push({ atS: Math.round(t), deltaA: next });
    level = next;
  }
  return out;
}

export async function simulateGarageTiming(variant: TimingVariant, opts: { fromH: number; hours: number; evses: number; seed?: number; onHour?: (h: number) => void }): Promise<TimingResult> {
  const prng = createPrng(opts.seed ?? 21);
  // The workload's garage has 200 EVSEs; a smaller run scales the fuses with it, so it stays contested.
  const scale = opts.evses / 200;
  const MAIN_A = 400 * scale;
  const SUB_A = 125 * scale;
  const { circuits, evses } = site(prng, opts.evses, MAIN_A, SUB_A);
  const fromS = opts.fromH * 3600;
  const toS = fromS + opts.hours * 3600;
  const clock = new FakeClock(DAY_MS + fromS * 1000);
  const chargers: Charger[] = evses.map((evse) => {
    const arriveH = 7 + prng.next() + prng.next() + prng.next();
    const dwellH = prng.between(4, 9);
    return { evse, arriveS: arriveH * 3600, leaveS: (arriveH + dwellH) * 3600, ev: new EvModel(randomEv(prng)), heldA: 0, followedA: 0, follow: [], drawA: 0, reportOffsetS: prng.int(0, REPORT_S - 1) };
  });
  const byKey = new Map(chargers.map((c) => [c.evse.key, c]));
  const steps = buildingSteps(prng, fromS, toS);
  const subject = variant === 'subject';

  const live: Record<string, EvseLiveState> = {};
  let meter: AgedReading | undefined;
  let writes = 0;
  const writesByEvseHour = new Map<string, number>();
  let lastBuildingRiseMs = -Infinity;
  let clawbacks = 0;
  /** Limit each charger held at the last building rise. */
  let heldAtRise = new Map<string, number>();

  const dispatcher = new Dispatcher({
    clock,
    log: silentLogger(),
    versionOf: () => '2.0.1',
    leaseS: 300,
    minIntervalS: 30,
    hysteresisA: 1,
    settleS: subject ? 30 : 0,
    lapseToBase: subject,
    sharesCapacity: (a, b) => {
      const pa = gridPhases(byKey.get(a)?.evse as EvseModel);
      return gridPhases(byKey.get(b)?.evse as EvseModel).some((p) => pa.includes(p));
    },
    follows: (key, limitA, sinceMs) => {
      const s = live[key]?.samples;
      const last = s?.[s.length - 1];
      return last !== undefined && last.timeMs > sinceMs && Math.max(0, ...last.currentA) <= limitA + 1;
    },
    send: (stationId, _action, payload) => {
      const p = payload as { evseId: number; chargingProfile: { stackLevel: number; chargingSchedule: Array<{ chargingSchedulePeriod: Array<{ limit: number }> }> } };
      const c = byKey.get(`${stationId}/${p.evseId}`);
      if (c && p.chargingProfile.stackLevel === 2) {
        const limitA = p.chargingProfile.chargingSchedule[0]?.chargingSchedulePeriod[0]?.limit ?? 0;
        const nowMs = clock.nowMs();
        writes++;
        const hk = `${c.evse.key}@${Math.floor(nowMs / 3_600_000)}`;
        writesByEvseHour.set(hk, (writesByEvseHour.get(hk) ?? 0) + 1);
        if (limitA > c.heldA + 1e-9) c.lastIncreaseMs = nowMs;
        else if (limitA < c.heldA - 1e-9 && c.lastIncreaseMs !== undefined && nowMs - c.lastIncreaseMs <= 60_000 && lastBuildingRiseMs < c.lastIncreaseMs) clawbacks++;
        c.heldA = limitA;
        c.follow.push({ atMs: nowMs + FOLLOW_MS, limitA });
        if (c.firstOfferS === undefined && limitA >= c.evse.minCurrentA && nowMs / 1000 - DAY_MS / 1000 >= c.arriveS) c.firstOfferS = (nowMs - DAY_MS) / 1000 - c.arriveS;
      }
      return Promise.resolve({ status: 'Accepted' });
    },
  });
  const strategies = buildStrategies([], { marginA: MARGIN_A, rotationPeriodS: 900, nominalVoltageV: VOLTAGE_V, nonEvEstimator: subject ? 'aligned' : 'latest', followS: 30 });
  const controller = new Controller({
    clock,
    log: silentLogger(),
    site: { circuits, evses, meterRoles: {}, worstCaseNonEvA: { main: perPhase((BUILDING_PEAK_A + 40) * scale) } },
    strategies: strategies.map((strategy) => ({ strategy })),
    snapshot: () => ({ meters: meter ? { main: meter } : ({} as Record<string, AgedReading>), live }),
    dispatcher,
    debounceMs: 200,
    decideAtOnceOnRise: subject,
    failsafe: { staleAfterS: 10 },
    params: { marginA: MARGIN_A, nonEvEstimator: subject ? 'aligned' : 'latest', followS: 30, rampReserve: subject },
  });
  controller.start();

  /** Whether every circuit phase on the charger's way has its minimum free beyond building, margin and the limits chargers hold. */
  const roomFor = (c: Charger, buildingA: number): boolean => {
    const heldMain = perPhase(0);
    const heldSub = perPhase(0);
    for (const o of chargers) {
      for (const p of gridPhases(o.evse)) {
        heldMain[p] += o.heldA;
        if (o.evse.circuitId === c.evse.circuitId) heldSub[p] += o.heldA;
      }
    }
    // Capacity allows only when nobody else present waits for a first offer or a turn.
    if (chargers.some((o) => o !== c && live[o.evse.key]?.active && o.heldA < o.evse.minCurrentA)) return false;
    return gridPhases(c.evse).every((p) => MAIN_A - MARGIN_A - buildingA - heldMain[p] >= c.evse.minCurrentA && SUB_A - MARGIN_A - heldSub[p] >= c.evse.minCurrentA);
  };
  let overloadS = 0;
  let hubOverloadS = 0;
  let usedW = 0;
  let usableW = 0;
  let deliveredWh = 0;
  let stepIndex = 0;
  let extraA = 0;
  for (let t = fromS; t < toS; t++) {
    if ((t - fromS) % 3600 === 0) opts.onHour?.(t / 3600);
    const nowMs = DAY_MS + t * 1000;
    while (stepIndex < steps.length && (steps[stepIndex]?.atS ?? Infinity) <= t) {
      const next = steps[stepIndex]?.deltaA ?? 0;
      if (next > extraA) {
        lastBuildingRiseMs = nowMs;
        heldAtRise = new Map(chargers.map((c) => [c.evse.key, c.followedA]));
      }
      extraA = next;
      stepIndex++;
    }
    const buildingA = (buildingLoadW(DEFAULT_BUILDING_CURVE, [], nowMs) / 3 / VOLTAGE_V + extraA) * scale;

    // Physics for this second: EVs follow the limit their charger accepted 5 s ago.
    const mainA = perPhase(buildingA);
    const cfMainA = perPhase(buildingA);
    const sub: Record<string, PerPhase> = {};
    const cfSub: Record<string, PerPhase> = {};
    let someWantMore = false;
    let wantW = 0;
    let drawW = 0;
    for (const c of chargers) {
      while (c.follow.length > 0 && (c.follow[0]?.atMs ?? Infinity) <= nowMs) c.followedA = c.follow.shift()?.limitA ?? c.followedA;
      const present = t >= c.arriveS && t < c.leaveS;
      const key = c.evse.key;
      if (present && !live[key]?.active) {
        live[key] = { key, active: true, controllable: true, transactionId: `tx-${key}`, transactionStartedMs: nowMs };
        if (t > fromS) c.roomyAtArrival = roomFor(c, buildingA);
      }
      if (!present && live[key]?.active) {
        live[key] = { key, active: false, controllable: true };
        controller.trigger(`ended ${key}`);
      }
      const st = present ? c.ev.step(1, c.followedA, VOLTAGE_V, c.evse.phases) : { currentA: 0, energyWh: 0, phasesUsed: c.evse.phases };
      c.drawA = st.currentA;
      deliveredWh += st.energyWh;
      const cfA = Math.min(c.drawA, lastBuildingRiseMs > -Infinity ? (heldAtRise.get(key) ?? 0) : 0);
      const phases = gridPhases(c.evse).slice(0, st.phasesUsed);
      for (const p of phases) {
        mainA[p] += c.drawA;
        cfMainA[p] += cfA;
        (sub[c.evse.circuitId] ??= perPhase(0))[p] += c.drawA;
        (cfSub[c.evse.circuitId] ??= perPhase(0))[p] += cfA;
      }
      if (present) {
        const acceptA = Math.min(c.ev.acceptanceA(), c.evse.maxCurrentA);
        if (c.drawA + 0.5 < acceptA) someWantMore = true;
        wantW += acceptA * phases.length * VOLTAGE_V;
        drawW += c.drawA * phases.length * VOLTAGE_V;
        if (present && (t - c.reportOffsetS) % REPORT_S === 0) {
          const prev = live[key];
          const sample = { timeMs: nowMs, currentA: Array.from({ length: c.evse.phases }, () => c.drawA) };
          live[key] = { ...(prev as EvseLiveState), measuredCurrentA: [...sample.currentA], samples: [...(prev?.samples ?? []).slice(-30), sample] };
          controller.trigger(`report ${key}`);
        }
      }
    }
    const over = PHASES.some((p) => mainA[p] > MAIN_A) || Object.values(sub).some((s) => PHASES.some((p) => s[p] > SUB_A));
    const cfOver = PHASES.some((p) => cfMainA[p] > MAIN_A) || Object.values(cfSub).some((s) => PHASES.some((p) => s[p] > SUB_A));
    if (over) overloadS++;
    if (over && !cfOver) hubOverloadS++;
    if (someWantMore) {
      usableW += Math.min(3 * Math.max(0, MAIN_A - MARGIN_A - buildingA) * VOLTAGE_V, wantW);
      usedW += drawW;
    }

    // The meter reads this second's truth; the controller sees it at once (rising) or debounced.
    meter = { meterId: 'main', timeMs: nowMs, currentA: { ...mainA }, ageS: 0, stale: false };
    controller.meterReading(meter);
    for (let ms = 0; ms < 1000; ms += 100) {
      clock.advanceMs(100);
      await Promise.resolve();
      await Promise.resolve();
    }
  }
  controller.stop();
  dispatcher.stop();
  const firsts = chargers.map((c) => c.firstOfferS).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  const roomy = chargers.filter((c) => c.roomyAtArrival === true).map((c) => c.firstOfferS ?? Infinity).sort((a, b) => a - b);
  const pct = (xs: number[], q: number): number => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? NaN;
  const evseCount = Math.max(1, chargers.filter((c) => c.arriveS < toS && c.leaveS > fromS).length);
  return {
    simulatedS: toS - fromS,
    overloadS,
    hubOverloadS,
    writesPerEvsePerDay: (writes / evseCount) * (24 / opts.hours),
    maxWritesPerEvsePerHour: Math.max(0, ...writesByEvseHour.values()),
    clawbacks,
    capacitySharePct: usableW > 0 ? (usedW / usableW) * 100 : 100,
    deliveredKWh: deliveredWh / 1000,
    firstOfferP50S: firsts[Math.floor(firsts.length / 2)] ?? NaN,
    firstOfferP95S: pct(firsts, 0.95),
    firstOfferMaxS: firsts[firsts.length - 1] ?? NaN,
    roomyArrivals: roomy.length,
    firstOfferRoomyP50S: pct(roomy, 0.5),
    firstOfferRoomyP95S: pct(roomy, 0.95),
  };
}
