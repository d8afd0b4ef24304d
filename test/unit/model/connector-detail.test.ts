import { describe, expect, it } from 'vitest';
import { withChargingState } from '../../../src/model/connector-detail.js';

describe('a connector with the transaction charging state', () => {
  it('says Charging for a 2.x Occupied connector whose transaction reports chargingState Charging', () => {
    expect(withChargingState({ status: 'Occupied' as const }, 'Charging')).toEqual({ status: 'Occupied', detail: 'Charging' });
  });

  it('keeps what a 1.6 station said itself, and leaves other statuses alone', () => {
    expect(withChargingState({ status: 'Occupied' as const, detail: 'SuspendedEV' }, 'Charging')).toEqual({ status: 'Occupied', detail: 'SuspendedEV' });
    expect(withChargingState({ status: 'Available' as const }, 'Charging')).toEqual({ status: 'Available' });
    expect(withChargingState({ status: 'Occupied' as const }, undefined)).toEqual({ status: 'Occupied' });
  });
});
