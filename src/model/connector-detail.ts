import type { ConnectorState } from './types.js';

/**
 * What a connector is doing, in the station's own words where it said more than its status:
 * 1.6 stations say it in StatusNotification (`detail`: Charging, SuspendedEV, ...); 2.x stations
 * only say `Occupied` there and report the charging state in TransactionEvent (`chargingState`:
 * Charging, SuspendedEV, SuspendedEVSE, EVConnected, Idle). Pure.
 */
export function withChargingState<C extends Pick<ConnectorState, 'status' | 'detail'>>(connector: C, chargingState: string | undefined): C {
  if (connector.detail !== undefined || connector.status !== 'Occupied' || chargingState === undefined) return connector;
  return { ...connector, detail: chargingState };
}
