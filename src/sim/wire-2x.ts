/** The OCPP 2.0.1 / 2.1 message shapes the simulator reads (validated against the official schemas on arrival). */

export type {
  ChargingSchedulePeriod2x,
  ChargingSchedule2x,
  ChargingProfile2x,
  SetChargingProfile2x,
  ClearChargingProfile2x,
  GetCompositeSchedule2x,
} from '../ocpp/wire/charging-profile-2x.js';
import type { ChargingProfile2x } from '../ocpp/wire/charging-profile-2x.js';

export interface IdToken2x {
  idToken: string;
  type: string;
}

export interface RequestStart2x {
  evseId?: number;
  remoteStartId: number;
  idToken: IdToken2x;
  chargingProfile?: ChargingProfile2x;
}

export interface ChangeAvailability2x {
  operationalStatus: 'Inoperative' | 'Operative';
  evse?: { id: number; connectorId?: number };
}

export interface TriggerMessage2x {
  requestedMessage: string;
  evse?: { id: number; connectorId?: number };
}

export interface ComponentVariable2x {
  component: { name: string; instance?: string; evse?: { id: number; connectorId?: number } };
  variable: { name: string; instance?: string };
}

export interface GetVariables2x {
  getVariableData: (ComponentVariable2x & { attributeType?: string })[];
}

export interface SetVariables2x {
  setVariableData: (ComponentVariable2x & { attributeType?: string; attributeValue: string })[];
}
