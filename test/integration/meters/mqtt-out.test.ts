import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OPERATION_MODES } from '../../../src/control/operation-modes.js';
import type { HaEntityConfig } from '../../../src/meters/ha-discovery.js';
import { MeterHub } from '../../../src/meters/meter-hub.js';
import { mqttOutConfigSchema, resolveMqttOut, type ResolvedMqttOut } from '../../../src/meters/mqtt-out-config.js';
import { MqttOut, mqttOutWill } from '../../../src/meters/mqtt-out-service.js';
import type { EvseStateOut, MqttOutState } from '../../../src/meters/mqtt-out-state.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { MqttObserver } from './mqtt-out-observer.js';
import { useTestBroker } from '../../helpers/test-broker.js';

/**
 * MQTT out against a real broker (embedded, or MQTT_URL when set), watched by a separate
 * client. Every test has its own topic and discovery prefixes.
 */

const broker = useTestBroker();

function anEvse(stationId: string, evseId: number, overrides: Partial<EvseStateOut> = {}): EvseStateOut {
  return {
    evseKey: `${stationId}/${evseId}`,
    stationId,
    evseId,
    status: 'Available',
    offeredCurrentA: 16,
    drawnCurrentA: null,
    powerW: 0,
    sessionEnergyWh: null,
    mode: 'LocalLoadBalancing',
    limitSource: 'evse:max',
    transactionId: null,
    solarMode: null,
    maxCurrentA: 16,
    energyKWh: null,
    ...overrides,
  };
}

function aState(evses: EvseStateOut[]): MqttOutState {
  return {
    site: { gridPowerW: 3000, pvPowerW: 1200, evPowerW: 0, evCurrentA: { L1: 0, L2: 0, L3: 0 }, siteLimitW: null, siteLimitSource: null, staleMeters: [], gridImportKWh: null, gridExportKWh: null, pvEnergyKWh: null },
    evses,
    stations: [...new Set(evses.map((e) => e.stationId))].map((stationId) => ({ stationId, online: true })),
  };
}

interface Running {
  settings: ResolvedMqttOut;
  observer: MqttObserver;
  clock: FakeClock;
  link: MeterHub;
  out: MqttOut;
  state: { current: MqttOutState };
}

async function startOut(initial: MqttOutState, beforeStart?: (s: ResolvedMqttOut, o: MqttObserver) => Promise<void>): Promise<Running> {
  const id = randomUUID();
  const settings = resolveMqttOut(
    mqttOutConfigSchema.parse({ enabled: true, topicPrefix: `switchyard-test/${id}`, discoveryPrefix: `ha-test-${id}`, publishIntervalS: 60 }),
    'Test site',
  );
  const observer = await MqttObserver.connect(broker.url, [`${settings.topicPrefix}/#`, `${settings.discoveryPrefix}/#`]);
  broker.onCleanup(() => observer.close());
  if (beforeStart) await beforeStart(settings, observer);
  const clock = new FakeClock();
  const link = new MeterHub({ url: broker.url, meters: [], clock, log: silentLogger(), will: mqttOutWill(settings) });
  const state = { current: initial };
  const out = new MqttOut({
    link,
    clock,
    log: silentLogger(),
    settings,
    read: () => state.current,
    commands: { setSiteLimit: () => ({ powerW: 0, untilMs: 0 }), clearSiteLimit: () => undefined, setEvseMode: () => true },
    modes: OPERATION_MODES,
    siteLimitMaxW: 44_000,
    swVersion: '9.9.9',
  });
  out.start();
  await link.start();
  await link.subscribed();
  broker.onCleanup(async () => {
    await out.stop();
    await link.close();
  });
  return { settings, observer, clock, link, out, state };
}

function configsOf(observer: MqttObserver, discoveryPrefix: string): Map<string, HaEntityConfig> {
  const out = new Map<string, HaEntityConfig>();
  for (const m of observer.messages) {
    if (!m.topic.startsWith(`${discoveryPrefix}/`) || !m.topic.endsWith('/config')) continue;
    if (m.payload === '') out.delete(m.topic);
    else out.set(m.topic, JSON.parse(m.payload) as HaEntityConfig);
  }
  return out;
}

