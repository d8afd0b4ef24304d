import type { CommissionedStation } from '../store/commissioned-repo.js';
import { stationConfigSchema, type SiteConfig, type StationConfig } from './schema.js';

/**
 * Why a station's EVSEs cannot be placed on this site's circuits, or undefined when they can:
 * with circuits configured, every EVSE names one of them or none (the root); without, none.
 */
export function placementProblem(station: StationConfig, circuitIds: readonly string[]): string | undefined {
  for (const e of station.evses) {
    if (e.circuit === undefined) continue;
    if (!circuitIds.includes(e.circuit)) return `EVSE ${e.id}: circuit ${JSON.stringify(e.circuit)} does not exist (circuits: ${circuitIds.join(', ') || 'none'})`;
  }
  return undefined;
}

/**
 * The site config with the stations added by commissioning (from the database) appended. A
 * station id also in the YAML keeps the YAML's definition (a warning says so); a stored station
 * that no longer fits the config (e.g. its circuit was removed) is left out with a warning.
 */
export function withCommissionedStations(config: SiteConfig, stored: readonly CommissionedStation[]): { config: SiteConfig; added: StationConfig[]; warnings: string[] } {
  const warnings: string[] = [];
  const added: StationConfig[] = [];
  const yamlIds = new Set(config.stations.map((s) => s.id));
  const circuitIds = config.circuits.map((c) => c.id);
  for (const row of stored) {
    if (yamlIds.has(row.stationId)) {
      warnings.push(`station ${row.stationId} is defined in the site config and by commissioning: the site config wins`);
      continue;
    }
    const parsed = stationConfigSchema.safeParse({ ...(row.config as object), id: row.stationId, passwordHash: row.passwordHash });
    if (!parsed.success) {
      warnings.push(`commissioned station ${row.stationId} left out: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      continue;
    }
    const problem = placementProblem(parsed.data, circuitIds);
    if (problem) {
      warnings.push(`commissioned station ${row.stationId} left out: ${problem}`);
      continue;
    }
    added.push(parsed.data);
  }
  return { config: { ...config, stations: [...config.stations, ...added] }, added, warnings };
}
