import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChargingProfile, OperationMode } from '../../../src/energy/charging-profile.js';
import { ageReading } from '../../../src/energy/meter-reading.js';
import type { EvseModel } from '../../../src/energy/site-model.js';
import type { SiteSnapshot, Strategy } from '../../../src/energy/strategy.js';
import { createFrequencyDroopStrategy } from '../../../strategies/frequency-droop/index.js';
import { createSetpointStrategy } from '../../../strategies/setpoint/index.js';

const NOW_MS = 1_750_000_000_000;

/**
 * A CSMS limit in amperes goes into the V2X strategies' power band as W (A x phases x V) and comes
 * back out as the decision's maxCurrentA. The way back floors to 0.1 A; done bare, float noise
 * (3.3 A x 690 V / 690 V = 3.2999...) took 0.1 A off limits that are exact tenths.
 */
const caseArb = fc.record({
  phases: fc.constantFrom<1 | 3>(1, 3),
  voltageV: fc.constantFrom(120, 220, 230, 240, 277),
  maxCurrentA: fc.integer({ min: 6, max: 63 }),
  limitTenths: fc.integer({ min: 0, max: 700 }),
});

function snapshotWith(c: { phases: 1 | 3; voltageV: number; maxCurrentA: number; limitTenths: number }, mode: OperationMode): { snapshot: SiteSnapshot; evse: EvseModel } {
  const rotation = (['L1', 'L2', 'L3'] as const).slice(0, c.phases);
  const evse: EvseModel = {
    key: 'cs1/1', circuitId: 'main', phases: c.phases, phaseRotation: [...rotation],
    minCurrentA: 6, maxCurrentA: c.maxCurrentA, priority: 1, voltageV: c.voltageV, bidirectional: true,
  };
  const profile: ChargingProfile = {
    id: 7, stackLevel: 0, purpose: 'TxDefaultProfile', kind: 'Absolute', evseId: 1,
    schedules: [{ startScheduleMs: NOW_MS - 60_000, rateUnit: 'A', periods: [{ startPeriodS: 0, operationMode: mode, limit: c.limitTenths / 10, setpoint: 0 }] }],
  };
  return {
    evse,
    snapshot: {
      nowMs: NOW_MS, circuits: [], evses: [evse], meterRoles: { gridMeterId: 'grid' },
      meters: { grid: ageReading({ meterId: 'grid', timeMs: NOW_MS, frequencyHz: 50 }, NOW_MS, 10) },
      live: { [evse.key]: { key: evse.key, active: true, controllable: true } },
      modes: { [evse.key]: mode },
      csmsProfiles: { cs1: [profile] },
    },
  };
}

function maxCurrentOf(strategy: Strategy<unknown>, snapshot: SiteSnapshot): number | undefined {
  return strategy.decide(snapshot, strategy.initialState()).decisions.find((d) => d.evseKey === 'cs1/1')?.maxCurrentA;
}

describe("the V2X strategies' maxCurrentA from a CSMS limit in A", () => {
  for (const [name, create, mode] of [
    ['setpoint', () => createSetpointStrategy(), 'CentralSetpoint'],
    ['frequency droop', () => createFrequencyDroopStrategy(), 'LocalFrequency'],
  ] as const) {
    it(`${name}: a limit of whole tenths of an ampere comes back as that limit (or the EVSE's maximum)`, () => {
      fc.assert(fc.property(caseArb, (c) => {
        const { snapshot } = snapshotWith(c, mode);
        expect(maxCurrentOf(create() as Strategy<unknown>, snapshot)).toBe(Math.min(c.limitTenths / 10, c.maxCurrentA));
      }), { numRuns: 500 });
    });
  }

  it('3.3 A on a three-phase 230 V EVSE stays 3.3 A (the case float noise took to 3.2)', () => {
    const { snapshot } = snapshotWith({ phases: 3, voltageV: 230, maxCurrentA: 32, limitTenths: 33 }, 'CentralSetpoint');
    expect(maxCurrentOf(createSetpointStrategy() as Strategy<unknown>, snapshot)).toBe(3.3);
  });
});
