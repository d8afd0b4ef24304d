import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageReading } from '../../../src/energy/meter-reading.js';
import type { EvseModel } from '../../../src/energy/site-model.js';
import type { SiteSnapshot } from '../../../src/energy/strategy.js';
import {
  createSolarSurplusStrategy, type SolarMode, type SolarSurplusParams,
} from '../../../strategies/solar-surplus/index.js';

const START_MS = Date.UTC(2025, 5, 21, 10, 0, 0);

interface Step {
  dtS: number;
  gridW: number;
  stale?: boolean;
  active?: boolean;
  measuredA?: number;
}

const evseArb: fc.Arbitrary<EvseModel> = fc
  .record({
    phases: fc.constantFrom<1 | 3>(1, 3),
    minCurrentA: fc.integer({ min: 6, max: 10 }),
    extraA: fc.integer({ min: 0, max: 26 }),
    voltageV: fc.constantFrom(220, 230, 240),
    maxPowerW: fc.option(fc.integer({ min: 1_000, max: 22_000 }), { nil: undefined }),
  })
  .map(({ phases, minCurrentA, extraA, voltageV, maxPowerW }) => ({
    key: 'home/1',
    circuitId: 'main',
    phases,
    phaseRotation: phases === 1 ? ['L1'] : ['L1', 'L2', 'L3'],
    minCurrentA,
    maxCurrentA: minCurrentA + extraA,
    priority: 1,
    voltageV,
    maxPowerW,
    bidirectional: false,
  }));

function snapshotAt(nowMs: number, evse: EvseModel, step: Step): SiteSnapshot {
  const ageS = step.stale ? 60 : 0;
  return {
    nowMs,
    circuits: [],
    evses: [evse],
    live: {
      [evse.key]: {
        key: evse.key,
        active: step.active ?? true,
        controllable: true,
        measuredCurrentA: step.measuredA === undefined ? undefined : Array.from({ length: evse.phases }, () => step.measuredA ?? 0),
      },
    },
    meters: { grid: ageReading({ meterId: 'grid', timeMs: nowMs - ageS * 1000, powerW: step.gridW }, nowMs, 10) },
    meterRoles: { gridMeterId: 'grid' },
    modes: {},
    csmsProfiles: {},
  };
}

/** Runs the steps; returns each step's time and decided current. */
function run(evse: EvseModel, params: Partial<SolarSurplusParams>, steps: readonly Step[]): { atMs: number; currentA: number; phases: number }[] {
  // Readings of the same instant as each step, so no hold after a change (solar-surplus-late-ev tests that).
  const strategy = createSolarSurplusStrategy({ settleS: 0, ...params });
  let state = strategy.initialState();
  let nowMs = START_MS;
  const out: { atMs: number; currentA: number; phases: number }[] = [];
  for (const step of steps) {
    nowMs += step.dtS * 1000;
    const result = strategy.decide(snapshotAt(nowMs, evse, step), state);
    state = result.state;
    const d = result.decisions.find((x) => x.evseKey === evse.key);
    out.push({ atMs: nowMs, currentA: d?.maxCurrentA ?? NaN, phases: d?.numberPhases ?? evse.phases });
  }
  return out;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  dtS: fc.integer({ min: 1, max: 120 }),
  gridW: fc.integer({ min: -25_000, max: 10_000 }),
  stale: fc.boolean(),
  active: fc.boolean(),
  measuredA: fc.option(fc.integer({ min: 0, max: 32 }), { nil: undefined }),
});

const modeArb = fc.constantFrom<SolarMode>('off', 'now', 'min+pv', 'pv');

