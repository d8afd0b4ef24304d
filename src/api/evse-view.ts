import type { ConnectorState, TransactionSummary } from '../model/types.js';
import type { EnergyQueries, EvseEnergyView } from './energy-queries.js';
import type { HubQueries, StationView } from './hub-queries.js';

/** An EVSE as the API shows it: the energy side's view plus connection, connectors and transaction. */
export interface EvseApiView extends EvseEnergyView {
  connected: boolean;
  connectors: Array<Omit<ConnectorState, 'stationId' | 'evseId'>>;
  transaction?: TransactionSummary;
}

/** Joins the energy side's EVSEs with what stations report (one station lookup per station). */
export function evseViews(queries: HubQueries, energy: EnergyQueries): EvseApiView[] {
  const stations = new Map<string, StationView | undefined>();
  const stationOf = (id: string): StationView | undefined => {
    if (!stations.has(id)) stations.set(id, queries.station(id));
    return stations.get(id);
  };
  return energy
    .evses()
    .map((e) => evseApiView(e, stationOf(e.stationId)));
}

/** One EVSE's energy-side view joined with what its station reports (`station`: from queries.station). */
export function evseApiView(e: EvseEnergyView, station: StationView | undefined): EvseApiView {
  const reported = station?.evses.find((x) => x.evseId === e.evseId);
  return {
    ...e,
    connected: station?.connected ?? false,
    connectors: reported?.connectors ?? [],
    ...(reported?.transaction ? { transaction: reported.transaction } : {}),
  };
}
