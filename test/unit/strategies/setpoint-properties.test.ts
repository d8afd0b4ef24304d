import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChargingProfile } from '../../../src/energy/charging-profile.js';
import type { EvseModel } from '../../../src/energy/site-model.js';
import type { SiteSnapshot } from '../../../src/energy/strategy.js';
import { createSetpointStrategy, evseMaxPowerW, splitSetpoint } from '../../../strategies/setpoint/index.js';

const NOW_MS = 1_750_000_000_000;

interface EvseCase {
  evse: EvseModel;
  ownW?: number;
  ownDischargeLimitW?: number;
  csms?: { unit: 'A' | 'W'; setpoint?: number; limit?: number; dischargeLimit?: number };
}

const evseCaseArb = (index: number): fc.Arbitrary<EvseCase> => fc.record({
  phases: fc.constantFrom<1 | 3>(1, 3),
  maxCurrentA: fc.integer({ min: 6, max: 63 }),
  maxPowerW: fc.option(fc.integer({ min: 1_000, max: 50_000 }), { nil: undefined }),
  bidirectional: fc.boolean(),
  ownW: fc.option(fc.integer({ min: -60_000, max: 60_000 }), { nil: undefined }),
  ownDischargeLimitW: fc.option(fc.integer({ min: -60_000, max: 0 }), { nil: undefined }),
  csms: fc.option(fc.record({
    unit: fc.constantFrom<'A' | 'W'>('A', 'W'),
    setpoint: fc.option(fc.integer({ min: -60_000, max: 60_000 }), { nil: undefined }),
    limit: fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: undefined }),
    dischargeLimit: fc.option(fc.integer({ min: -60_000, max: 0 }), { nil: undefined }),
  }), { nil: undefined }),
}).map(({ phases, maxCurrentA, maxPowerW, bidirectional, ownW, ownDischargeLimitW, csms }) => ({
  evse: {
    key: `cs${index}/1`, circuitId: 'main', phases, phaseRotation: phases === 1 ? ['L1'] : ['L1', 'L2', 'L3'],
    minCurrentA: 6, maxCurrentA, priority: 1, voltageV: 230, maxPowerW, bidirectional,
  },
  ownW, ownDischargeLimitW, csms,
}));

function csmsProfile(c: NonNullable<EvseCase['csms']>): ChargingProfile {
  return {
    id: 1, stackLevel: 0, purpose: 'TxDefaultProfile', kind: 'Absolute', evseId: 1,
    schedules: [{
      startScheduleMs: NOW_MS - 60_000, rateUnit: c.unit,
      periods: [{ startPeriodS: 0, operationMode: 'CentralSetpoint', setpoint: c.setpoint, limit: c.limit ?? 1_000_000, dischargeLimit: c.dischargeLimit }],
    }],
  };
}

function toW(value: number, unit: 'A' | 'W', evse: EvseModel): number {
  return unit === 'W' ? value : value * evse.phases * evse.voltageV;
}

describe('setpoint properties', () => {
  it('never decides a setpoint below any discharge limit or -max, nor above max or the CSMS limit', () => {
    const casesArb = fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => evseCaseArb(i))));
    fc.assert(fc.property(casesArb, fc.option(fc.integer({ min: -100_000, max: 100_000 }), { nil: undefined }), (cases, siteW) => {
      const snapshot: SiteSnapshot = {
        nowMs: NOW_MS, circuits: [], evses: cases.map((c) => c.evse), meters: {}, meterRoles: {},
        live: Object.fromEntries(cases.map((c) => [c.evse.key, { key: c.evse.key, active: true, controllable: true }])),
        modes: Object.fromEntries(cases.map((c) => [c.evse.key, 'CentralSetpoint' as const])),
        csmsProfiles: Object.fromEntries(cases.flatMap((c, i) => (c.csms ? [[`cs${i}`, [csmsProfile(c.csms)]]] : []))),
        setpoints: {
          siteW: siteW === undefined ? undefined : { valueW: siteW, source: 'test' },
          evse: Object.fromEntries(cases.flatMap((c) => (c.ownW === undefined ? [] : [[c.evse.key, {
            valueW: c.ownW, dischargeLimitW: c.ownDischargeLimitW, source: 'test',
          }]]))),
        },
      };
      const strategy = createSetpointStrategy();
      const { decisions } = strategy.decide(snapshot, strategy.initialState());
      expect(decisions).toHaveLength(cases.length);
      for (const c of cases) {
        const d = decisions.find((x) => x.evseKey === c.evse.key);
        const setpointW = d?.setpointW ?? NaN;
        const maxW = evseMaxPowerW(c.evse);
        expect(setpointW).toBeLessThanOrEqual(maxW);
        expect(setpointW).toBeGreaterThanOrEqual(c.evse.bidirectional ? -maxW : 0);
        expect(setpointW).toBeGreaterThanOrEqual(d?.dischargeLimitW ?? NaN);
        if (c.ownW !== undefined && c.ownDischargeLimitW !== undefined) {
          expect(setpointW).toBeGreaterThanOrEqual(c.ownDischargeLimitW);
        }
        if (c.csms?.limit !== undefined) expect(setpointW).toBeLessThanOrEqual(toW(c.csms.limit, c.csms.unit, c.evse) + 1e-6);
        if (c.csms?.dischargeLimit !== undefined) {
          expect(setpointW).toBeGreaterThanOrEqual(toW(c.csms.dischargeLimit, c.csms.unit, c.evse) - 1e-6);
        }
      }
    }));
  });

  it('splits a site setpoint without losing or inventing power, each share within its bounds', () => {
    const memberArb = fc.record({
      weightW: fc.integer({ min: 1, max: 50_000 }),
      lowerW: fc.integer({ min: -50_000, max: 0 }),
      upperW: fc.integer({ min: 0, max: 50_000 }),
    });
    fc.assert(fc.property(fc.array(memberArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: -200_000, max: 200_000 }),
      (raw, totalW) => {
        const members = raw.map((m, i) => ({ ...m, key: `e${i}` }));
        const { sharesW, unplacedW } = splitSetpoint(totalW, members);
        const placedW = members.reduce((sum, m) => sum + (sharesW[m.key] ?? NaN), 0);
        expect(placedW + unplacedW).toBeCloseTo(totalW, 3);
        for (const m of members) {
          const share = sharesW[m.key] ?? NaN;
          expect(share).toBeLessThanOrEqual(m.upperW + 1e-6);
          expect(share).toBeGreaterThanOrEqual(m.lowerW - 1e-6);
          expect(Math.sign(share) * Math.sign(totalW)).toBeGreaterThanOrEqual(0);
        }
        const capacityW = members.reduce((sum, m) => sum + (totalW >= 0 ? m.upperW : -m.lowerW), 0);
        if (Math.abs(totalW) <= capacityW) expect(unplacedW).toBeCloseTo(0, 3);
      }));
  });
});
