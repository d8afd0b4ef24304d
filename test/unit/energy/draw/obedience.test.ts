import { describe, it, expect } from 'vitest';
import { disobedience } from '../../../../src/energy/draw/obedience.js';

const params = { toleranceA: 2, afterS: 60, followS: 30 };
const reports = (fromS: number, toS: number, everyS: number, currentA: number) =>
  Array.from({ length: Math.floor((toS - fromS) / everyS) + 1 }, (_, i) => ({ timeMs: (fromS + i * everyS) * 1000, currentA: [currentA, currentA, currentA] }));

describe('a charger that accepted a limit', () => {
  it('is disobedient once it has drawn above the limit plus the tolerance for the set time', () => {
    const offers = [{ fromMs: 0, limitA: 16 }, { fromMs: 100_000, limitA: 8 }];
    // follows 16 A, then keeps drawing 16 A after the 8 A limit (allowed to follow late for 30 s)
    const samples = reports(0, 250, 10, 16);
    expect(disobedience({ samples, offers }, params)).toEqual({ sinceMs: 130_000, limitA: 8, drawnA: 16 });
    expect(disobedience({ samples: reports(0, 180, 10, 16), offers }, params)).toBeUndefined();
  });

  it('is not disobedient while it follows, within the tolerance, or while it may still be following late', () => {
    const offers = [{ fromMs: 0, limitA: 16 }, { fromMs: 100_000, limitA: 8 }];
    expect(disobedience({ samples: [...reports(0, 120, 10, 16), ...reports(130, 300, 10, 9.5)], offers }, params)).toBeUndefined();
    expect(disobedience({ samples: reports(0, 125, 5, 16), offers }, params)).toBeUndefined();
  });

  it('obeys again from its first report within the limit', () => {
    const offers = [{ fromMs: 0, limitA: 8 }];
    expect(disobedience({ samples: reports(0, 100, 10, 16), offers }, params)).toBeDefined();
    expect(disobedience({ samples: [...reports(0, 100, 10, 16), { timeMs: 110_000, currentA: [8, 8, 8] }], offers }, params)).toBeUndefined();
  });

  it('is never judged without a known offer', () => {
    expect(disobedience({ samples: reports(0, 300, 10, 32), offers: [] }, params)).toBeUndefined();
  });
});
