import type { SiteConfig } from '../config/schema.js';
import type { FleetChargerConfig } from './fleet.js';

/** The simulated chargers a site config asks for, shaped after their configured stations. */
export function fleetChargersFromConfig(config: SiteConfig): FleetChargerConfig[] {
  const sim = config.simulation;
  if (!sim?.enabled) return [];
  return sim.chargers.map((c) => {
    const station = config.stations.find((s) => s.id === c.station);
    const evses = station?.evses ?? [];
    const first = evses[0];
    return {
      identity: c.station,
      version: c.version,
      evseCount: Math.max(1, evses.length),
      phases: first?.phases ?? 3,
      ...(first?.phaseRotation ? { phaseRotation: first.phaseRotation } : {}),
      maxCurrentA: first?.maxCurrentA ?? 16,
      voltageV: config.site.voltageV,
      meterIntervalS: sim.meterIntervalS,
      ...(c.password !== undefined ? { password: c.password } : {}),
    };
  });
}
