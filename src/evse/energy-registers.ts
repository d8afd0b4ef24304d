import type { MeterValue } from '../model/types.js';
import type { StationValues } from '../store/station-state-repo.js';
import type { Logger } from '../util/logger.js';
import { ENERGY_REGISTER_MEASURAND, registerWhOf } from '../model/energy-register.js';

/** A charger's lifetime import register for one EVSE. */
export interface RegisterReading {
  /** Energy.Active.Import.Register, Wh (counts up over the charger's life). */
  valueWh: number;
  /** When the charger sampled it, ms since the epoch. */
  timeMs: number;
}

export interface EnergyRegistersDeps {
  values: StationValues;
  /** Where a rejected reading is told (once per EVSE). */
  log?: Logger;
}

const KEY_PREFIX = 'energyRegister/';

/**
 * The last Energy.Active.Import.Register each EVSE reported (in a transaction or outside one),
 * kept in the store so it is known after a restart before the charger reports again. Only the
 * EVSE's total is taken (no per-phase values; location Outlet or none); a sample older than the
 * one kept (a message replayed after an outage) does not replace it. A register that goes down
 * (a replaced meter) is taken as it is: Home Assistant's total_increasing reads that as a reset,
 * Prometheus as a counter reset.
 *
 * A reading no meter can give (negative, or not a finite number once in Wh) is not taken: the
 * last valid one stays. Such readings are counted (`rejectedCount`) and logged once per EVSE
 * (a charger that sends one usually sends it again with every report). A stored value of that
 * kind (written by an older build) reads as none.
 *
 * The stored registers are read in one query, at the first lookup of a register not yet seen
 * (the first metrics scrape after a start asks for every EVSE's).
 */
export class EnergyRegisters {
  private readonly last = new Map<string, RegisterReading | null>();
  private readonly warned = new Set<string>();
  private loaded = false;
  private rejected = 0;

  constructor(private readonly deps: EnergyRegistersDeps) {}

  /** Takes the newest whole-EVSE register sample of these meter values. */
  observe(stationId: string, evseId: number, meterValues: readonly MeterValue[]): void {
    let newest: RegisterReading | undefined;
    for (const mv of meterValues) {
      for (const u of mv.unreadable ?? []) {
        if (isEvseRegister(u)) this.reject(stationId, evseId, u.sent, undefined, 'not a number');
      }
      for (const sv of mv.sampledValues) {
        if (!isEvseRegister(sv)) continue;
        const reading = registerWhOf(sv);
        if (!('wh' in reading)) {
          this.reject(stationId, evseId, String(sv.value), sv.unit, reading.rejected);
          continue;
        }
        if (!newest || mv.timeMs >= newest.timeMs) newest = { valueWh: reading.wh, timeMs: mv.timeMs };
      }
    }
    if (!newest) return;
    const key = `${stationId}/${evseId}`;
    const kept = this.kept(key);
    if (kept && (newest.timeMs < kept.timeMs || (newest.timeMs === kept.timeMs && newest.valueWh === kept.valueWh))) return;
    this.last.set(key, newest);
    this.deps.values.set(stationId, `${KEY_PREFIX}${evseId}`, newest);
  }

  /** The last register reading of an EVSE, undefined when it never reported one. */
  of(stationId: string, evseId: number): RegisterReading | undefined {
    return this.kept(`${stationId}/${evseId}`);
  }

  /** Register readings not taken since start (negative, or not a finite number). */
  rejectedCount(): number {
    return this.rejected;
  }

  private kept(key: string): RegisterReading | undefined {
    let kept = this.last.get(key);
    if (kept === undefined && !this.loaded) {
      this.loadStored();
      kept = this.last.get(key);
    }
    return kept ?? undefined;
  }

  /** Every stored register, in one query; EVSEs not among them never reported one. */
  private loadStored(): void {
    this.loaded = true;
    for (const { stationId, key, value } of this.deps.values.withKeyPrefix(KEY_PREFIX)) {
      const evseKey = `${stationId}/${key.slice(KEY_PREFIX.length)}`;
      // What this run observed already is newer than what was stored before it.
      if (!this.last.has(evseKey)) this.last.set(evseKey, parseReading(value) ?? null);
    }
  }

  private reject(stationId: string, evseId: number, value: string, unit: string | undefined, why: string): void {
    this.rejected++;
    const key = `${stationId}/${evseId}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.deps.log?.warn({ stationId, evseId, value, ...(unit !== undefined ? { unit } : {}), why }, 'energy register reading not taken (told once per EVSE): the last valid one stays');
  }
}

/** The EVSE's own import register: the phase total, at the outlet (or no location given). */
function isEvseRegister(v: { measurand?: string | undefined; phase?: string | undefined; location?: string | undefined }): boolean {
  return (v.measurand ?? ENERGY_REGISTER_MEASURAND) === ENERGY_REGISTER_MEASURAND && v.phase === undefined && (v.location === undefined || v.location === 'Outlet');
}

function parseReading(stored: unknown): RegisterReading | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { valueWh, timeMs } = stored as Record<string, unknown>;
  if (typeof valueWh !== 'number' || typeof timeMs !== 'number' || !('wh' in registerWhOf({ value: valueWh }))) return undefined;
  return { valueWh, timeMs };
}
