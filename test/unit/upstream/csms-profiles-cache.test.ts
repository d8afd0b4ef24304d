import { describe, expect, it } from 'vitest';
import { useTempStores } from '../store/temp-store.js';
import type { ProfileScope } from '../../../src/upstream/csms-profiles-scope.js';
import { fixture, profile2x, T0 } from './csms-profiles-fixture.js';

const stores = useTempStores();

type Fixture = ReturnType<typeof fixture>;

/** The limits of the composite answered for EVSE `evseId` over 10 minutes. */
async function limits(f: Fixture, scope: ProfileScope, evseId: number): Promise<number[]> {
  const answer = await f.call(scope, 'GetCompositeSchedule', { evseId, duration: 600, chargingRateUnit: 'A' });
  const schedule = answer['schedule'] as { chargingSchedulePeriod: Array<{ limit: number }> };
  return schedule.chargingSchedulePeriod.map((p) => p.limit);
}

const windowed = (id: number, limit: number, from: number, to: number) => profile2x(id, limit, {
  validFrom: new Date(T0 + from * 1000).toISOString(), validTo: new Date(T0 + to * 1000).toISOString(),
});

describe('CSMS profiles kept per station for the composite engine', () => {
  it('hands out the same profile array until the profiles change, and a new one after', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('2.0.1');
    await f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: profile2x(7, 10) });
    const before = f.profiles.profilesOf('CP1');
    await limits(f, scope, 1);
    expect(f.profiles.profilesOf('CP1')).toBe(before);
    await f.call(scope, 'SetChargingProfile', { evseId: 2, chargingProfile: profile2x(8, 9) });
    expect(f.profiles.profilesOf('CP1')).not.toBe(before);
    expect(f.profiles.profilesOf('CP1').map((p) => p.id)).toEqual([7, 8]);
  });

  it('answers GetCompositeSchedule from the profiles as they are after every Set and Clear, also once an answer was cached', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('2.0.1');
    await f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: profile2x(7, 10) });
    expect(await limits(f, scope, 1)).toEqual([10]);
    expect(await limits(f, scope, 1)).toEqual([10]);
    await f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: profile2x(8, 8, { stackLevel: 1 }) });
    expect(await limits(f, scope, 1)).toEqual([8]);
    await f.call(scope, 'SetChargingProfile', { evseId: 0, chargingProfile: profile2x(9, 6, { chargingProfilePurpose: 'ChargingStationMaxProfile' }) });
    expect(await limits(f, scope, 1)).toEqual([6]);
    expect(await limits(f, scope, 0)).toEqual([6]);
    await f.call(scope, 'ClearChargingProfile', { chargingProfileId: 9 });
    expect(await limits(f, scope, 1)).toEqual([8]);
    expect(await limits(f, scope, 0)).toEqual([8 + 16]);
    await f.call(scope, 'ClearChargingProfile', { chargingProfileId: 8 });
    expect(await limits(f, scope, 1)).toEqual([10]);
    await f.call(scope, 'ClearChargingProfile', { chargingProfileCriteria: {} });
    expect(await limits(f, scope, 1)).toEqual([16]);
  });

  it('keeps the answer as it was when a Set is refused', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('2.1');
    await f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: windowed(500, 12, 0, 300) });
    expect(await limits(f, scope, 1)).toEqual([12, 16]);
    const refused = await f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: windowed(501, 10, 200, 600) });
    expect(refused).toMatchObject({ status: 'Rejected' });
    expect(await limits(f, scope, 1)).toEqual([12, 16]);
  });

  it('stops answering with a TxProfile once its transaction ended', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('2.0.1');
    f.transactions.set('CP1/1', { id: 'TX-1', startedMs: T0 });
    await f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: profile2x(8, 7, { chargingProfilePurpose: 'TxProfile', transactionId: 'TX-1' }) });
    expect(await limits(f, scope, 1)).toEqual([7]);
    f.transactions.delete('CP1/1');
    expect(await limits(f, scope, 1)).toEqual([16]);
    expect(f.profiles.profilesOf('CP1')).toEqual([]);
  });
});
