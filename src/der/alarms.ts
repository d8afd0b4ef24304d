import type { MeterReading } from '../energy/meter-reading.js';
import type { DerControlType, GridEventFault, NotifyDerAlarmRequest } from './der-control-types.js';

/**
 * Grid limits that raise DER alarms, with hysteresis: an alarm starts when the value crosses its
 * limit (strictly) and ends only once it is back inside by the hysteresis (over: value <=
 * limit - hysteresis; under: value >= limit + hysteresis). A limit left out is not watched.
 */
export interface DerAlarmThresholds {
  overFrequencyHz?: number;
  underFrequencyHz?: number;
  /** Hz, >= 0. */
  frequencyHysteresisHz: number;
  /** Phase voltage limits, V: the highest phase counts for over, the lowest for under. */
  overVoltageV?: number;
  underVoltageV?: number;
  /** V, >= 0. */
  voltageHysteresisV: number;
}

export const DER_ALARM_DEFAULTS: DerAlarmThresholds = { frequencyHysteresisHz: 0.05, voltageHysteresisV: 2 };

type AlarmFault = Extract<GridEventFault, 'OverFrequency' | 'UnderFrequency' | 'OverVoltage' | 'UnderVoltage'>;

/** Which DER control type an alarm is reported under. */
const CONTROL_OF: Record<AlarmFault, DerControlType> = {
  OverFrequency: 'HFMustTrip',
  UnderFrequency: 'LFMustTrip',
  OverVoltage: 'HVMustTrip',
  UnderVoltage: 'LVMustTrip',
};

/** Alarms in progress. */
export interface DerAlarmState {
  active: AlarmFault[];
}

export const NO_DER_ALARMS: DerAlarmState = { active: [] };

interface Watch {
  fault: AlarmFault;
  value: number | undefined;
  limit: number | undefined;
  hysteresis: number;
  over: boolean;
  unit: string;
}

function watches(reading: MeterReading, t: DerAlarmThresholds): Watch[] {
  const volts = Object.values(reading.voltageV ?? {}).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const hz = reading.frequencyHz !== undefined && Number.isFinite(reading.frequencyHz) ? reading.frequencyHz : undefined;
  const maxV = volts.length > 0 ? Math.max(...volts) : undefined;
  const minV = volts.length > 0 ? Math.min(...volts) : undefined;
  return [
    { fault: 'OverFrequency', value: hz, limit: t.overFrequencyHz, hysteresis: t.frequencyHysteresisHz, over: true, unit: 'Hz' },
    { fault: 'UnderFrequency', value: hz, limit: t.underFrequencyHz, hysteresis: t.frequencyHysteresisHz, over: false, unit: 'Hz' },
    { fault: 'OverVoltage', value: maxV, limit: t.overVoltageV, hysteresis: t.voltageHysteresisV, over: true, unit: 'V' },
    { fault: 'UnderVoltage', value: minV, limit: t.underVoltageV, hysteresis: t.voltageHysteresisV, over: false, unit: 'V' },
  ];
}

/** extraInfo holds at most 200 characters. */
function info(text: string): string {
  return text.slice(0, 200);
}

/**
 * One meter reading through the alarm watch (pure). A quantity the reading lacks, or a stale
 * reading (`stale: true`), changes nothing. Returns the NotifyDERAlarm payloads to send, stamped
 * with the reading's time, and the new state.
 */
export function derAlarmStep(
  reading: MeterReading & { stale?: boolean },
  state: DerAlarmState,
  thresholds: DerAlarmThresholds,
): { alarms: NotifyDerAlarmRequest[]; state: DerAlarmState } {
  if (reading.stale === true) return { alarms: [], state };
  const timestamp = new Date(reading.timeMs).toISOString();
  const active = new Set(state.active);
  const alarms: NotifyDerAlarmRequest[] = [];
  for (const w of watches(reading, thresholds)) {
    if (w.value === undefined || w.limit === undefined) continue;
    const base = { controlType: CONTROL_OF[w.fault], gridEventFault: w.fault, timestamp };
    const shown = `${Number(w.value.toFixed(3))} ${w.unit}`;
    if (!active.has(w.fault)) {
      const crossed = w.over ? w.value > w.limit : w.value < w.limit;
      if (!crossed) continue;
      active.add(w.fault);
      alarms.push({ ...base, extraInfo: info(`${shown} ${w.over ? 'above' : 'below'} ${w.limit} ${w.unit} (meter ${reading.meterId})`) });
    } else {
      const back = w.over ? w.value <= w.limit - w.hysteresis : w.value >= w.limit + w.hysteresis;
      if (!back) continue;
      active.delete(w.fault);
      alarms.push({ ...base, alarmEnded: true, extraInfo: info(`${shown} back within ${w.limit} ${w.unit} by ${w.hysteresis} ${w.unit} (meter ${reading.meterId})`) });
    }
  }
  const next = [...active].sort();
  const same = next.length === state.active.length && next.every((f, i) => f === [...state.active].sort()[i]);
  return { alarms, state: same ? state : { active: next } };
}
