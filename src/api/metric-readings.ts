import type { HubEnergy } from '../hub-energy.js';
import type { Clock } from '../util/clock.js';
import { parseEvseKey } from '../control/evse-key.js';
import type { SiteView } from './energy-queries.js';
import type { EvseMetricReading } from './metrics-evse.js';

/** What the site-level gauges read of the site view. */
export type SiteMetricView = Pick<SiteView, 'meters' | 'circuits' | 'staleCircuits' | 'dispatch'>;

/** What the metrics read at a scrape, without the API's full views (`EnergyQueries.site()` / `evses()` show the same). */
export interface MetricReadings {
  site(): SiteMetricView;
  /** One reading per configured EVSE, in the site's order; valid until the next call (the objects are reused). */
  evses(): readonly EvseMetricReading[];
}

/** A reading with what is worked out once per EVSE. */
interface Kept extends EvseMetricReading {
  id: { stationId: string; evseId: number } | undefined;
}

/**
 * The metrics' readings straight from the energy side, under the rules of `EnergyQueries`
 * (energy-queries-impl.ts): the site's meters, circuits, circuits on failsafe and dispatch counts
 * without the EVSE rows; and of each configured EVSE its offer, its draw while in a transaction,
 * the last decision's limit, its profile writes and disobedience, without the rest of its view
 * (modes, settings, rule sources). A read costs a few map lookups per EVSE; the reading objects
 * are kept and refilled. `registersWh` gives each EVSE's lifetime import register (what
 * `SiteMetricsDeps.evseRegistersWh` asks for).
 */
export function metricReadings(energy: HubEnergy, clock: Clock): MetricReadings & { registersWh(): Array<{ evseKey: string; valueWh: number }> } {
  let kept: Kept[] = [];
  /** The EVSEs' readings, refilled; new objects only when the configured EVSEs changed. */
  const readings = (): Kept[] => {
    const models = energy.site.evses;
    if (kept.length !== models.length || models.some((m, i) => kept[i]?.evseKey !== m.key)) {
      kept = models.map((m) => ({ evseKey: m.key, phaseRotation: m.phaseRotation, id: parseEvseKey(m.key) }));
    }
    return kept;
  };
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
      const models = energy.site.evses;
      const out = readings();
      for (let i = 0; i < out.length; i++) {
        const r = out[i] as Kept;
        const key = r.evseKey;
        const live = energy.live.get(key);
        r.phaseRotation = (models[i] ?? r).phaseRotation;
        const dispatch = energy.dispatcher.state(key);
        r.offeredA = dispatch?.lastSentA;
        r.drawnA = live?.active && live.measuredCurrentA ? live.measuredCurrentA : undefined;
        r.limit = decisions?.[key]?.limit;
        // The dispatch state carries the write counts (read now): not counted twice.
        r.profileWrites = dispatch ? dispatch.writes : energy.dispatcher.writeCounts(key);
        r.disobedient = energy.obedience.of(key) !== undefined;
      }
      return out;
    },
    registersWh: () => {
      const out: Array<{ evseKey: string; valueWh: number }> = [];
      for (const r of readings()) {
        const reg = r.id ? energy.totals.registers.of(r.id.stationId, r.id.evseId) : undefined;
        if (reg) out.push({ evseKey: r.evseKey, valueWh: reg.valueWh });
      }
      return out;
    },
  };
}
