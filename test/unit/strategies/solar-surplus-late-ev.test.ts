import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageReading } from '../../../src/energy/meter-reading.js';
import type { EvseModel } from '../../../src/energy/site-model.js';
import type { SiteSnapshot } from '../../../src/energy/strategy.js';
import type { DrawSample } from '../../../src/energy/draw/draw-at.js';
import { createSolarSurplusStrategy } from '../../../strategies/solar-surplus/index.js';

/**
 * Solar surplus in a closed loop with a charger as real ones are: it follows a new limit
 * `followS` late and reports its current every `reportS`, while the grid meter reads every
 * second. The grid sees what the EV really draws; the strategy sees the EV's last report. A
 * strategy that adds a stale report to a fresh grid reading misjudges the surplus after every
 * change it makes, and flaps between two currents, writing a profile each time.
 */
const START_MS = Date.UTC(2026, 5, 21, 11, 0, 0);
const VOLTAGE_V = 230;

interface LoopCase {
  phases: 1 | 3;
  /** PV power, W; a cloud from cloud.fromS on takes it to cloud.pvW. */
  pvW: number;
  cloud?: { fromS: number; pvW: number };
  houseW: number;
  followS: number;
  reportS: number;
  decideEveryS: number;
  settleS: number;
}

interface LoopResult {
  /** Decided current at each decision, A. */
  decidedA: number[];
  /** Times (s from start) at which the decided current changed. */
  changesAtS: number[];
  /** Last decided current, A. */
  lastA: number;
}

function evse(phases: 1 | 3): EvseModel {
  return {
    key: 'home/1', circuitId: 'main', phases, phaseRotation: phases === 1 ? ['L1'] : ['L1', 'L2', 'L3'],
    minCurrentA: 6, maxCurrentA: 32, priority: 1, voltageV: VOLTAGE_V, bidirectional: false,
  };
}

function runLoop(c: LoopCase, durationS: number): LoopResult {
  const e = evse(c.phases);
  const strategy = createSolarSurplusStrategy({ defaultMode: 'pv', enableDelayS: 0, settleS: c.settleS });
  let state = strategy.initialState();
  /** Offers the EV has been sent: [time s, A]. It follows each one followS later. */
  const offers: Array<{ atS: number; limitA: number }> = [];
  const samples: DrawSample[] = [];
  const drawAt = (tS: number): number => {
    let limitA = 0;
    for (const o of offers) if (o.atS + c.followS <= tS) limitA = o.limitA;
    return limitA;
  };
  const decidedA: number[] = [];
  const changesAtS: number[] = [];
  let lastA = 0;
  for (let tS = 1; tS <= durationS; tS++) {
    const nowMs = START_MS + tS * 1000;
    if (tS % c.reportS === 0) samples.push({ timeMs: nowMs, currentA: Array.from({ length: c.phases }, () => drawAt(tS)) });
    if (tS % c.decideEveryS !== 0) continue;
    const pvW = c.cloud && tS >= c.cloud.fromS ? c.cloud.pvW : c.pvW;
    const gridW = c.houseW + drawAt(tS) * c.phases * VOLTAGE_V - pvW;
    const last = samples.at(-1);
    const snapshot: SiteSnapshot = {
      nowMs,
      circuits: [],
      evses: [e],
      live: {
        [e.key]: {
          key: e.key, active: true, controllable: true,
          ...(last ? { measuredCurrentA: [...last.currentA], samples: samples.slice(-4) } : {}),
        },
      },
      meters: { grid: ageReading({ meterId: 'grid', timeMs: nowMs, powerW: gridW }, nowMs, 10) },
      meterRoles: { gridMeterId: 'grid' },
      modes: {},
      csmsProfiles: {},
    };
    const result = strategy.decide(snapshot, state);
    state = result.state;
    const a = result.decisions.find((d) => d.evseKey === e.key)?.maxCurrentA ?? NaN;
    decidedA.push(a);
    if (a !== lastA) {
      changesAtS.push(tS);
      offers.push({ atS: tS, limitA: a });
      lastA = a;
    }
  }
  return { decidedA, changesAtS, lastA };
}

