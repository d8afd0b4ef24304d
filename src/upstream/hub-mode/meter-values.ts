/** OCPP 1.6 meter values -> 2.x: numbers from strings, unit -> unitOfMeasure, context -> trigger. */
import type { MeterValue16, SampledValue16 } from '../../ocpp/adapters/v16.js';
import { isoTime, type MeterValue2xOut, type SampledValue2xOut } from './wire-2x.js';

/** 1.6-only measurands with no 2.x counterpart; such samples are left out (2.x would reject them). */
const MEASURANDS_NOT_IN_2X = new Set(['Temperature', 'RPM']);

/**
 * 1.6 units -> 2.x unitOfMeasure. 2.x keeps the same symbols except the temperature spellings;
 * kWh etc. stay as they are (2.x lists kWh, kW, kVA, kvar, kvarh as standard units).
 */
const UNIT_16_TO_2X: Record<string, string> = { Celcius: 'Celsius' };

function sampledValueOf16(s: SampledValue16): SampledValue2xOut | undefined {
  if (s.format === 'SignedData') return undefined;
  if (s.measurand && MEASURANDS_NOT_IN_2X.has(s.measurand)) return undefined;
  const value = Number(s.value);
  if (s.value.trim() === '' || !Number.isFinite(value)) return undefined;
  return {
    value,
    ...(s.context ? { context: s.context } : {}),
    ...(s.measurand ? { measurand: s.measurand } : {}),
    ...(s.phase ? { phase: s.phase } : {}),
    ...(s.location ? { location: s.location } : {}),
    ...(s.unit ? { unitOfMeasure: { unit: UNIT_16_TO_2X[s.unit] ?? s.unit } } : {}),
  };
}

/**
 * One 1.6 MeterValue -> 2.x, or undefined when nothing in it can be expressed in 2.x (signed
 * data, non-numeric values, 1.6-only measurands). A timestamp that does not parse takes the
 * receive time.
 */
export function meterValueOf16(mv: MeterValue16, receivedMs: number): MeterValue2xOut | undefined {
  const sampledValue = mv.sampledValue.map(sampledValueOf16).filter((s): s is SampledValue2xOut => s !== undefined);
  if (sampledValue.length === 0) return undefined;
  return { timestamp: timestampOf(mv.timestamp, receivedMs), sampledValue };
}

export function meterValuesOf16(values: readonly MeterValue16[], receivedMs: number): MeterValue2xOut[] {
  return values.map((mv) => meterValueOf16(mv, receivedMs)).filter((m): m is MeterValue2xOut => m !== undefined);
}

/** A normalised ISO timestamp; the receive time when the charger's does not parse. */
export function timestampOf(iso: string | undefined, receivedMs: number): string {
  const t = iso === undefined ? Number.NaN : Date.parse(iso);
  return isoTime(Number.isFinite(t) ? t : receivedMs);
}

/** The energy register reading a 1.6 Start/StopTransaction carries as an integer (Wh). */
export function registerReading(valueWh: number, timestamp: string, context: 'Transaction.Begin' | 'Transaction.End'): MeterValue2xOut {
  return {
    timestamp,
    sampledValue: [{ value: valueWh, context, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }],
  };
}

/**
 * The TransactionEvent triggerReason for 1.6 MeterValues, from the context of their first sample
 * (1.6 default Sample.Periodic): Sample.Clock -> MeterValueClock, Trigger -> Trigger,
 * Interruption.* -> AbnormalCondition, everything else -> MeterValuePeriodic.
 */
export function triggerReasonOfContext(context: string | undefined): string {
  switch (context ?? 'Sample.Periodic') {
    case 'Sample.Clock':
      return 'MeterValueClock';
    case 'Trigger':
      return 'Trigger';
    case 'Interruption.Begin':
    case 'Interruption.End':
      return 'AbnormalCondition';
    default:
      return 'MeterValuePeriodic';
  }
}
