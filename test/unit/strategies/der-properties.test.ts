import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { controlsInForce, EMPTY_DER_STATE, setDerControl, type DerControlState } from '../../../src/der/der-control-store.js';
import type { SetDerControlRequest } from '../../../src/der/der-control-types.js';
import { ageReading } from '../../../src/energy/meter-reading.js';
import type { EvseModel } from '../../../src/energy/site-model.js';
import type { SiteSnapshot } from '../../../src/energy/strategy.js';
import {
  decideDer, derStrategyParams, nextUniform, stepEnterService, type DerStrategyState,
} from '../../../strategies/der/index.js';
import { evseMaxPowerW } from '../../../strategies/setpoint/index.js';

const START_MS = Date.UTC(2026, 0, 5, 8, 0, 0);
const EPS = 1e-6;

const evseArb: fc.Arbitrary<EvseModel> = fc.record({
  phases: fc.constantFrom<1 | 3>(1, 3),
  maxCurrentA: fc.integer({ min: 6, max: 63 }),
  bidirectional: fc.boolean(),
}).map(({ phases, maxCurrentA, bidirectional }) => ({
  key: 'cs1/1', circuitId: 'main', phases, phaseRotation: phases === 1 ? ['L1'] : ['L1', 'L2', 'L3'],
  minCurrentA: 6, maxCurrentA, priority: 1, voltageV: 230, bidirectional,
}));

/** A valid FreqDroop (underFreq <= overFreq, droops > 0) or FreqWatt (injection not rising with frequency). */
const frequencyControlArb: fc.Arbitrary<SetDerControlRequest> = fc.oneof(
  fc.record({
    under: fc.double({ min: 49, max: 50, noNaN: true }), spanHz: fc.double({ min: 0, max: 1, noNaN: true }),
    overDroop: fc.double({ min: 0.01, max: 0.2, noNaN: true }), underDroop: fc.double({ min: 0.01, max: 0.2, noNaN: true }),
    responseTime: fc.integer({ min: 0, max: 30 }),
  }).map(({ under, spanHz, overDroop, underDroop, responseTime }): SetDerControlRequest => ({
    isDefault: true, controlId: 'fd', controlType: 'FreqDroop',
    freqDroop: { priority: 1, underFreq: under, overFreq: under + spanHz, overDroop, underDroop, responseTime },
  })),
  fc.array(fc.record({ stepHz: fc.double({ min: 0.01, max: 0.5, noNaN: true }), dropPct: fc.integer({ min: 0, max: 60 }) }), { minLength: 1, maxLength: 9 })
    .chain((steps) => fc.record({ startHz: fc.double({ min: 48, max: 50, noNaN: true }), startPct: fc.integer({ min: -100, max: 100 }), responseTime: fc.integer({ min: 0, max: 30 }) })
      .map(({ startHz, startPct, responseTime }): SetDerControlRequest => {
        let x = startHz;
        let y = startPct;
        const curveData = steps.map(({ stepHz, dropPct }) => {
          x += stepHz;
          y -= dropPct;
          return { x, y };
        });
        return { isDefault: true, controlId: 'fw', controlType: 'FreqWatt', curve: { priority: 1, yUnit: 'PctMaxW', responseTime, curveData } };
      })),
);

function accepted(reqs: readonly SetDerControlRequest[]): DerControlState {
  let state = EMPTY_DER_STATE;
  for (const r of reqs) {
    const out = setDerControl(state, r, START_MS);
    expect(out.response.status, out.response.statusInfo?.additionalInfo).toBe('Accepted');
    state = out.state;
  }
  return state;
}

function snapshot(evse: EvseModel, nowMs: number, frequencyHz: number, stale = false): SiteSnapshot {
  return {
    nowMs, circuits: [], evses: [evse], csmsProfiles: {}, modes: {},
    live: { [evse.key]: { key: evse.key, active: true, controllable: true } },
    meters: { grid: ageReading({ meterId: 'grid', timeMs: stale ? nowMs - 60_000 : nowMs, frequencyHz, voltageV: { L1: 230 } }, nowMs, 10) },
    meterRoles: { gridMeterId: 'grid' },
  };
}

const stepArb = fc.record({
  dtS: fc.integer({ min: 0, max: 60 }),
  frequencyHz: fc.double({ min: 47, max: 53, noNaN: true }),
  stale: fc.boolean(),
});

interface Run {
  outputs: { setpointW?: number; dischargeLimitW?: number; maxCurrentA?: number; dtS: number }[];
}

function run(evse: EvseModel, controls: DerControlState, steps: { dtS: number; frequencyHz: number; stale: boolean }[]): Run {
  const params = derStrategyParams({});
  let state: DerStrategyState = { seed: 1, evses: {}, notApplied: [] };
  let nowMs = START_MS;
  const outputs: Run['outputs'] = [];
  for (const step of steps) {
    nowMs += step.dtS * 1000;
    const out = decideDer(snapshot(evse, nowMs, step.frequencyHz, step.stale), controlsInForce(controls, nowMs), state, params);
    state = out.state;
    const d = out.decisions[0];
    outputs.push({ dtS: step.dtS, ...(d ? { setpointW: d.setpointW, dischargeLimitW: d.dischargeLimitW, maxCurrentA: d.maxCurrentA } : {}) });
  }
  return { outputs };
}

