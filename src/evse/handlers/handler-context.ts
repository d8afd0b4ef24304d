import type { CallContext, CallHandler } from '../../ocpp/rpc-types.js';
import type { OcppVersion } from '../../ocpp/versions.js';
import type { Clock } from '../../util/clock.js';
import type { StationService } from '../station-service.js';

/** What a version's handlers need: the station they serve and the service that records and decides. */
export interface HandlerContext {
  stationId: string;
  /** The session's OCPP version (2.0.1 and 2.1 share one table). */
  version: OcppVersion;
  service: StationService;
  clock: Clock;
}

/**
 * A station -> hub handler, one per action and version, shared by every session of that version:
 * the station it serves comes with each call, so connecting a station creates no handlers.
 */
export type StationHandler = (call: CallContext, station: HandlerContext) => unknown;

/** One version's handlers by action. */
export type StationHandlers = ReadonlyMap<string, StationHandler>;

/** Registers a table's handlers on one peer for one station (for a peer without shared tables, e.g. a benchmark's). */
export function registerHandlers(peer: HandlerTarget, table: StationHandlers, station: HandlerContext): void {
  for (const [action, handler] of table) peer.handle(action, (call) => handler(call, station));
}

/** Something that can register handlers, i.e. an RpcPeer. */
export interface HandlerTarget {
  handle(action: string, handler: CallHandler): void;
}

/** Notifications the hub accepts and keeps (answer {}), per version. */
export const STORED_NOTIFICATIONS_16 = ['DiagnosticsStatusNotification', 'FirmwareStatusNotification', 'SecurityEventNotification', 'SignedFirmwareStatusNotification', 'LogStatusNotification'] as const;
export const STORED_NOTIFICATIONS_2X = [
  'FirmwareStatusNotification',
  'LogStatusNotification',
  'SecurityEventNotification',
  'NotifyEvent',
  'NotifyReport',
  'NotifyMonitoringReport',
  'NotifyCustomerInformation',
  'NotifyDisplayMessages',
  'NotifyChargingLimit',
  'ReportChargingProfiles',
  'ReservationStatusUpdate',
  'ClearedChargingLimit',
  'PublishFirmwareStatusNotification',
] as const;
