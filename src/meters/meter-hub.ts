import { randomBytes } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';
import { ageReading, type AgedReading, type MeterReading } from '../energy/meter-reading.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
import type { MeterConfig } from './meter-config.js';
import { compileMapping, type CompiledMapping } from './payload-mapping.js';
import { BadPayloadLog } from './bad-payload-log.js';
import { redactUrl } from '../util/redact-url.js';
import { readingFromQuantities, type MeterQuantity } from './quantity.js';
import { topicMatches } from './mqtt-out-topic-match.js';

/**
 * The MQTT edge for meters: one client subscribed to every configured topic, turning
 * messages into per-meter MeterReadings. Staleness is a value: `snapshot()` ages every
 * configured meter and marks it stale, and the caller decides what stale means.
 *
 * - Each quantity keeps the time it was measured; a meter's reading is as old as its
 *   oldest quantity, so one silent topic makes the whole meter stale.
 * - A meter never heard from is present in the snapshot, stale, without quantities
 *   (timeMs 0), so the snapshot's keys are always the configured meter ids.
 * - Without a timePath the measure time is the clock's time at receipt. Retained messages
 *   get it too, so a dead device's retained value counts as fresh for staleAfterS after start.
 * - Bad payloads are counted and logged (at most once a minute per mapping), never thrown.
 */

export type MqttConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface MeterHubDeps {
  /**
   * Broker URL, e.g. mqtt://user:password@host:1883, mqtts://..., ws://....
   * Absent: an embedded broker on 127.0.0.1 and a free port (see `brokerUrl`).
   */
  url?: string;
  /** Port of the embedded broker when there is no url (default 0: any free port). */
  embeddedPort?: number;
  /** Address of the embedded broker (default 127.0.0.1). */
  embeddedHost?: string;
  meters: MeterConfig[];
  clock: Clock;
  log: Logger;
  /** MQTT last will, set at connect: the broker publishes it when the connection drops uncleanly. */
  will?: { topic: string; payload: string; retain?: boolean; qos?: 0 | 1 };
}

/** A message on a topic subscribed with `subscribe` (retained: replayed by the broker at subscribe time). */
export type TopicHandler = (topic: string, payload: Buffer, meta: { retained: boolean }) => void;

export interface MeterCounters {
  /** Messages mapped into a value. */
  messages: number;
  /** Messages whose payload could not be mapped. */
  badPayloads: number;
}

export interface MeterHubStats extends MeterCounters {
  byMeter: Record<string, MeterCounters>;
}

export type ReadingListener = (reading: MeterReading) => void;
export type StateListener = (state: MqttConnectionState) => void;

/** timeMs of a meter never heard from. */
const NEVER_MS = 0;

interface MeterState {
  config: MeterConfig;
  values: Map<MeterQuantity, { value: number; timeMs: number }>;
  counters: MeterCounters;
}

export class MeterHub {
  private readonly meters = new Map<string, MeterState>();
  private readonly mappingsByTopic = new Map<string, CompiledMapping[]>();
  private readonly badPayloads: BadPayloadLog;
  private readonly readingListeners = new Set<ReadingListener>();
  private readonly stateListeners = new Set<StateListener>();
  private readonly extraSubscriptions = new Map<string, Set<TopicHandler>>();
  private subscribedWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private client: MqttClient | undefined;
  private embedded: EmbeddedBroker | undefined;
  private url: string | undefined;
  private state: MqttConnectionState = 'idle';
  private isSubscribed = false;
  /** Subscriptions sent on the current connection after its first round, not yet acknowledged. */
  private pendingSubscribes = 0;
  /** The current connection's first round of subscriptions is acknowledged (or refused). */
  private firstRoundDone = false;
  /** Counts connections, so an acknowledgement of an earlier connection's subscribe is ignored. */
  private connectionSeq = 0;
  private lastConnectionError: string | undefined;
  private closeRequested = false;

  /** Compiles every mapping; throws MeterMappingError for a mapping that cannot work. */
  constructor(private readonly deps: MeterHubDeps) {
    this.badPayloads = new BadPayloadLog(deps.log);
    for (const config of deps.meters) {
      if (this.meters.has(config.id)) throw new Error(`meter id "${config.id}" is configured twice`);
      this.meters.set(config.id, { config, values: new Map(), counters: { messages: 0, badPayloads: 0 } });
      for (const spec of config.readings) {
        const mapping = compileMapping(config.id, spec);
        const list = this.mappingsByTopic.get(spec.topic) ?? [];
        list.push(mapping);
        this.mappingsByTopic.set(spec.topic, list);
      }
    }
  }

  /** The broker in use (the embedded one's when no URL was configured); undefined before start. */
  get brokerUrl(): string | undefined {
    return this.url;
  }

  get connectionState(): MqttConnectionState {
    return this.state;
  }

  /** Every configured topic (exact topics, no wildcards). */
  get topics(): string[] {
    return [...this.mappingsByTopic.keys()];
  }

