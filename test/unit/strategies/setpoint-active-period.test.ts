import { describe, expect, it } from 'vitest';
import type { ChargingProfile } from '../../../src/energy/charging-profile.js';
import { activePeriod, parseEvseKey } from '../../../strategies/setpoint/index.js';

const DAY_MS = 86_400_000;
const MIDNIGHT_MS = Date.UTC(2025, 5, 21);

function profile(overrides: Partial<ChargingProfile>, setpoint = 1000): ChargingProfile {
  return {
    id: 1, stackLevel: 0, purpose: 'TxDefaultProfile', kind: 'Absolute', evseId: 1,
    schedules: [{ startScheduleMs: MIDNIGHT_MS, rateUnit: 'W', periods: [{ startPeriodS: 0, limit: 5000, setpoint }] }],
    ...overrides,
  };
}

describe('activePeriod', () => {
  it('finds nothing before a profile is valid and after it expires', () => {
    const p = profile({ validFromMs: MIDNIGHT_MS + 3_600_000, validToMs: MIDNIGHT_MS + 7_200_000 });
    expect(activePeriod([p], 1, MIDNIGHT_MS + 1_000)).toBeUndefined();
    expect(activePeriod([p], 1, MIDNIGHT_MS + 3_600_000)?.profileId).toBe(1);
    expect(activePeriod([p], 1, MIDNIGHT_MS + 7_200_000)).toBeUndefined();
  });

  it('repeats a daily recurring schedule on later days', () => {
    const p = profile({
      kind: 'Recurring', recurrency: 'Daily',
      schedules: [{ startScheduleMs: MIDNIGHT_MS, rateUnit: 'W', periods: [
        { startPeriodS: 0, limit: 1000 }, { startPeriodS: 18 * 3600, limit: 2000 },
      ] }],
    });
    expect(activePeriod([p], 1, MIDNIGHT_MS + 3 * DAY_MS + 19 * 3_600_000)?.period.limit).toBe(2000);
    expect(activePeriod([p], 1, MIDNIGHT_MS + 3 * DAY_MS + 3_600_000)?.period.limit).toBe(1000);
  });

  it('ignores a TxProfile of another transaction and one when no transaction runs', () => {
    const p = profile({ purpose: 'TxProfile', transactionId: 'tx-a' });
    expect(activePeriod([p], 1, MIDNIGHT_MS, { transactionId: 'tx-b' })).toBeUndefined();
    expect(activePeriod([p], 1, MIDNIGHT_MS)).toBeUndefined();
    expect(activePeriod([p], 1, MIDNIGHT_MS, { transactionId: 'tx-a' })?.profileId).toBe(1);
  });

  it('prefers the EVSE-specific default profile over the station-wide one at the same stack level', () => {
    const stationWide = profile({ id: 10, evseId: 0 });
    const specific = profile({ id: 11, evseId: 1 });
    expect(activePeriod([specific, stationWide], 1, MIDNIGHT_MS)?.profileId).toBe(11);
    expect(activePeriod([stationWide, specific], 1, MIDNIGHT_MS)?.profileId).toBe(11);
  });

  it('ends an absolute schedule after its duration', () => {
    const p = profile({ schedules: [{ startScheduleMs: MIDNIGHT_MS, durationS: 600, rateUnit: 'W', periods: [{ startPeriodS: 0, limit: 1 }] }] });
    expect(activePeriod([p], 1, MIDNIGHT_MS + 599_000)).toBeDefined();
    expect(activePeriod([p], 1, MIDNIGHT_MS + 600_000)).toBeUndefined();
  });
});

describe('parseEvseKey', () => {
  it('splits a key at its last slash into station id and numeric EVSE id', () => {
    expect(parseEvseKey('garage/level-2/3')).toEqual({ stationId: 'garage/level-2', evseId: 3 });
    expect(parseEvseKey('no-evse')).toBeUndefined();
  });
});
