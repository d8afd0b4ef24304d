import type { LinkStatus } from '../upstream/upstream-link.js';
import type { EvseEnergyView, SiteView } from './energy-queries.js';
import type { StationView } from './hub-queries.js';

export interface HealthInput {
  site: Pick<SiteView, 'meters' | 'staleCircuits'>;
  /** Configured EVSEs (their stations are the configured ones). */
  evses: Array<Pick<EvseEnergyView, 'stationId'>>;
  stations: Array<Pick<StationView, 'stationId' | 'connected'>>;
  /** Upstream CSMS links, when the hub has any. */
  links?: Array<Pick<LinkStatus, 'name' | 'state'>>;
}

/**
 * Why the hub is not fully well, one plain sentence each: a circuit on failsafe, a stale meter, an
 * unreachable CSMS, a configured station offline. Empty when all is well. Pure.
 */
export function healthReasons(input: HealthInput): string[] {
  const reasons: string[] = [];
  for (const [circuitId, why] of Object.entries(input.site.staleCircuits)) reasons.push(`circuit ${circuitId} on failsafe: ${why}`);
  for (const [meterId, reading] of Object.entries(input.site.meters)) {
    if (reading.stale) reasons.push(`meter ${meterId} stale: last reading ${Math.round(reading.ageS)} s old`);
  }
  for (const link of input.links ?? []) {
    if (link.state !== 'connected') reasons.push(`CSMS link ${link.name} unreachable (${link.state})`);
  }
  const connected = new Map(input.stations.map((s) => [s.stationId, s.connected]));
  for (const stationId of new Set(input.evses.map((e) => e.stationId))) {
    const state = connected.get(stationId);
    if (state !== true) reasons.push(`station ${stationId} offline${state === undefined ? ' (never connected)' : ''}`);
  }
  return reasons;
}
