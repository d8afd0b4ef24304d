import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_MODES } from '../../../src/control/operation-modes.js';
import { DEFAULT_SETPOINT_DURATION_S, type CommandResult, type MqttCommands, type SetpointCommands } from '../../../src/meters/command-topic.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../../src/meters/embedded-broker.js';
import { MeterHub } from '../../../src/meters/meter-hub.js';
import { mqttOutConfigSchema, resolveMqttOut } from '../../../src/meters/mqtt-out-config.js';
import { MqttOut } from '../../../src/meters/mqtt-out-service.js';
import type { MqttOutState } from '../../../src/meters/mqtt-out-state.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { MqttObserver } from './mqtt-out-observer.js';

/** The setpoint commands on the command topic against a real broker, with fake setpoints that record calls. */

let broker: EmbeddedBroker | undefined;
let brokerUrl: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  if (process.env.MQTT_URL) brokerUrl = process.env.MQTT_URL;
  else {
    broker = await startEmbeddedBroker({ port: 0 });
    brokerUrl = broker.url;
  }
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

afterAll(async () => {
  await broker?.close();
});

class FakeSetpoints implements SetpointCommands {
  readonly calls: unknown[][] = [];
  setEvse(evseKey: string, setpointW: number, dischargeLimitW: number | undefined, durationS: number): { setpointW: number; untilMs: number } | undefined {
    if (evseKey !== 'V2X/1') return undefined;
    this.calls.push(['setEvse', evseKey, setpointW, dischargeLimitW, durationS]);
    return { setpointW, untilMs: durationS * 1000 };
  }
  clearEvse(evseKey: string): boolean {
    if (evseKey !== 'V2X/1') return false;
    this.calls.push(['clearEvse', evseKey]);
    return true;
  }
  setSite(setpointW: number, durationS: number): { setpointW: number; untilMs: number } {
    this.calls.push(['setSite', setpointW, durationS]);
    return { setpointW, untilMs: durationS * 1000 };
  }
  clearSite(): void {
    this.calls.push(['clearSite']);
  }
}

async function startOut(withSetpoints = true) {
  const id = randomUUID();
  const settings = resolveMqttOut(mqttOutConfigSchema.parse({ enabled: true, topicPrefix: `switchyard-test/${id}`, discoveryPrefix: `ha-test-${id}` }), 'Test site');
  const observer = await MqttObserver.connect(brokerUrl, [`${settings.topicPrefix}/#`]);
  const clock = new FakeClock();
  const link = new MeterHub({ url: brokerUrl, meters: [], clock, log: silentLogger() });
  const setpoints = new FakeSetpoints();
  const commands: MqttCommands = {
    setSiteLimit: () => ({ powerW: 0, untilMs: 0 }),
    clearSiteLimit: () => undefined,
    setEvseMode: () => true,
    ...(withSetpoints ? { setpoints } : {}),
  };
  const state: MqttOutState = {
    site: { gridPowerW: null, pvPowerW: null, evPowerW: 0, evCurrentA: { L1: 0, L2: 0, L3: 0 }, siteLimitW: null, siteLimitSource: null, staleMeters: [], gridImportKWh: null, gridExportKWh: null, pvEnergyKWh: null },
    evses: [],
    stations: [],
  };
  const out = new MqttOut({ link, clock, log: silentLogger(), settings, read: () => state, commands, modes: OPERATION_MODES, siteLimitMaxW: 44_000, swVersion: 'test' });
  out.start();
  await link.start();
  await link.subscribed();
  cleanups.push(async () => {
    await out.stop();
    await link.close();
    await observer.close();
  });
  return {
    setpoints,
    async send(rest: string, payload: string): Promise<CommandResult> {
      const topic = `${settings.topicPrefix}/cmd/${rest}`;
      const mark = observer.mark;
      await observer.publish(topic, payload);
      const m = await observer.waitForTopic(`${topic}/result`, mark);
      return JSON.parse(m.payload) as CommandResult;
    },
  };
}

describe('the setpoint commands', () => {
  it('sets an EVSE discharge setpoint with its discharge limit and duration from JSON', async () => {
    const r = await startOut();
    expect(await r.send('evse/V2X/1/setpoint', '{"setpointW": -3000, "dischargeLimitW": -5000, "durationS": 600}')).toMatchObject({ ok: true, evseKey: 'V2X/1', setpointW: -3000 });
    expect(r.setpoints.calls).toEqual([['setEvse', 'V2X/1', -3000, -5000, 600]]);
  });

  it('takes a plain number of W for the default duration, and clears on an empty payload', async () => {
    const r = await startOut();
    expect(await r.send('site/setpoint', '-4000')).toMatchObject({ ok: true, setpointW: -4000 });
    expect(await r.send('site/setpoint', '')).toMatchObject({ ok: true, cleared: true });
    expect(await r.send('evse/V2X/1/setpoint', 'clear')).toMatchObject({ ok: true, cleared: true, evseKey: 'V2X/1' });
    expect(r.setpoints.calls).toEqual([['setSite', -4000, DEFAULT_SETPOINT_DURATION_S], ['clearSite'], ['clearEvse', 'V2X/1']]);
  });

  it('answers UNKNOWN_EVSE for an EVSE that is not configured', async () => {
    const r = await startOut();
    expect(await r.send('evse/NOPE/1/setpoint', '1000')).toMatchObject({ ok: false, code: 'UNKNOWN_EVSE' });
    expect(r.setpoints.calls).toEqual([]);
  });

  it.each([
    ['a word', 'evse/V2X/1/setpoint', 'discharge'],
    ['a positive discharge limit', 'evse/V2X/1/setpoint', '{"setpointW": -3000, "dischargeLimitW": 100}'],
    ['a discharge limit on the site', 'site/setpoint', '{"setpointW": -3000, "dischargeLimitW": -100}'],
    ['a setpoint beyond any site', 'site/setpoint', '-1e12'],
    ['a bad duration', 'site/setpoint', '{"setpointW": 1000, "durationS": 1.5}'],
  ])('refuses %s with a reason and applies nothing', async (_what, rest, payload) => {
    const r = await startOut();
    const result = await r.send(rest, payload);
    expect(result).toMatchObject({ ok: false, code: 'BAD_PAYLOAD' });
    expect(r.setpoints.calls).toEqual([]);
  });

  it('refuses setpoints on a hub without them as an unknown command', async () => {
    const r = await startOut(false);
    expect(await r.send('site/setpoint', '1000')).toMatchObject({ ok: false, code: 'UNKNOWN_COMMAND' });
  });
});
