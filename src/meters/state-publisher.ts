import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { discoveryConfigFilter, haDiscoveryMessages, haStatusTopic, type DiscoveryInput } from './ha-discovery.js';
import { availabilityTopic, type ResolvedMqttOut } from './mqtt-out-config.js';
import type { MqttOutLink } from './mqtt-out-link.js';
import type { EvseStateOut, MqttOutState, SiteStateOut } from './mqtt-out-state.js';
import { evseStateTopic, evseValueTopic, siteStateTopic, siteValueTopic, stationAvailabilityTopic, UNKNOWN_PAYLOAD, type EvseValue, type SiteValue } from './mqtt-out-topics.js';

/**
 * Publishes the hub's state to MQTT: availability (`online` at every connect; the connection's
 * last will says `offline`), the site and each EVSE as JSON and as one value per topic, and
 * Home Assistant discovery configs.
 *
 * - Changes go out at the next check (every second, or at once on `notify()`); a value that
 *   did not change is not sent again until the periodic full republish (`publishIntervalS`).
 * - Discovery configs are published at connect and when Home Assistant announces itself
 *   (`<discoveryPrefix>/status` = online). Configs under this node id that the hub no longer
 *   has (an EVSE removed from the config, before or during this run) are cleared with an empty
 *   retained message, and so are that EVSE's retained state topics.
 * - Nothing here throws at the caller: a failed publish is logged (once per error text).
 */

export interface StatePublisherDeps {
  link: MqttOutLink;
  clock: Clock;
  log: Logger;
  settings: ResolvedMqttOut;
  /** Reads the state to publish (called at every check). */
  read: () => MqttOutState;
  /** What discovery needs besides the EVSEs; absent or settings.discovery false: no discovery. */
  discovery?: Omit<DiscoveryInput, 'settings' | 'evses' | 'stations' | 'siteMeters'>;
  /** How often changes are looked for, ms (default 1000). */
  checkIntervalMs?: number;
}

const DEFAULT_CHECK_INTERVAL_MS = 1000;

export class StatePublisher {
  private readonly lastPayloads = new Map<string, string>();
  private readonly unsubscribes: (() => void)[] = [];
  private configTopics = new Set<string>();
  private discoverySignature: string | undefined;
  private evseTopics = new Map<string, string[]>();
  private checkTimer: TimerHandle | undefined;
  private refreshTimer: TimerHandle | undefined;
  private running = false;
  /** onConnected waits for the link's subscriptions to stand. */
  private awaitingSubscriptions = false;
  private lastPublishError: string | undefined;

  constructor(private readonly deps: StatePublisherDeps) {}

  private get discoveryOn(): boolean {
    return this.deps.settings.discovery && this.deps.discovery !== undefined;
  }

  /** Subscribes (discovery clean-up, Home Assistant birth), and publishes whenever the link connects. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const { link, settings } = this.deps;
    this.unsubscribes.push(link.onStateChange((state) => state === 'connected' && this.onConnected()));
    if (this.discoveryOn) {
      this.unsubscribes.push(link.subscribe(discoveryConfigFilter(settings.discoveryPrefix, settings.nodeId), (topic, payload) => this.onForeignConfig(topic, payload)));
      this.unsubscribes.push(
        link.subscribe(haStatusTopic(settings.discoveryPrefix), (_topic, payload) => {
          if (payload.toString() !== 'online') return;
          this.deps.log.info('mqtt out: Home Assistant came online, republishing discovery');
          this.publishAll();
        }),
      );
    }
    this.armCheck();
    this.armRefresh();
    if (link.connectionState === 'connected') this.onConnected();
  }

  /** Publishes what changed now (after a command, say) instead of at the next check. */
  notify(): void {
    if (this.running) this.publishState(false);
  }

