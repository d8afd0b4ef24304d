import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPrng } from '../../../src/sim/prng.js';
import type { FollowCharger, FollowChargerSpec } from '../sim/follow-charger.js';
import { useLoopSites, type LoopSiteContext, type SimEvent } from '../sim/loop-site.js';
import { BuildingLoad } from '../sim/building-load.js';
import { capacityAllows, clawbacks, firstOfferMs, judgeOverloads, writesIn, type JudgedCircuit } from './loop-judge.js';
import { meteredSiteHead } from './loop-site-yaml.js';
import { DECISION_MODES, type DecisionMode } from '../../helpers/decision-modes.js';
import type { ControllerStats } from '../../../src/control/controller.js';

/**
 * The whole control loop as a site operator meets it, judged from the chargers' side only.
 * A real broker (embedded aedes, or Mosquitto at MQTT_URL), the real hub, and 14 chargers built on
 * ocpp-rpc (strict mode, official schemas; 1.6 and 2.0.1, 3-phase and 1-phase with mixed phase
 * rotation) on the garage's circuit tree (site-config/garage.yaml: main 160 A with the grid
 * meter, rows of 50, 50 and 40 A, its energy settings). Each EV draws what it is offered but
 * follows every new limit 2-8 s late (decreases too); chargers report their current every 1 s
 * or every 10 s. The grid meter publishes every second the building load plus what the EVs
 * really draw at that instant, so it sees a new EV load before the charger reports it. The
 * building load steps at random (seeded) instants. Everything runs on one fake clock, moved on
 * from event to event, so a run is the same on any machine.
 *
 * Timeline (simulated): EVs plug in one every 20 s from 30 s on; the building steps at random
 * between 330 s and 630 s; then nothing happens for 3 minutes (calm), and the 5 minutes after
 * that are the steady state whose write rate is judged.
 *
 * The same run is judged twice: with decisions at once (as a site this small runs), and with
 * every decision that may wait run step by step over simulated time (as sites of 500 EVSEs or
 * more run them), meter readings and charger reports arriving between the steps.
 */

const newSite = useLoopSites();

interface ChargerPlan extends FollowChargerSpec {
  circuit: 'row-a' | 'row-b' | 'row-c';
  /** What the EV wants, A per phase. */
  wantA: number;
}

const s3 = (rotation: FollowChargerSpec['rotation']) => ({ phases: 3 as const, rotation, maxCurrentA: 16 });
const s1 = (phase: 'L1' | 'L2' | 'L3') => ({ phases: 1 as const, rotation: [phase], maxCurrentA: 32 });
const PLANS: ChargerPlan[] = [
  { id: 'G01', version: '1.6', circuit: 'row-a', ...s3(['L1', 'L2', 'L3']), followDelayS: 5, reportPeriodS: 1, wantA: 32 },
  { id: 'G02', version: '2.0.1', circuit: 'row-a', ...s3(['L2', 'L3', 'L1']), followDelayS: 5, reportPeriodS: 10, wantA: 32 },
  { id: 'G03', version: '1.6', circuit: 'row-a', ...s3(['L3', 'L1', 'L2']), followDelayS: 2, reportPeriodS: 10, wantA: 32 },
  { id: 'G04', version: '2.0.1', circuit: 'row-a', ...s1('L1'), followDelayS: 5, reportPeriodS: 1, wantA: 32 },
  { id: 'G05', version: '1.6', circuit: 'row-a', ...s1('L2'), followDelayS: 5, reportPeriodS: 10, wantA: 10 },
  { id: 'G06', version: '2.0.1', circuit: 'row-a', ...s3(['L1', 'L2', 'L3']), followDelayS: 5, reportPeriodS: 10, wantA: 32 },
  { id: 'G07', version: '1.6', circuit: 'row-b', ...s3(['L2', 'L3', 'L1']), followDelayS: 5, reportPeriodS: 1, wantA: 32 },
  { id: 'G08', version: '2.0.1', circuit: 'row-b', ...s3(['L3', 'L1', 'L2']), followDelayS: 8, reportPeriodS: 10, wantA: 32 },
  { id: 'G09', version: '1.6', circuit: 'row-b', ...s3(['L1', 'L2', 'L3']), followDelayS: 5, reportPeriodS: 10, wantA: 32 },
  { id: 'G10', version: '2.0.1', circuit: 'row-b', ...s1('L3'), followDelayS: 5, reportPeriodS: 1, wantA: 32 },
  { id: 'G11', version: '1.6', circuit: 'row-b', ...s3(['L2', 'L3', 'L1']), followDelayS: 5, reportPeriodS: 10, wantA: 11 },
  { id: 'G12', version: '2.0.1', circuit: 'row-b', ...s3(['L3', 'L1', 'L2']), followDelayS: 5, reportPeriodS: 1, wantA: 32 },
  { id: 'G13', version: '1.6', circuit: 'row-c', phases: 3, rotation: ['L1', 'L2', 'L3'], maxCurrentA: 22, followDelayS: 3, reportPeriodS: 1, wantA: 32 },
  { id: 'G14', version: '2.0.1', circuit: 'row-c', phases: 3, rotation: ['L2', 'L3', 'L1'], maxCurrentA: 22, followDelayS: 5, reportPeriodS: 10, wantA: 32 },
];
const ARRIVALS = ['G01', 'G07', 'G13', 'G02', 'G08', 'G14', 'G03', 'G09', 'G04', 'G10', 'G05', 'G11', 'G06', 'G12'];

