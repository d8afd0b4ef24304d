import type { MeterValue } from '../model/types.js';
import type { StationValues } from '../store/station-state-repo.js';

/** A charger's lifetime import register for one EVSE. */
export interface RegisterReading {
  /** Energy.Active.Import.Register, Wh (counts up over the charger's life). */
  valueWh: number;
  /** When the charger sampled it, ms since the epoch. */
  timeMs: number;
}

const MEASURAND = 'Energy.Active.Import.Register';
const KEY_PREFIX = 'energyRegister/';

/**
 * The last Energy.Active.Import.Register each EVSE reported (in a transaction or outside one),
 * kept in the store so it is known after a restart before the charger reports again. Only the
 * EVSE's total is taken (no per-phase values; location Outlet or none); a sample older than the
 * one kept (a message replayed after an outage) does not replace it. A register that goes down
 * (a replaced meter) is taken as it is: Home Assistant's total_increasing reads that as a reset,
 * Prometheus as a counter reset.
 */
export class EnergyRegisters {
  private readonly last = new Map<string, RegisterReading | null>();

  constructor(private readonly deps: { values: StationValues }) {}

  /** Takes the newest whole-EVSE register sample of these meter values. */
  observe(stationId: string, evseId: number, meterValues: readonly MeterValue[]): void {
    let newest: RegisterReading | undefined;
    for (const mv of meterValues) {
      for (const sv of mv.sampledValues) {
        if ((sv.measurand ?? MEASURAND) !== MEASURAND || sv.phase !== undefined) continue;
        if (sv.location !== undefined && sv.location !== 'Outlet') continue;
        if (!Number.isFinite(sv.value) || sv.value < 0) continue;
        const valueWh = sv.unit === 'kWh' ? sv.value * 1000 : sv.value;
        if (!newest || mv.timeMs >= newest.timeMs) newest = { valueWh, timeMs: mv.timeMs };
      }
    }
    if (!newest) return;
    const key = `${stationId}/${evseId}`;
    const kept = this.kept(key, stationId, evseId);
    if (kept && (newest.timeMs < kept.timeMs || (newest.timeMs === kept.timeMs && newest.valueWh === kept.valueWh))) return;
    this.last.set(key, newest);
    this.deps.values.set(stationId, `${KEY_PREFIX}${evseId}`, newest);
  }

  /** The last register reading of an EVSE, undefined when it never reported one. */
  of(stationId: string, evseId: number): RegisterReading | undefined {
    return this.kept(`${stationId}/${evseId}`, stationId, evseId);
  }

  private kept(key: string, stationId: string, evseId: number): RegisterReading | undefined {
    let kept = this.last.get(key);
    if (kept === undefined) {
      kept = parseReading(this.deps.values.get(stationId, `${KEY_PREFIX}${evseId}`)) ?? null;
      this.last.set(key, kept);
    }
    return kept ?? undefined;
  }
}

function parseReading(stored: unknown): RegisterReading | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { valueWh, timeMs } = stored as Record<string, unknown>;
  return typeof valueWh === 'number' && typeof timeMs === 'number' ? { valueWh, timeMs } : undefined;
}
