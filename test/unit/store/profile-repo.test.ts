import { describe, it, expect } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { aChargingProfile } from './builders.js';
import { useTempStores } from './temp-store.js';

describe('ProfileRepo', () => {
  const stores = useTempStores();

  it('stores a profile and returns it whole', () => {
    const clock = new FakeClock();
    const { profiles } = stores.open({ clock });
    const profile = aChargingProfile({ id: 7, validToMs: clock.nowMs() + 60_000 });
    profiles.put('CP-1', 'csms', profile);
    expect(profiles.get('CP-1', 'csms', 7)).toEqual({ stationId: 'CP-1', source: 'csms', profile, updatedMs: clock.nowMs() });
  });

  it('a profile with the same id replaces the stored one', () => {
    const { profiles } = stores.open();
    profiles.put('CP-1', 'csms', aChargingProfile({ id: 7, stackLevel: 1 }));
    profiles.put('CP-1', 'csms', aChargingProfile({ id: 7, stackLevel: 3 }));
    expect(profiles.list('CP-1').map((p) => p.profile.stackLevel)).toEqual([3]);
  });

  it('keeps CSMS and hub profiles with the same id apart', () => {
    const { profiles } = stores.open();
    profiles.put('CP-1', 'csms', aChargingProfile({ id: 7 }));
    profiles.put('CP-1', 'hub', aChargingProfile({ id: 7, stackLevel: 9 }));
    expect(profiles.list('CP-1', 'hub').map((p) => p.profile.stackLevel)).toEqual([9]);
    expect(profiles.list('CP-1').map((p) => p.source)).toEqual(['csms', 'hub']);
  });

  it('deletes one profile', () => {
    const { profiles } = stores.open();
    profiles.put('CP-1', 'hub', aChargingProfile({ id: 1 }));
    profiles.put('CP-1', 'hub', aChargingProfile({ id: 2 }));
    expect(profiles.delete('CP-1', 'hub', 1)).toBe(true);
    expect(profiles.list('CP-1').map((p) => p.profile.id)).toEqual([2]);
  });

  it('deleting a missing profile reports a miss', () => {
    expect(stores.open().profiles.delete('CP-1', 'hub', 1)).toBe(false);
  });

  it('clears one source of a station and nothing else', () => {
    const { profiles } = stores.open();
    profiles.put('CP-1', 'csms', aChargingProfile({ id: 1 }));
    profiles.put('CP-1', 'csms', aChargingProfile({ id: 2 }));
    profiles.put('CP-1', 'hub', aChargingProfile({ id: 1 }));
    profiles.put('CP-2', 'csms', aChargingProfile({ id: 1 }));
    expect(profiles.clear('CP-1', 'csms')).toBe(2);
    expect([profiles.list('CP-1').map((p) => p.source), profiles.list('CP-2').length]).toEqual([['hub'], 1]);
  });

  it('lists every station\'s profiles of one source in one go, each station in the order of list', () => {
    const { profiles } = stores.open();
    profiles.put('CP-2', 'csms', aChargingProfile({ id: 5, stackLevel: 2 }));
    profiles.put('CP-2', 'csms', aChargingProfile({ id: 4, stackLevel: 1 }));
    profiles.put('CP-1', 'csms', aChargingProfile({ id: 1 }));
    profiles.put('CP-3', 'hub', aChargingProfile({ id: 1 }));
    const all = profiles.listAllBySource('csms');
    expect([...all.keys()].sort()).toEqual(['CP-1', 'CP-2']);
    expect(all.get('CP-2')).toEqual(profiles.list('CP-2', 'csms').map((p) => p.profile));
    expect(all.get('CP-1')?.map((p) => p.id)).toEqual([1]);
  });

  it('keeps profiles across close and reopen', () => {
    const first = stores.open();
    const profile = aChargingProfile({ id: 3, purpose: 'ChargingStationMaxProfile', evseId: 0 });
    first.profiles.put('CP-1', 'hub', profile);
    first.close();
    expect(stores.open().profiles.get('CP-1', 'hub', 3)?.profile).toEqual(profile);
  });
});
