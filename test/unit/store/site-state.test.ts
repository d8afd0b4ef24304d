import { describe, it, expect } from 'vitest';
import Database from 'better-sqlite3';
import { migrate } from '../../../src/store/migrations.js';
import { MIGRATIONS } from '../../../src/store/schema-steps.js';
import { openStore } from '../../../src/store/store.js';
import { SiteEnergy } from '../../../src/meters/site-energy.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { useTempStores } from './temp-store.js';

describe('the site\'s own values', () => {
  const stores = useTempStores();

  it('are kept by key, apart from every station\'s values', () => {
    const { stationState, siteState } = stores.open();
    siteState.set('energyTotal/pv', { totalWh: 12 });
    stationState.set('CP-1', 'energyTotal/pv', 'a station value');
    siteState.set('energyTotal/pv', { totalWh: 13 });
    expect(siteState.get('energyTotal/pv')).toEqual({ totalWh: 13 });
    expect(siteState.get('never set')).toBeUndefined();
    expect(stationState.get('CP-1', 'energyTotal/pv')).toBe('a station value');
  });

  it('move out of the station values when a database that kept them under a made-up station id is upgraded', () => {
    const clock = new FakeClock();
    const file = stores.dbPath();
    const old = new Database(file);
    migrate(old, { clock, migrations: MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.name === 'site state')) });
    const put = old.prepare<[string, string, string, number]>('INSERT INTO station_state (station_id, key, value_json, updated_ms) VALUES (?, ?, ?, ?)');
    put.run('#site', 'energyTotal/gridImport', JSON.stringify({ totalWh: 1234.5, lastRegisterWh: 99_000 }), 7);
    put.run('#site', 'energyTotal/pv', JSON.stringify({ totalWh: 42 }), 8);
    put.run('CP-1', 'reenroll', JSON.stringify({ pushedMs: 5 }), 9);
    old.close();

    const store = openStore({ path: file, clock });
    try {
      // (store.lastRun is the store's own record of its runs: last-run.ts)
      expect(store.db.prepare("SELECT key, value_json, updated_ms FROM site_state WHERE key != 'store.lastRun' ORDER BY key").all()).toEqual([
        { key: 'energyTotal/gridImport', value_json: '{"totalWh":1234.5,"lastRegisterWh":99000}', updated_ms: 7 },
        { key: 'energyTotal/pv', value_json: '{"totalWh":42}', updated_ms: 8 },
      ]);
      expect(store.db.prepare('SELECT station_id, key FROM station_state').all()).toEqual([{ station_id: 'CP-1', key: 'reenroll' }]);
      // The totals carry on from what was stored before the upgrade.
      const energy = new SiteEnergy({ values: store.siteState, clock, meterRoles: { gridMeterId: 'grid', pvMeterId: 'pv' }, maxGapSOf: () => 60 });
      expect(energy.published()).toEqual({ gridImport: 1234.5, gridExport: 0, pv: 42 });
    } finally {
      store.close();
    }
  });
});
