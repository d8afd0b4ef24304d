import { describe, expect, it } from 'vitest';
import { validateProfile } from '../../../src/energy/composite/index.js';
import { aProfile, withPeriods } from './composite-builders.js';

describe('validateProfile', () => {
  it('accepts a plain TxDefaultProfile', () => {
    expect(validateProfile(aProfile())).toBeUndefined();
  });

  it('accepts a Relative profile without startSchedule', () => {
    expect(validateProfile(aProfile({
      kind: 'Relative', schedules: [{ rateUnit: 'A', periods: [{ startPeriodS: 0, limit: 6 }] }],
    }))).toBeUndefined();
  });

  it('accepts an Absolute profile without startSchedule (it runs from the start of charging)', () => {
    expect(validateProfile(aProfile({
      schedules: [{ rateUnit: 'A', periods: [{ startPeriodS: 0, limit: 6 }] }],
    }))).toBeUndefined();
  });

  it('rejects periods that do not start at 0', () => {
    expect(validateProfile(withPeriods(aProfile(), [{ startPeriodS: 60, limit: 6 }]))).toMatch(/does not start at 0/);
  });

  it('rejects unsorted periods', () => {
    const p = withPeriods(aProfile(), [
      { startPeriodS: 0, limit: 6 }, { startPeriodS: 600, limit: 8 }, { startPeriodS: 300, limit: 10 },
    ]);
    expect(validateProfile(p)).toMatch(/not sorted/);
  });

  it('rejects two periods starting at the same offset', () => {
    const p = withPeriods(aProfile(), [{ startPeriodS: 0, limit: 6 }, { startPeriodS: 0, limit: 8 }]);
    expect(validateProfile(p)).toMatch(/not sorted/);
  });

  it('rejects a schedule without periods', () => {
    expect(validateProfile(withPeriods(aProfile(), []))).toMatch(/no periods/);
  });

  it('rejects a profile without schedules', () => {
    expect(validateProfile(aProfile({ schedules: [] }))).toMatch(/no schedule/);
  });

  it('rejects a negative limit', () => {
    expect(validateProfile(withPeriods(aProfile(), [{ startPeriodS: 0, limit: -1 }]))).toMatch(/limit/);
  });

  it('rejects numberPhases outside 1..3', () => {
    expect(validateProfile(withPeriods(aProfile(), [{ startPeriodS: 0, limit: 6, numberPhases: 4 }]))).toMatch(/numberPhases/);
  });

  it('rejects a positive dischargeLimit', () => {
    expect(validateProfile(withPeriods(aProfile(), [{ startPeriodS: 0, limit: 6, dischargeLimit: 5 }]))).toMatch(/dischargeLimit/);
  });

  it('rejects a Recurring profile without recurrency', () => {
    expect(validateProfile(aProfile({ kind: 'Recurring' }))).toMatch(/recurrency/);
  });

  it('rejects a Recurring profile without startSchedule', () => {
    expect(validateProfile(aProfile({
      kind: 'Recurring', recurrency: 'Daily', schedules: [{ rateUnit: 'A', periods: [{ startPeriodS: 0, limit: 6 }] }],
    }))).toMatch(/startSchedule/);
  });

  it('rejects validFrom not before validTo', () => {
    expect(validateProfile(aProfile({ validFromMs: 2000, validToMs: 2000 }))).toMatch(/validFrom/);
  });

  it('rejects a duration that is not positive', () => {
    expect(validateProfile(aProfile({
      schedules: [{ startScheduleMs: 0, durationS: 0, rateUnit: 'A', periods: [{ startPeriodS: 0, limit: 6 }] }],
    }))).toMatch(/duration/);
  });

  it('rejects a negative stack level', () => {
    expect(validateProfile(aProfile({ stackLevel: -1 }))).toMatch(/stackLevel/);
  });

  it('rejects a ChargingStationMaxProfile on a specific EVSE', () => {
    expect(validateProfile(aProfile({ purpose: 'ChargingStationMaxProfile', evseId: 1 }))).toMatch(/evse 0/);
  });

  it('rejects a TxProfile on evse 0', () => {
    expect(validateProfile(aProfile({ purpose: 'TxProfile', evseId: 0 }))).toMatch(/specific EVSE/);
  });

  it('rejects a TxProfile when no transaction runs on the EVSE', () => {
    expect(validateProfile(aProfile({ purpose: 'TxProfile', transactionId: 'tx-1' }), { activeTransactionId: null }))
      .toMatch(/needs a running transaction/);
  });

  it('rejects a TxProfile for another transaction than the running one', () => {
    expect(validateProfile(aProfile({ purpose: 'TxProfile', transactionId: 'tx-1' }), { activeTransactionId: 'tx-2' }))
      .toMatch(/tx-1.*tx-2/);
  });

  it('accepts a TxProfile for the running transaction', () => {
    expect(validateProfile(aProfile({ purpose: 'TxProfile', transactionId: 'tx-1' }), { activeTransactionId: 'tx-1' }))
      .toBeUndefined();
  });

  it('accepts a TxProfile without transaction id while a transaction runs', () => {
    expect(validateProfile(aProfile({ purpose: 'TxProfile' }), { activeTransactionId: 'tx-1' })).toBeUndefined();
  });

  it('rejects a transaction id on a profile that is not a TxProfile', () => {
    expect(validateProfile(aProfile({ transactionId: 'tx-1' }))).toMatch(/only a TxProfile/);
  });
});
