import { describe, expect, it } from 'vitest';
import { ageMeters, nextStaleMs } from '../../../src/control/meter-staleness.js';
import { aGridReading, T0 } from './builders.js';

describe('meter staleness', () => {
  it('marks a reading older than staleAfterS stale', () => {
    const aged = ageMeters({ grid: aGridReading(4, T0) }, T0 + 5001, { staleAfterS: 5 });
    expect(aged.grid).toMatchObject({ stale: true, ageS: 5.001 });
  });

  it('keeps a reading the source already called stale stale', () => {
    const aged = ageMeters({ grid: aGridReading(4, T0, { stale: true }) }, T0, { staleAfterS: 5 });
    expect(aged.grid?.stale).toBe(true);
  });

  it('finds the first instant a fresh reading turns stale, per meter threshold', () => {
    const meters = { grid: aGridReading(4, T0), pv: { ...aGridReading(0, T0 + 1000), meterId: 'pv' } };
    expect(nextStaleMs(meters, T0, { staleAfterS: 10, staleAfterSByMeter: { pv: 2 } })).toBe(T0 + 3001);
  });

  it('has no next stale instant when every reading is stale already', () => {
    expect(nextStaleMs({ grid: aGridReading(4, T0, { stale: true }) }, T0, { staleAfterS: 5 })).toBeUndefined();
  });
});
