import { describe, expect, it } from 'vitest';
import type { MqttConnectionState, StateListener, TopicHandler } from '../../../src/meters/meter-hub.js';
import { mqttOutConfigSchema, resolveMqttOut } from '../../../src/meters/mqtt-out-config.js';
import type { MqttOutLink } from '../../../src/meters/mqtt-out-link.js';
import type { MqttOutState } from '../../../src/meters/mqtt-out-state.js';
import { StatePublisher } from '../../../src/meters/state-publisher.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';

/** A link that records what is published; the broker side is tested in test/integration/meters. */
class RecordingLink implements MqttOutLink {
  connectionState: MqttConnectionState = 'connected';
  subscriptionsStand = true;
  private whenSubscribed: Promise<void> = Promise.resolve();
  readonly published: { topic: string; payload: string; retain: boolean }[] = [];
  private readonly listeners = new Set<StateListener>();
  publish(topic: string, payload: string, opts: { retain?: boolean } = {}): Promise<void> {
    this.published.push({ topic, payload, retain: opts.retain ?? false });
    return Promise.resolve();
  }
  subscribe(_filter: string, _handler: TopicHandler): () => void {
    return () => undefined;
  }
  subscribed(): Promise<void> {
    return this.whenSubscribed;
  }
  /** Subscriptions unacknowledged until the returned function is called. */
  holdSubscriptions(): () => void {
    this.subscriptionsStand = false;
    let release!: () => void;
    this.whenSubscribed = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.subscriptionsStand = true;
      release();
    };
  }
  onStateChange(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  setState(state: MqttConnectionState): void {
    this.connectionState = state;
    for (const l of this.listeners) l(state);
  }
  topics(from = 0): string[] {
    return this.published.slice(from).map((p) => p.topic);
  }
}

function aState(powerW: number, evseKeys = ['CP-1/1']): MqttOutState {
  return {
    site: { gridPowerW: 1000, pvPowerW: null, evPowerW: powerW, evCurrentA: { L1: 0, L2: 0, L3: 0 }, siteLimitW: null, siteLimitSource: null, staleMeters: [], gridImportKWh: null, gridExportKWh: null, pvEnergyKWh: null },
    evses: evseKeys.map((key) => {
      const [stationId = '', evseId = '1'] = key.split('/');
      return { evseKey: key, stationId, evseId: Number(evseId), status: 'Charging', offeredCurrentA: 16, drawnCurrentA: 10, powerW, sessionEnergyWh: 10, mode: 'Idle', limitSource: 'evse:max', transactionId: 'tx', solarMode: null, maxCurrentA: 16, energyKWh: null };
    }),
    stations: [],
  };
}

function setUp(opts: { retain?: boolean; discovery?: boolean } = {}) {
  const link = new RecordingLink();
  const clock = new FakeClock();
  const settings = resolveMqttOut(mqttOutConfigSchema.parse({ enabled: true, topicPrefix: 'p', publishIntervalS: 30, retain: opts.retain ?? true, discovery: opts.discovery ?? false }), 'Site');
  const state = { current: aState(100), broken: false };
  const publisher = new StatePublisher({
    link,
    clock,
    log: silentLogger(),
    settings,
    read: () => {
      if (state.broken) throw new Error('broken');
      return state.current;
    },
    discovery: { swVersion: '1', modes: ['Idle'], siteLimitMaxW: 1000 },
  });
  return { link, clock, state, publisher };
}

describe('the state publisher', () => {
  it('sends nothing again while nothing changes, until the publish interval', () => {
    const { link, clock, publisher } = setUp();
    publisher.start();
    const first = link.published.length;
    clock.advanceMs(29_000);
    expect(link.published.length).toBe(first);
    clock.advanceMs(1_000);
    expect(link.topics(first)).toEqual(link.topics().slice(1, first)); // everything but `online`, once more
  });

  it('sends only the topics whose value changed', () => {
    const { link, clock, state, publisher } = setUp();
    publisher.start();
    const mark = link.published.length;
    state.current = aState(200);
    clock.advanceMs(1_000);
    expect(link.topics(mark).sort()).toEqual(['p/evse/CP-1/1/power_w', 'p/evse/CP-1/1/state', 'p/site/ev_power_w', 'p/site/state']);
  });

  it('publishes state retained only when configured to', () => {
    const retained = setUp({ retain: true });
    retained.publisher.start();
    expect(retained.link.published.find((p) => p.topic === 'p/site/state')?.retain).toBe(true);
    const plain = setUp({ retain: false });
    plain.publisher.start();
    expect(plain.link.published.find((p) => p.topic === 'p/site/state')?.retain).toBe(false);
    expect(plain.link.published.find((p) => p.topic === 'p/status')).toEqual({ topic: 'p/status', payload: 'online', retain: true });
  });

  it('waits for the connection, then says online and publishes everything', () => {
    const { link, publisher } = setUp();
    link.connectionState = 'connecting';
    publisher.start();
    expect(link.published).toEqual([]);
    link.setState('connected');
    expect(link.published[0]).toEqual({ topic: 'p/status', payload: 'online', retain: true });
    expect(link.topics()).toContain('p/evse/CP-1/1/mode');
  });

  it('says online only once the link\'s subscriptions stand (a command sent on seeing online must arrive)', async () => {
    const { link, publisher } = setUp();
    link.connectionState = 'connecting';
    publisher.start();
    const release = link.holdSubscriptions();
    link.setState('connected');
    link.setState('reconnecting');
    link.setState('connected'); // a reconnect while waiting: still one wait
    await Promise.resolve();
    expect(link.published).toEqual([]);
    release();
    await link.subscribed();
    await Promise.resolve();
    expect(link.published.filter((p) => p.topic === 'p/status')).toEqual([{ topic: 'p/status', payload: 'online', retain: true }]);
    expect(link.topics()).toContain('p/evse/CP-1/1/mode');
  });

  it('removes the retained state of an EVSE that is gone with empty retained messages', () => {
    const { link, clock, state, publisher } = setUp();
    state.current = aState(100, ['CP-1/1', 'CP-2/1']);
    publisher.start();
    const mark = link.published.length;
    state.current = aState(100, ['CP-1/1']);
    clock.advanceMs(1_000);
    const cleared = link.published.slice(mark).filter((p) => p.payload === '');
    expect(cleared.map((p) => p.topic)).toContain('p/evse/CP-2/1/state');
    expect(cleared.every((p) => p.retain && p.topic.startsWith('p/evse/CP-2/1/'))).toBe(true);
  });

  it('never publishes an empty payload for an unknown value (that would delete a retained one)', () => {
    const { link, publisher } = setUp();
    publisher.start();
    expect(link.published.filter((p) => p.payload === '')).toEqual([]);
    expect(link.published.find((p) => p.topic === 'p/site/pv_power_w')?.payload).toBe('None');
  });

  it('says offline and stops checking when stopped', async () => {
    const { link, clock, state, publisher } = setUp();
    publisher.start();
    await publisher.stop();
    expect(link.published.at(-1)).toEqual({ topic: 'p/status', payload: 'offline', retain: true });
    const mark = link.published.length;
    state.current = aState(500);
    clock.advanceMs(60_000);
    expect(link.published.length).toBe(mark);
  });

  it('keeps running when reading the state throws', () => {
    const { link, clock, state, publisher } = setUp();
    publisher.start();
    const mark = link.published.length;
    state.broken = true;
    clock.advanceMs(1_000);
    state.broken = false;
    state.current = aState(999);
    clock.advanceMs(1_000);
    expect(link.topics(mark)).toContain('p/site/ev_power_w');
  });
});
