import type { HubEnergy } from '../hub-energy.js';
import type { Clock } from '../util/clock.js';
import type { SiteView } from './energy-queries.js';
import type { EvseMetricReading } from './metrics-evse.js';

/** What the site-level gauges read of the site view. */
export type SiteMetricView = Pick<SiteView, 'meters' | 'circuits' | 'staleCircuits' | 'dispatch'>;

/** What the metrics read at a scrape, without the API's full views (`EnergyQueries.site()` / `evses()` show the same). */
export interface MetricReadings {
  site(): SiteMetricView;
  evses(): EvseMetricReading[];
}

/**
 * The metrics' readings straight from the energy side, under the rules of `EnergyQueries`
 * (energy-queries-impl.ts): the site's meters, circuits, circuits on failsafe and dispatch counts
 * without the EVSE rows; and of each configured EVSE its offer, its draw while in a transaction,
 * the last decision's limit, its profile writes and disobedience, without the rest of its view
 * (modes, settings, rule sources). A read costs a few map lookups per EVSE.
 */
export function metricReadings(energy: HubEnergy, clock: Clock): MetricReadings {
  return {
    site: () => {
      const d = energy.lastDecision();
      const stats = energy.dispatcher.stats();
      return {
        meters: energy.meters?.snapshot(clock.nowMs()) ?? {},
        circuits: d?.circuits ?? [],
        staleCircuits: d?.staleCircuits ?? {},
        dispatch: { writes: stats.writes, accepted: stats.accepted, rejected: stats.rejected, failed: stats.failed },
      };
    },
    evses: () => {
      const decisions = energy.lastDecision()?.evses;
      return energy.site.evses.map((model) => {
        const live = energy.live.get(model.key);
        return {
          evseKey: model.key,
          phaseRotation: model.phaseRotation,
          offeredA: energy.dispatcher.state(model.key)?.lastSentA,
          drawnA: live?.active && live.measuredCurrentA ? live.measuredCurrentA : undefined,
          limit: decisions?.[model.key]?.limit,
          profileWrites: energy.dispatcher.writeCounts(model.key),
          disobedient: energy.obedience.of(model.key) !== undefined,
        };
      });
    },
  };
}
