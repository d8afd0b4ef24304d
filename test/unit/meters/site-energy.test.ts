import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { SiteEnergy } from '../../../src/meters/site-energy.js';

function memoryValues() {
  const map = new Map<string, unknown>();
  return { get: (k: string) => map.get(k), set: (k: string, v: unknown) => void map.set(k, v) };
}

function siteEnergy(values = memoryValues(), clock = new FakeClock(0), roles: { gridMeterId?: string; pvMeterId?: string } = { gridMeterId: 'grid', pvMeterId: 'pv' }) {
  const e = new SiteEnergy({ values, clock, meterRoles: roles, maxGapSOf: () => 600, persistEveryS: 60 });
  e.start();
  return { e, values, clock };
}

describe('the site energy totals', () => {
  it('count grid import and export from the meter\'s own registers when it has them', () => {
    const { e, clock } = siteEnergy();
    e.onReading({ meterId: 'grid', timeMs: 0, powerW: 9999, energyImportWh: 10_000, energyExportWh: 500 });
    e.onReading({ meterId: 'grid', timeMs: 1000, powerW: 9999, energyImportWh: 10_700, energyExportWh: 800 });
    clock.advanceMs(60_000);
    expect(e.published()).toEqual({ gridImport: 700, gridExport: 300, pv: 0 });
  });

  it('publishes only what it stored, and starts again from it after a restart without integrating over the downtime', () => {
    const { e, values, clock } = siteEnergy();
    e.onReading({ meterId: 'grid', timeMs: 0, powerW: 3600 });
    e.onReading({ meterId: 'grid', timeMs: 10_000, powerW: 3600 });
    expect(e.published().gridImport).toBe(0); // not stored yet
    clock.advanceMs(60_000);
    expect(e.published().gridImport).toBeCloseTo(10, 6);
    e.stop();
    const again = siteEnergy(values, clock).e;
    expect(again.published().gridImport).toBeCloseTo(10, 6);
    again.onReading({ meterId: 'grid', timeMs: 100_000, powerW: 3600 });
    again.onReading({ meterId: 'grid', timeMs: 110_000, powerW: 0 });
    again.stop();
    expect(again.published().gridImport).toBeCloseTo(20, 6);
  });

  it('says null for a total without a meter of its role', () => {
    expect(siteEnergy(memoryValues(), new FakeClock(0), { pvMeterId: 'pv' }).e.published()).toEqual({ gridImport: null, gridExport: null, pv: 0 });
  });
});
