import type { CallHandler } from '../../ocpp/rpc-types.js';
import type { Clock } from '../../util/clock.js';
import type { StationService } from '../station-service.js';

/** What a version's handlers need: the station they serve and the service that records and decides. */
export interface HandlerContext {
  stationId: string;
  service: StationService;
  clock: Clock;
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
