/**
 * OCPP 2.1 DER control shapes as on the wire (SetDERControlRequest and friends), typed for the
 * parts Switchyard reads. Field names follow the official 2.1 schemas. Sign convention of the
 * DER settings (OCPP, generator view): positive active power is injection (the EV discharges).
 * Switchyard's own convention (charging positive) is applied only where a setting becomes a
 * power (strategies/der).
 */

export const DER_CONTROL_TYPES = [
  'EnterService', 'FreqDroop', 'FreqWatt', 'FixedPFAbsorb', 'FixedPFInject', 'FixedVar', 'Gradients',
  'HFMustTrip', 'HFMayTrip', 'HVMustTrip', 'HVMomCess', 'HVMayTrip', 'LimitMaxDischarge',
  'LFMustTrip', 'LVMustTrip', 'LVMomCess', 'LVMayTrip', 'PowerMonitoringMustTrip',
  'VoltVar', 'VoltWatt', 'WattPF', 'WattVar',
] as const;
export type DerControlType = (typeof DER_CONTROL_TYPES)[number];

/** Control types whose setting is a `curve` (DERCurveType). */
export const DER_CURVE_TYPES = [
  'FreqWatt', 'HFMustTrip', 'HFMayTrip', 'HVMustTrip', 'HVMomCess', 'HVMayTrip', 'LFMustTrip',
  'LVMustTrip', 'LVMomCess', 'LVMayTrip', 'PowerMonitoringMustTrip', 'VoltVar', 'VoltWatt', 'WattPF', 'WattVar',
] as const satisfies readonly DerControlType[];
export type DerCurveControlType = (typeof DER_CURVE_TYPES)[number];

/** What the hub itself can apply (strategies/der); other types are answered NotSupported. */
export const HUB_APPLIED_DER_TYPES: readonly DerControlType[] = [
  'EnterService', 'FreqDroop', 'FreqWatt', 'FixedPFAbsorb', 'FixedPFInject', 'Gradients', 'LimitMaxDischarge',
];

export type DerUnit = 'Not_Applicable' | 'PctMaxW' | 'PctMaxVar' | 'PctWAvail' | 'PctVarAvail' | 'PctEffectiveV';
export type DerControlStatus = 'Accepted' | 'Rejected' | 'NotSupported' | 'NotFound';

export interface StatusInfo {
  /** At most 20 characters. */
  reasonCode: string;
  /** At most 1024 characters. */
  additionalInfo?: string;
}

export interface DerCurvePoint {
  x: number;
  y: number;
}

export interface DerHysteresis {
  hysteresisHigh?: number;
  hysteresisLow?: number;
  hysteresisDelay?: number;
  hysteresisGradient?: number;
}

export interface DerCurve {
  /** 0 is the highest priority. */
  priority: number;
  yUnit: DerUnit;
  /** 1 to 10 points. */
  curveData: DerCurvePoint[];
  hysteresis?: DerHysteresis;
  reactivePowerParams?: { vRef?: number; autonomousVRefEnable?: boolean; autonomousVRefTimeConstant?: number };
  voltageParams?: { hv10MinMeanValue?: number; hv10MinMeanTripDelay?: number; powerDuringCessation?: 'Active' | 'Reactive' };
  /** Open loop response time to 90 % of a new target, s; 0 = no limit. */
  responseTime?: number;
  /** ISO 8601; absent only for a default control. */
  startTime?: string;
  /** s; absent only for a default control. */
  duration?: number;
}

export interface EnterService {
  priority: number;
  /** Grid voltage window for entering service, V. */
  highVoltage: number;
  lowVoltage: number;
  /** Grid frequency window for entering service, Hz. */
  highFreq: number;
  lowFreq: number;
  /** Time the grid must stay inside the windows before entering service, s. */
  delay?: number;
  /** Upper bound of a random extra delay, s. */
  randomDelay?: number;
  /** Time to ramp from 0 to full power after entering service, s. */
  rampRate?: number;
}

export interface FixedPF {
  priority: number;
  /** cos(phi), 0..1. */
  displacement: number;
  /** True: absorbing reactive power (under-excited); false: injecting (over-excited). */
  excitation: boolean;
  startTime?: string;
  duration?: number;
}

export interface FixedVar {
  priority: number;
  setpoint: number;
  unit: DerUnit;
  startTime?: string;
  duration?: number;
}

export interface FreqDroop {
  priority: number;
  /** Over-frequency start of droop, Hz. */
  overFreq: number;
  /** Under-frequency start of droop, Hz. */
  underFreq: number;
  /** Over-frequency droop, per unit (e.g. 0.05 = 5 %). */
  overDroop: number;
  underDroop: number;
  /** Open loop response time, s. */
  responseTime: number;
  startTime?: string;
  duration?: number;
}

