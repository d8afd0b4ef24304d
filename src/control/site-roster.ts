import type { StationConfig } from '../config/schema.js';
import { parseEvseKey } from './evse-key.js';
import { evseModelsOf, IMPLICIT_ROOT_ID, type SiteModel } from './site-model-from-config.js';

export interface SiteRosterDeps {
  /** Changed in place: the controller, the API and the dispatcher read the same object. */
  site: SiteModel;
  /** Nominal phase voltage, V (site.voltageV). */
  voltageV: number;
}

/**
 * Which of the site model's EVSEs belong to which station, as commissioning adds and removes
 * stations at runtime. The index by station is built when first asked for and dropped on every
 * change.
 */
export class SiteRoster {
  private keysByStation: Map<string, string[]> | undefined;

  constructor(private readonly deps: SiteRosterDeps) {}

  /** The keys of a station's EVSEs in the site model (none for a station not under load management). */
  keysOf(stationId: string): readonly string[] {
    if (!this.keysByStation) {
      const index = new Map<string, string[]>();
      for (const e of this.deps.site.evses) {
        const id = parseEvseKey(e.key)?.stationId;
        if (id === undefined) continue;
        const keys = index.get(id);
        if (keys) keys.push(e.key);
        else index.set(id, [e.key]);
      }
      this.keysByStation = index;
    }
    return this.keysByStation.get(stationId) ?? [];
  }

  /** Adds a station's EVSEs from its config, under the root circuit. */
  add(station: StationConfig): void {
    const { site, voltageV } = this.deps;
    const rootId = site.circuits.find((c) => c.parentId === undefined)?.id ?? IMPLICIT_ROOT_ID;
    site.evses.push(...evseModelsOf(station, rootId, voltageV));
    this.keysByStation = undefined;
  }

  /** Takes a station's EVSEs out of the site model; returns their keys (empty when it had none). */
  remove(stationId: string): string[] {
    this.keysByStation = undefined;
    const { evses } = this.deps.site;
    const removed: string[] = [];
    for (let i = evses.length - 1; i >= 0; i--) {
      const key = evses[i]?.key;
      if (key !== undefined && parseEvseKey(key)?.stationId === stationId) {
        evses.splice(i, 1);
        removed.push(key);
      }
    }
    return removed;
  }
}
