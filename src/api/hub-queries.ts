import type { ConnectorState, StationInfo, TransactionSummary } from '../model/types.js';

/** What the API reads from the hub. The hub implements it; tests can pass a fixture. */
export interface EvseView {
  evseId: number;
  connectors: Array<Omit<ConnectorState, 'stationId' | 'evseId'>>;
  transaction?: TransactionSummary;
}

export interface StationView extends StationInfo {
  evses: EvseView[];
}

export interface TransactionQuery {
  status?: 'Active' | 'Ended';
  stationId?: string;
  limit: number;
}

export interface HubQueries {
  health(): { status: 'ok'; uptimeS: number; stationsConnected: number; upstream: string };
  stations(): StationView[];
  /**
   * Of these stations, those the hub has met, each with whether it is connected, without their
   * views (for `/api/health`); a station never met is left out. Connected ones cost no query.
   */
  stationPresence(stationIds: readonly string[]): Array<Pick<StationView, 'stationId' | 'connected'>>;
  station(stationId: string): StationView | undefined;
  transactions(q: TransactionQuery): TransactionSummary[];
}
