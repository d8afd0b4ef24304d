import { describe, expect, it } from 'vitest';
import { selfConsumption } from '../../../strategies/solar-surplus/index.js';

describe('selfConsumption', () => {
  it('counts all PV as self-consumed when nothing is exported', () => {
    const r = selfConsumption([{ dtS: 3600, pvW: 2000, gridW: 500 }]);
    expect(r).toEqual({ pvWh: 2000, selfConsumedWh: 2000, gridImportWh: 500, gridExportWh: 0, selfConsumptionShare: 1 });
  });

  it('subtracts exported energy from the PV energy used on site', () => {
    const r = selfConsumption([
      { dtS: 1800, pvW: 4000, gridW: -1000 },
      { dtS: 1800, pvW: 0, gridW: 1000 },
    ]);
    expect(r.pvWh).toBeCloseTo(2000);
    expect(r.gridExportWh).toBeCloseTo(500);
    expect(r.gridImportWh).toBeCloseTo(500);
    expect(r.selfConsumedWh).toBeCloseTo(1500);
    expect(r.selfConsumptionShare).toBeCloseTo(0.75);
  });

  it('reads a PV meter’s negative production the same as a positive one', () => {
    const positive = selfConsumption([{ dtS: 60, pvW: 3000, gridW: -1200 }]);
    const negative = selfConsumption([{ dtS: 60, pvW: -3000, gridW: -1200 }]);
    expect(negative).toEqual(positive);
  });

  it('reports a share of 0 on a day without PV', () => {
    const r = selfConsumption([{ dtS: 3600, pvW: 0, gridW: 800 }]);
    expect(r.selfConsumptionShare).toBe(0);
    expect(r.gridImportWh).toBe(800);
  });

  it('never counts more self-consumption than production when a battery exports', () => {
    const r = selfConsumption([{ dtS: 3600, pvW: 1000, gridW: -3000 }]);
    expect(r.selfConsumedWh).toBe(0);
    expect(r.gridExportWh).toBe(3000);
  });
});
