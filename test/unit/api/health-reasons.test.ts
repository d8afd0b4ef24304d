import { describe, expect, it } from 'vitest';
import { healthReasons } from '../../../src/api/health-reasons.js';

const reading = (stale: boolean, ageS: number) => ({ meterId: 'grid', stale, ageS, timeMs: 0, receivedMs: 0 });

describe('why the hub is degraded', () => {
  it('is nothing when meters are fresh, circuits metered, links up and configured stations online', () => {
    expect(
      healthReasons({
        site: { meters: { grid: reading(false, 1) }, staleCircuits: {} },
        evses: [{ stationId: 'CP1' }, { stationId: 'CP1' }],
        stations: [{ stationId: 'CP1', connected: true }],
        links: [{ name: 'csms', state: 'connected' }],
      }),
    ).toEqual([]);
  });

  it('names a failsafe circuit, a stale meter, an unreachable CSMS and offline stations', () => {
    expect(
      healthReasons({
        site: { meters: { grid: reading(true, 61.4) }, staleCircuits: { main: 'meter grid stale' } },
        evses: [{ stationId: 'CP1' }, { stationId: 'CP2' }],
        stations: [{ stationId: 'CP1', connected: false }],
        links: [{ name: 'csms', state: 'backoff' }],
      }),
    ).toEqual([
      'circuit main on failsafe: meter grid stale',
      'meter grid stale: last reading 61 s old',
      'CSMS link csms unreachable (backoff)',
      'station CP1 offline',
      'station CP2 offline (never connected)',
    ]);
  });
});
