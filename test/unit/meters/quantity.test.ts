import { describe, it, expect } from 'vitest';
import { readingFromQuantities, type MeterQuantity } from '../../../src/meters/quantity.js';

describe('readingFromQuantities', () => {
  it('puts phase quantities into per-phase fields and scalars into their own fields', () => {
    const values = new Map<MeterQuantity, number>([
      ['currentA.L1', 10],
      ['currentA.L3', 12],
      ['voltageV.L2', 231],
      ['powerW', 5000],
      ['frequencyHz', 50.01],
      ['energyWh', 1e6],
      ['socPct', 80],
    ]);
    expect(readingFromQuantities('grid', 1000, values)).toEqual({
      meterId: 'grid',
      timeMs: 1000,
      powerW: 5000,
      currentA: { L1: 10, L3: 12 },
      voltageV: { L2: 231 },
      frequencyHz: 50.01,
      energyWh: 1e6,
      socPct: 80,
    });
  });
});
