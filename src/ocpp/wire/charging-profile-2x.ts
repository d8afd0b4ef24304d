/** OCPP 2.0.1 / 2.1 charging-profile message shapes (as in the official schemas), shared by every side that reads them. */

import type { OperationMode, RecurrencyKind, V2xFreqWattPoint } from '../../energy/charging-profile.js';

export interface ChargingSchedulePeriod2x {
  startPeriod: number;
  /** Optional in 2.1 (a period may carry only a setpoint). */
  limit?: number;
  limit_L2?: number;
  limit_L3?: number;
  numberPhases?: number;
  setpoint?: number;
  dischargeLimit?: number;
  operationMode?: OperationMode;
  v2xBaseline?: number;
  v2xFreqWattCurve?: V2xFreqWattPoint[];
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
  /** 2.1 adds Dynamic, which the hub does not take. */
  chargingProfileKind: string;
  recurrencyKind?: RecurrencyKind;
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

export interface GetChargingProfiles2x {
  requestId: number;
  evseId?: number;
  chargingProfile: {
    chargingProfilePurpose?: string;
    stackLevel?: number;
    chargingProfileId?: number[];
    chargingLimitSource?: string[];
  };
}

export interface GetCompositeSchedule2x {
  duration: number;
  chargingRateUnit?: 'A' | 'W';
  evseId: number;
}
