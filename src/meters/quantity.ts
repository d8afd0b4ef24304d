import type { MeterReading } from '../energy/meter-reading.js';
import type { Phase } from '../energy/phases.js';

/**
 * What one MQTT value can stand for in a MeterReading. Units are in the names; sign
 * convention as in MeterReading (import/consumption positive, export/production negative).
 */
export const METER_QUANTITIES = [
  /** Total active power, W. */
  'powerW',
  /** Phase currents, A. */
  'currentA.L1',
  'currentA.L2',
  'currentA.L3',
  /** Phase-to-neutral voltages, V. */
  'voltageV.L1',
  'voltageV.L2',
  'voltageV.L3',
  /** Grid frequency, Hz. */
  'frequencyHz',
  /** Energy register, Wh (a PV meter's production register may count either way). */
  'energyWh',
  /** Grid meter: imported-energy register, Wh (counts up). */
  'energyImportWh',
  /** Grid meter: exported-energy register, Wh (counts up). */
  'energyExportWh',
  /** Battery state of charge, %. */
  'socPct',
] as const;

export type MeterQuantity = (typeof METER_QUANTITIES)[number];

/** A reading for `meterId` holding the given quantity values (in METER_QUANTITIES order). */
export function readingFromQuantities(
  meterId: string,
  timeMs: number,
  values: ReadonlyMap<MeterQuantity, number>,
): MeterReading {
  const reading: MeterReading = { meterId, timeMs };
  for (const quantity of METER_QUANTITIES) {
    const value = values.get(quantity);
    if (value === undefined) continue;
    setQuantity(reading, quantity, value);
  }
  return reading;
}

function setQuantity(reading: MeterReading, quantity: MeterQuantity, value: number): void {
  switch (quantity) {
    case 'powerW':
    case 'frequencyHz':
    case 'energyWh':
    case 'energyImportWh':
    case 'energyExportWh':
    case 'socPct':
      reading[quantity] = value;
      return;
    case 'currentA.L1':
    case 'currentA.L2':
    case 'currentA.L3':
      reading.currentA = { ...reading.currentA, [phaseOf(quantity)]: value };
      return;
    case 'voltageV.L1':
    case 'voltageV.L2':
    case 'voltageV.L3':
      reading.voltageV = { ...reading.voltageV, [phaseOf(quantity)]: value };
      return;
  }
}

function phaseOf(quantity: `${string}.${Phase}`): Phase {
  const phase = quantity.slice(quantity.lastIndexOf('.') + 1);
  if (phase === 'L1' || phase === 'L2' || phase === 'L3') return phase;
  throw new Error(`not a per-phase quantity: ${quantity}`);
}
