/**
 * W4, home-solar day: one 3-phase 16 A wallbox behind a 25 A house fuse, 9 kW of PV (a half
 * sine 06:00-20:00 with passing clouds), a house load curve, one car plugged in 07:00-19:00.
 * Pure simulation in 1 s steps; the meters read what the previous step drew.
 *
 * Subject: decide() every second with the registry's solar-surplus strategy in pv mode, sent as
 * the dispatcher would (decreases at once, increases at most every 10 s and only by >= 0.5 A).
 * Baseline: PV-only with a 30 s loop: every 30 s the car gets floor(surplus / 690 W) A, or 0
 * below 6 A, held until the next loop.
 *
 * The charger is instant by default (draws each limit the second it is sent, reports every
 * second). A late charger (`HomeDayOptions.charger`) follows a new limit `followS` later and
 * reports its current every `reportS`, as real ones do; the controllers then see its last report.
 */
import { decide, initialDecideStates, type DecideStates } from '../src/control/decide.js';
import { buildStrategies, strategyConfigSchema } from '../src/control/strategy-registry.js';
import type { SiteSnapshot } from '../src/energy/strategy.js';
import type { EvseModel } from '../src/energy/site-model.js';
import { EvModel } from '../src/sim/ev-model.js';
import { buildingLoadW, makeClouds, pvW, type CurvePoint } from '../src/sim/load-curves.js';
import { createPrng } from '../src/sim/prng.js';
import { selfConsumption, type EnergySample } from '../strategies/solar-surplus/index.js';
import type { DrawSample } from '../src/energy/draw/draw-at.js';

const DAY_MS = Date.UTC(2026, 5, 15);
const VOLTAGE_V = 230;
const FUSE_A = 25;
const PV = { peakW: 9000, sunriseHour: 6, sunsetHour: 20 };
const HOUSE_CURVE: CurvePoint[] = [
  { hour: 0, powerW: 300 }, { hour: 6, powerW: 400 }, { hour: 7, powerW: 1500 }, { hour: 9, powerW: 600 },
  { hour: 12, powerW: 1100 }, { hour: 14, powerW: 500 }, { hour: 17, powerW: 1200 }, { hour: 19, powerW: 2500 },
  { hour: 21, powerW: 1500 }, { hour: 23, powerW: 400 }, { hour: 24, powerW: 300 },
];
const PLUGGED = { fromHour: 7, toHour: 19 };
const EVSE: EvseModel = {
  key: 'HOME/1', circuitId: 'house', phases: 3, phaseRotation: ['L1', 'L2', 'L3'],
  minCurrentA: 6, maxCurrentA: 16, priority: 1, voltageV: VOLTAGE_V, bidirectional: false,
};

export interface HomeDayResult {
  pvKWh: number;
  selfConsumptionPct: number;
  gridImportKWh: number;
  /** Grid import while the car was charging, kWh (what the car cost from the grid). */
  evGridImportKWh: number;
  evDeliveredKWh: number;
  overloadS: number;
  /** Times the car was started (0 A -> charging): contactor cycles. */
  starts: number;
  /** Times the limit sent to the charger changed: each one is a profile written to it. */
  limitChanges: number;
}

/** How the charger follows limits and reports its current. */
export interface HomeCharger {
  /** Seconds from a limit being sent to the EV drawing it. */
  followS: number;
  /** Seconds between two reports of the EV's current. */
  reportS: number;
}

export const INSTANT_CHARGER: HomeCharger = { followS: 0, reportS: 1 };

export interface HomeDayOptions {
  seed?: number;
  charger?: HomeCharger;
  /** The subject's energy.settleS (undefined: the hub's default). */
  settleS?: number;
}

/** The EV's current as the charger last reported it, and its recent reports with times. */
interface EvReport {
  currentA: number;
  samples: DrawSample[];
}

type Controller = (nowMs: number, gridW: number, pvNowW: number, report: EvReport) => number;

/** The hub's way: decide() with solar-surplus (pv mode) every second, dispatched with rate limits. */
function subjectController(settleS: number | undefined): Controller {
  const strategies = buildStrategies([strategyConfigSchema.parse({ type: 'solar-surplus', defaultMode: 'pv', disableThresholdW: 300 })], {
    marginA: 1, rotationPeriodS: 900, nominalVoltageV: VOLTAGE_V, ...(settleS !== undefined ? { followS: settleS } : {}),
  });
  let states: DecideStates = initialDecideStates(strategies);
  let sentA = 0;
  let lastIncreaseMs = -Infinity;
  return (nowMs, gridW, pvNowW, report) => {
    const gridPhaseA = gridW / 3 / VOLTAGE_V;
    const evDrawA = report.currentA;
    const snapshot: SiteSnapshot = {
      nowMs,
      circuits: [{ id: 'house', maxCurrentA: { L1: FUSE_A, L2: FUSE_A, L3: FUSE_A }, meterId: 'grid' }],
      evses: [EVSE],
      live: { 'HOME/1': { key: 'HOME/1', active: pluggedAt(nowMs), controllable: true, measuredCurrentA: [evDrawA, evDrawA, evDrawA], samples: report.samples, transactionId: 'tx', transactionStartedMs: DAY_MS } },
      meters: {
        grid: { meterId: 'grid', timeMs: nowMs - 1000, powerW: gridW, currentA: { L1: gridPhaseA, L2: gridPhaseA, L3: gridPhaseA }, ageS: 1, stale: false },
        pv: { meterId: 'pv', timeMs: nowMs - 1000, powerW: -pvNowW, ageS: 1, stale: false },
      },
      meterRoles: { gridMeterId: 'grid', pvMeterId: 'pv' },
      modes: {},
      csmsProfiles: {},
    };
    const r = decide(snapshot, states, { strategies, params: { marginA: 1, worstCaseNonEvA: { house: { L1: 10, L2: 10, L3: 10 } } } });
    states = r.states;
    const wantA = r.limits['HOME/1']?.limit.maxCurrentA ?? 0;
    if (wantA < sentA) sentA = wantA;
    else if (wantA >= sentA + 0.5 && nowMs - lastIncreaseMs >= 10_000) {
      sentA = wantA;
      lastIncreaseMs = nowMs;
    }
    return sentA;
  };
}