  /** Stops the timers and says `offline` (retained) while the connection is still up. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.deps.clock.clearTimeout(this.checkTimer);
    this.deps.clock.clearTimeout(this.refreshTimer);
    for (const off of this.unsubscribes.splice(0)) off();
    if (this.deps.link.connectionState !== 'connected') return;
    try {
      // QoS 0: stopping must not wait on a broker that may be gone; the last will covers that case.
      await this.deps.link.publish(availabilityTopic(this.deps.settings.topicPrefix), 'offline', { retain: true, qos: 0 });
    } catch (err) {
      this.deps.log.warn({ err: errorText(err) }, 'mqtt out: could not publish offline');
    }
  }

  /**
   * Says `online` and publishes everything once the link's subscriptions stand: a controller
   * (Home Assistant) may send a command the moment it sees `online`, and a command published
   * before the broker has the hub's subscription is dropped without a trace.
   */
  private onConnected(): void {
    if (!this.running) return;
    const { link } = this.deps;
    if (!link.subscriptionsStand) {
      if (this.awaitingSubscriptions) return; // a reconnect while waiting: the same wait serves
      this.awaitingSubscriptions = true;
      link.subscribed().then(
        () => {
          this.awaitingSubscriptions = false;
          if (link.connectionState === 'connected') this.onConnected();
        },
        () => (this.awaitingSubscriptions = false), // closed: nothing to say
      );
      return;
    }
    this.send(availabilityTopic(this.deps.settings.topicPrefix), 'online', true, 1);
    this.publishAll();
  }

  private publishAll(): void {
    this.discoverySignature = undefined;
    this.publishState(true);
  }

  private armCheck(): void {
    this.checkTimer = this.deps.clock.setTimeout(() => {
      if (!this.running) return;
      this.publishState(false);
      this.armCheck();
    }, this.deps.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS);
  }

  private armRefresh(): void {
    this.refreshTimer = this.deps.clock.setTimeout(() => {
      if (!this.running) return;
      this.publishState(true);
      this.armRefresh();
    }, this.deps.settings.publishIntervalS * 1000);
  }

  private publishState(force: boolean): void {
    if (this.deps.link.connectionState !== 'connected') return;
    try {
      this.publishStateOf(this.deps.read(), force);
    } catch (err) {
      this.deps.log.error({ err: errorText(err) }, 'mqtt out: reading or publishing the hub state failed');
    }
  }

  private publishStateOf(state: MqttOutState, force: boolean): void {
    this.publishDiscovery(state);
    const { topicPrefix: p, retain } = this.deps.settings;
    const out = new Map<string, string>();
    // Availability is always retained: Home Assistant must find it whenever it subscribes.
    for (const station of state.stations) {
      const topic = stationAvailabilityTopic(p, station.stationId);
      const payload = station.online ? 'online' : 'offline';
      if (force || this.lastPayloads.get(topic) !== payload) {
        this.lastPayloads.set(topic, payload);
        this.send(topic, payload, true, 1);
      }
    }
    out.set(siteStateTopic(p), JSON.stringify(state.site));
    for (const [value, payload] of Object.entries(siteValues(state.site)) as [SiteValue, string][]) out.set(siteValueTopic(p, value), payload);
    const evseTopics = new Map<string, string[]>();
    for (const evse of state.evses) {
      const topics = [evseStateTopic(p, evse.stationId, evse.evseId)];
      out.set(topics[0]!, JSON.stringify(evse));
      for (const [value, payload] of Object.entries(evseValues(evse)) as [EvseValue, string][]) {
        const topic = evseValueTopic(p, evse.stationId, evse.evseId, value);
        topics.push(topic);
        out.set(topic, payload);
      }
      evseTopics.set(evse.evseKey, topics);
    }
    for (const [key, topics] of this.evseTopics) {
      if (evseTopics.has(key)) continue;
      for (const topic of topics) {
        this.lastPayloads.delete(topic);
        if (retain) this.send(topic, '', true, 1);
      }
    }
    this.evseTopics = evseTopics;
    for (const [topic, payload] of out) {
      if (!force && this.lastPayloads.get(topic) === payload) continue;
      this.lastPayloads.set(topic, payload);
      this.send(topic, payload, retain, 0);
    }
  }

