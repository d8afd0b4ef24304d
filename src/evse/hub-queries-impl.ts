import type { Clock } from '../util/clock.js';
import type { Store } from '../store/store.js';
import type { HubQueries, StationView, EvseView } from '../api/hub-queries.js';
import type { StationInfo } from '../model/types.js';
import type { StationRegistry } from './station-registry.js';
import { withChargingState } from '../model/connector-detail.js';

export interface HubQueriesDeps {
  store: Store;
  registry: StationRegistry;
  clock: Clock;
  startedMs: number;
  upstreamMode: string;
}

/** The API's read model, assembled from the store and the live registry. */
export function hubQueries(deps: HubQueriesDeps): HubQueries {
  const { store, registry } = deps;

  const view = (info: StationInfo): StationView => {
    const evses = new Map<number, EvseView>();
    const evseOf = (evseId: number): EvseView => {
      let e = evses.get(evseId);
      if (!e) {
        e = { evseId, connectors: [] };
        evses.set(evseId, e);
      }
      return e;
    };
    for (const c of store.connectors.listByStation(info.stationId)) {
      const { stationId: _s, evseId, ...rest } = c;
      evseOf(evseId).connectors.push(rest);
    }
    for (const tx of store.transactions.findActive(info.stationId)) {
      const e = evseOf(tx.evseId);
      e.transaction = tx;
      // 2.x: the charging state comes with the transaction, not with the connector status.
      const chargingState = store.transactions.lastChargingState(info.stationId, tx.transactionId);
      if (chargingState !== undefined) e.connectors = e.connectors.map((c) => withChargingState(c, chargingState));
    }
    return {
      ...info,
      connected: registry.get(info.stationId)?.isOpen ?? false,
      evses: [...evses.values()].sort((a, b) => a.evseId - b.evseId),
    };
  };

  return {
    health: () => ({
      status: 'ok',
      uptimeS: Math.round((deps.clock.nowMs() - deps.startedMs) / 1000),
      stationsConnected: registry.size,
      upstream: deps.upstreamMode,
    }),
    stations: () => store.stations.list().map(view),
    station: (id) => {
      const info = store.stations.get(id);
      return info ? view(info) : undefined;
    },
    transactions: (q) => store.transactions.list(q),
  };
}
