import { describe, expect, it } from 'vitest';
import { EnergyRegisters } from '../../../src/evse/energy-registers.js';

function memoryValues() {
  const map = new Map<string, unknown>();
  return { map, get: (s: string, k: string) => map.get(`${s}|${k}`), set: (s: string, k: string, v: unknown) => void map.set(`${s}|${k}`, v) };
}

const register = (value: number, timeMs: number, extra: Record<string, string> = {}) => ({ timeMs, sampledValues: [{ value, measurand: 'Energy.Active.Import.Register', unit: 'Wh', ...extra }] });

describe('the lifetime register of an EVSE', () => {
  it('keeps the newest whole-EVSE register sample, in Wh, and finds it again after a restart', () => {
    const values = memoryValues();
    const r = new EnergyRegisters({ values });
    r.observe('CP', 1, [register(1000, 10), register(1200, 20), { timeMs: 30, sampledValues: [{ value: 9999, measurand: 'Energy.Active.Import.Register', phase: 'L1', unit: 'Wh' }] }]);
    expect(r.of('CP', 1)).toEqual({ valueWh: 1200, timeMs: 20 });
    r.observe('CP', 1, [{ timeMs: 40, sampledValues: [{ value: 1.5, measurand: 'Energy.Active.Import.Register', unit: 'kWh' }] }]);
    expect(r.of('CP', 1)?.valueWh).toBe(1500);
    expect(new EnergyRegisters({ values }).of('CP', 1)).toEqual({ valueWh: 1500, timeMs: 40 });
  });

  it('does not let a sample replayed from before replace a newer one, nor take other measurands or locations', () => {
    const r = new EnergyRegisters({ values: memoryValues() });
    r.observe('CP', 2, [register(5000, 100)]);
    r.observe('CP', 2, [register(4000, 50)]);
    r.observe('CP', 2, [{ timeMs: 200, sampledValues: [{ value: 7, measurand: 'Power.Active.Import', unit: 'W' }] }]);
    r.observe('CP', 2, [register(8000, 300, { location: 'Inlet' })]);
    expect(r.of('CP', 2)).toEqual({ valueWh: 5000, timeMs: 100 });
    expect(r.of('CP', 3)).toBeUndefined();
  });
});
