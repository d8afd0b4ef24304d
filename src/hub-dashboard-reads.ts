/**
 * What runs every few seconds whether a dashboard page is open or not, read straight from the
 * hub's state instead of from a dashboard snapshot (at thousands of EVSEs a snapshot, with every
 * EVSE's view and every station's rows, is far more than they need): the event log's facts
 * (api/dashboard/event-log.ts) and the power history's sample. Each gives what the snapshot
 * would give for the same state (tests check it).
 */
import type { EventFacts } from './api/dashboard/event-log.js';
import { emptyFacts, siteLimitFact } from './api/dashboard/event-log.js';
import { evseKeyOf } from './control/evse-key.js';
import type { StationRegistry } from './evse/station-registry.js';
import type { HubEnergy } from './hub-energy.js';
import type { Store } from './store/store.js';
import type { Clock } from './util/clock.js';
import type { DashboardProvider } from './api/dashboard/dashboard-provider.js';
import { shownDrawnA, sitePower } from './api/dashboard/snapshot.js';
import { powerReadingOf } from './history/power-reading.js';
import type { PowerReading } from './history/power-sampler.js';

/** Connector states the dashboard reports as a fault of a connected EVSE. */
const FAULT_STATES = ['Faulted', 'Unavailable'] as const;

export interface DashboardFactsDeps {
  clock: Clock;
  store: Store;
  registry: StationRegistry;
  energy: HubEnergy;
}

/** Reads the facts now: two queries for the site (active transactions, faulted connectors), the rest from memory. */
export function dashboardFacts(deps: DashboardFactsDeps): () => EventFacts {
  const { clock, store, registry, energy } = deps;
  return () => {
    const nowMs = clock.nowMs();
    const facts = emptyFacts();
    for (const session of registry.all()) if (session.isOpen) facts.connected.add(session.stationId);
    const evseKeys = new Set(energy.site.evses.map((e) => e.key));
    for (const tx of store.transactions.activeIds()) {
      const key = evseKeyOf(tx.stationId, tx.evseId);
      if (evseKeys.has(key)) facts.transactions.set(key, tx.transactionId);
    }
    for (const c of store.connectors.firstConnectorsShowing(FAULT_STATES)) {
      const key = evseKeyOf(c.stationId, c.evseId);
      if (evseKeys.has(key) && facts.connected.has(c.stationId)) facts.faults.set(key, c.shown);
    }
    for (const [id, r] of Object.entries(energy.meters?.snapshot(nowMs) ?? {})) (r.stale ? facts.staleMeters : facts.freshMeters).add(id);
    const decision = energy.lastDecision();
    const staleCircuits = decision?.staleCircuits ?? {};
    for (const c of energy.site.circuits) {
      const why = staleCircuits[c.id];
      if (why) facts.staleCircuits.set(c.id, why);
    }
    for (const v of decision?.violations ?? []) facts.violations.add(v);
    const override = energy.activeOverride(nowMs);
    if (override) facts.siteLimit = siteLimitFact(override);
    const stats = energy.dispatcher.stats();
    facts.dispatchProblems = stats.rejected + stats.failed;
    return facts;
  };
}

/** The dashboard's power figures (sitePower) and each EVSE's drawn power, from the live state alone. */
export function powerReadingNow(deps: { clock: Clock; energy: HubEnergy; provider: DashboardProvider }): () => PowerReading {
  const { clock, energy, provider } = deps;
  return () => {
    const nowMs = clock.nowMs();
    const evses = energy.site.evses.map((e) => {
      const live = energy.live.get(e.key);
      return { key: e.key, ...(live?.active && live.measuredCurrentA ? { drawnA: shownDrawnA(live.measuredCurrentA) } : {}) };
    });
    const override = energy.activeOverride(nowMs);
    const { power } = sitePower({ meters: energy.meters?.snapshot(nowMs) ?? {}, ...(override ? { siteLimit: override } : {}), evses, provider });
    return powerReadingOf({ power, evses }, provider.voltageV);
  };
}
