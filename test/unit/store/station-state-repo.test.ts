import { describe, it, expect } from 'vitest';
import { useTempStores } from './temp-store.js';

describe('StationStateRepo', () => {
  const stores = useTempStores();

  it('stores a JSON value under a key', () => {
    const { stationState } = stores.open();
    stationState.set('CP-1', 'reenroll', { pushedMs: 5, variables: ['a'] });
    expect(stationState.get('CP-1', 'reenroll')).toEqual({ pushedMs: 5, variables: ['a'] });
  });

  it('a key never set reads as undefined', () => {
    expect(stores.open().stationState.get('CP-1', 'reenroll')).toBeUndefined();
  });

  it('setting a key again replaces its value', () => {
    const { stationState } = stores.open();
    stationState.set('CP-1', 'k', 1);
    stationState.set('CP-1', 'k', 2);
    expect(stationState.entries('CP-1')).toEqual({ k: 2 });
  });

  it('keeps stations apart', () => {
    const { stationState } = stores.open();
    stationState.set('CP-1', 'k', 'one');
    stationState.set('CP-2', 'k', 'two');
    expect([stationState.get('CP-1', 'k'), stationState.get('CP-2', 'k')]).toEqual(['one', 'two']);
  });

  it('deletes a key', () => {
    const { stationState } = stores.open();
    stationState.set('CP-1', 'k', true);
    expect(stationState.delete('CP-1', 'k')).toBe(true);
    expect(stationState.get('CP-1', 'k')).toBeUndefined();
  });
});

describe('StationStateRepo.withKeyPrefix', () => {
  const stores = useTempStores();

  it("reads every station's values under a key prefix in one call, and nothing else", () => {
    const { stationState } = stores.open();
    stationState.set('CP-1', 'energyRegister/1', { valueWh: 1 });
    stationState.set('CP-1', 'energyRegister/2', { valueWh: 2 });
    stationState.set('CP-2', 'energyRegister/1', { valueWh: 3 });
    stationState.set('CP-2', 'reenroll', true);
    stationState.set('CP-3', 'energyRegister', 'no slash');
    const found = stationState.withKeyPrefix('energyRegister/').sort((a, b) => `${a.stationId}${a.key}`.localeCompare(`${b.stationId}${b.key}`));
    expect(found).toEqual([
      { stationId: 'CP-1', key: 'energyRegister/1', value: { valueWh: 1 } },
      { stationId: 'CP-1', key: 'energyRegister/2', value: { valueWh: 2 } },
      { stationId: 'CP-2', key: 'energyRegister/1', value: { valueWh: 3 } },
    ]);
    expect(stationState.withKeyPrefix('nothing/')).toEqual([]);
  });
});
