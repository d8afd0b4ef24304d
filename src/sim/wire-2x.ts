/** The OCPP 2.0.1 / 2.1 message shapes the simulator reads (validated against the official schemas on arrival). */

import type { OperationMode } from '../energy/charging-profile.js';

export interface ChargingSchedulePeriod2x {
  startPeriod: number;
  /** Optional in 2.1 (a period may carry only a setpoint). */
  limit?: number;
  limit_L2?: number;
  limit_L3?: number;
  numberPhases?: number;
  setpoint?: number;
  dischargeLimit?: number;
  /** 2.1: how the station is driven in this period (schema-validated on arrival). */
  operationMode?: OperationMode;
}

export interface ChargingSchedule2x {
  id: number;
  startSchedule?: string;
  duration?: number;
  chargingRateUnit: 'A' | 'W';
  chargingSchedulePeriod: ChargingSchedulePeriod2x[];
  minChargingRate?: number;
}

export interface ChargingProfile2x {
  id: number;
  stackLevel: number;
  chargingProfilePurpose: string;
  chargingProfileKind: 'Absolute' | 'Recurring' | 'Relative';
  recurrencyKind?: 'Daily' | 'Weekly';
  validFrom?: string;
  validTo?: string;
  transactionId?: string;
  chargingSchedule: ChargingSchedule2x[];
}

export interface SetChargingProfile2x {
  evseId: number;
  chargingProfile: ChargingProfile2x;
}

export interface ClearChargingProfile2x {
  chargingProfileId?: number;
  chargingProfileCriteria?: { evseId?: number; chargingProfilePurpose?: string; stackLevel?: number };
}

export interface GetCompositeSchedule2x {
  duration: number;
  chargingRateUnit?: 'A' | 'W';
  evseId: number;
}

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
