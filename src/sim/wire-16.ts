/** The OCPP 1.6 message shapes the simulator reads (validated against the official schemas on arrival). */

export interface ChargingSchedule16 {
  duration?: number;
  startSchedule?: string;
  chargingRateUnit: 'A' | 'W';
  chargingSchedulePeriod: { startPeriod: number; limit: number; numberPhases?: number }[];
  minChargingRate?: number;
}

export interface ChargingProfile16 {
  chargingProfileId: number;
  transactionId?: number;
  stackLevel: number;
  chargingProfilePurpose: 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';
  chargingProfileKind: 'Absolute' | 'Recurring' | 'Relative';
  recurrencyKind?: 'Daily' | 'Weekly';
  validFrom?: string;
  validTo?: string;
  chargingSchedule: ChargingSchedule16;
}

export interface SetChargingProfile16 {
  connectorId: number;
  csChargingProfiles: ChargingProfile16;
}

export interface ClearChargingProfile16 {
  id?: number;
  connectorId?: number;
  chargingProfilePurpose?: ChargingProfile16['chargingProfilePurpose'];
  stackLevel?: number;
}

export interface GetCompositeSchedule16 {
  connectorId: number;
  duration: number;
  chargingRateUnit?: 'A' | 'W';
}

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
