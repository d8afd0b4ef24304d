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
import type { StationEvent } from './evse/station-service.js';
import type { HubEnergy } from './hub-energy.js';
import type { Store } from './store/store.js';
import type { Clock } from './util/clock.js';
import type { DashboardProvider } from './api/dashboard/dashboard-provider.js';
import { shownDrawnA, sitePower } from './api/dashboard/snapshot.js';
import { powerReadingOf } from './history/power-reading.js';
import type { PowerReading } from './history/power-sampler.js';

/** Connector states the dashboard reports as a fault of a connected EVSE. */
const FAULT_STATES = ['Faulted', 'Unavailable'] as const;

/** Idle reads between two full reads of the stations' facts when no station event asked for one. */
const DEFAULT_FULL_READ_EVERY = 12;

export interface DashboardFactsDeps {
  clock: Clock;
  store: Store;
  registry: StationRegistry;
  energy: HubEnergy;
  /**
   * Station events (StationService.onEvent). With it, the stations' facts (connections, running
   * transactions, faults: a pass over every station and EVSE, two queries) are read again only
   * after an event that may change them (a connection, a status, a transaction's start or end,
   * not a meter reading), and in any case every `fullReadEvery`-th read; without it, at every read.
   */
  onStationEvent?: (listener: (e: StationEvent) => void) => void;
  fullReadEvery?: number;
}

interface StationFacts {
  connected: Set<string>;
  transactions: Map<string, string>;
  faults: Map<string, string>;
  /** `<stationId>\0<transactionId>` of every transaction in `transactions`. */
  running: Set<string>;
}

/** Reads the facts now: the stations' part from the registry and two queries (or as last read, see onStationEvent), the rest from memory. */
export function dashboardFacts(deps: DashboardFactsDeps): () => EventFacts {
  const { clock, store, registry, energy } = deps;
  const fullReadEvery = deps.fullReadEvery ?? DEFAULT_FULL_READ_EVERY;
  let stations: StationFacts | undefined;
  let readsSinceFull = 0;
  deps.onStationEvent?.((e) => {
    if (stations && mayChangeFacts(e, stations)) stations = undefined;
  });
  const readStations = (): StationFacts => {
    const out: StationFacts = { connected: new Set(), transactions: new Map(), faults: new Map(), running: new Set() };
    for (const session of registry.all()) if (session.isOpen) out.connected.add(session.stationId);
    const evseKeys = new Set(energy.site.evses.map((e) => e.key));
    for (const tx of store.transactions.activeIds()) {
      const key = evseKeyOf(tx.stationId, tx.evseId);
      if (!evseKeys.has(key)) continue;
      out.transactions.set(key, tx.transactionId);
      out.running.add(runningKey(tx.stationId, tx.transactionId));
    }
    for (const c of store.connectors.firstConnectorsShowing(FAULT_STATES)) {
      const key = evseKeyOf(c.stationId, c.evseId);
      if (evseKeys.has(key) && out.connected.has(c.stationId)) out.faults.set(key, c.shown);
    }
    return out;
  };
  return () => {
    const nowMs = clock.nowMs();
    readsSinceFull += 1;
    if (!stations || !deps.onStationEvent || readsSinceFull >= fullReadEvery) {
      stations = readStations();
      readsSinceFull = 0;
    }
    // The same sets as the last read when nothing changed: whoever compares facts only reads them.
    const facts = emptyFacts();
    facts.connected = stations.connected;
    facts.transactions = stations.transactions;
    facts.faults = stations.faults;
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

/** Whether a station event may change the stations' facts (a meter reading of a known running transaction does not). */
function mayChangeFacts(e: StationEvent, known: StationFacts): boolean {
  switch (e.kind) {
    case 'meterValues':
      return false;
    case 'transaction':
      return e.event.eventType !== 'Updated' || !known.running.has(runningKey(e.event.stationId, e.event.transactionId));
    default:
      return true;
  }
}

function runningKey(stationId: string, transactionId: string): string {
  return `${stationId}\u0000${transactionId}`;
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