const MAIN_A = 160;
const ROWS = { 'row-a': 50, 'row-b': 50, 'row-c': 40 } as const;
const ENERGY = { marginA: 2, leaseS: 120, minIntervalS: 10, hysteresisA: 1, debounceMs: 200 };
/** The dispatcher renews a lease at 2/3 of it (docs/architecture.md): the steady-state write rate the issue allows. */
const RENEWAL_S = (ENERGY.leaseS * 2) / 3;
const FIRST_OFFER_GOAL_MS = 2_000;

const S = 1000;
const T = { arrivalsFromS: 30, arrivalEveryS: 20, stepsFromS: 330, stepsUntilS: 630, calmS: 180, windowS: 300 };
const WINDOW_FROM_S = T.stepsUntilS + T.calmS;
const END_S = WINDOW_FROM_S + T.windowS;
const SEED = 9;

function yaml(ctx: LoopSiteContext): string {
  const stations = PLANS.map(
    (p) => `  - { id: ${p.id}, securityProfile: 0, evses: [{ id: 1, circuit: ${p.circuit}, phases: ${p.phases}, phaseRotation: [${p.rotation.join(', ')}], maxCurrentA: ${p.maxCurrentA} }] }`,
  );
  return `${meteredSiteHead(ctx, ENERGY)}
circuits:
  - { id: main, maxCurrentA: ${MAIN_A}, meter: grid, worstCaseNonEvA: 50 }
  - { id: row-a, parent: main, maxCurrentA: ${ROWS['row-a']}, worstCaseNonEvA: 0 }
  - { id: row-b, parent: main, maxCurrentA: ${ROWS['row-b']}, worstCaseNonEvA: 0 }
  - { id: row-c, parent: main, maxCurrentA: ${ROWS['row-c']}, worstCaseNonEvA: 0 }
stations:
${stations.join('\n')}
authorization:
  list: [{ idToken: CAR }]
`;
}

interface Run {
  t0: number;
  chargers: FollowCharger[];
  building: BuildingLoad;
  circuits: { main: JudgedCircuit; rows: Record<string, JudgedCircuit> };
  otherCalls: string[];
  control: ControllerStats;
}

async function runGarage(mode: DecisionMode): Promise<Run> {
  const site = await newSite({ yaml, decisions: mode });
  const t0 = site.clock.nowMs();
  const chargers = await site.addFollowChargers(PLANS, 'CAR');
  const plan = (c: FollowCharger) => PLANS.find((p) => p.id === c.id) as ChargerPlan;
  const rng = createPrng(SEED);
  const building = new BuildingLoad({ L1: 25, L2: 25, L3: 25 }, t0);
  for (let s = T.stepsFromS; s < T.stepsUntilS; s += rng.int(20, 60)) {
    building.step(t0 + s * S, { L1: rng.int(15, 50), L2: rng.int(15, 50), L3: rng.int(15, 50) });
  }
  const events: SimEvent[] = ARRIVALS.map((id, i) => {
    const c = chargers.find((x) => x.id === id) as FollowCharger;
    return { atMs: t0 + (T.arrivalsFromS + i * T.arrivalEveryS) * S, run: () => c.plugIn(plan(c).wantA) };
  });
  await site.simulate({ untilMs: t0 + END_S * S, meterPeriodMs: 1000, gridA: site.gridOf(building), events });

  const rows = Object.fromEntries(
    Object.entries(ROWS).map(([id, limitA]) => [id, { id, limitA, carriesBuilding: false, chargers: chargers.filter((c) => plan(c).circuit === id) }]),
  );
  const main = { id: 'main', limitA: MAIN_A, carriesBuilding: true, chargers };
  const control = site.hub.energy.controller.stats();
  return { t0, chargers, building, circuits: { main, rows }, otherCalls: chargers.flatMap((c) => c.otherCalls.map((m) => `${c.id}:${m}`)), control };
}

