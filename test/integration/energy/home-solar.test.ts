import { describe, it, expect, afterEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { SimCharger } from '../../../src/sim/sim-charger.js';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { waitForState } from '../sim/advance.js';

/**
 * A home with solar end to end: a real broker, the real hub on a home-solar-like config
 * (solar-surplus in pv mode, grid and PV meters in the simulated site meter's JSON format), a
 * simulated 2.0.1 wallbox, and one fake clock. The test publishes the meter readings itself.
 * 3-phase EVSE at 230 V: 690 W per A.
 */
function homeYaml(gridTopic: string, pvTopic: string, mqttUrl: string | undefined): string {
  return `
${mqttUrl ? `mqtt: { url: '${mqttUrl}' }` : ''}
energy: { marginA: 1, leaseS: 300, minIntervalS: 5, hysteresisA: 0.5, debounceMs: 100 }
circuits:
  - { id: house, maxCurrentA: 25, worstCaseNonEvA: 5 }
meters:
  - id: grid
    role: grid
    staleAfterS: 600
    readings:
      - { quantity: powerW, topic: '${gridTopic}', path: powerW }
  - id: pv
    role: pv
    staleAfterS: 600
    readings:
      - { quantity: powerW, topic: '${pvTopic}', path: powerW }
stations:
  - { id: HOME, securityProfile: 0, evses: [{ id: 1, circuit: house, phases: 3, maxCurrentA: 16 }] }
strategies:
  - { type: solar-surplus, defaultMode: pv, enableDelayS: 60, disableDelayS: 180 }
rules:
  timezone: UTC
  list:
    - { id: lunch-break, cron: '0 12 * * *', durationMin: 30, modes: { HOME/1: Idle } }
authorization:
  list: [{ idToken: CAR }]
`;
}

let h: Harness | undefined;
let charger: SimCharger | undefined;
let publisher: mqtt.MqttClient | undefined;
afterEach(async () => {
  await charger?.stop();
  charger = undefined;
  await publisher?.endAsync();
  publisher = undefined;
  await h?.stop();
  h = undefined;
});

/** Yields to the event loop until cond holds (no timers: the fake clock does not move). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface SiteBody {
  evses: Array<{ evseKey: string; mode: string; modeSource: string; limit: { maxCurrentA: number; source: string }; limits: Array<{ source: string; reason?: string }> }>;
  rules: { active: Array<{ id: string }> };
}

async function home(startMs = Date.UTC(2026, 5, 15, 10, 0, 0)) {
  const clock = new FakeClock(startMs);
  const id = randomUUID();
  const gridTopic = `switchyard-test/${id}/grid`;
  const pvTopic = `switchyard-test/${id}/pv`;
  h = await startTestHub(homeYaml(gridTopic, pvTopic, process.env.MQTT_URL), { clock });
  const hub = h.hub;
  const meters = hub.energy.meters;
  if (!meters) throw new Error('no meter hub');
  await meters.subscribed();
  publisher = await mqtt.connectAsync(meters.brokerUrl ?? '');
  const cp = new SimCharger({ identity: 'HOME', version: '2.0.1', endpoint: hub.ocppUrl, clock, log: silentLogger(), phases: 3, maxCurrentA: 16, meterIntervalS: 5 });
  charger = cp;
  await cp.start();
  await cp.plugIn(1, { capacityWh: 60_000, socPct: 20, maxAcCurrentA: 32, phases: 3 });
  await cp.authorize(1, 'CAR');
  await waitForState(cp, (s) => s.evses[0]?.transactionId !== undefined);

  /** Publishes grid and PV power (import positive, PV production negative) and waits until the hub has both. */
  const readings = async (gridW: number, pvW: number) => {
    const got = (meterId: string, powerW: number) =>
      new Promise<void>((resolve) => {
        const off = meters.onReading((r) => {
          if (r.meterId === meterId && r.powerW === powerW) {
            off();
            resolve();
          }
        });
      });
    const both = Promise.all([got('grid', gridW), got('pv', pvW)]);
    await publisher!.publishAsync(gridTopic, JSON.stringify({ powerW: gridW }));
    await publisher!.publishAsync(pvTopic, JSON.stringify({ powerW: pvW }));
    await both;
  };
  /** Waits until the hub has seen the EV draw `amps` in a meter value. */
  const measured = (amps: number) => until(() => hub.energy.live.snapshot()['HOME/1']?.measuredCurrentA?.[0] === amps);
  const offered = (amps: number) => waitForState(cp, (s) => s.evses[0]?.offeredCurrentA === amps);
  const site = async () => (await hub.api.inject({ method: 'GET', url: '/api/site' })).json<SiteBody>();
  /** Advances in 5 s steps so meter values and decisions happen along the way. */
  const advanceS = (s: number) => {
    for (let t = 0; t < s; t += 5) clock.advanceMs(5_000);
  };
  return { clock, cp, readings, measured, offered, site, advanceS };
}

describe('a home with solar', () => {
  it('starts the car once the surplus has covered its minimum for the enable delay, at the current the surplus pays for', async () => {
    const g = await home();
    await g.readings(-6900, -7500); // house 600 W, PV 7.5 kW: 6.9 kW exported
    g.advanceS(20);
    let s = await g.site();
    expect(s.evses[0]?.limit.maxCurrentA).toBe(0);
    expect(s.evses[0]?.limits.find((l) => l.source === 'strategy:solar-surplus')?.reason).toMatch(/starting in/);

    g.advanceS(45); // past the 60 s enable delay
    await g.offered(10); // 6.9 kW / 690 W per A
    s = await g.site();
    expect(s.evses[0]).toMatchObject({ evseKey: 'HOME/1', mode: 'LocalLoadBalancing', modeSource: 'config' });
    expect(s.evses[0]?.limit).toMatchObject({ maxCurrentA: 10, source: 'strategy:solar-surplus' });
  });

  it('lowers the car with the sun: a cloud that halves the surplus lowers the limit at once', async () => {
    const g = await home();
    await g.readings(-6900, -7500);
    g.advanceS(65);
    await g.offered(10);
    g.advanceS(5); // a meter value reports the 10 A
    await g.measured(10);

    await g.readings(1380, -6120); // PV 6.12 kW, house 0.6 kW, car 6.9 kW: surplus 5.52 kW
    g.clock.advanceMs(200); // debounce; decreases are sent at once
    await g.offered(8);
    const s = await g.site();
    expect(s.evses[0]?.limit).toMatchObject({ maxCurrentA: 8, source: 'strategy:solar-surplus' });
  });

  it('holds the car at 0 A while a rule puts it in Idle, and says so in the API', async () => {
    const g = await home(Date.UTC(2026, 5, 15, 11, 58, 50));
    await g.readings(-6900, -7500);
    g.advanceS(65);
    await g.offered(10);
    expect((await g.site()).rules.active).toEqual([]);

    g.clock.setNowMs(Date.UTC(2026, 5, 15, 12, 0, 0)); // the rule starts: its edge timer asks for a decision
    g.clock.advanceMs(200); // debounce; decreases are sent at once
    await g.offered(0);
    const s = await g.site();
    expect(s.rules.active.map((r) => r.id)).toEqual(['lunch-break']);
    expect(s.evses[0]).toMatchObject({ mode: 'Idle', modeSource: 'rule:lunch-break', limit: { maxCurrentA: 0, source: 'mode:Idle' } });
  });
});