  /**
   * Starts the embedded broker when no URL is configured, then connects. Resolves without
   * waiting for the broker (which may be down: the client keeps reconnecting); use
   * `subscribed()` to wait for the subscriptions.
   */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`MeterHub cannot start when ${this.state}`);
    this.setState('connecting');
    if (this.deps.url === undefined) {
      const host = this.deps.embeddedHost ?? '127.0.0.1';
      const port = this.deps.embeddedPort ?? 0;
      try {
        this.embedded = await startEmbeddedBroker({ port, host });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw err;
        this.deps.log.warn({ port }, 'meters: the embedded broker port is taken, using a free port instead');
        this.embedded = await startEmbeddedBroker({ port: 0, host });
      }
      this.deps.log.info({ url: this.embedded.url }, 'meters: no MQTT broker configured, started an embedded one');
    }
    // close() may have run while the embedded broker started.
    if (this.closeRequested) {
      await this.embedded?.close();
      this.embedded = undefined;
      return;
    }
    this.url = this.deps.url ?? this.embedded?.url;
    if (this.url === undefined) throw new Error('no broker URL');
    const client = connect(this.url, {
      clientId: `switchyard-meters-${randomBytes(4).toString('hex')}`,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      // We subscribe on every connect ourselves, so we know when the subscriptions stand.
      resubscribe: false,
      ...(this.deps.will
        ? { will: { topic: this.deps.will.topic, payload: Buffer.from(this.deps.will.payload), qos: this.deps.will.qos ?? 1, retain: this.deps.will.retain ?? true } }
        : {}),
    });
    this.client = client;
    client.on('connect', () => this.onConnect(client));
    client.on('reconnect', () => this.setState('reconnecting'));
    client.on('close', () => this.onClose());
    client.on('error', (err) => this.onConnectionError(err));
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet.retain));
  }

  /** Connected, and every subscription made so far is acknowledged by the broker. */
  get subscriptionsStand(): boolean {
    return this.isSubscribed;
  }

  /** Resolves when connected and subscribed to every topic (at once if already); rejects on close. */
  subscribed(): Promise<void> {
    if (this.isSubscribed) return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(new Error('MeterHub is closed'));
    return new Promise((resolve, reject) => this.subscribedWaiters.push({ resolve, reject }));
  }

  /** Called with the meter's merged latest reading after each message that mapped. Returns an unsubscribe function. */
  onReading(listener: ReadingListener): () => void {
    this.readingListeners.add(listener);
    return () => this.readingListeners.delete(listener);
  }

  /** Called on every connection state change. Returns an unsubscribe function. */
  onStateChange(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** The latest reading of every configured meter, aged at `nowMs`. */
  snapshot(nowMs: number): Record<string, AgedReading> {
    const out: Record<string, AgedReading> = {};
    for (const [id, meter] of this.meters) {
      const reading = this.readingOf(meter);
      if (reading === undefined) {
        out[id] = { ...ageReading({ meterId: id, timeMs: NEVER_MS }, nowMs, meter.config.staleAfterS), stale: true };
      } else {
        out[id] = ageReading(reading, nowMs, meter.config.staleAfterS);
      }
    }
    return out;
  }

  stats(): MeterHubStats {
    const byMeter: Record<string, MeterCounters> = {};
    let messages = 0;
    let badPayloads = 0;
    for (const [id, meter] of this.meters) {
      byMeter[id] = { ...meter.counters };
      messages += meter.counters.messages;
      badPayloads += meter.counters.badPayloads;
    }
    return { messages, badPayloads, byMeter };
  }

  /**
   * Subscribes to a topic filter (MQTT wildcards allowed) on this connection, now and after
   * every reconnect; `handler` gets each matching message. Returns an unsubscribe function.
   */
  subscribe(filter: string, handler: TopicHandler): () => void {
    const handlers = this.extraSubscriptions.get(filter) ?? new Set<TopicHandler>();
    const isNew = handlers.size === 0;
    handlers.add(handler);
    this.extraSubscriptions.set(filter, handlers);
    if (isNew && this.client && this.state === 'connected') {
      // subscribed() waits for this one too (MQTT out says `online` only once its commands arrive).
      const seq = this.connectionSeq;
      this.pendingSubscribes++;
      this.isSubscribed = false;
      this.client.subscribe(filter, { qos: 0 }, (err) => {
        if (err) this.deps.log.error({ err: err.message, filter }, 'meters: MQTT subscribe failed');
        if (seq !== this.connectionSeq) return;
        this.pendingSubscribes--;
        if (!err && this.firstRoundDone && this.pendingSubscribes === 0 && this.state === 'connected') this.markSubscribed();
      });
    }
    return () => {
      handlers.delete(handler);
      if (handlers.size > 0 || this.extraSubscriptions.get(filter) !== handlers) return;
      this.extraSubscriptions.delete(filter);
      if (this.client && this.state === 'connected') this.client.unsubscribe(filter);
    };
  }

  /** Publishes on the hub's connection (simulated meters, Home Assistant discovery, ...). */
  async publish(topic: string, payload: string | Buffer, opts: { retain?: boolean; qos?: 0 | 1 } = {}): Promise<void> {
    if (!this.client || this.state === 'closed') throw new Error('MeterHub is not started');
    await this.client.publishAsync(topic, payload, { qos: opts.qos ?? 0, retain: opts.retain ?? false });
  }

  /** Disconnects at once (unsent messages are dropped), and stops the embedded broker if this hub started one. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.closeRequested = true;
    this.setState('closed');
    this.isSubscribed = false;
    const waiters = this.subscribedWaiters;
    this.subscribedWaiters = [];
    for (const w of waiters) w.reject(new Error('MeterHub closed'));
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(true);
    if (this.embedded) {
      await this.embedded.close();
      this.embedded = undefined;
    }
  }

  private onConnect(client: MqttClient): void {
    if (this.state === 'closed') return;
    this.lastConnectionError = undefined;
    this.connectionSeq++;
    this.pendingSubscribes = 0;
    this.firstRoundDone = false;
    this.setState('connected');
    this.deps.log.info({ url: redactUrl(this.url) }, 'meters: MQTT connected');
    const topics = [...this.topics, ...[...this.extraSubscriptions.keys()].filter((f) => !this.mappingsByTopic.has(f))];
    if (topics.length === 0) {
      this.firstRoundDone = true;
      if (this.pendingSubscribes === 0) this.markSubscribed();
      return;
    }
    const seq = this.connectionSeq;
    client.subscribe(topics, { qos: 0 }, (err, granted) => {
      if (this.state !== 'connected' || seq !== this.connectionSeq) return;
      if (err) {
        this.deps.log.error({ err: err.message }, 'meters: MQTT subscribe failed');
        return;
      }
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (refused.length > 0) this.deps.log.error({ topics: refused }, 'meters: broker refused subscriptions');
      this.firstRoundDone = true;
      if (this.pendingSubscribes === 0) this.markSubscribed();
    });
  }

  private markSubscribed(): void {
    this.isSubscribed = true;
    const waiters = this.subscribedWaiters;
    this.subscribedWaiters = [];
    for (const w of waiters) w.resolve();
  }

  private onClose(): void {
    this.isSubscribed = false;
    if (this.state === 'closed') return;
    if (this.state === 'connected') this.deps.log.warn({ url: redactUrl(this.url) }, 'meters: MQTT connection lost, reconnecting');
    this.setState('reconnecting');
  }

  private onConnectionError(err: Error): void {
    if (err.message === this.lastConnectionError) return;
    this.lastConnectionError = err.message;
    this.deps.log.warn({ url: redactUrl(this.url), err: err.message }, 'meters: MQTT error');
  }

  private setState(state: MqttConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) {
      try {
        listener(state);
      } catch (err) {
        this.deps.log.error({ err }, 'meters: state listener threw');
      }
    }
  }

  private onMessage(topic: string, payload: Buffer, retained = false): void {
    this.dispatchExtra(topic, payload, retained);
    const mappings = this.mappingsByTopic.get(topic);
    if (!mappings) return;
    const receivedAtMs = this.deps.clock.nowMs();
    const updated = new Set<MeterState>();
    for (const mapping of mappings) {
      const meter = this.meters.get(mapping.meterId);
      if (!meter) continue;
      const result = mapping.extract(payload, receivedAtMs);
      if (!result.ok) {
        meter.counters.badPayloads++;
        this.badPayloads.report(mapping, result.code, result.message, receivedAtMs);
        continue;
      }
      meter.counters.messages++;
      meter.values.set(mapping.quantity, { value: result.value, timeMs: result.timeMs });
      updated.add(meter);
    }
    for (const meter of updated) {
      const reading = this.readingOf(meter);
      if (reading) this.emitReading(reading);
    }
  }

  private dispatchExtra(topic: string, payload: Buffer, retained: boolean): void {
    for (const [filter, handlers] of this.extraSubscriptions) {
      if (!topicMatches(filter, topic)) continue;
      for (const handler of handlers) {
        try {
          handler(topic, payload, { retained });
        } catch (err) {
          this.deps.log.error({ err, topic }, 'meters: topic handler threw');
        }
      }
    }
  }

  private readingOf(meter: MeterState): MeterReading | undefined {
    if (meter.values.size === 0) return undefined;
    const values = new Map<MeterQuantity, number>();
    let oldestMs = Number.POSITIVE_INFINITY;
    for (const [quantity, v] of meter.values) {
      values.set(quantity, v.value);
      oldestMs = Math.min(oldestMs, v.timeMs);
    }
    return readingFromQuantities(meter.config.id, oldestMs, values);
  }

  private emitReading(reading: MeterReading): void {
    for (const listener of this.readingListeners) {
      try {
        listener(reading);
      } catch (err) {
        this.deps.log.error({ err, meterId: reading.meterId }, 'meters: reading listener threw');
      }
    }
  }
}
