import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pino } from 'pino';
import { EnergyRegisters } from '../../../src/evse/energy-registers.js';
import type { MeterValue } from '../../../src/model/types.js';

function memoryValues() {
  const map = new Map<string, unknown>();
  let bulkReads = 0;
  return {
    map,
    bulkReads: () => bulkReads,
    get: (s: string, k: string) => map.get(`${s}|${k}`),
    set: (s: string, k: string, v: unknown) => void map.set(`${s}|${k}`, v),
    withKeyPrefix: (prefix: string) => {
      bulkReads++;
      return [...map]
        .map(([sk, value]) => {
          const [stationId = '', key = ''] = sk.split('|');
          return { stationId, key, value };
        })
        .filter((e) => e.key.startsWith(prefix));
    },
  };
}

/** A logger whose warnings land in `lines`. */
function capturingLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'warn' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  return { log, lines };
}

const register = (value: number, timeMs: number, extra: Record<string, string> = {}): MeterValue => ({ timeMs, sampledValues: [{ value, measurand: 'Energy.Active.Import.Register', unit: 'Wh', ...extra }] });

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

  it('reads every stored register in one bulk read after a restart, not one lookup per EVSE', () => {
    const values = memoryValues();
    const first = new EnergyRegisters({ values });
    for (let evseId = 1; evseId <= 20; evseId++) first.observe(`CP${evseId % 4}`, evseId, [register(100 * evseId, 10)]);
    const restarted = new EnergyRegisters({ values });
    for (let evseId = 1; evseId <= 20; evseId++) expect(restarted.of(`CP${evseId % 4}`, evseId)?.valueWh).toBe(100 * evseId);
    expect(restarted.of('CP9', 1)).toBeUndefined();
    expect(values.bulkReads()).toBe(2);
  });
});

describe('a register reading no meter can give', () => {
  it('is not taken: negative, NaN, Infinity, a kWh value that overflows in Wh, or one that did not parse; the last valid one stays', () => {
    const r = new EnergyRegisters({ values: memoryValues() });
    r.observe('CP', 1, [register(2500, 10)]);
    r.observe('CP', 1, [register(-5, 20)]);
    r.observe('CP', 1, [register(Number.NaN, 30)]);
    r.observe('CP', 1, [register(Infinity, 40)]);
    r.observe('CP', 1, [register(1e306, 50, { unit: 'kWh' })]);
    r.observe('CP', 1, [{ timeMs: 60, sampledValues: [], unreadable: [{ measurand: 'Energy.Active.Import.Register', sent: 'garbage' }] }]);
    expect(r.of('CP', 1)).toEqual({ valueWh: 2500, timeMs: 10 });
    expect(r.rejectedCount()).toBe(5);
  });

  it('is logged once per EVSE, with what the charger sent and why it was not taken', () => {
    const { log, lines } = capturingLog();
    const r = new EnergyRegisters({ values: memoryValues(), log });
    for (let t = 0; t < 5; t++) r.observe('CP', 1, [register(-1, t)]);
    r.observe('CP', 2, [{ timeMs: 1, sampledValues: [], unreadable: [{ measurand: 'Energy.Active.Import.Register', sent: 'NaN' }] }]);
    // A phase value or another measurand that did not parse is not the EVSE's register.
    r.observe('CP', 3, [{ timeMs: 1, sampledValues: [], unreadable: [{ measurand: 'Energy.Active.Import.Register', phase: 'L1', sent: 'x' }, { measurand: 'Current.Import', sent: 'y' }] }]);
    expect(lines.map((l) => [l['stationId'], l['evseId'], l['value'], l['why']])).toEqual([
      ['CP', 1, '-1', 'negative'],
      ['CP', 2, 'NaN', 'not a number'],
    ]);
    expect(r.rejectedCount()).toBe(6);
  });

  it('stored by an older build (negative) reads as no register', () => {
    const values = memoryValues();
    values.set('CP', 'energyRegister/1', { valueWh: -10, timeMs: 5 });
    expect(new EnergyRegisters({ values }).of('CP', 1)).toBeUndefined();
  });
});

const bad = fc.oneof(
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0.001, -1e308).map((value) => ({ value, unit: 'Wh' })),
  fc.double({ min: 1e306, max: 1e308, noNaN: true }).map((value) => ({ value, unit: 'kWh' })),
  fc.double({ max: -Number.MIN_VALUE, noNaN: true }).map((value) => ({ value, unit: 'Wh' })),
);

describe('the register under any mix of valid and impossible readings', () => {
  it('is always a finite number from zero up, never goes down while the valid readings count up, and is the last valid one', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.record({ ok: fc.constant(true), stepWh: fc.double({ min: 0, max: 1e6, noNaN: true }) }), fc.record({ ok: fc.constant(false), reading: bad })), { maxLength: 40 }), (steps) => {
        const r = new EnergyRegisters({ values: memoryValues() });
        let totalWh = 0;
        let lastValid: number | undefined;
        let previous = -Infinity;
        steps.forEach((s, t) => {
          if (s.ok) {
            totalWh += s.stepWh;
            lastValid = totalWh;
            r.observe('CP', 1, [register(totalWh, t)]);
          } else r.observe('CP', 1, [{ timeMs: t, sampledValues: [{ value: s.reading.value, measurand: 'Energy.Active.Import.Register', unit: s.reading.unit }] }]);
          const now = r.of('CP', 1)?.valueWh;
          if (now === undefined) return;
          expect(Number.isFinite(now) && now >= 0).toBe(true);
          expect(now).toBeGreaterThanOrEqual(previous);
          previous = now;
        });
        expect(r.of('CP', 1)?.valueWh).toBe(lastValid);
      }),
    );
  });
});