  /**
   * Publishes the configs when the set of EVSEs or what a station told at boot (vendor, model,
   * firmware) changed, or after publishAll; clears configs of EVSEs gone.
   */
  private publishDiscovery(state: MqttOutState): void {
    if (!this.discoveryOn || !this.deps.discovery) return;
    const { evses, stations, site } = state;
    const siteMeters = { grid: site.gridImportKWh !== null, pv: site.pvEnergyKWh !== null };
    const signature = JSON.stringify([evses.map((e) => [e.evseKey, e.solarMode !== null]), stations.map(({ online: _online, ...identity }) => identity), siteMeters]);
    if (signature === this.discoverySignature) return;
    this.discoverySignature = signature;
    const messages = haDiscoveryMessages({ ...this.deps.discovery, settings: this.deps.settings, evses, stations, siteMeters });
    const topics = new Set(messages.map((m) => m.topic));
    for (const old of this.configTopics) if (!topics.has(old)) this.send(old, '', true, 1);
    this.configTopics = topics;
    for (const m of messages) this.send(m.topic, JSON.stringify(m.config), true, 1);
  }

  /** A config under our node id: one we no longer have (from an earlier run) is cleared. */
  private onForeignConfig(topic: string, payload: Buffer): void {
    if (!this.running || payload.length === 0 || this.configTopics.has(topic)) return;
    if (this.discoverySignature === undefined) return; // our configs are not known yet; publishAll follows at connect
    this.deps.log.info({ topic }, 'mqtt out: clearing a Home Assistant config the hub no longer has');
    this.send(topic, '', true, 1);
  }

  private send(topic: string, payload: string, retain: boolean, qos: 0 | 1): void {
    this.deps.link.publish(topic, payload, { retain, qos }).then(
      () => {
        this.lastPublishError = undefined;
      },
      (err: unknown) => {
        const text = errorText(err);
        if (text === this.lastPublishError) return;
        this.lastPublishError = text;
        this.deps.log.warn({ topic, err: text }, 'mqtt out: publish failed');
      },
    );
  }
}

function valuePayload(v: number | string | null): string {
  if (v === null || v === '') return UNKNOWN_PAYLOAD;
  return String(v);
}

function siteValues(s: SiteStateOut): Record<SiteValue, string> {
  return {
    grid_power_w: valuePayload(s.gridPowerW),
    pv_power_w: valuePayload(s.pvPowerW),
    ev_power_w: valuePayload(s.evPowerW),
    ev_current_a: valuePayload(Math.max(s.evCurrentA.L1, s.evCurrentA.L2, s.evCurrentA.L3)),
    site_limit_w: valuePayload(s.siteLimitW),
    site_limit_source: valuePayload(s.siteLimitSource),
    stale_meters: JSON.stringify(s.staleMeters),
    grid_import_kwh: valuePayload(s.gridImportKWh),
    grid_export_kwh: valuePayload(s.gridExportKWh),
    pv_energy_kwh: valuePayload(s.pvEnergyKWh),
  };
}

function evseValues(e: EvseStateOut): Record<EvseValue, string> {
  return {
    status: valuePayload(e.status),
    offered_current_a: valuePayload(e.offeredCurrentA),
    drawn_current_a: valuePayload(e.drawnCurrentA),
    power_w: valuePayload(e.powerW),
    session_energy_wh: valuePayload(e.sessionEnergyWh),
    mode: valuePayload(e.mode),
    limit_source: valuePayload(e.limitSource),
    solar_mode: valuePayload(e.solarMode),
    max_current_a: valuePayload(e.maxCurrentA),
    energy_kwh: valuePayload(e.energyKWh),
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
