/**
 * A fleet of simulated stations connecting to one endpoint, optionally driven by the demo
 * scenario (cars arriving and leaving, seeded so every run looks the same).
 */
import { addPhases, perPhase, type PerPhase } from '../energy/phases.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { DEFAULT_DEMO_PARAMS, DemoDriver, type DemoScenarioParams } from './demo-scenario.js';
import { createPrng } from './prng.js';
import { SimCharger, type SimChargerConfig } from './sim-charger.js';

/** One station of the fleet; endpoint overrides the fleet's. */
export type FleetChargerConfig = SimChargerConfig & { endpoint?: string };

export interface FleetOptions {
  /** CSMS URL without the identity, e.g. ws://localhost:9000/ocpp. */
  endpoint: string;
  chargers: FleetChargerConfig[];
  clock: Clock;
  log: Logger;
  /** 'demo' drives arrivals and departures; 'none' leaves the stations idle (default 'demo'). */
  scenario?: 'demo' | 'none';
  seed?: number;
  demo?: Partial<DemoScenarioParams>;
  /** Wait before retrying a station whose connection failed, s (default 5). */
  connectRetryS?: number;
}

export interface Fleet {
  readonly chargers: readonly SimCharger[];
  /** Resolves once every station has booted (it may never, if the CSMS keeps one Pending). */
  readonly ready: Promise<void>;
  /** Current drawn by all EVs now per grid phase, A. */
  drawnCurrentA(): PerPhase;
  stop(): Promise<void>;
}

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const params: DemoScenarioParams = { ...DEFAULT_DEMO_PARAMS, ...opts.demo };
  const seed = opts.seed ?? 42;
  const drivers: DemoDriver[] = [];
  const retryTimers = new Set<TimerHandle>();
  let stopped = false;
  const chargers = opts.chargers.map(
    (c) => new SimCharger({ ...c, endpoint: c.endpoint ?? opts.endpoint, clock: opts.clock, log: opts.log }),
  );

  const startOne = (charger: SimCharger, index: number): Promise<void> =>
    charger.start().then(
      () => {
        if (stopped || (opts.scenario ?? 'demo') !== 'demo') return;
        for (const evse of charger.state().evses) {
          const prng = createPrng(evseSeed(seed, index, evse.evseId));
          const d = new DemoDriver({ charger, evseId: evse.evseId, prng, params, clock: opts.clock, log: opts.log });
          drivers.push(d);
          d.start();
        }
      },
      (err: unknown) => {
        if (stopped) return;
        opts.log.warn({ station: charger.identity, err: String(err) }, 'simulated station could not connect; retrying');
        return new Promise<void>((resolve) => {
          const t = opts.clock.setTimeout(() => {
            retryTimers.delete(t);
            void charger.stop().then(() => (stopped ? resolve() : startOne(charger, index).then(resolve)));
          }, (opts.connectRetryS ?? 5) * 1000);
          retryTimers.add(t);
        });
      },
    );

  const ready = Promise.all(chargers.map((c, i) => startOne(c, i))).then(() => undefined);
  opts.log.info({ stations: chargers.length, endpoint: opts.endpoint }, 'simulated fleet starting');
  return {
    chargers,
    ready,
    drawnCurrentA: () => chargers.reduce((sum, c) => addPhases(sum, c.drawnCurrentA()), perPhase(0)),
    async stop() {
      stopped = true;
      for (const d of drivers) d.stop();
      for (const t of retryTimers) opts.clock.clearTimeout(t);
      await Promise.all(chargers.map((c) => c.stop()));
    },
  };
}

/**
 * Each EVSE's own seed, from the fleet's seed and the EVSE's place in the fleet. One generator
 * shared by all EVSEs would hand out its numbers in the order the stations finish connecting,
 * which the sockets decide, so the same seed would plan different cars from run to run.
 */
export function evseSeed(fleetSeed: number, chargerIndex: number, evseId: number): number {
  return (Math.imul(fleetSeed >>> 0, 0x9e3779b1) ^ Math.imul(chargerIndex + 1, 0x85ebca6b) ^ Math.imul(evseId, 0xc2b2ae35)) >>> 0;
}

/** A default mixed fleet for the demo: count stations cycling 1.6, 2.0.1 and 2.1, 3- and 1-phase. */
export function demoChargers(count = 6, prefix = 'sim-evse'): FleetChargerConfig[] {
  const versions = ['1.6', '2.0.1', '2.1'] as const;
  return Array.from({ length: count }, (_, i) => {
    const onePhase = i % 4 === 3;
    return {
      identity: `${prefix}-${String(i + 1).padStart(2, '0')}`,
      version: versions[i % versions.length] ?? '2.0.1',
      phases: onePhase ? 1 : 3,
      phaseRotation: onePhase ? [(['L1', 'L2', 'L3'] as const)[i % 3] ?? 'L1'] : undefined,
      maxCurrentA: onePhase ? 32 : 16,
      meterIntervalS: 10,
    };
  });
}
