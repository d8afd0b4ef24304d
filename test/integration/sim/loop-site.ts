import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import type { PerPhase } from '../../../src/energy/phases.js';
import type { MeterHub } from '../../../src/meters/meter-hub.js';
import type { RunningHub } from '../../../src/hub.js';
import { SimCharger, type SimChargerConfig } from '../../../src/sim/sim-charger.js';
import type { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { AT_ONCE, hubOptionsOf, type DecisionMode } from '../../helpers/decision-modes.js';
import { useTestBroker } from '../../helpers/test-broker.js';
import type { BuildingLoad } from './building-load.js';
import { FollowCharger, type FollowChargerSpec } from './follow-charger.js';
import { SteppingClock } from './stepping-clock.js';

/**
 * A site for tests of the control loop, end to end: a real MQTT broker (embedded aedes, or
 * Mosquitto at MQTT_URL), the real hub on one fake clock, chargers built on ocpp-rpc in strict
 * mode (the hub's simulator, or delayed-follow test chargers), and a grid meter publisher.
 * `useLoopSites()` registers the broker's hooks for the file and stops every site after each test.
 */
export interface LoopSiteContext {
  /** A topic of this site alone (a shared broker never mixes runs). */
  topic: string;
  /** The broker's URL, for the site config's `mqtt.url`. */
  mqttUrl: string;
}

export interface LoopSiteOptions {
  /** The site config, given the topic and broker. */
  yaml: (ctx: LoopSiteContext) => string;
  /** Default a new SteppingClock (with the mode's yieldMs). */
  clock?: FakeClock;
  /** How the hub runs decisions that are not urgent. Default AT_ONCE (the production threshold). */
  decisions?: DecisionMode;
  /** The grid meter's id in the config. Default `grid`. */
  meterId?: string;
}

/** A scripted happening of a simulation (an EV plugging in, a building step). */
export interface SimEvent {
  atMs: number;
  run: () => Promise<void> | void;
}

export interface SimulateOptions {
  untilMs: number;
  /** The grid meter publishes at every multiple of this, ms. */
  meterPeriodMs: number;
  /** What the grid meter reads at an instant, A per phase. */
  gridA: (tMs: number) => PerPhase;
  /** More fields the grid meter publishes at an instant (e.g. its power), beside currentA and timeMs. */
  gridExtra?: (tMs: number) => Record<string, unknown>;
  events?: SimEvent[];
}

export class LoopSite {
  readonly simChargers: SimCharger[] = [];
  readonly followChargers: FollowCharger[] = [];
  private readonly cleanups: Array<() => Promise<void> | void> = [];
  private hubStopped = false;
  private stopped = false;

  constructor(
    readonly clock: FakeClock,
    readonly harness: Harness,
    readonly meters: MeterHub,
    readonly topic: string,
    private readonly publisher: mqtt.MqttClient,
    private readonly meterId: string,
  ) {}

  get hub(): RunningHub {
    return this.harness.hub;
  }

  /** Publishes a grid reading (the same current on every phase when a number) and waits until the hub has it. */
  async publishGrid(currentA: number | PerPhase, extra: Record<string, unknown> = {}): Promise<void> {
    const a = typeof currentA === 'number' ? { L1: currentA, L2: currentA, L3: currentA } : currentA;
    const got = new Promise<void>((resolve) => {
      const off = this.meters.onReading((r) => {
        if (r.meterId !== this.meterId || r.currentA?.L1 !== a.L1) return;
        off();
        resolve();
      });
    });
    await this.publisher.publishAsync(this.topic, JSON.stringify({ currentA: a, ...extra }));
    await got;
  }

  /** The hub's simulated chargers (src/sim), created but not started; stopped with the site. */
  addSimChargers(configs: SimChargerConfig[]): SimCharger[] {
    const made = configs.map((c) => new SimCharger({ maxCurrentA: 16, phases: 3, meterIntervalS: 10, ...c, endpoint: this.hub.ocppUrl, clock: this.clock, log: silentLogger() }));
    this.simChargers.push(...made);
    return made;
  }

  /** Delayed-follow test chargers, started (booted) one after the other; stopped with the site. */
  async addFollowChargers(specs: FollowChargerSpec[], idTag: string): Promise<FollowCharger[]> {
    const made: FollowCharger[] = [];
    for (const spec of specs) {
      const c = new FollowCharger({ spec, endpoint: this.hub.ocppUrl, clock: this.clock, idTag });
      this.followChargers.push(c);
      made.push(c);
      await c.start();
    }
    return made;
  }

  /** The grid meter of a site whose building load is `building`: that plus what every follow charger's EV really draws at the instant, A per phase. */
  gridOf(building: BuildingLoad): (tMs: number) => PerPhase {
    return (tMs) => {
      const a = { ...building.at(tMs) };
      for (const c of this.followChargers) {
        const d = c.gridDrawAt(tMs);
        a.L1 += d.L1;
        a.L2 += d.L2;
        a.L3 += d.L3;
      }
      return a;
    };
  }

  /**
   * Resolves once nothing is under way between the hub and the site's chargers: no call from a
   * charger unanswered (nor a simulated charger's work after an answer it gave), no profile write
   * or capability read of the hub unanswered. Simulated time must not move on before (an answer
   * would come at another simulated instant on a slower run).
   */
  async settle(): Promise<void> {
    const energy = this.hub.energy;
    // Only the site's own chargers can have calls under way (declared stations that never connect have none).
    const stations = [...new Set([...this.followChargers.map((c) => c.id), ...this.simChargers.map((c) => c.identity)])];
    const keys = energy.site.evses.map((e) => e.key).filter((k) => stations.includes(k.split('/')[0] ?? ''));
    const busy = (): boolean =>
      this.followChargers.some((c) => c.busy()) || this.simChargers.some((c) => c.busy()) || keys.some((k) => energy.dispatcher.state(k)?.inFlight === true) || stations.some((s) => energy.capabilities.isReading(s));
    // Quiet for a few turns of the event loop in a row: follow-ups of an answer start within its turn.
    for (let quiet = 0; quiet < 3; ) {
      await new Promise((resolve) => (busy() ? setTimeout(resolve, 1) : setImmediate(resolve)));
      quiet = busy() ? 0 : quiet + 1;
    }
  }

  /**
   * Runs the site in simulated time from event to event (every timer of the hub and the chargers
   * fires at its own instant), waiting for quiet after each: the same simulated history on a fast
   * or a slow machine. At an instant, timers fire first, then the scripted events, then the grid
   * meter publishes (so it sees what the chargers draw at that instant).
   */
  async simulate(o: SimulateOptions): Promise<void> {
    const clock = this.clock;
    if (!(clock instanceof SteppingClock)) throw new Error('simulate needs a SteppingClock');
    const events = [...(o.events ?? [])].sort((a, b) => a.atMs - b.atMs);
    let nextMeterMs = Math.ceil(clock.nowMs() / o.meterPeriodMs) * o.meterPeriodMs;
    for (;;) {
      const nowMs = clock.nowMs();
      const nextMs = Math.min(events[0]?.atMs ?? Infinity, nextMeterMs, clock.nextDueMs() ?? Infinity, o.untilMs);
      if (nextMs > nowMs || (clock.nextDueMs() ?? Infinity) <= nowMs) {
        clock.advanceMs(Math.max(0, nextMs - nowMs));
        await this.settle();
        continue;
      }
      if (nowMs >= o.untilMs) return;
      while (events[0] && events[0].atMs <= nowMs) {
        await (events.shift() as SimEvent).run();
        await this.settle();
      }
      if (nextMeterMs <= nowMs) {
        await this.publishGrid(o.gridA(nowMs), { ...o.gridExtra?.(nowMs), timeMs: nowMs });
        await this.settle();
        nextMeterMs += o.meterPeriodMs;
      }
    }
  }

  /**
   * Moves simulated time on by `ms` from timer to timer (every timer of the hub and the chargers
   * fires at its own instant), waiting for quiet after each, as `simulate` does without a meter.
   */
  async advance(ms: number): Promise<void> {
    const clock = this.clock;
    if (!(clock instanceof SteppingClock)) throw new Error('advance needs a SteppingClock');
    const untilMs = clock.nowMs() + ms;
    for (let next = clock.nextDueMs(); next !== undefined && next <= untilMs; next = clock.nextDueMs()) {
      clock.advanceMs(Math.max(0, next - clock.nowMs()));
      await this.settle();
    }
    clock.advanceMs(untilMs - clock.nowMs());
    await this.settle();
  }

  /** Runs fn when the site stops, after the hub (e.g. a CSMS the hub was linked to). */
  onStopped(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn);
  }

  /** Stops the hub alone (the chargers and the broker stay), e.g. to see what the chargers do without it. */
  async stopHub(): Promise<void> {
    if (this.hubStopped) return;
    this.hubStopped = true;
    await this.harness.stop();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of this.simChargers) await c.stop();
    for (const c of this.followChargers) await c.stop();
    await this.publisher.endAsync();
    await this.stopHub();
    for (const fn of this.cleanups.splice(0).reverse()) await fn();
  }
}

/** Registers a test broker for the file; returns a function that starts a site, stopped after the test. */
export function useLoopSites(): (o: LoopSiteOptions) => Promise<LoopSite> {
  const broker = useTestBroker();
  return async (o) => {
    const mode = o.decisions ?? AT_ONCE;
    const clock = o.clock ?? new SteppingClock(undefined, mode.yieldMs !== undefined ? { yieldMs: mode.yieldMs } : {});
    const topic = `switchyard-test/${randomUUID()}/grid`;
    const harness = await startTestHub(o.yaml({ topic, mqttUrl: broker.url }), { clock, ...hubOptionsOf(mode) });
    const meters = harness.hub.energy.meters;
    if (!meters) {
      await harness.stop();
      throw new Error('the site config has no meters: no meter hub');
    }
    let publisher: mqtt.MqttClient | undefined;
    try {
      await meters.subscribed();
      publisher = await mqtt.connectAsync(broker.url);
    } catch (err) {
      await harness.stop();
      throw err;
    }
    const site = new LoopSite(clock, harness, meters, topic, publisher, o.meterId ?? 'grid');
    broker.onCleanup(() => site.stop());
    return site;
  };
}