/** 6 site sensors + the site limit number (no energy sensors: no meters), and per EVSE 7 sensors + the mode select. */
const SITE_ENTITIES = 7;
const EVSE_ENTITIES = 8;

async function waitForConfigs(r: Running, count: number): Promise<Map<string, HaEntityConfig>> {
  await r.observer.waitFor(() => configsOf(r.observer, r.settings.discoveryPrefix).size >= count);
  return configsOf(r.observer, r.settings.discoveryPrefix);
}

describe('Home Assistant discovery', () => {
  it('publishes a retained config with the keys Home Assistant requires for every site and EVSE entity', async () => {
    const r = await startOut(aState([anEvse('CP-1', 1), anEvse('CP-2', 1)]));
    const configs = await waitForConfigs(r, SITE_ENTITIES + 2 * EVSE_ENTITIES);
    expect(configs.size).toBe(SITE_ENTITIES + 2 * EVSE_ENTITIES);
    const uniqueIds = new Set<string>();
    for (const [topic, c] of configs) {
      expect(topic).toMatch(new RegExp(`^${r.settings.discoveryPrefix}/(sensor|number|select)/${r.settings.nodeId}/[A-Za-z0-9_-]+/config$`));
      expect(typeof c.name).toBe('string');
      expect(c.state_topic?.startsWith(`${r.settings.topicPrefix}/`)).toBe(true);
      // Site entities follow the hub; EVSE entities the hub and their station.
      const availability = c.availability?.map((a) => a.topic) ?? [c.availability_topic];
      expect(availability[0]).toBe(`${r.settings.topicPrefix}/status`);
      if (topic.includes('/evse_')) {
        expect(availability[1]).toMatch(new RegExp(`^${r.settings.topicPrefix}/station/CP-[12]/availability$`));
        expect(c.availability_mode).toBe('all');
      }
      expect(c.device.identifiers.length).toBeGreaterThan(0);
      uniqueIds.add(c.unique_id);
    }
    expect(uniqueIds.size).toBe(configs.size);
    // A second subscriber gets them from the broker: they were published retained.
    const late = await MqttObserver.connect(broker.url, [`${r.settings.discoveryPrefix}/#`]);
    broker.onCleanup(() => late.close());
    await late.waitFor(() => late.messages.length >= configs.size);
    expect(late.messages.every((m) => m.retain)).toBe(true);
  });

  it('gives power sensors W, measurement and the power class, and session energy Wh with total_increasing', async () => {
    const r = await startOut(aState([anEvse('CP-1', 1)]));
    const configs = await waitForConfigs(r, SITE_ENTITIES + EVSE_ENTITIES);
    const grid = configs.get(`${r.settings.discoveryPrefix}/sensor/${r.settings.nodeId}/grid_power/config`);
    expect(grid).toMatchObject({ device_class: 'power', state_class: 'measurement', unit_of_measurement: 'W', state_topic: `${r.settings.topicPrefix}/site/grid_power_w` });
    const energy = configs.get(`${r.settings.discoveryPrefix}/sensor/${r.settings.nodeId}/evse_CP-1_1_session_energy/config`);
    expect(energy).toMatchObject({ device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'Wh' });
    const offered = configs.get(`${r.settings.discoveryPrefix}/sensor/${r.settings.nodeId}/evse_CP-1_1_offered_current/config`);
    expect(offered).toMatchObject({ device_class: 'current', unit_of_measurement: 'A', state_topic: `${r.settings.topicPrefix}/evse/CP-1/1/offered_current_a` });
  });

  it('puts EVSE entities in one device per station, connected via the hub device', async () => {
    const r = await startOut(aState([anEvse('CP-1', 1), anEvse('CP-1', 2), anEvse('CP-2', 1)]));
    const configs = await waitForConfigs(r, SITE_ENTITIES + 3 * EVSE_ENTITIES);
    const hubDevice = configs.get(`${r.settings.discoveryPrefix}/sensor/${r.settings.nodeId}/ev_power/config`)?.device;
    expect(hubDevice?.identifiers).toEqual([r.settings.nodeId]);
    const stationDevices = new Map<string, string | undefined>();
    for (const c of configs.values()) {
      if (c.device.identifiers[0] === r.settings.nodeId) continue;
      stationDevices.set(c.device.identifiers[0] ?? '', c.device.via_device);
    }
    expect(stationDevices.size).toBe(2);
    expect([...stationDevices.values()]).toEqual([r.settings.nodeId, r.settings.nodeId]);
  });

  it('offers a number for the site limit and a select of the modes for each EVSE, each with a command topic', async () => {
    const r = await startOut(aState([anEvse('CP-1', 1)]));
    const configs = await waitForConfigs(r, SITE_ENTITIES + EVSE_ENTITIES);
    const number = configs.get(`${r.settings.discoveryPrefix}/number/${r.settings.nodeId}/site_limit_set/config`);
    expect(number).toMatchObject({ command_topic: `${r.settings.topicPrefix}/cmd/site/limit`, min: 0, max: 44_000, unit_of_measurement: 'W' });
    const select = configs.get(`${r.settings.discoveryPrefix}/select/${r.settings.nodeId}/evse_CP-1_1_mode/config`);
    expect(select?.command_topic).toBe(`${r.settings.topicPrefix}/cmd/evse/CP-1/1/mode`);
    expect(select?.state_topic).toBe(`${r.settings.topicPrefix}/evse/CP-1/1/mode`);
    expect(select?.options).toEqual([...OPERATION_MODES]);
  });

  it('clears the retained config of an EVSE left over from an earlier run', async () => {
    let staleTopic = '';
    const r = await startOut(aState([anEvse('CP-1', 1)]), async (s, o) => {
      staleTopic = `${s.discoveryPrefix}/sensor/${s.nodeId}/evse_OLD_1_power/config`;
      await o.publish(staleTopic, JSON.stringify({ name: 'old' }), { retain: true });
    });
    await r.observer.waitForTopic(staleTopic, 0, (p) => p === '');
    const late = await MqttObserver.connect(broker.url, [`${r.settings.discoveryPrefix}/#`]);
    broker.onCleanup(() => late.close());
    await late.waitFor(() => late.messages.length >= SITE_ENTITIES + EVSE_ENTITIES);
    expect(late.messages.map((m) => m.topic)).not.toContain(staleTopic);
  });

  it('clears the configs and retained state of an EVSE that disappears while running', async () => {
    const r = await startOut(aState([anEvse('CP-1', 1), anEvse('CP-2', 1)]));
    await waitForConfigs(r, SITE_ENTITIES + 2 * EVSE_ENTITIES);
    const mark = r.observer.mark;
    r.state.current = aState([anEvse('CP-1', 1)]);
    r.clock.advanceMs(1000);
    await r.observer.waitFor(() => configsOf(r.observer, r.settings.discoveryPrefix).size === SITE_ENTITIES + EVSE_ENTITIES, mark);
    await r.observer.waitForTopic(`${r.settings.topicPrefix}/evse/CP-2/1/state`, mark, (p) => p === '');
    const remaining = [...configsOf(r.observer, r.settings.discoveryPrefix).keys()];
    expect(remaining.some((t) => t.includes('evse_CP-2_'))).toBe(false);
  });

  it('republishes the configs when Home Assistant announces itself online', async () => {
    const r = await startOut(aState([anEvse('CP-1', 1)]));
    await waitForConfigs(r, SITE_ENTITIES + EVSE_ENTITIES);
    const mark = r.observer.mark;
    await r.observer.publish(`${r.settings.discoveryPrefix}/status`, 'online');
    const again = `${r.settings.discoveryPrefix}/select/${r.settings.nodeId}/evse_CP-1_1_mode/config`;
    const m = await r.observer.waitForTopic(again, mark);
    expect((JSON.parse(m.payload) as HaEntityConfig).unique_id).toBe(`${r.settings.nodeId}_evse_CP-1_1_mode`);
  });
});

