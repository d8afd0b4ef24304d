import { describe, it, expect } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import type { StationBoot } from '../../../src/store/station-repo.js';
import { useTempStores } from './temp-store.js';

const boot: StationBoot = {
  stationId: 'CP-1',
  version: '2.0.1',
  vendor: 'Acme',
  model: 'Wallbox 11',
  serialNumber: 'SN-42',
  firmwareVersion: '1.2.3',
  bootStatus: 'Accepted',
  lastBootMs: Date.UTC(2026, 0, 5, 7, 59, 0),
};

describe('StationRepo', () => {
  const stores = useTempStores();

  it('records a boot as a connected station with its identity', () => {
    const clock = new FakeClock();
    const { stations } = stores.open({ clock });
    stations.upsertBoot(boot);
    expect(stations.get('CP-1')).toEqual({
      stationId: 'CP-1',
      version: '2.0.1',
      vendor: 'Acme',
      model: 'Wallbox 11',
      serialNumber: 'SN-42',
      firmwareVersion: '1.2.3',
      bootStatus: 'Accepted',
      lastBootMs: boot.lastBootMs,
      lastSeenMs: clock.nowMs(),
      connected: true,
    });
  });

  it('lists the ids of the stations it holds, in order, connected or not', () => {
    const { stations } = stores.open();
    expect(stations.ids()).toEqual([]);
    stations.upsertBoot({ ...boot, stationId: 'CP-2' });
    stations.upsertBoot(boot);
    stations.setConnected('CP-2', false);
    expect(stations.ids()).toEqual(['CP-1', 'CP-2']);
    expect(stations.ids()).toEqual(stations.list().map((s) => s.stationId));
  });

  it('a second boot replaces the identity of the first', () => {
    const { stations } = stores.open();
    stations.upsertBoot(boot);
    stations.upsertBoot({ ...boot, firmwareVersion: '2.0.0', version: '2.1' });
    expect(stations.get('CP-1')).toMatchObject({ firmwareVersion: '2.0.0', version: '2.1' });
  });

  it('creates a station that connects without booting when its version is known', () => {
    const { stations } = stores.open();
    expect(stations.setConnected('CP-9', true, '1.6')).toBe(true);
    expect(stations.get('CP-9')).toMatchObject({ stationId: 'CP-9', version: '1.6', connected: true });
  });

  it('leaves an unknown station alone when disconnecting it', () => {
    const { stations } = stores.open();
    expect(stations.setConnected('CP-9', false)).toBe(false);
    expect(stations.get('CP-9')).toBeUndefined();
  });

  it('marks a known station disconnected', () => {
    const { stations } = stores.open();
    stations.upsertBoot(boot);
    stations.setConnected('CP-1', false);
    expect(stations.get('CP-1')?.connected).toBe(false);
  });

  it('marks every station disconnected at once', () => {
    const { stations } = stores.open();
    stations.upsertBoot(boot);
    stations.upsertBoot({ ...boot, stationId: 'CP-2' });
    stations.disconnectAll();
    expect(stations.list().map((s) => s.connected)).toEqual([false, false]);
  });

  it('touch moves lastSeen forward once the resolution has passed', () => {
    const clock = new FakeClock();
    const { stations } = stores.open({ clock, lastSeenResolutionMs: 10_000 });
    stations.upsertBoot(boot);
    clock.advanceMs(10_000);
    expect(stations.touch('CP-1')).toBe(true);
    expect(stations.get('CP-1')?.lastSeenMs).toBe(clock.nowMs());
  });

  it('touch skips the write within the resolution', () => {
    const clock = new FakeClock();
    const { stations } = stores.open({ clock, lastSeenResolutionMs: 10_000 });
    stations.upsertBoot(boot);
    const bootSeenMs = clock.nowMs();
    clock.advanceMs(9_999);
    expect(stations.touch('CP-1')).toBe(false);
    expect(stations.get('CP-1')?.lastSeenMs).toBe(bootSeenMs);
  });

  it('lists stations by id', () => {
    const { stations } = stores.open();
    stations.upsertBoot({ ...boot, stationId: 'CP-B' });
    stations.upsertBoot({ ...boot, stationId: 'CP-A' });
    expect(stations.list().map((s) => s.stationId)).toEqual(['CP-A', 'CP-B']);
  });

  it('keeps stations across close and reopen', () => {
    const first = stores.open();
    first.stations.upsertBoot(boot);
    first.close();
    expect(stores.open().stations.get('CP-1')?.serialNumber).toBe('SN-42');
  });
});
