import type { HubEnergy } from '../hub-energy.js';
import type { EvseMetricReading } from './metrics-evse.js';

/**
 * The per-EVSE metrics' readings straight from the energy side: what `EnergyQueries.evses()` shows
 * of each configured EVSE under the same rules (offer, draw while in a transaction, the last
 * decision's limit, profile writes, disobedience), without building the rest of each view (modes,
 * settings, rule sources). A read costs a few map lookups per EVSE.
 */
export function evseMetricReadings(energy: HubEnergy): () => EvseMetricReading[] {
  return () => {
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
  };
}