/** The naive way: every 30 s, the surplus as current, or nothing below the minimum. */
function baselineController(): Controller {
  let heldA = 0;
  let nextMs = -Infinity;
  return (nowMs, gridW, _pv, report) => {
    if (nowMs < nextMs) return heldA;
    nextMs = nowMs + 30_000;
    const surplusW = -gridW + report.currentA * 3 * VOLTAGE_V;
    const a = Math.min(EVSE.maxCurrentA, Math.floor(surplusW / (3 * VOLTAGE_V)));
    heldA = pluggedAt(nowMs) && a >= EVSE.minCurrentA ? a : 0;
    return heldA;
  };
}

function pluggedAt(nowMs: number): boolean {
  const h = (nowMs - DAY_MS) / 3_600_000;
  return h >= PLUGGED.fromHour && h < PLUGGED.toHour;
}

export function simulateHomeDay(kind: 'subject' | 'baseline', options: HomeDayOptions = {}): HomeDayResult {
  const { seed = 11, charger = INSTANT_CHARGER } = options;
  const clouds = makeClouds(createPrng(seed), DAY_MS, DAY_MS + 86_400_000, 3);
  const ev = new EvModel({ capacityWh: 77_000, socPct: 15, targetSocPct: 100, maxAcCurrentA: 16, phases: 3 });
  const control = kind === 'subject' ? subjectController(options.settleS) : baselineController();
  const samples: EnergySample[] = [];
  /** Limits sent and when (s); the EV follows each one followS later. */
  const sent: Array<{ atS: number; limitA: number }> = [];
  const report: EvReport = { currentA: 0, samples: [] };
  let limitChanges = 0;
  let evDrawA = 0;
  let gridW = buildingLoadW(HOUSE_CURVE, [], DAY_MS);
  let pvNowW = 0;
  let evWh = 0;
  let evGridWh = 0;
  let overloadS = 0;
  let starts = 0;
  for (let t = 0; t < 86_400; t++) {
    const nowMs = DAY_MS + t * 1000;
    if (t % charger.reportS === 0) {
      report.currentA = evDrawA;
      report.samples = [...report.samples.slice(-3), { timeMs: nowMs, currentA: [evDrawA, evDrawA, evDrawA] }];
    }
    const sentA = control(nowMs, gridW, pvNowW, report);
    if (sentA !== (sent.at(-1)?.limitA ?? 0)) {
      sent.push({ atS: t, limitA: sentA });
      limitChanges++;
    }
    while (sent.length > 1 && sent[1]!.atS + charger.followS <= t) sent.shift();
    const followedA = sent[0] && sent[0].atS + charger.followS <= t ? sent[0].limitA : 0;
    const step = pluggedAt(nowMs) ? ev.step(1, followedA, VOLTAGE_V, 3) : { currentA: 0, energyWh: 0 };
    if (evDrawA === 0 && step.currentA > 0) starts++;
    evDrawA = step.currentA;
    evWh += step.energyWh;
    pvNowW = pvW(PV, clouds, nowMs);
    const houseW = buildingLoadW(HOUSE_CURVE, [], nowMs);
    gridW = houseW + evDrawA * 3 * VOLTAGE_V - pvNowW;
    if (Math.abs(gridW) / 3 / VOLTAGE_V > FUSE_A) overloadS++;
    if (evDrawA > 0 && gridW > 0) evGridWh += Math.min(gridW, evDrawA * 3 * VOLTAGE_V) / 3600;
    samples.push({ dtS: 1, pvW: pvNowW, gridW });
  }
  const sc = selfConsumption(samples);
  return {
    pvKWh: sc.pvWh / 1000,
    selfConsumptionPct: sc.selfConsumptionShare * 100,
    gridImportKWh: sc.gridImportWh / 1000,
    evGridImportKWh: evGridWh / 1000,
    evDeliveredKWh: evWh / 1000,
    overloadS,
    starts,
    limitChanges,
  };
}
