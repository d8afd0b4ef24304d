/**
 * The hub's internal, version-neutral charging profile (OCPP 2.x terms). The v1.6 adapter maps
 * 1.6 profiles (connectorId, chargingProfileKind, ...) to and from this.
 * Times are milliseconds since the epoch; durations and offsets are seconds.
 */
export type ChargingProfilePurpose =
  | 'ChargingStationMaxProfile'
  | 'TxDefaultProfile'
  | 'TxProfile'
  | 'ChargingStationExternalConstraints'
  | 'PriorityCharging'
  | 'LocalGeneration';

export type ChargingProfileKind = 'Absolute' | 'Recurring' | 'Relative';
export type RecurrencyKind = 'Daily' | 'Weekly';
export type RateUnit = 'A' | 'W';

/** OCPP 2.1 operation modes of a schedule period. */
export type OperationMode =
  | 'Idle'
  | 'ChargingOnly'
  | 'CentralSetpoint'
  | 'ExternalSetpoint'
  | 'ExternalLimits'
  | 'CentralFrequency'
  | 'LocalFrequency'
  | 'LocalLoadBalancing';

export interface SchedulePeriod {
  /** Offset from the start of the schedule, in s. */
  startPeriodS: number;
  /** Limit in the schedule's rate unit (A per phase, or W in total). */
  limit: number;
  /** Phases the EV may use; default 3 for AC. */
  numberPhases?: number;
  /** 2.1: per-phase limits for L2 and L3 (limit is then L1). */
  limitL2?: number;
  limitL3?: number;
  /** 2.1: operation mode of this period (default ChargingOnly). */
  operationMode?: OperationMode;
  /** 2.1: signed setpoint in the rate unit: positive charges, negative discharges. */
  setpoint?: number;
  /** 2.1: most negative value allowed when discharging (<= 0), in the rate unit. */
  dischargeLimit?: number;
  /** 2.1: power (W) on top of which v2xFreqWattCurve values are added. */
  v2xBaseline?: number;
  /** 2.1: frequency-watt curve for CentralFrequency / LocalFrequency. */
  v2xFreqWattCurve?: V2xFreqWattPoint[];
}

/** 2.1: a point of a frequency-watt curve (field names as on the wire). */
export interface V2xFreqWattPoint {
  /** Grid frequency, Hz. */
  frequency: number;
  /** Power, W: positive charges, negative discharges. */
  power: number;
}

export interface ChargingSchedule {
  id?: number;
  /** Absolute start (Absolute and Recurring kinds), ms since the epoch. */
  startScheduleMs?: number;
  /** Length of the schedule in s; open-ended when absent. */
  durationS?: number;
  rateUnit: RateUnit;
  /** Sorted by startPeriodS; the first starts at 0. */
  periods: SchedulePeriod[];
  /** Lowest rate the EV accepts, in the rate unit. */
  minChargingRate?: number;
}

export interface ChargingProfile {
  id: number;
  stackLevel: number;
  purpose: ChargingProfilePurpose;
  kind: ChargingProfileKind;
  recurrency?: RecurrencyKind;
  validFromMs?: number;
  validToMs?: number;
  /** For TxProfile: the transaction it belongs to. */
  transactionId?: string;
  /** 0 = the whole station, otherwise the EVSE id on that station. */
  evseId: number;
  /** The first schedule is the one in force (2.x allows alternatives; 1.6 has one). */
  schedules: ChargingSchedule[];
}
