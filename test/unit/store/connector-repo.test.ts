import { describe, it, expect } from 'vitest';
import type { ConnectorState } from '../../../src/model/types.js';
import { useTempStores } from './temp-store.js';

const available: ConnectorState = {
  stationId: 'CP-1',
  evseId: 1,
  connectorId: 1,
  status: 'Available',
  updatedMs: 1_000,
};

describe('ConnectorRepo', () => {
  const stores = useTempStores();

  it('stores a connector state', () => {
    const { connectors } = stores.open();
    connectors.upsert(available);
    expect(connectors.get('CP-1', 1, 1)).toEqual({ ...available, detail: undefined, errorCode: undefined });
  });

  it('replaces the state of the same connector', () => {
    const { connectors } = stores.open();
    connectors.upsert(available);
    connectors.upsert({ ...available, status: 'Faulted', detail: 'Faulted', errorCode: 'GroundFailure', updatedMs: 2_000 });
    expect(connectors.listAll()).toEqual([
      { ...available, status: 'Faulted', detail: 'Faulted', errorCode: 'GroundFailure', updatedMs: 2_000 },
    ]);
  });

  it('lists a station’s connectors by EVSE and connector', () => {
    const { connectors } = stores.open();
    connectors.upsert({ ...available, evseId: 2 });
    connectors.upsert({ ...available, evseId: 1, connectorId: 2 });
    connectors.upsert({ ...available, stationId: 'CP-2' });
    connectors.upsert(available);
    expect(connectors.listByStation('CP-1').map((c) => [c.evseId, c.connectorId])).toEqual([[1, 1], [1, 2], [2, 1]]);
  });

  it('lists all connectors by station', () => {
    const { connectors } = stores.open();
    connectors.upsert({ ...available, stationId: 'CP-2' });
    connectors.upsert(available);
    expect(connectors.listAll().map((c) => c.stationId)).toEqual(['CP-1', 'CP-2']);
  });

  it('refuses a status outside the 2.x set', () => {
    const { connectors } = stores.open();
    const wire = { ...available, status: 'Charging' };
    expect(() => connectors.upsert(wire as ConnectorState)).toThrow(/CHECK constraint/);
  });
});
