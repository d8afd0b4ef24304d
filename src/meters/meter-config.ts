import { z } from 'zod';
import { compileMapping, MeterMappingError } from './payload-mapping.js';
import { METER_QUANTITIES } from './quantity.js';
import { idString } from '../config/id-string.js';

/**
 * The `meters` block of a site config: which MQTT topics feed which meter, and how a
 * payload becomes a number. Mappings are compiled here too, so a bad JSON path or
 * expression fails the config load with the field path of the mapping.
 */

const meterId = idString;

/** Exact topics only: a meter value has one source, so MQTT wildcards (+, #) are rejected. */
const exactTopic = z
  .string()
  .min(1)
  .max(1024)
  .refine((t) => !/[+#]/.test(t), 'an exact topic: MQTT wildcards + and # are not allowed')
  .refine((t) => !t.includes('\u0000'), 'a topic without NUL characters');

export const readingMappingSchema = z.strictObject({
  /** What the value is, with its unit: powerW, currentA.L1..L3, voltageV.L1..L3, frequencyHz, energyWh, energyImportWh, energyExportWh, socPct. */
  quantity: z.enum(METER_QUANTITIES),
  topic: exactTopic,
  /** Where the value is in a JSON payload: `$.power.total`, `data[0].value`. Absent: the payload is a plain number. */
  path: z.string().min(1).optional(),
  /** mathjs expression over `value` to scale or flip it: `value * 1000`, `-value`. */
  expression: z.string().min(1).optional(),
  /** Where a timestamp (epoch s or ms, or ISO-8601) is in the JSON payload. Absent: the receive time. */
  timePath: z.string().min(1).optional(),
});

export const meterConfigSchema = z
  .strictObject({
    id: meterId,
    /** What the meter measures: the grid connection point, PV, a home battery, a circuit, or other. */
    role: z.enum(['grid', 'pv', 'battery', 'circuit', 'other']).optional(),
    /** A reading older than this is stale (its oldest quantity counts). Must exceed the slowest topic's publish period. */
    staleAfterS: z.number().positive().default(10),
    readings: z.array(readingMappingSchema).min(1),
  })
  .superRefine((meter, ctx) => {
    const seen = new Set<string>();
    meter.readings.forEach((mapping, i) => {
      if (seen.has(mapping.quantity)) {
        ctx.addIssue({ code: 'custom', path: ['readings', i, 'quantity'], message: `${mapping.quantity} is mapped twice for meter "${meter.id}"` });
      }
      seen.add(mapping.quantity);
      try {
        compileMapping(meter.id, mapping);
      } catch (err) {
        if (!(err instanceof MeterMappingError)) throw err;
        ctx.addIssue({ code: 'custom', path: ['readings', i, err.field], message: err.message });
      }
    });
  });

export const metersConfigSchema = z.array(meterConfigSchema).superRefine((meters, ctx) => {
  const seen = new Set<string>();
  meters.forEach((meter, i) => {
    if (seen.has(meter.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `meter id "${meter.id}" is used twice` });
    seen.add(meter.id);
  });
});

export type ReadingMapping = z.infer<typeof readingMappingSchema>;
export type MeterConfig = z.infer<typeof meterConfigSchema>;
export type MeterConfigInput = z.input<typeof meterConfigSchema>;
export type MeterRole = NonNullable<MeterConfig['role']>;