describe('state and availability', () => {
  it('says online on the availability topic, retained, once connected', async () => {
    const r = await startOut(aState([]));
    await r.observer.waitForTopic(`${r.settings.topicPrefix}/status`, 0, (p) => p === 'online');
    const late = await MqttObserver.connect(broker.url, [`${r.settings.topicPrefix}/status`]);
    broker.onCleanup(() => late.close());
    const m = await late.waitForTopic(`${r.settings.topicPrefix}/status`);
    expect(m).toMatchObject({ payload: 'online', retain: true });
  });

  it('leaves offline behind through the last will when the connection dies without a goodbye', async () => {
    const r = await startOut(aState([]));
    await r.observer.waitForTopic(`${r.settings.topicPrefix}/status`, 0, (p) => p === 'online');
    const mark = r.observer.mark;
    await r.link.close(); // forced close: no DISCONNECT, and MqttOut.stop() did not run
    await r.observer.waitForTopic(`${r.settings.topicPrefix}/status`, mark, (p) => p === 'offline');
  });

  it('says offline when stopped', async () => {
    const r = await startOut(aState([]));
    await r.observer.waitForTopic(`${r.settings.topicPrefix}/status`, 0, (p) => p === 'online');
    const mark = r.observer.mark;
    await r.out.stop();
    await r.observer.waitForTopic(`${r.settings.topicPrefix}/status`, mark, (p) => p === 'offline');
  });

  it('publishes the site and each EVSE as JSON and as one value per topic', async () => {
    const r = await startOut(aState([anEvse('CP-1', 1, { status: 'Charging', drawnCurrentA: 10.5, powerW: 7245, sessionEnergyWh: 1234 })]));
    const site = await r.observer.waitForTopic(`${r.settings.topicPrefix}/site/state`);
    expect(JSON.parse(site.payload)).toMatchObject({ gridPowerW: 3000, pvPowerW: 1200, siteLimitW: null });
    const evse = await r.observer.waitForTopic(`${r.settings.topicPrefix}/evse/CP-1/1/state`);
    expect(JSON.parse(evse.payload)).toMatchObject({ status: 'Charging', drawnCurrentA: 10.5, sessionEnergyWh: 1234 });
    expect((await r.observer.waitForTopic(`${r.settings.topicPrefix}/evse/CP-1/1/power_w`)).payload).toBe('7245');
    expect((await r.observer.waitForTopic(`${r.settings.topicPrefix}/site/site_limit_w`)).payload).toBe('None');
    expect((await r.observer.waitForTopic(`${r.settings.topicPrefix}/site/grid_power_w`)).payload).toBe('3000');
  });

  it('publishes a change at the next check', async () => {
    const r = await startOut(aState([anEvse('CP-1', 1)]));
    await r.observer.waitForTopic(`${r.settings.topicPrefix}/evse/CP-1/1/status`, 0, (p) => p === 'Available');
    const mark = r.observer.mark;
    r.state.current = aState([anEvse('CP-1', 1, { status: 'Charging', offeredCurrentA: 10, limitSource: 'fuse:main' })]);
    r.clock.advanceMs(1000);
    // A publish of the old state may still be on its way after the mark: wait for the new values.
    expect((await r.observer.waitForTopic(`${r.settings.topicPrefix}/evse/CP-1/1/status`, mark, (p) => p === 'Charging')).payload).toBe('Charging');
    expect((await r.observer.waitForTopic(`${r.settings.topicPrefix}/evse/CP-1/1/offered_current_a`, mark, (p) => p === '10')).payload).toBe('10');
    expect((await r.observer.waitForTopic(`${r.settings.topicPrefix}/evse/CP-1/1/limit_source`, mark, (p) => p === 'fuse:main')).payload).toBe('fuse:main');
  });
});