describe.each(DECISION_MODES)('the control loop, judged from the chargers of a garage ($name)', (mode) => {
  let run: Run;
  beforeAll(async () => {
    run = await runGarage(mode);
    if (process.env.LOOP_TEST_REPORT) {
      const fingerprint = createHash('sha256')
        .update(JSON.stringify(run.chargers.map((c) => [c.id, c.writes.map((w) => [w.atMs - run.t0, w.offeredAfterA])])))
        .digest('hex')
        .slice(0, 16);
      const writes = run.chargers.reduce((n, c) => n + c.writes.length, 0);
      console.info(`loop run (${mode.name}): ${writes} writes, fingerprint ${fingerprint}, calls the chargers did not expect: ${run.otherCalls.join(', ') || 'none'}; decisions ${JSON.stringify(run.control)}`);
    }
  }, 900_000);

  const rel = (tMs: number) => (tMs - run.t0) / 1000;

  it(mode.steppedFromEvses === 0 ? 'runs decisions step by step, some superseded by urgent ones' : 'runs every decision at once', () => {
    if (mode.steppedFromEvses === 0) {
      expect(run.control.stepped).toBeGreaterThan(0);
      expect(run.control.superseded).toBeGreaterThan(0);
    } else {
      expect(run.control.stepped).toBe(0);
    }
  });

  it('never takes a circuit phase over its limit by a hub write', () => {
    const all = [run.circuits.main, ...Object.values(run.circuits.rows)];
    const report = judgeOverloads(all, run.building, run.t0, run.t0 + END_S * S);
    const hubCaused = report.episodes.filter((e) => e.hubCaused).map((e) => `${e.circuit} ${e.phase} ${rel(e.fromMs)}-${rel(e.toMs)} s +${e.peakOverA.toFixed(1)} A`);
    if (process.env.LOOP_TEST_REPORT) console.info(`overload: ${report.hubCausedS} s hub-caused, ${report.anyS} s in all; ${hubCaused.slice(0, 10).join('; ')}`);
    expect({ hubCausedS: report.hubCausedS, episodes: hubCaused.slice(0, 10) }).toEqual({ hubCausedS: 0, episodes: [] });
  });

  it('writes each charger at most once per lease renewal in a steady state', () => {
    const fromMs = run.t0 + WINDOW_FROM_S * S;
    const counts = writesIn(run.chargers, fromMs, run.t0 + END_S * S);
    const allowed = Math.floor(T.windowS / RENEWAL_S) + 1;
    const over = Object.fromEntries(Object.entries(counts).filter(([, n]) => n > allowed));
    if (process.env.LOOP_TEST_REPORT) {
      const perMin = Object.values(counts).map((n) => n / (T.windowS / 60));
      console.info(`steady writes per charger per minute: max ${Math.max(...perMin).toFixed(2)}, mean ${(perMin.reduce((a, b) => a + b, 0) / perMin.length).toFixed(2)} (allowed ${allowed} in ${T.windowS} s); ${JSON.stringify(counts)}`);
    }
    expect(over).toEqual({});
  });

  it('claws back no increase', () => {
    const exogenous = [...run.building.changeTimes(), ...run.chargers.flatMap((c) => (c.plugMs !== undefined ? [c.plugMs] : []))];
    const all = clawbacks(run.chargers, exogenous);
    const found = all.map((c) => `${c.charger} ${c.fromA}->${c.toA} A at ${rel(c.increaseAtMs)} s, down to ${c.downToA} A at ${rel(c.decreaseAtMs)} s`);
    if (process.env.LOOP_TEST_REPORT) {
      const per: Record<string, number> = {};
      for (const c of all) per[c.charger] = (per[c.charger] ?? 0) + 1;
      console.info(`clawbacks: ${found.length} ${JSON.stringify(per)}; ${found.slice(0, 10).join('; ')}`);
    }
    expect(found.slice(0, 10)).toEqual([]);
  });

  it('offers a newly plugged-in EV its minimum within 2 s when capacity allows', () => {
    const judged = run.chargers.map((c) => {
      const plugMs = c.plugMs as number;
      const path = [run.circuits.rows[PLANS.find((p) => p.id === c.id)?.circuit ?? ''] as JudgedCircuit, run.circuits.main];
      const offerMs = firstOfferMs(c);
      return { id: c.id, allows: capacityAllows(c, path, run.building, ENERGY.marginA, plugMs), afterS: offerMs === undefined ? Infinity : (offerMs - plugMs) / 1000 };
    });
    const allowed = judged.filter((j) => j.allows);
    if (process.env.LOOP_TEST_REPORT) console.info(`first offer (s after plug-in): ${judged.map((j) => `${j.id}${j.allows ? '' : '*'} ${j.afterS}`).join(', ')} (* capacity did not allow)`);
    // The scenario has room for several EVs when they arrive, or this test would judge nothing.
    expect(allowed.length).toBeGreaterThanOrEqual(4);
    expect(allowed.filter((j) => j.afterS * 1000 > FIRST_OFFER_GOAL_MS).map((j) => `${j.id} ${j.afterS} s`)).toEqual([]);
  });
});
