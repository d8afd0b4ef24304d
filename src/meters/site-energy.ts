import type { MeterReading } from '../energy/meter-reading.js';
import { addPower, addRegister, EMPTY_TOTAL, parseTotal, type EnergyTotal } from '../energy/energy-total.js';
import type { SiteValues } from '../store/site-state-repo.js';
import type { Clock, TimerHandle } from '../util/clock.js';

export type SiteEnergyKind = 'gridImport' | 'gridExport' | 'pv';

/** Lifetime totals, Wh; null when the site has no meter of that role. */
export type SiteEnergyWh = Record<SiteEnergyKind, number | null>;

export interface SiteEnergyDeps {
  /** Where the totals are kept (the site's own durable values). */
  values: SiteValues;
  clock: Clock;
  meterRoles: { gridMeterId?: string; pvMeterId?: string };
  /** Readings of a meter further apart than this are not integrated over, s (its staleAfterS). */
  maxGapSOf(meterId: string): number;
  /** How often the totals are stored, s; only stored totals are published. */
  persistEveryS?: number;
}

const KEYS: Record<SiteEnergyKind, string> = { gridImport: 'energyTotal/gridImport', gridExport: 'energyTotal/gridExport', pv: 'energyTotal/pv' };
const DEFAULT_PERSIST_EVERY_S = 60;

/**
 * The site's lifetime grid import, grid export and PV energy, for Home Assistant's Energy
 * dashboard. Each total grows from the meter's own register when the config maps one (grid:
 * `energyImportWh`, `energyExportWh`; PV: `energyWh`, either sign) and is integrated from the
 * meter's power otherwise (grid powerW + imports, - exports; PV production is |powerW|).
 *
 * Totals are stored in the store at most every `persistEveryS` and at stop, and what is
 * published is the total last stored: after a crash the hub starts from a value no lower than
 * any it published, so the totals never go down, across restarts included.
 */
export class SiteEnergy {
  private readonly totals: Record<SiteEnergyKind, EnergyTotal>;
  private readonly stored: Record<SiteEnergyKind, number>;
  private dirty = false;
  private timer: TimerHandle | undefined;

  constructor(private readonly deps: SiteEnergyDeps) {
    // The power before a restart says nothing about the time the hub was down: integration starts
    // again at the first reading. A register's last value is kept (what it counted meanwhile is real).
    const load = (kind: SiteEnergyKind): EnergyTotal => {
      const stored = parseTotal(deps.values.get(KEYS[kind])) ?? EMPTY_TOTAL;
      return { totalWh: stored.totalWh, ...(stored.lastRegisterWh !== undefined ? { lastRegisterWh: stored.lastRegisterWh } : {}) };
    };
    this.totals = { gridImport: load('gridImport'), gridExport: load('gridExport'), pv: load('pv') };
    this.stored = { gridImport: this.totals.gridImport.totalWh, gridExport: this.totals.gridExport.totalWh, pv: this.totals.pv.totalWh };
  }

  onReading(r: MeterReading): void {
    const { gridMeterId, pvMeterId } = this.deps.meterRoles;
    if (r.meterId === gridMeterId) {
      const gapS = this.deps.maxGapSOf(r.meterId);
      const t = this.totals;
      if (r.energyImportWh !== undefined) t.gridImport = addRegister(t.gridImport, r.energyImportWh);
      else if (r.powerW !== undefined) t.gridImport = addPower(t.gridImport, r.powerW, r.timeMs, gapS);
      if (r.energyExportWh !== undefined) t.gridExport = addRegister(t.gridExport, r.energyExportWh);
      else if (r.powerW !== undefined) t.gridExport = addPower(t.gridExport, -r.powerW, r.timeMs, gapS);
    }
    if (r.meterId === pvMeterId) {
      if (r.energyWh !== undefined) this.totals.pv = addRegister(this.totals.pv, Math.abs(r.energyWh));
      else if (r.powerW !== undefined) this.totals.pv = addPower(this.totals.pv, Math.abs(r.powerW), r.timeMs, this.deps.maxGapSOf(r.meterId));
    }
    this.dirty = true;
  }

  /** Stores the totals every persistEveryS (when they changed). */
  start(): void {
    const arm = (): void => {
      this.timer = this.deps.clock.setTimeout(() => {
        if (this.dirty) this.persist();
        arm();
      }, (this.deps.persistEveryS ?? DEFAULT_PERSIST_EVERY_S) * 1000);
    };
    if (this.timer === undefined) arm();
  }

  /** Stops the timer and stores the totals. */
  stop(): void {
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.persist();
  }

  /** Stores the totals now. */
  persist(): void {
    this.dirty = false;
    for (const kind of Object.keys(KEYS) as SiteEnergyKind[]) {
      const total = this.totals[kind];
      this.deps.values.set(KEYS[kind], total);
      this.stored[kind] = total.totalWh;
    }
  }

  /** The stored totals, Wh (what may be published). */
  published(): SiteEnergyWh {
    const { gridMeterId, pvMeterId } = this.deps.meterRoles;
    return {
      gridImport: gridMeterId !== undefined ? this.stored.gridImport : null,
      gridExport: gridMeterId !== undefined ? this.stored.gridExport : null,
      pv: pvMeterId !== undefined ? this.stored.pv : null,
    };
  }
}
