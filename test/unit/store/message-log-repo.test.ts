import { describe, it, expect } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { useTempStores } from './temp-store.js';

describe('MessageLogRepo', () => {
  const stores = useTempStores();

  it('stores a payload stamped with the current time', () => {
    const clock = new FakeClock();
    const { messages } = stores.open({ clock });
    messages.append('CP-1', 'FirmwareStatusNotification', { status: 'Downloaded' });
    expect(messages.listRecent()).toEqual([
      { id: 1, stationId: 'CP-1', action: 'FirmwareStatusNotification', payload: { status: 'Downloaded' }, timeMs: clock.nowMs() },
    ]);
  });

  it('lists the most recent messages first, up to the limit', () => {
    const clock = new FakeClock();
    const { messages } = stores.open({ clock });
    for (const n of [1, 2, 3]) {
      messages.append('CP-1', 'NotifyEvent', { n });
      clock.advanceMs(1_000);
    }
    expect(messages.listRecent({ limit: 2 }).map((m) => m.payload)).toEqual([{ n: 3 }, { n: 2 }]);
  });

  it('filters by station and action', () => {
    const { messages } = stores.open();
    messages.append('CP-1', 'NotifyEvent', 1);
    messages.append('CP-1', 'DataTransfer', 2);
    messages.append('CP-2', 'NotifyEvent', 3);
    expect(messages.listRecent({ stationId: 'CP-1', action: 'NotifyEvent' }).map((m) => m.payload)).toEqual([1]);
  });

  it('deletes messages older than a cutoff', () => {
    const { messages } = stores.open();
    messages.append('CP-1', 'NotifyEvent', 'old', 1_000);
    messages.append('CP-1', 'NotifyEvent', 'new', 2_000);
    expect(messages.deleteOlderThan(2_000)).toBe(1);
    expect(messages.listRecent().map((m) => m.payload)).toEqual(['new']);
  });

  it('counts stored messages', () => {
    const { messages } = stores.open();
    messages.append('CP-1', 'SecurityEventNotification', { type: 'StartupOfTheDevice' });
    messages.append('CP-1', 'LogStatusNotification', { status: 'Uploaded' });
    expect(messages.count()).toBe(2);
  });
});
