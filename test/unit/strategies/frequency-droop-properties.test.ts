import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { V2xFreqWattPoint } from '../../../src/energy/charging-profile.js';
import { ageReading } from '../../../src/energy/meter-reading.js';
import type { EvseModel } from '../../../src/energy/site-model.js';
import type { SiteSnapshot } from '../../../src/energy/strategy.js';
import {
  createFrequencyDroopStrategy, type FrequencyDroopParams, type FrequencyDroopState,
} from '../../../strategies/frequency-droop/index.js';
import { evseMaxPowerW } from '../../../strategies/setpoint/index.js';

const START_MS = 1_750_000_000_000;

const evseArb: fc.Arbitrary<EvseModel> = fc.record({
  phases: fc.constantFrom<1 | 3>(1, 3),
  maxCurrentA: fc.integer({ min: 6, max: 63 }),
  bidirectional: fc.boolean(),
}).map(({ phases, maxCurrentA, bidirectional }) => ({
  key: 'cs1/1', circuitId: 'main', phases, phaseRotation: phases === 1 ? ['L1'] : ['L1', 'L2', 'L3'],
  minCurrentA: 6, maxCurrentA, priority: 1, voltageV: 230, bidirectional,
}));

/** A curve whose power never falls as frequency rises. */
const curveArb: fc.Arbitrary<V2xFreqWattPoint[]> = fc
  .array(fc.record({ stepHz: fc.double({ min: 0.01, max: 0.5, noNaN: true }), stepW: fc.integer({ min: 0, max: 8_000 }) }),
    { minLength: 1, maxLength: 8 })
  .chain((steps) => fc.record({ startHz: fc.double({ min: 48, max: 50, noNaN: true }), startW: fc.integer({ min: -20_000, max: 5_000 }) })
    .map(({ startHz, startW }) => {
      let frequency = startHz;
      let power = startW;
      return steps.map(({ stepHz, stepW }) => {
        frequency += stepHz;
        power += stepW;
        return { frequency, power };
      });
    }));

const paramsArb: fc.Arbitrary<Partial<FrequencyDroopParams>> = fc.record({
  deadBandHz: fc.double({ min: 0, max: 0.5, noNaN: true }),
  droopPct: fc.double({ min: 0.5, max: 12, noNaN: true }),
  baselineW: fc.integer({ min: -10_000, max: 10_000 }),
  responseTimeS: fc.integer({ min: 0, max: 60 }),
  curve: fc.option(curveArb, { nil: undefined }),
});

function snapshot(evse: EvseModel, nowMs: number, frequencyHz: number, stale = false): SiteSnapshot {
  const timeMs = stale ? nowMs - 60_000 : nowMs;
  return {
    nowMs, circuits: [], evses: [evse], csmsProfiles: {},
    live: { [evse.key]: { key: evse.key, active: true, controllable: true } },
    meters: { grid: ageReading({ meterId: 'grid', timeMs, frequencyHz }, nowMs, 10) },
    meterRoles: { gridMeterId: 'grid' },
    modes: { [evse.key]: 'LocalFrequency' },
  };
}

function steadyStateW(evse: EvseModel, params: Partial<FrequencyDroopParams>, frequencyHz: number): number {
  const strategy = createFrequencyDroopStrategy(params);
  const first = strategy.decide(snapshot(evse, START_MS, frequencyHz), strategy.initialState());
  const settled = strategy.decide(snapshot(evse, START_MS + 1e9, frequencyHz), first.state);
  return settled.decisions[0]?.setpointW ?? NaN;
}

describe('frequency-droop properties', () => {
  it('settles to a power that never falls as frequency rises', () => {
    fc.assert(fc.property(evseArb, paramsArb, fc.double({ min: 47, max: 53, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true }),
      (evse, params, lowHz, riseHz) => {
        expect(steadyStateW(evse, params, lowHz)).toBeLessThanOrEqual(steadyStateW(evse, params, lowHz + riseHz) + 1e-6);
      }));
  });

  it('keeps the output within the EVSE band and between the previous output and the target', () => {
    const stepArb = fc.record({
      dtS: fc.integer({ min: 0, max: 30 }),
      frequencyHz: fc.double({ min: 48, max: 52, noNaN: true }),
      stale: fc.boolean(),
    });
    fc.assert(fc.property(evseArb, paramsArb, fc.array(stepArb, { minLength: 1, maxLength: 30 }), (evse, params, steps) => {
      const strategy = createFrequencyDroopStrategy(params);
      const maxW = evseMaxPowerW(evse);
      let state: FrequencyDroopState = strategy.initialState();
      let nowMs = START_MS;
      for (const step of steps) {
        nowMs += step.dtS * 1000;
        const before = state.evses[evse.key]?.outputW;
        const result = strategy.decide(snapshot(evse, nowMs, step.frequencyHz, step.stale), state);
        state = result.state;
        const outputW = result.decisions[0]?.setpointW ?? NaN;
        expect(outputW).toBeLessThanOrEqual(maxW + 1e-6);
        expect(outputW).toBeGreaterThanOrEqual(evse.bidirectional ? -maxW - 1e-6 : 0);
        if (before !== undefined && !step.stale) {
          const targetW = steadyStateW(evse, params, step.frequencyHz);
          expect(outputW).toBeGreaterThanOrEqual(Math.min(before, targetW) - 1e-6);
          expect(outputW).toBeLessThanOrEqual(Math.max(before, targetW) + 1e-6);
        }
      }
    }));
  });
});