describe('solar-surplus properties', () => {
  it('never decides a current between 0 and the EVSE min, nor above its max current or power', () => {
    fc.assert(fc.property(evseArb, modeArb, fc.boolean(), fc.array(stepArb, { minLength: 1, maxLength: 40 }),
      (evse, mode, canSwitch, steps) => {
        const params = { defaultMode: mode, enableDelayS: 30, disableDelayS: 60, phaseSwitchDelayS: 45,
          phaseSwitchingEvseKeys: canSwitch ? [evse.key] : [] };
        for (const { currentA, phases } of run(evse, params, steps)) {
          expect(currentA === 0 || currentA >= evse.minCurrentA).toBe(true);
          expect(currentA).toBeLessThanOrEqual(evse.maxCurrentA);
          if (evse.maxPowerW !== undefined) {
            expect(currentA * phases * evse.voltageV).toBeLessThanOrEqual(evse.maxPowerW + 1e-6);
          }
        }
      }));
  });

  it('keeps an active min+pv EVSE at or above its min current whatever the meter says', () => {
    const roomyEvse = evseArb.filter((e) => e.maxPowerW === undefined);
    fc.assert(fc.property(roomyEvse, fc.array(stepArb.map((s) => ({ ...s, active: true })), { minLength: 1, maxLength: 40 }),
      (evse, steps) => {
        for (const { currentA } of run(evse, { defaultMode: 'min+pv' }, steps)) {
          expect(currentA).toBeGreaterThanOrEqual(evse.minCurrentA);
        }
      }));
  });

  it('never starts a car sooner than enableDelayS after it stopped, nor stops it sooner than disableDelayS after it started', () => {
    const freshStep = fc.record({ dtS: fc.integer({ min: 1, max: 90 }), gridW: fc.integer({ min: -15_000, max: 5_000 }) });
    fc.assert(fc.property(evseArb, fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }),
      fc.array(freshStep, { minLength: 2, maxLength: 80 }),
      (evse, enableDelayS, disableDelayS, steps) => {
        const out = run(evse, { defaultMode: 'pv', enableDelayS, disableDelayS }, steps);
        let lastToggleMs = START_MS;
        let on = false;
        for (const { atMs, currentA } of out) {
          const nowOn = currentA > 0;
          if (nowOn !== on) {
            const gapS = (atMs - lastToggleMs) / 1000;
            expect(gapS).toBeGreaterThanOrEqual(nowOn ? enableDelayS : disableDelayS);
            lastToggleMs = atMs;
            on = nowOn;
          }
        }
      }));
  });

  it('does not toggle a running car while the surplus oscillates faster than the delays', () => {
    fc.assert(fc.property(
      fc.integer({ min: 30, max: 300 }), fc.integer({ min: 30, max: 300 }), fc.integer({ min: 2, max: 29 }),
      fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 1 }),
      (enableDelayS, disableDelayS, halfPeriodS, dtS, startHigh) => {
        const evse: EvseModel = {
          key: 'home/1', circuitId: 'main', phases: 3, phaseRotation: ['L1', 'L2', 'L3'], minCurrentA: 6,
          maxCurrentA: 16, priority: 1, voltageV: 230, bidirectional: false,
        };
        const warmUp: Step[] = Array.from({ length: Math.ceil(enableDelayS / 10) + 1 }, () => ({ dtS: 10, gridW: -8_000 }));
        const sampleDtS = Math.min(dtS, halfPeriodS);
        const oscillation: Step[] = [];
        for (let t = sampleDtS; t <= 3 * Math.max(enableDelayS, disableDelayS); t += sampleDtS) {
          const high = (Math.floor(t / halfPeriodS) + startHigh) % 2 === 0;
          // the car draws 5 kW: the surplus swings between 8 kW and 0.5 kW
          oscillation.push({ dtS: sampleDtS, gridW: high ? -3_000 : 4_500, measuredA: 5_000 / 690 });
        }
        const out = run(evse, { defaultMode: 'pv', enableDelayS, disableDelayS }, [...warmUp, ...oscillation]);
        const during = out.slice(warmUp.length);
        expect(out[warmUp.length - 1]?.currentA).toBeGreaterThan(0);
        expect(during.every((d) => d.currentA > 0)).toBe(true);
      }));
  });
});
