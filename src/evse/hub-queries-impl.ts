import type { Clock } from '../util/clock.js';
import type { Store } from '../store/store.js';
import type { HubQueries, StationView, EvseView } from '../api/hub-queries.js';
import type { ConnectorState, StationInfo, TransactionSummary } from '../model/types.js';
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

  /** A station's view from its connector rows and active transactions (oldest first). */
  const view = (info: StationInfo, connectors: readonly ConnectorState[], active: readonly TransactionSummary[]): StationView => {
    const evses = new Map<number, EvseView>();
    const evseOf = (evseId: number): EvseView => {
      let e = evses.get(evseId);
      if (!e) {
        e = { evseId, connectors: [] };
        evses.set(evseId, e);
      }
      return e;
    };
    for (const c of connectors) {
      const { stationId: _s, evseId, ...rest } = c;
      evseOf(evseId).connectors.push(rest);
    }
    for (const tx of active) {
      const e = evseOf(tx.evseId);
      e.transaction = tx;
      // 2.x: the charging state comes with the transaction, not with the connector status; it only
      // changes what an Occupied connector without a detail shows, so it is read only for those.
      if (!e.connectors.some((c) => c.status === 'Occupied' && c.detail === undefined)) continue;
      const chargingState = store.transactions.lastChargingState(info.stationId, tx.transactionId);
      if (chargingState !== undefined) e.connectors = e.connectors.map((c) => withChargingState(c, chargingState));
    }
    return {
      ...info,
      connected: registry.get(info.stationId)?.isOpen ?? false,
      evses: [...evses.values()].sort((a, b) => a.evseId - b.evseId),
    };
  };

  /** Every station's view with three queries for the site (not three per station). */
  const stations = (): StationView[] => {
    const connectors = groupBy(store.connectors.listAll(), (c) => c.stationId);
    const active = groupBy(store.transactions.activeAll(), (t) => t.stationId);
    return store.stations.list().map((info) => view(info, connectors.get(info.stationId) ?? [], active.get(info.stationId) ?? []));
  };

  return {
    health: () => ({
      status: 'ok',
      uptimeS: Math.round((deps.clock.nowMs() - deps.startedMs) / 1000),
      stationsConnected: registry.size,
      upstream: deps.upstreamMode,
    }),
    stations,
    stationPresence: (stationIds) => {
      const out: Array<{ stationId: string; connected: boolean }> = [];
      let met: Set<string> | undefined;
      for (const stationId of stationIds) {
        if (registry.get(stationId)?.isOpen) out.push({ stationId, connected: true });
        else if ((met ??= new Set(store.stations.ids())).has(stationId)) out.push({ stationId, connected: false });
      }
      return out;
    },
    station: (id) => {
      const info = store.stations.get(id);
      return info ? view(info, store.connectors.listByStation(id), store.transactions.findActive(id)) : undefined;
    },
    transactions: (q) => store.transactions.list(q),
  };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(keyOf(item));
    if (list) list.push(item);
    else out.set(keyOf(item), [item]);
  }
  return out;
}
