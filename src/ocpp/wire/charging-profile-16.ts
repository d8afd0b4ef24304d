/** OCPP 1.6 charging-profile message shapes (as in the official schemas), shared by every side that reads them. */

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
