import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import ocppRpc from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { SimCharger } from '../../../src/sim/sim-charger.js';
import { ocpp21Validator } from '../../helpers/ocpp21-validator.js';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { waitForState } from '../sim/advance.js';
import { siteReady } from './hub-site.js';

/**
 * DER control end to end in hub mode: a strict OCPP 2.1 CSMS (every message checked against the
 * official 2.1 schemas) steers the site with SetDERControl / GetDERControl / ClearDERControl; a
 * simulated 2.1 V2X wallbox charges behind it; the grid meter's frequency is published on the
 * embedded broker. One fake clock. 3-phase 16 A EVSE at 230 V: rated 11 040 W, 690 W per A.
 */
const DEBOUNCE_MS = 100;

function siteYaml(csmsUrl: string, topic: string, mqttUrl: string | undefined): string {
  return `
${mqttUrl ? `mqtt: { url: '${mqttUrl}' }` : ''}
server: { pingIntervalS: 0 }
energy: { marginA: 0, leaseS: 300, minIntervalS: 5, hysteresisA: 0.1, debounceMs: ${DEBOUNCE_MS} }
circuits:
  - { id: main, maxCurrentA: 63, worstCaseNonEvA: 0 }
meters:
  - id: grid
    role: grid
    staleAfterS: 600
    readings:
      - { quantity: frequencyHz, topic: '${topic}', path: frequencyHz }
      - { quantity: powerW, topic: '${topic}', path: powerW }
stations:
  - { id: V2X, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, minCurrentA: 6, maxCurrentA: 16, bidirectional: true }] }
authorization:
  list: [{ idToken: CAR }]
upstream:
  mode: hub
  url: ${csmsUrl}
  identity: DER-SITE
  version: '2.1'
  pingIntervalS: 0
  reconnect: { initialDelayS: 1, maxDelayS: 1, jitter: 0 }
der:
  nominalHz: 50
  baselineW: 4140
  alarms: { overFrequencyHz: 50.5, frequencyHysteresisHz: 0.05 }
`;
}

interface Seen {
  method: string;
  params: Record<string, unknown>;
}

interface CsmsClient {
  call(method: string, params?: unknown): Promise<unknown>;
  handle(fn: (ctx: { method?: string; params?: Record<string, unknown> }) => Promise<Record<string, unknown>>): void;
}

interface SiteBody {
  evses: Array<{ evseKey: string; limit: { maxCurrentA: number; source: string }; limits: Array<{ maxCurrentA: number; source: string; reason?: string }> }>;
  der?: { inForce: Array<{ controlId: string; controlType: string; isDefault: boolean; priority: number }> };
}

let server: InstanceType<typeof ocppRpc.RPCServer>;
let csmsUrl: string;
let seen: Seen[];
let site: Promise<CsmsClient>;
const waiters = new Set<() => void>();
let h: Harness | undefined;
let cp: SimCharger | undefined;
let publisher: mqtt.MqttClient | undefined;

function answer(method: string): Record<string, unknown> {
  switch (method) {
    case 'BootNotification':
      return { currentTime: new Date().toISOString(), status: 'Accepted', interval: 300 };
    case 'Heartbeat':
      return { currentTime: new Date().toISOString() };
    case 'Authorize':
      return { idTokenInfo: { status: 'Accepted' } };
    default:
      return {};
  }
}

