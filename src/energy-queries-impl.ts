import type { Clock } from './util/clock.js';
import type { EnergyQueries } from './api/energy-queries.js';
import type { HubEnergy } from './hub-energy.js';

/** The API's view of the energy side, assembled from the controller, meters and dispatcher. */
export function energyQueries(energy: HubEnergy, clock: Clock): EnergyQueries {
  return {
    site() {
      const nowMs = clock.nowMs();
      const d = energy.lastDecision();
      const override = energy.activeOverride(nowMs);
      const stats = energy.dispatcher.stats();
      return {
        nowMs,
        meters: energy.meters?.snapshot(nowMs) ?? {},
        circuits: d?.circuits ?? [],
        staleCircuits: d?.staleCircuits ?? {},
        evses: Object.values(d?.evses ?? {}).map((e) => ({ evseKey: e.evseKey, limit: e.limit, status: e.status, limits: e.limits, baseShareA: e.baseShare.maxCurrentA })),
        ...(override ? { siteLimit: override } : {}),
        ...(d ? { lastDecision: { atMs: d.atMs, durationMs: d.durationMs, reasons: d.reasons } } : {}),
        dispatch: { writes: stats.writes, accepted: stats.accepted, rejected: stats.rejected, failed: stats.failed },
      };
    },
    evseSchedule: (key, durationS) => energy.schedule(key, durationS),
    setSiteLimit: (powerW, durationS) => energy.setSiteLimit(powerW, clock.nowMs() + durationS * 1000, 'override:api'),
    clearSiteLimit: () => energy.clearSiteLimit(),
  };
}