describe('solar surplus with a charger that follows late and reports seldom', () => {
  const sunny: LoopCase = { phases: 1, pvW: 4_500, houseW: 500, followS: 12, reportS: 15, decideEveryS: 5, settleS: 30 };

  it('settles on the surplus and stays there (a stale report added to a fresh grid reading made it flap)', () => {
    const r = runLoop(sunny, 1_200);
    const surplusA = (sunny.pvW - sunny.houseW) / VOLTAGE_V;
    // 17.39 A: floored to 17.3 A.
    expect(r.lastA).toBeCloseTo(Math.floor(surplusA * 10) / 10, 5);
    // After the first few minutes, no more changes: each would be a profile written to the charger.
    expect(r.changesAtS.filter((t) => t > 300)).toEqual([]);
  });

  it('settles on a surplus that is exactly a 0.1 A step (22.2 A x 3 x 230 V is 15317.999999999998 W in floating point)', () => {
    // Found by the property below: floored without a tolerance, the surplus the EV's own 22.2 A left
    // was 22.1 A, so it lowered a second after each raise and raised again after the settle time.
    const r = runLoop({ phases: 3, pvW: 16_585, houseW: 1_267, followS: 0, reportS: 10, decideEveryS: 1, settleS: 30 }, 600);
    expect(r.lastA).toBe(22.2);
    expect(r.changesAtS).toEqual([1]);
  });

  it('never changes the current again before the EV and the grid meter have both shown the last change', () => {
    fc.assert(
      fc.property(
        fc.record({
          phases: fc.constantFrom<1 | 3>(1, 3),
          pvW: fc.integer({ min: 2_000, max: 20_000 }),
          houseW: fc.integer({ min: 0, max: 1_500 }),
          followS: fc.integer({ min: 0, max: 30 }),
          reportS: fc.integer({ min: 10, max: 60 }),
          decideEveryS: fc.integer({ min: 1, max: 10 }),
          settleS: fc.constant(30),
        }),
        (c) => {
          const r = runLoop(c, 1_800);
          // Under a steady sun the surplus does not fall: every change is a raise (or the start),
          // each at least settleS after the one before.
          for (let i = 1; i < r.changesAtS.length; i++) {
            expect(r.changesAtS[i]! - r.changesAtS[i - 1]!).toBeGreaterThanOrEqual(c.settleS);
          }
          const changed = r.decidedA.filter((a, i) => i === 0 || a !== r.decidedA[i - 1]);
          for (let i = 1; i < changed.length; i++) expect(changed[i]!).toBeGreaterThan(changed[i - 1]!);
          // The loop converges: at most one change in the last ten minutes (the charger's reports
          // land on the grid's seconds in a pattern, not noise, so once right it stays right).
          expect(r.changesAtS.filter((t) => t > 1_200).length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('lowers once, at once, when a cloud comes while a raise is still settling', () => {
    fc.assert(
      fc.property(
        fc.record({
          followS: fc.integer({ min: 0, max: 30 }),
          reportS: fc.integer({ min: 10, max: 60 }),
          cloudAfterS: fc.integer({ min: 1, max: 29 }),
        }),
        ({ followS, reportS, cloudAfterS }) => {
          // Find the raise, then let a cloud halve the PV before the raise has settled.
          const probe = runLoop({ ...sunny, followS, reportS, decideEveryS: 1 }, 600);
          const raiseAtS = probe.changesAtS.at(-1)!;
          const fromS = raiseAtS + cloudAfterS;
          const c: LoopCase = { ...sunny, followS, reportS, decideEveryS: 1, cloud: { fromS, pvW: sunny.pvW / 2 } };
          // The grid shows the cloud once it has come and the EV draws the raised current.
          const showsS = Math.max(fromS, raiseAtS + followS);
          const r = runLoop(c, showsS + 120);
          // One decrease, in the second the grid shows it, straight to what the PV left pays for:
          // (2250 - 500) W / 230 V = 7.6 A (not a second one as the EV follows it late).
          const after = r.changesAtS.filter((t) => t > raiseAtS);
          expect(after).toEqual([showsS]);
          expect(r.lastA).toBe(7.6);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('flaps without the hold (settleS 0): the defect this guards against', () => {
    const r = runLoop({ ...sunny, settleS: 0 }, 1_200);
    expect(r.changesAtS.filter((t) => t > 300).length).toBeGreaterThan(10);
  });
});