beforeEach(async () => {
  seen = [];
  server = new ocppRpc.RPCServer({ protocols: ['ocpp2.1'], strictMode: true, strictModeValidators: [ocpp21Validator()] });
  site = new Promise((resolve) => {
    server.on('client', (client: CsmsClient) => {
      client.handle(async ({ method, params }) => {
        const m = method ?? '';
        seen.push({ method: m, params: params ?? {} });
        for (const w of [...waiters]) w();
        if (m === 'TransactionEvent' && params?.['idToken'] !== undefined) return { idTokenInfo: { status: 'Accepted' } };
        return answer(m);
      });
      resolve(client);
    });
  });
  const http = await server.listen(0, '127.0.0.1');
  csmsUrl = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/csms`;
});

afterEach(async () => {
  await cp?.stop();
  cp = undefined;
  await publisher?.endAsync();
  publisher = undefined;
  await h?.stop();
  h = undefined;
  await server.close({ force: true, awaitPending: false });
});

/** Resolves once pred holds, checked on every call the CSMS receives. */
function until(pred: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!pred()) return;
      waiters.delete(check);
      resolve();
    };
    waiters.add(check);
    check();
  });
}

/** The site in hub mode on 2.1, the V2X wallbox in a transaction, and helpers. */
async function derSite() {
  const clock = new FakeClock(Date.now());
  const topic = `switchyard-test/${randomUUID()}/grid`;
  h = await startTestHub(siteYaml(csmsUrl, topic, process.env.MQTT_URL), { clock });
  const hub = h.hub;
  await siteReady(h);
  const csms = await site;
  const meters = hub.energy.meters;
  if (!meters) throw new Error('no meter hub');
  await meters.subscribed();
  publisher = await mqtt.connectAsync(meters.brokerUrl ?? '');
  const charger = new SimCharger({ identity: 'V2X', version: '2.1', endpoint: hub.ocppUrl, clock, log: silentLogger(), phases: 3, maxCurrentA: 16, meterIntervalS: 60 });
  cp = charger;
  await charger.start();
  await charger.plugIn(1, { capacityWh: 60_000, socPct: 20, maxAcCurrentA: 32, phases: 3 });
  await charger.authorize(1, 'CAR');
  await waitForState(charger, (s) => s.evses[0]?.transactionId !== undefined);

  /** Publishes the grid frequency, waits until the hub has it, then lets the debounced decision run. */
  const frequency = async (hz: number): Promise<void> => {
    const got = new Promise<void>((resolve) => {
      const off = meters.onReading((r) => {
        if (r.meterId !== 'grid' || r.frequencyHz !== hz) return;
        off();
        resolve();
      });
    });
    await publisher?.publishAsync(topic, JSON.stringify({ frequencyHz: hz, powerW: 0 }));
    await got;
    clock.advanceMs(DEBOUNCE_MS);
  };
  const siteView = async (): Promise<SiteBody> => (await hub.api.inject({ method: 'GET', url: '/api/site' })).json<SiteBody>();
  const evse = async () => {
    const e = (await siteView()).evses.find((x) => x.evseKey === 'V2X/1');
    if (!e) throw new Error('no decision for V2X/1');
    return e;
  };
  const settle = (): void => clock.advanceMs(DEBOUNCE_MS);
  return { clock, csms, charger, frequency, siteView, evse, settle };
}

const limitMaxDischarge = {
  isDefault: true,
  controlId: 'lmd-1',
  controlType: 'LimitMaxDischarge',
  limitMaxDischarge: { priority: 5, pctMaxDischargePower: 50 },
};

/** 1 % droop outside 49.8..50.2 Hz: 0.1 Hz is 20 % of the rating (2208 W). */
const freqDroop = {
  isDefault: true,
  controlId: 'fd-1',
  controlType: 'FreqDroop',
  freqDroop: { priority: 1, overFreq: 50.2, underFreq: 49.8, overDroop: 0.01, underDroop: 0.01, responseTime: 0 },
};

describe('DER control in hub mode on an OCPP 2.1 link', () => {
  it('accepts SetDERControl from the CSMS and moves the V2X EVSE with the grid frequency per the droop', async () => {
    const g = await derSite();
    await g.frequency(50);
    expect(await g.csms.call('SetDERControl', limitMaxDischarge)).toMatchObject({ status: 'Accepted' });
    expect(await g.csms.call('SetDERControl', freqDroop)).toMatchObject({ status: 'Accepted' });
    g.settle();

    let e = await g.evse();
    // 50.00 Hz is inside the dead band: the baseline, 4140 W = 6 A.
    expect(e.limit.source).toBe('der:LimitMaxDischarge+FreqDroop');
    expect(e.limit.maxCurrentA).toBeCloseTo(6, 5);
    await waitForState(g.charger, (s) => s.evses[0]?.offeredCurrentA === 6);

    await g.frequency(50.3); // 0.1 Hz over 50.2: +2208 W -> 6348 W = 9.2 A
    e = await g.evse();
    expect(e.limit.source).toBe('der:LimitMaxDischarge+FreqDroop');
    expect(e.limit.maxCurrentA).toBeCloseTo(9.2, 5);
    expect(e.limits.find((l) => l.source.startsWith('der:'))?.reason).toMatch(/50\.300 Hz on FreqDroop fd-1: target 6\.35 kW/);
    g.clock.advanceMs(5_000); // increases wait for minIntervalS
    await waitForState(g.charger, (s) => s.evses[0]?.offeredCurrentA === 9.2);

    const body = await g.siteView();
    expect(body.der?.inForce.map((c) => [c.controlType, c.controlId]).sort()).toEqual([
      ['FreqDroop', 'fd-1'],
      ['LimitMaxDischarge', 'lmd-1'],
    ]);
  });

  it('answers GetDERControl and sends a ReportDERControl that the strict CSMS accepts', async () => {
    const g = await derSite();
    await g.csms.call('SetDERControl', limitMaxDischarge);
    await g.csms.call('SetDERControl', freqDroop);
    expect(await g.csms.call('GetDERControl', { requestId: 42 })).toMatchObject({ status: 'Accepted' });
    await until(() => seen.some((s) => s.method === 'ReportDERControl'));
    const reports = seen.filter((s) => s.method === 'ReportDERControl');
    expect(reports[0]?.params['requestId']).toBe(42);
    const ids = reports.flatMap((r) => Object.values(r.params).flatMap((v) => (Array.isArray(v) ? v.map((x: { id?: string }) => x.id) : [])));
    expect(ids.sort()).toEqual(['fd-1', 'lmd-1']);
  });

  it('raises NotifyDERAlarm at the CSMS when the grid meter reads over-frequency, and ends it once back inside', async () => {
    const g = await derSite();
    await g.frequency(50.6);
    await until(() => seen.some((s) => s.method === 'NotifyDERAlarm'));
    expect(seen.find((s) => s.method === 'NotifyDERAlarm')?.params).toMatchObject({ controlType: 'HFMustTrip', gridEventFault: 'OverFrequency' });
    expect(seen.find((s) => s.method === 'NotifyDERAlarm')?.params['alarmEnded']).not.toBe(true);

    await g.frequency(50.4); // 50.5 - 0.05 hysteresis: back inside
    await until(() => seen.filter((s) => s.method === 'NotifyDERAlarm').length === 2);
    expect(seen.filter((s) => s.method === 'NotifyDERAlarm')[1]?.params).toMatchObject({ controlType: 'HFMustTrip', alarmEnded: true });
  });

  it('drops the droop once the CSMS clears it: the EVSE is no longer held by der:FreqDroop', async () => {
    const g = await derSite();
    await g.frequency(50.3);
    await g.csms.call('SetDERControl', limitMaxDischarge);
    await g.csms.call('SetDERControl', freqDroop);
    g.settle();
    expect((await g.evse()).limit.source).toBe('der:LimitMaxDischarge+FreqDroop');

    expect(await g.csms.call('ClearDERControl', { isDefault: true, controlType: 'FreqDroop' })).toMatchObject({ status: 'Accepted' });
    g.settle();
    const e = await g.evse();
    expect(e.limits.map((l) => l.source)).not.toContain('der:LimitMaxDischarge+FreqDroop');
    expect(e.limit.maxCurrentA).toBe(16);
    expect((await g.siteView()).der?.inForce.map((c) => c.controlType)).toEqual(['LimitMaxDischarge']);
  });
});

describe('DER control outside hub mode on 2.1', () => {
  it('is off in standalone mode: GET /api/site has no der field', async () => {
    h = await startTestHub(`
stations:
  - { id: V2X, securityProfile: 0, evses: [{ id: 1, phases: 3, maxCurrentA: 16, bidirectional: true }] }
der: { nominalHz: 50 }
`, { clock: new FakeClock(Date.now()) });
    const body = (await h.hub.api.inject({ method: 'GET', url: '/api/site' })).json<SiteBody>();
    expect(body.der).toBeUndefined();
  });
});
