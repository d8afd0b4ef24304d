import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addPower, addRegister, EMPTY_TOTAL, parseTotal, type EnergyTotal } from '../../../src/energy/energy-total.js';

const step = fc.oneof(
  fc.record({ kind: fc.constant('register' as const), registerWh: fc.oneof(fc.double({ min: -1e9, max: 1e9 }), fc.constantFrom(Number.NaN, Infinity)) }),
  fc.record({ kind: fc.constant('power' as const), powerW: fc.oneof(fc.double({ min: -1e6, max: 1e6 }), fc.constant(Number.NaN)), dtMs: fc.integer({ min: -60_000, max: 7_200_000 }) }),
);

describe('a lifetime energy total', () => {
  it('never goes down and stays a finite number, whatever registers and powers it is fed', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let total: EnergyTotal = EMPTY_TOTAL;
        let timeMs = 1_000_000;
        for (const s of steps) {
          const before = total.totalWh;
          if (s.kind === 'register') total = addRegister(total, s.registerWh);
          else {
            timeMs += s.dtMs;
            total = addPower(total, s.powerW, timeMs, 600);
          }
          expect(total.totalWh).toBeGreaterThanOrEqual(before);
          expect(Number.isFinite(total.totalWh)).toBe(true);
        }
      }),
    );
  });

  it('adds what a register counted, and takes a register that went down as a new base', () => {
    let t = addRegister(EMPTY_TOTAL, 1000);
    expect(t.totalWh).toBe(0);
    t = addRegister(t, 1500);
    expect(t.totalWh).toBe(500);
    t = addRegister(t, 20); // meter replaced
    expect(t.totalWh).toBe(500);
    t = addRegister(t, 120);
    expect(t.totalWh).toBe(600);
  });

  it('integrates power held from one reading to the next, only in its own direction, and not over a gap', () => {
    let t = addPower(EMPTY_TOTAL, 2000, 0, 600);
    t = addPower(t, -500, 300_000, 600); // 2 kW for 5 min
    expect(t.totalWh).toBeCloseTo(166.667, 3);
    t = addPower(t, 3000, 360_000, 600); // export counts nothing here
    expect(t.totalWh).toBeCloseTo(166.667, 3);
    t = addPower(t, 3000, 360_000 + 700_000, 600); // 700 s gap: unknown, nothing added
    expect(t.totalWh).toBeCloseTo(166.667, 3);
    t = addPower(t, 0, 360_000 + 700_000 - 1, 600); // older reading: ignored
    expect(t.lastTimeMs).toBe(1_060_000);
  });

  it('reads back only well-formed stored totals', () => {
    expect(parseTotal({ totalWh: 5, lastRegisterWh: 7 })).toEqual({ totalWh: 5, lastRegisterWh: 7 });
    expect(parseTotal({ totalWh: -1 })).toBeUndefined();
    expect(parseTotal('5')).toBeUndefined();
    expect(parseTotal(null)).toBeUndefined();
  });
});
