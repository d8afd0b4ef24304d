import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { ocppClient, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { holdCommits } from '../../helpers/commit-gate.js';
import { useTestBroker } from '../../helpers/test-broker.js';
import { MqttObserver, type ObservedMessage } from './mqtt-out-observer.js';
import type { HaEntityConfig } from '../../../src/meters/ha-discovery.js';

/**
 * Home Assistant's view of a running hub, on a real broker (embedded aedes, or Mosquitto under
 * MQTT_URL) watched by an independent MQTT client, with strict ocpp-rpc chargers (1.6 and
 * 2.0.1) and the hub's real SQLite file: station devices, availability, the solar mode select,
 * the max current number, the start/stop buttons and the lifetime energy sensors.
 */

const broker = useTestBroker();

function siteYaml(prefix: string, discovery: string, gridTopic: string, pvTopic: string): string {
  return `
site: { name: Home }
mqtt: { url: "${broker.url}" }
mqttOut: { enabled: true, topicPrefix: "${prefix}", discoveryPrefix: "${discovery}", publishIntervalS: 86400 }
energy: { debounceMs: 100 }
circuits:
  - { id: house, maxCurrentA: 32, worstCaseNonEvA: 5 }
meters:
  - id: grid
    role: grid
    staleAfterS: 7200
    readings:
      - { quantity: powerW, topic: '${gridTopic}', path: powerW }
  - id: pv
    role: pv
    staleAfterS: 7200
    readings:
      - { quantity: powerW, topic: '${pvTopic}', path: powerW }
      - { quantity: energyWh, topic: '${pvTopic}', path: energyWh }
stations:
  - { id: CP16, securityProfile: 0, evses: [{ id: 1, circuit: house, phases: 3, minCurrentA: 6, maxCurrentA: 16 }] }
  - { id: CP2, securityProfile: 0, evses: [{ id: 1, circuit: house, phases: 1, minCurrentA: 6, maxCurrentA: 32 }] }
strategies:
  - { type: solar-surplus, defaultMode: pv }
authorization:
  list: [{ idToken: CAR }, { idToken: home-assistant }]
`;
}

interface Site {
  h: Harness;
  prefix: string;
  discovery: string;
  gridTopic: string;
  pvTopic: string;
  observer: MqttObserver;
  clock: FakeClock;
  dir: string;
  yaml: string;
}

async function startSite(): Promise<Site> {
  const id = randomUUID();
  const prefix = `switchyard-test/${id}`;
  const discovery = `ha-test-${id}`;
  const gridTopic = `switchyard-test/${id}/meter/grid`;
  const pvTopic = `switchyard-test/${id}/meter/pv`;
  const observer = await MqttObserver.connect(broker.url, [`${prefix}/#`, `${discovery}/#`]);
  broker.onCleanup(() => observer.close());
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-ha-'));
  broker.onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new FakeClock(Date.UTC(2026, 5, 15, 10, 0, 0));
  const yaml = siteYaml(prefix, discovery, gridTopic, pvTopic);
  const h = await startTestHub(yaml, { clock, dir });
  let stopped = false;
  const site: Site = { h, prefix, discovery, gridTopic, pvTopic, observer, clock, dir, yaml };
  broker.onCleanup(async () => {
    if (!stopped) await site.h.stop();
    stopped = true;
  });
  await observer.waitForTopic(`${prefix}/status`, 0, (p) => p === 'online');
  return site;
}

/** The hub of `site` stopped and a new one started on the same data directory and clock. */
async function restart(site: Site): Promise<void> {
  await site.h.stop();
  const mark = site.observer.mark;
  site.h = await startTestHub(site.yaml, { clock: site.clock, dir: site.dir });
  broker.onCleanup(() => site.h.stop());
  await site.observer.waitForTopic(`${site.prefix}/status`, mark, (p) => p === 'online');
}

async function charger16(site: Site, boot: Record<string, string>): Promise<{ cp: RPCClient; calls: { method: string; params: unknown }[] }> {
  const cp = ocppClient(site.h.hub.ocppUrl, 'CP16');
  const calls: { method: string; params: unknown }[] = [];
  cp.handle('RemoteStartTransaction', async ({ params }) => {
    calls.push({ method: 'RemoteStartTransaction', params });
    return { status: 'Accepted' };
  });
  cp.handle('RemoteStopTransaction', async ({ params }) => {
    calls.push({ method: 'RemoteStopTransaction', params });
    return { status: 'Accepted' };
  });
  cp.handle(async () => ({ status: 'Accepted' }));
  await cp.connect();
  broker.onCleanup(() => cp.close({ force: true }).then(() => undefined));
  await cp.call('BootNotification', boot);
  return { cp, calls };
}

/** The latest retained config of one entity, parsed. */
async function configOf(site: Site, component: string, objectId: string, from = 0, accept: (c: HaEntityConfig) => boolean = () => true): Promise<HaEntityConfig> {
  const topic = `${site.discovery}/${component}/${nodeIdOf(site)}/${objectId}/config`;
  const m = await site.observer.waitFor((x) => x.topic === topic && x.payload !== '' && accept(JSON.parse(x.payload) as HaEntityConfig), from);
  return JSON.parse(m.payload) as HaEntityConfig;
}

function nodeIdOf(site: Site): string {
  // switchyard-test/<uuid> as a slug: the node id rule of mqtt-out-config.
  return site.prefix.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

async function command(site: Site, topic: string, payload: string): Promise<Record<string, unknown>> {
  const mark = site.observer.mark;
  await site.observer.publish(`${site.prefix}/cmd/${topic}`, payload);
  return JSON.parse((await site.observer.waitForTopic(`${site.prefix}/cmd/${topic}/result`, mark)).payload) as Record<string, unknown>;
}

/** Publishes a meter payload and waits until the hub (the one running now) has the reading. */
async function meterReading(site: Site, topic: string, payload: object): Promise<void> {
  const got = new Promise<void>((resolve) => {
    const off = site.h.hub.energy.meters!.onReading((r) => {
      if (r.timeMs === site.clock.nowMs() && (topic === site.gridTopic ? r.meterId === 'grid' : r.meterId === 'pv')) {
        off();
        resolve();
      }
    });
  });
  await site.observer.publish(topic, JSON.stringify(payload));
  await got;
}

function payloadsOf(observer: MqttObserver, topic: string): string[] {
  return observer.messages.filter((m: ObservedMessage) => m.topic === topic).map((m) => m.payload);
}

describe('Home Assistant entities of a running hub', () => {
  it('names station devices with vendor, model and firmware from BootNotification (1.6 and 2.0.1), and renames them when a station boots with new values', async () => {
    const site = await startSite();
    const { cp } = await charger16(site, { chargePointVendor: 'ACME', chargePointModel: 'Wallbox 11', firmwareVersion: '1.0.0', chargePointSerialNumber: 'SN-16' });
    const c16 = await configOf(site, 'sensor', 'evse_CP16_1_status', 0, (c) => c.device.manufacturer === 'ACME');
    expect(c16.device).toMatchObject({ manufacturer: 'ACME', model: 'Wallbox 11', sw_version: '1.0.0', serial_number: 'SN-16', via_device: nodeIdOf(site) });

    const cp2 = ocppClient(site.h.hub.ocppUrl, 'CP2', { version: '2.0.1' });
    cp2.handle(async () => ({ status: 'Accepted' }));
    await cp2.connect();
    broker.onCleanup(() => cp2.close({ force: true }).then(() => undefined));
    await cp2.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Volt', model: 'V2', firmwareVersion: '7.1', serialNumber: 'SN-2' } });
    const c2 = await configOf(site, 'select', 'evse_CP2_1_mode', 0, (c) => c.device.manufacturer === 'Volt');
    expect(c2.device).toMatchObject({ manufacturer: 'Volt', model: 'V2', sw_version: '7.1', serial_number: 'SN-2' });

    // A firmware update: the station reboots with a new version; the device follows.
    await cp.close({ force: true });
    const again = await charger16(site, { chargePointVendor: 'ACME', chargePointModel: 'Wallbox 11', firmwareVersion: '1.1.0', chargePointSerialNumber: 'SN-16' });
    const updated = await configOf(site, 'sensor', 'evse_CP16_1_status', 0, (c) => c.device.sw_version === '1.1.0');
    expect(updated.device.model).toBe('Wallbox 11');
    await again.cp.close({ force: true });
  });

  it('makes a station\'s entities unavailable when its charger disconnects, and available again when it is back', async () => {
    const site = await startSite();
    const availability = `${site.prefix}/station/CP16/availability`;
    // Configured but never connected: offline from the start.
    await site.observer.waitForTopic(availability, 0, (p) => p === 'offline');
    const config = await configOf(site, 'sensor', 'evse_CP16_1_power');
    expect(config.availability_mode).toBe('all');
    expect(config.availability?.map((a) => a.topic)).toEqual([`${site.prefix}/status`, availability]);

    const mark = site.observer.mark;
    const { cp } = await charger16(site, { chargePointVendor: 'ACME', chargePointModel: 'Wallbox 11' });
    await site.observer.waitForTopic(availability, mark, (p) => p === 'online');
    const down = site.observer.mark;
    await cp.close({ force: true });
    await site.observer.waitForTopic(availability, down, (p) => p === 'offline');
    // Retained: Home Assistant subscribing later learns it too.
    const late = await MqttObserver.connect(broker.url, [availability]);
    broker.onCleanup(() => late.close());
    expect(await late.waitForTopic(availability)).toMatchObject({ payload: 'offline', retain: true });
    // The other station stayed as it was (never connected) and the hub itself is still online.
    expect(payloadsOf(site.observer, `${site.prefix}/station/CP2/availability`).every((p) => p === 'offline')).toBe(true);
    expect(payloadsOf(site.observer, `${site.prefix}/status`).at(-1)).toBe('online');

    const back = site.observer.mark;
    const again = await charger16(site, { chargePointVendor: 'ACME', chargePointModel: 'Wallbox 11' });
    await site.observer.waitForTopic(availability, back, (p) => p === 'online');
    await again.cp.close({ force: true });
  });

  it('sets the solar mode from the select: the hub uses it, publishes it, and keeps it across a restart', async () => {
    const site = await startSite();
    const select = await configOf(site, 'select', 'evse_CP16_1_solar_mode');
    expect(select.options).toEqual(['off', 'now', 'min+pv', 'pv']);
    expect(select.command_topic).toBe(`${site.prefix}/cmd/evse/CP16/1/solar_mode`);
    await site.observer.waitForTopic(`${site.prefix}/evse/CP16/1/solar_mode`, 0, (p) => p === 'pv');

    // A car charging on CP16, no surplus: in pv mode the solar strategy holds it at 0 A.
    const { cp } = await charger16(site, { chargePointVendor: 'ACME', chargePointModel: 'Wallbox 11' });
    await cp.call('StartTransaction', { connectorId: 1, idTag: 'CAR', meterStart: 0, timestamp: new Date(site.clock.nowMs()).toISOString() });
    await meterReading(site, site.gridTopic, { powerW: 500 });
    await meterReading(site, site.pvTopic, { powerW: 0, energyWh: 0 });
    const solarReason = async (): Promise<string | undefined> => {
      site.clock.advanceMs(1000);
      const view = (await site.h.hub.api.inject({ method: 'GET', url: '/api/site' })).json<{ evses: Array<{ evseKey: string; limits: Array<{ source: string; reason?: string }> }> }>();
      return view.evses.find((e) => e.evseKey === 'CP16/1')?.limits.find((l) => l.source === 'strategy:solar-surplus')?.reason;
    };
    expect(await solarReason()).toMatch(/^pv: /);

    const mark = site.observer.mark;
    expect(await command(site, 'evse/CP16/1/solar_mode', 'min+pv')).toMatchObject({ ok: true, evseKey: 'CP16/1', solarMode: 'min+pv' });
    expect(site.h.hub.energy.controls.view('CP16/1')?.solarMode).toMatchObject({ value: 'min+pv', source: 'mqtt' });
    await site.observer.waitForTopic(`${site.prefix}/evse/CP16/1/solar_mode`, mark, (p) => p === 'min+pv');
    // The strategy decides with it.
    expect(await solarReason()).toMatch(/^min\+pv: /);
    // Refused with a reason, nothing changed, the hub carries on.
    expect(await command(site, 'evse/CP16/1/solar_mode', 'sunny')).toMatchObject({ ok: false, code: 'BAD_PAYLOAD', reason: expect.stringContaining('off, now, min+pv, pv') });
    expect(await command(site, 'evse/CP9/1/solar_mode', 'now')).toMatchObject({ ok: false, code: 'UNKNOWN_EVSE' });
    expect(site.h.hub.energy.controls.view('CP16/1')?.solarMode?.value).toBe('min+pv');

    await cp.close({ force: true });
    await restart(site);
    expect(site.h.hub.energy.controls.view('CP16/1')?.solarMode).toMatchObject({ value: 'min+pv', source: 'mqtt' });
    expect(site.h.hub.energy.controls.view('CP2/1')?.solarMode).toEqual({ value: 'pv', source: 'config' });
    // The API reads the same setting (one implementation), with who set it.
    const evse = (await site.h.hub.api.inject({ method: 'GET', url: '/api/evses/CP16/1' })).json<{ settings?: { solarMode?: unknown } }>();
    expect(evse.settings?.solarMode).toMatchObject({ value: 'min+pv', source: 'mqtt' });
  });

  it('shows in the select and the number what the API set, and the API what the select and the number set', async () => {
    const site = await startSite();
    await site.observer.waitForTopic(`${site.prefix}/evse/CP16/1/solar_mode`, 0, (p) => p === 'pv');
    await site.observer.waitForTopic(`${site.prefix}/evse/CP16/1/max_current_a`, 0, (p) => p === '16');
    const mark = site.observer.mark;
    const patch = await site.h.hub.api.inject({ method: 'PATCH', url: '/api/evses/CP16/1', payload: { solarMode: 'now', maxCurrentA: 12 } });
    expect(patch.statusCode).toBe(200);
    site.clock.advanceMs(1000); // the publisher looks for changes every second
    await site.observer.waitForTopic(`${site.prefix}/evse/CP16/1/solar_mode`, mark, (p) => p === 'now');
    await site.observer.waitForTopic(`${site.prefix}/evse/CP16/1/max_current_a`, mark, (p) => p === '12');

    expect(await command(site, 'evse/CP16/1/max_current', '8')).toMatchObject({ ok: true, maxCurrentA: 8 });
    expect(site.h.hub.energy.controls.view('CP16/1')?.maxCurrentA).toMatchObject({ value: 8, source: 'mqtt' });
    expect(site.h.hub.energy.controls.view('CP16/1')?.solarMode).toMatchObject({ value: 'now', source: 'api' });
  });

  it("publishes a max current command's result only once the change is committed, and refuses one whose commit fails", async () => {
    const site = await startSite();
    const held = holdCommits(site.h);
    const applied = command(site, 'evse/CP16/1/max_current', '9');
    await held.entered;
    expect(site.h.hub.energy.controls.view('CP16/1')?.maxCurrentA).toBeUndefined(); // not before it is on disk
    held.open();
    expect(await applied).toMatchObject({ ok: true, maxCurrentA: 9 });
    expect(site.h.hub.energy.controls.view('CP16/1')?.maxCurrentA).toMatchObject({ value: 9, source: 'mqtt' });

    const failing = holdCommits(site.h);
    const refused = command(site, 'evse/CP16/1/max_current', '11');
    await failing.entered;
    failing.fail(new Error('database or disk is full'));
    expect(await refused).toMatchObject({ ok: false, code: 'INTERNAL' });
    expect(site.h.hub.energy.controls.view('CP16/1')?.maxCurrentA).toMatchObject({ value: 9, source: 'mqtt' });
  });

  it('sets the max current from the number within the configured range', async () => {
    const site = await startSite();
    const number = await configOf(site, 'number', 'evse_CP16_1_max_current');
    expect(number).toMatchObject({ min: 6, max: 16, unit_of_measurement: 'A', command_topic: `${site.prefix}/cmd/evse/CP16/1/max_current` });
    const mark = site.observer.mark;
    expect(await command(site, 'evse/CP16/1/max_current', '10')).toMatchObject({ ok: true, maxCurrentA: 10 });
    expect(site.h.hub.energy.controls.view('CP16/1')?.maxCurrentA).toMatchObject({ value: 10, source: 'mqtt' });
    await site.observer.waitForTopic(`${site.prefix}/evse/CP16/1/max_current_a`, mark, (p) => p === '10');
    expect(await command(site, 'evse/CP16/1/max_current', '40')).toMatchObject({ ok: false, code: 'BAD_PAYLOAD', reason: expect.stringContaining('16 A') });
    expect(await command(site, 'evse/CP16/1/max_current', '4')).toMatchObject({ ok: false, code: 'BAD_PAYLOAD', reason: expect.stringContaining('6 A') });
    expect(await command(site, 'evse/CP16/1/max_current', '{"a":')).toMatchObject({ ok: false, code: 'BAD_PAYLOAD' });
    expect(site.h.hub.energy.controls.view('CP16/1')?.maxCurrentA?.value).toBe(10);
    // The API shows the same setting, with who set it.
    const evse = (await site.h.hub.api.inject({ method: 'GET', url: '/api/evses/CP16/1' })).json<{ settings?: { maxCurrentA?: unknown } }>();
    expect(evse.settings?.maxCurrentA).toMatchObject({ value: 10, source: 'mqtt' });
    // Kept across a restart, as the API's settings are.
    await restart(site);
    expect(site.h.hub.energy.controls.view('CP16/1')?.maxCurrentA).toMatchObject({ value: 10, source: 'mqtt' });
  });

  it('starts and stops charging from the buttons through the same remote start/stop as the API', async () => {
    const site = await startSite();
    const start = await configOf(site, 'button', 'evse_CP16_1_start');
    expect(start).toMatchObject({ command_topic: `${site.prefix}/cmd/evse/CP16/1/start`, payload_press: 'PRESS' });
    // Not connected yet: the API's answer, as a result.
    expect(await command(site, 'evse/CP16/1/start', 'PRESS')).toMatchObject({ ok: false, code: 'STATION_NOT_CONNECTED' });

    const { cp, calls } = await charger16(site, { chargePointVendor: 'ACME', chargePointModel: 'Wallbox 11' });
    expect(await command(site, 'evse/CP16/1/start', 'PRESS')).toMatchObject({ ok: true, evseKey: 'CP16/1' });
    expect(calls).toEqual([{ method: 'RemoteStartTransaction', params: { connectorId: 1, idTag: 'home-assistant' } }]);
    // No transaction yet: stop says so, as the API does.
    expect(await command(site, 'evse/CP16/1/stop', 'PRESS')).toMatchObject({ ok: false, code: 'NO_ACTIVE_TRANSACTION' });

    const { transactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'home-assistant', meterStart: 1000, timestamp: new Date(site.clock.nowMs()).toISOString() })) as { transactionId: number };
    expect(await command(site, 'evse/CP16/1/stop', 'PRESS')).toMatchObject({ ok: true });
    expect(calls.at(-1)).toEqual({ method: 'RemoteStopTransaction', params: { transactionId } });
    expect(await command(site, 'evse/CP16/1/stop', 'now please')).toMatchObject({ ok: false, code: 'BAD_PAYLOAD' });
    expect(calls).toHaveLength(2);
  });

  it('publishes lifetime energy per EVSE and for the site as total_increasing kWh that never goes down, across a restart', async () => {
    const site = await startSite();
    const evseEnergy = await configOf(site, 'sensor', 'evse_CP16_1_energy');
    expect(evseEnergy).toMatchObject({ device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'kWh', state_topic: `${site.prefix}/evse/CP16/1/energy_kwh` });
    for (const id of ['grid_import_energy', 'grid_export_energy', 'pv_energy']) {
      expect(await configOf(site, 'sensor', id)).toMatchObject({ device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'kWh' });
    }

    // The charger's register, outside a transaction.
    const { cp } = await charger16(site, { chargePointVendor: 'ACME', chargePointModel: 'Wallbox 11' });
    await cp.call('MeterValues', { connectorId: 1, meterValue: [{ timestamp: new Date(site.clock.nowMs()).toISOString(), sampledValue: [{ value: '12345', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] });
    site.clock.advanceMs(1000); // the publisher looks for changes every second
    await site.observer.waitForTopic(`${site.prefix}/evse/CP16/1/energy_kwh`, 0, (p) => p === '12.345');

    const reading = (topic: string, payload: object) => meterReading(site, topic, payload);
    // 2 kW import for an hour, then 1 kW export for half an hour; PV register from 1000 to 4000 Wh (production counted negative).
    await reading(site.gridTopic, { powerW: 2000 });
    await reading(site.pvTopic, { powerW: -3000, energyWh: -1000 });
    site.clock.advanceMs(3_600_000);
    await reading(site.gridTopic, { powerW: -1000 });
    await reading(site.pvTopic, { powerW: -3000, energyWh: -4000 });
    site.clock.advanceMs(1_800_000);
    await reading(site.gridTopic, { powerW: -1000 });
    // Totals are stored every minute, and only stored totals are published.
    site.clock.advanceMs(61_000);
    await site.observer.waitForTopic(`${site.prefix}/site/grid_export_kwh`, 0, (p) => p === '0.5');
    expect(payloadsOf(site.observer, `${site.prefix}/site/grid_import_kwh`).at(-1)).toBe('2');
    expect(payloadsOf(site.observer, `${site.prefix}/site/pv_energy_kwh`).at(-1)).toBe('3');

    await cp.close({ force: true });
    const mark = site.observer.mark;
    await restart(site);
    // Known at once after the restart, from the store: nothing lower than before.
    await site.observer.waitForTopic(`${site.prefix}/site/grid_import_kwh`, mark, (p) => p === '2');
    await site.observer.waitForTopic(`${site.prefix}/evse/CP16/1/energy_kwh`, mark, (p) => p === '12.345');
    // The PV register went on while the hub was down: that energy is counted; power is not integrated over the gap.
    site.clock.advanceMs(600_000);
    await reading(site.gridTopic, { powerW: 4000 });
    await reading(site.pvTopic, { powerW: -2000, energyWh: -4500 });
    site.clock.advanceMs(900_000);
    await reading(site.gridTopic, { powerW: 4000 });
    await reading(site.pvTopic, { powerW: -2000, energyWh: -5000 });
    site.clock.advanceMs(61_000);
    await site.observer.waitForTopic(`${site.prefix}/site/grid_import_kwh`, mark, (p) => p === '3');
    await site.observer.waitForTopic(`${site.prefix}/site/pv_energy_kwh`, mark, (p) => p === '4');

    for (const value of ['grid_import_kwh', 'grid_export_kwh', 'pv_energy_kwh']) {
      const series = payloadsOf(site.observer, `${site.prefix}/site/${value}`).filter((p) => p !== 'None').map(Number);
      expect(series.length, value).toBeGreaterThan(1);
      for (let i = 1; i < series.length; i++) expect(series[i], `${value} #${i}`).toBeGreaterThanOrEqual(series[i - 1]!);
    }
  });
});