export interface Gradient {
  priority: number;
  /** Default ramp rate: time to ramp through the full rated power, s (0 = no limit). */
  gradient: number;
  /** Soft-start ramp rate after (re)connection, s (0 = no limit). */
  softGradient: number;
}

export interface LimitMaxDischarge {
  priority: number;
  /** Share of the EV's rated maximum discharge power allowed, % (0..100). */
  pctMaxDischargePower?: number;
  powerMonitoringMustTrip?: DerCurve;
  startTime?: string;
  duration?: number;
}

/** SetDERControlRequest: exactly the setting field that matches controlType should be present. */
export interface SetDerControlRequest {
  isDefault: boolean;
  controlId: string;
  controlType: DerControlType;
  curve?: DerCurve;
  enterService?: EnterService;
  fixedPFAbsorb?: FixedPF;
  fixedPFInject?: FixedPF;
  fixedVar?: FixedVar;
  freqDroop?: FreqDroop;
  gradient?: Gradient;
  limitMaxDischarge?: LimitMaxDischarge;
}

export interface SetDerControlResponse {
  status: DerControlStatus;
  statusInfo?: StatusInfo;
  /** 1 to 24 ids. */
  supersededIds?: string[];
}

export interface GetDerControlRequest {
  requestId: number;
  isDefault?: boolean;
  controlType?: DerControlType;
  controlId?: string;
}

export interface ClearDerControlRequest {
  isDefault: boolean;
  controlType?: DerControlType;
  controlId?: string;
}

export interface DerControlAnswer {
  status: DerControlStatus;
  statusInfo?: StatusInfo;
}

export interface DerCurveGet { id: string; curveType: DerControlType; isDefault: boolean; isSuperseded: boolean; curve: DerCurve }
export interface EnterServiceGet { id: string; enterService: EnterService }
export interface FixedPFGet { id: string; isDefault: boolean; isSuperseded: boolean; fixedPF: FixedPF }
export interface FixedVarGet { id: string; isDefault: boolean; isSuperseded: boolean; fixedVar: FixedVar }
export interface FreqDroopGet { id: string; isDefault: boolean; isSuperseded: boolean; freqDroop: FreqDroop }
export interface GradientGet { id: string; gradient: Gradient }
export interface LimitMaxDischargeGet { id: string; isDefault: boolean; isSuperseded: boolean; limitMaxDischarge: LimitMaxDischarge }

/** ReportDERControlRequest: each array has 1 to 24 entries when present. */
export interface ReportDerControlRequest {
  requestId: number;
  tbc?: boolean;
  curve?: DerCurveGet[];
  enterService?: EnterServiceGet[];
  fixedPFAbsorb?: FixedPFGet[];
  fixedPFInject?: FixedPFGet[];
  fixedVar?: FixedVarGet[];
  freqDroop?: FreqDroopGet[];
  gradient?: GradientGet[];
  limitMaxDischarge?: LimitMaxDischargeGet[];
}

export type GridEventFault =
  | 'CurrentImbalance' | 'LocalEmergency' | 'LowInputPower' | 'OverCurrent' | 'OverFrequency' | 'OverVoltage'
  | 'PhaseRotation' | 'RemoteEmergency' | 'UnderFrequency' | 'UnderVoltage' | 'VoltageImbalance';

export interface NotifyDerAlarmRequest {
  controlType: DerControlType;
  gridEventFault?: GridEventFault;
  /** True when the condition has ended; absent when it started. */
  alarmEnded?: boolean;
  timestamp: string;
  /** At most 200 characters. */
  extraInfo?: string;
}

export interface NotifyDerStartStopRequest {
  controlId: string;
  started: boolean;
  timestamp: string;
  /** 1 to 24 ids. */
  supersededIds?: string[];
}

interface DerControlCommon {
  controlId: string;
  isDefault: boolean;
  /** The setting's priority: 0 is the highest. */
  priority: number;
  /** Scheduled controls only: validity window [startMs, startMs + durationS * 1000). */
  startMs?: number;
  durationS?: number;
  /** Order of acceptance: among equal priorities the later control wins. */
  seq: number;
}

/** An accepted DER control, as kept by the store: the wire setting plus what was derived from it. */
export type DerControl = DerControlCommon & (
  | { controlType: DerCurveControlType; curve: DerCurve }
  | { controlType: 'EnterService'; enterService: EnterService }
  | { controlType: 'FixedPFAbsorb'; fixedPFAbsorb: FixedPF }
  | { controlType: 'FixedPFInject'; fixedPFInject: FixedPF }
  | { controlType: 'FixedVar'; fixedVar: FixedVar }
  | { controlType: 'FreqDroop'; freqDroop: FreqDroop }
  | { controlType: 'Gradients'; gradient: Gradient }
  | { controlType: 'LimitMaxDischarge'; limitMaxDischarge: LimitMaxDischarge }
);

export function isCurveType(t: DerControlType): t is DerCurveControlType {
  return (DER_CURVE_TYPES as readonly DerControlType[]).includes(t);
}
