/** The OCPP 1.6 message shapes the simulator reads (validated against the official schemas on arrival). */

export type {
  ChargingSchedule16,
  ChargingProfile16,
  SetChargingProfile16,
  ClearChargingProfile16,
  GetCompositeSchedule16,
} from '../ocpp/wire/charging-profile-16.js';
import type { ChargingProfile16 } from '../ocpp/wire/charging-profile-16.js';

export interface RemoteStart16 {
  connectorId?: number;
  idTag: string;
  chargingProfile?: ChargingProfile16;
}

export interface ChangeAvailability16 {
  connectorId: number;
  type: 'Inoperative' | 'Operative';
}

export interface TriggerMessage16 {
  requestedMessage: string;
  connectorId?: number;
}

export interface IdTagInfo16 {
  status: string;
}

export interface BootResponse {
  status: 'Accepted' | 'Pending' | 'Rejected';
  currentTime: string;
  interval: number;
}
