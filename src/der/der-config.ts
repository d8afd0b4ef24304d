import { z } from 'zod';
import type { DerStrategyParams } from '../../strategies/der/params.js';
import type { DerAlarmThresholds } from './alarms.js';

const evseKey = z.string().regex(/^[A-Za-z0-9._:-]+\/\d+$/, 'an EVSE key <stationId>/<evseId>, e.g. HOME/1');

/**
 * The `der` block of a site config: how the hub applies OCPP 2.1 DER controls from the CSMS
 * (strategies/der) and which grid limits raise NotifyDERAlarm (src/der/alarms.ts).
 */
export const derConfigSchema = z.strictObject({
  /** Meter for grid frequency and voltage (default: the meter with role grid). */
  gridMeter: z.string().min(1).optional(),
  /** Nominal grid frequency for FreqDroop, Hz. */
  nominalHz: z.number().positive().default(50),
  /** Power with no frequency response, W (positive charges). */
  baselineW: z.number().default(0),
  /** EVSEs the controls act on (empty: all). */
  evses: z.array(evseKey).default([]),
  /** EVSEs that can run at a fixed power factor. */
  powerFactorEvses: z.array(evseKey).default([]),
  /** Seed of the random enter-service delays. */
  seed: z.number().int().min(0).default(1),
  /** Grid limits for NotifyDERAlarm (none watched when absent). */
  alarms: z
    .strictObject({
      overFrequencyHz: z.number().positive().optional(),
      underFrequencyHz: z.number().positive().optional(),
      frequencyHysteresisHz: z.number().min(0).default(0.05),
      overVoltageV: z.number().positive().optional(),
      underVoltageV: z.number().positive().optional(),
      voltageHysteresisV: z.number().min(0).default(2),
    })
    .optional(),
});

export type DerConfig = z.infer<typeof derConfigSchema>;

export function derStrategyParamsOf(c: DerConfig): Partial<DerStrategyParams> {
  return {
    evseKeys: c.evses, powerFactorEvseKeys: c.powerFactorEvses, nominalHz: c.nominalHz, baselineW: c.baselineW, seed: c.seed,
    ...(c.gridMeter !== undefined ? { gridMeterId: c.gridMeter } : {}),
  };
}

export function derAlarmThresholdsOf(c: DerConfig): DerAlarmThresholds | undefined {
  if (!c.alarms) return undefined;
  const { overFrequencyHz, underFrequencyHz, overVoltageV, underVoltageV, frequencyHysteresisHz, voltageHysteresisV } = c.alarms;
  return {
    frequencyHysteresisHz, voltageHysteresisV,
    ...(overFrequencyHz !== undefined ? { overFrequencyHz } : {}),
    ...(underFrequencyHz !== undefined ? { underFrequencyHz } : {}),
    ...(overVoltageV !== undefined ? { overVoltageV } : {}),
    ...(underVoltageV !== undefined ? { underVoltageV } : {}),
  };
}