describe('der strategy properties', () => {
  it('never lets discharge go beyond LimitMaxDischarge, whatever the frequency response asks', () => {
    fc.assert(fc.property(evseArb, fc.integer({ min: 0, max: 100 }), frequencyControlArb, fc.array(stepArb, { minLength: 1, maxLength: 25 }),
      (evse, pct, freq, steps) => {
        const controls = accepted([freq, { isDefault: true, controlId: 'lmd', controlType: 'LimitMaxDischarge', limitMaxDischarge: { priority: 1, pctMaxDischargePower: pct } }]);
        const floorW = evse.bidirectional ? -(pct / 100) * evseMaxPowerW(evse) : 0;
        for (const o of run(evse, controls, steps).outputs) {
          expect(o.setpointW ?? 0).toBeGreaterThanOrEqual(floorW - EPS);
          expect(o.dischargeLimitW ?? 0).toBeGreaterThanOrEqual(floorW - EPS);
        }
      }));
  });

  it('never changes the output faster than the Gradients rate', () => {
    fc.assert(fc.property(evseArb, fc.integer({ min: 1, max: 600 }), frequencyControlArb, fc.array(stepArb, { minLength: 2, maxLength: 25 }),
      (evse, gradientS, freq, steps) => {
        const controls = accepted([freq, { isDefault: true, controlId: 'g', controlType: 'Gradients', gradient: { priority: 1, gradient: gradientS, softGradient: 0 } }]);
        const rateWPerS = evseMaxPowerW(evse) / gradientS;
        const outs = run(evse, controls, steps).outputs;
        expect(Math.abs(outs[0]?.setpointW ?? NaN)).toBeLessThanOrEqual(EPS);
        for (let i = 1; i < outs.length; i += 1) {
          const a = outs[i - 1]?.setpointW ?? NaN;
          const b = outs[i]?.setpointW ?? NaN;
          expect(Math.abs(b - a)).toBeLessThanOrEqual(rateWPerS * (outs[i]?.dtS ?? 0) + 1e-6 * Math.max(1, Math.abs(a)));
        }
      }));
  });

  it('settles to a power that never falls as frequency rises (FreqDroop and FreqWatt)', () => {
    fc.assert(fc.property(evseArb, frequencyControlArb, fc.double({ min: 46, max: 54, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true }),
      (evse, freq, lowHz, riseHz) => {
        const controls = accepted([freq]);
        const settled = (hz: number): number => {
          const outs = run(evse, controls, [{ dtS: 0, frequencyHz: hz, stale: false }, { dtS: 1e6, frequencyHz: hz, stale: false }]).outputs;
          return outs[1]?.setpointW ?? NaN;
        };
        expect(settled(lowHz)).toBeLessThanOrEqual(settled(lowHz + riseHz) + EPS);
      }));
  });

  it('keeps the output within the EnterService envelope: nothing while waiting, then at most rampRate of the rating', () => {
    fc.assert(fc.property(evseArb, fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 300 }), fc.array(stepArb, { minLength: 1, maxLength: 25 }),
      (evse, delay, rampRate, steps) => {
        const controls = accepted([{ isDefault: true, controlId: 'es', controlType: 'EnterService',
          enterService: { priority: 1, highVoltage: 253, lowVoltage: 207, highFreq: 50.5, lowFreq: 49.5, delay, randomDelay: 0, rampRate } }]);
        const ratedW = evseMaxPowerW(evse);
        let inRangeS = 0;
        for (const [i, o] of run(evse, controls, steps).outputs.entries()) {
          const s = steps[i];
          if (!s) continue;
          const ok = !s.stale && s.frequencyHz >= 49.5 && s.frequencyHz <= 50.5;
          inRangeS = ok && i > 0 ? inRangeS + s.dtS : 0;
          const allowedW = Math.min(ratedW, Math.max(0, inRangeS - delay) * (ratedW / rampRate));
          const wattsPerAmp = evse.phases * evse.voltageV;
          expect((o.maxCurrentA ?? NaN) * wattsPerAmp).toBeLessThanOrEqual(allowedW + 1e-6);
          expect(o.dischargeLimitW ?? NaN).toBeGreaterThanOrEqual(-allowedW - 1e-6);
        }
      }));
  });

  it('draws the random enter-service delay from the seed: the same seed gives the same delay, within [0, randomDelay)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 600 }), (seed, randomDelay) => {
      const es = { priority: 1, highVoltage: 253, lowVoltage: 207, highFreq: 50.5, lowFreq: 49.5, delay: 0, randomDelay };
      const a = stepEnterService(undefined, undefined, es, START_MS, seed);
      const b = stepEnterService(undefined, undefined, es, START_MS, seed);
      expect(a).toEqual(b);
      expect(a.seed).toBe(nextUniform(seed).seed);
      if (a.state.phase !== 'waiting') throw new Error('a random delay > 0 waits');
      expect(a.state.randomDelayS).toBeGreaterThanOrEqual(0);
      expect(a.state.randomDelayS).toBeLessThan(randomDelay);
    }));
  });
});
