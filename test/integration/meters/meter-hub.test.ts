import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { connectAsync, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MeterReading } from '../../../src/energy/meter-reading.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../../src/meters/embedded-broker.js';
import { meterConfigSchema, type MeterConfig, type MeterConfigInput } from '../../../src/meters/meter-config.js';
import { MeterHub, type MeterHubDeps, type MqttConnectionState } from '../../../src/meters/meter-hub.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';

/**
 * Against a real broker: the embedded one on a free port, or the one at MQTT_URL when set
 * (CI runs Mosquitto). Every test uses its own topic prefix, so runs never see each other.
 */

let broker: EmbeddedBroker | undefined;
let brokerUrl: string;
let publisher: MqttClient;
const hubs: MeterHub[] = [];

beforeAll(async () => {
  const external = process.env.MQTT_URL;
  if (external) {
    brokerUrl = external;
  } else {
    broker = await startEmbeddedBroker({ port: 0 });
    brokerUrl = broker.url;
  }
  publisher = await connectAsync(brokerUrl, { clientId: `switchyard-test-pub-${randomUUID()}` });
});

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

afterAll(async () => {
  await publisher.endAsync();
  await broker?.close();
});

function prefix(): string {
  return `switchyard-test/${randomUUID()}`;
}

function meter(input: MeterConfigInput): MeterConfig {
  return meterConfigSchema.parse(input);
}

async function startHub(deps: Partial<MeterHubDeps> & { meters: MeterConfig[] }): Promise<MeterHub> {
  const hub = new MeterHub({ url: brokerUrl, clock: new FakeClock(), log: silentLogger(), ...deps });
  hubs.push(hub);
  await hub.start();
  await hub.subscribed();
  return hub;
}

/** Resolves with the next reading of `meterId` that satisfies `accept`. */
function nextReading(hub: MeterHub, meterId: string, accept: (r: MeterReading) => boolean = () => true): Promise<MeterReading> {
  return new Promise((resolve) => {
    const off = hub.onReading((r) => {
      if (r.meterId === meterId && accept(r)) {
        off();
        resolve(r);
      }
    });
  });
}

function nextState(hub: MeterHub, state: MqttConnectionState): Promise<void> {
  return new Promise((resolve) => {
    const off = hub.onStateChange((s) => {
      if (s === state) {
        off();
        resolve();
      }
    });
  });
}

async function publish(topic: string, payload: string, retain = false): Promise<void> {
  await publisher.publishAsync(topic, payload, { qos: 1, retain });
}

describe('MeterHub with a real broker', () => {
  it('maps a JSON payload through path and expression into the meter reading', async () => {
    const p = prefix();
    const clock = new FakeClock();
    const hub = await startHub({
      clock,
      meters: [meter({ id: 'pv', role: 'pv', readings: [{ quantity: 'powerW', topic: `${p}/pv`, path: '$.ac.kw', expression: '-value * 1000' }] })],
    });
    const reading = nextReading(hub, 'pv');
    await publish(`${p}/pv`, JSON.stringify({ ac: { kw: 3.2 } }));
    expect(await reading).toEqual({ meterId: 'pv', timeMs: clock.nowMs(), powerW: -3200 });
  });

  it('merges quantities from several topics into one reading', async () => {
    const p = prefix();
    const hub = await startHub({
      meters: [
        meter({
          id: 'grid',
          readings: [
            { quantity: 'currentA.L1', topic: `${p}/i1` },
            { quantity: 'currentA.L2', topic: `${p}/i2` },
            { quantity: 'powerW', topic: `${p}/p` },
          ],
        }),
      ],
    });
    const merged = nextReading(hub, 'grid', (r) => r.powerW !== undefined && r.currentA?.L1 !== undefined && r.currentA.L2 !== undefined);
    await publish(`${p}/i1`, '10.5');
    await publish(`${p}/i2`, '11');
    await publish(`${p}/p`, '4800');
    expect(await merged).toMatchObject({ powerW: 4800, currentA: { L1: 10.5, L2: 11 } });
  });

  it('feeds two meters from one JSON payload on one topic', async () => {
    const p = prefix();
    const hub = await startHub({
      meters: [
        meter({ id: 'house', readings: [{ quantity: 'powerW', topic: `${p}/all`, path: 'house' }] }),
        meter({ id: 'wallbox', readings: [{ quantity: 'powerW', topic: `${p}/all`, path: 'wallbox' }] }),
      ],
    });
    const house = nextReading(hub, 'house');
    const wallbox = nextReading(hub, 'wallbox');
    await publish(`${p}/all`, '{"house":700,"wallbox":11000}');
    expect((await house).powerW).toBe(700);
    expect((await wallbox).powerW).toBe(11000);
  });

  it('stamps a reading with the clock time at receipt and marks it stale once older than staleAfterS', async () => {
    const p = prefix();
    const clock = new FakeClock();
    const hub = await startHub({ clock, meters: [meter({ id: 'grid', staleAfterS: 10, readings: [{ quantity: 'powerW', topic: `${p}/p` }] })] });
    const receivedAtMs = clock.nowMs();
    const reading = nextReading(hub, 'grid');
    await publish(`${p}/p`, '1500');
    expect((await reading).timeMs).toBe(receivedAtMs);

    clock.advanceMs(10_000);
    expect(hub.snapshot(clock.nowMs()).grid).toMatchObject({ powerW: 1500, ageS: 10, stale: false });
    clock.advanceMs(1);
    expect(hub.snapshot(clock.nowMs()).grid).toMatchObject({ powerW: 1500, stale: true });
  });

  it('makes the whole meter stale when one of its quantities falls silent', async () => {
    const p = prefix();
    const clock = new FakeClock();
    const hub = await startHub({
      clock,
      meters: [meter({ id: 'grid', staleAfterS: 10, readings: [{ quantity: 'currentA.L1', topic: `${p}/i1` }, { quantity: 'powerW', topic: `${p}/p` }] })],
    });
    const first = nextReading(hub, 'grid');
    await publish(`${p}/i1`, '9');
    await first;
    clock.advanceMs(8_000);
    const second = nextReading(hub, 'grid', (r) => r.powerW !== undefined);
    await publish(`${p}/p`, '2000');
    await second;

    clock.advanceMs(3_000);
    expect(hub.snapshot(clock.nowMs()).grid).toMatchObject({ powerW: 2000, currentA: { L1: 9 }, ageS: 11, stale: true });
  });

  it('lists a meter never heard from in the snapshot as stale without values', async () => {
    const p = prefix();
    const clock = new FakeClock();
    const hub = await startHub({ clock, meters: [meter({ id: 'battery', role: 'battery', readings: [{ quantity: 'socPct', topic: `${p}/soc` }] })] });
    const entry = hub.snapshot(clock.nowMs()).battery;
    expect(entry).toMatchObject({ meterId: 'battery', timeMs: 0, stale: true });
    expect(entry?.socPct).toBeUndefined();
  });

  it('counts a bad payload and still maps the good payloads after it', async () => {
    const p = prefix();
    const hub = await startHub({ meters: [meter({ id: 'grid', readings: [{ quantity: 'powerW', topic: `${p}/p`, path: 'power' }] })] });
    const good = nextReading(hub, 'grid');
    await publish(`${p}/p`, 'not json');
    await publish(`${p}/p`, '{"power":"n/a"}');
    await publish(`${p}/p`, '{"power":230}');
    expect((await good).powerW).toBe(230);
    expect(hub.stats()).toEqual({ messages: 1, badPayloads: 2, byMeter: { grid: { messages: 1, badPayloads: 2 } } });
  });

  it('logs bad payloads of one mapping at most once a minute, with the number suppressed', async () => {
    const p = prefix();
    const clock = new FakeClock();
    const lines: { msg: string; suppressed?: number; meterId?: string; quantity?: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString('utf8')));
        done();
      },
    });
    const log = pino({ level: 'warn' }, sink);
    const hub = await startHub({ clock, log, meters: [meter({ id: 'grid', readings: [{ quantity: 'powerW', topic: `${p}/p` }] })] });
    const badLines = () => lines.filter((l) => l.msg.startsWith('meters: bad payload'));

    let good = nextReading(hub, 'grid');
    await publish(`${p}/p`, 'x');
    await publish(`${p}/p`, 'y');
    await publish(`${p}/p`, '1');
    await good;
    expect(badLines()).toHaveLength(1);
    expect(badLines()[0]).toMatchObject({ meterId: 'grid', quantity: 'powerW', suppressed: 0 });

    clock.advanceMs(60_000);
    good = nextReading(hub, 'grid');
    await publish(`${p}/p`, 'z');
    await publish(`${p}/p`, '2');
    await good;
    expect(badLines()).toHaveLength(2);
    expect(badLines()[1]).toMatchObject({ suppressed: 1 });
  });

  it('takes a retained value delivered on subscription with the receive time', async () => {
    const p = prefix();
    const topic = `${p}/p`;
    await publish(topic, '777', true);
    const clock = new FakeClock();
    const hub = new MeterHub({ url: brokerUrl, clock, log: silentLogger(), meters: [meter({ id: 'grid', readings: [{ quantity: 'powerW', topic }] })] });
    hubs.push(hub);
    const reading = nextReading(hub, 'grid');
    await hub.start();
    try {
      expect(await reading).toEqual({ meterId: 'grid', timeMs: clock.nowMs(), powerW: 777 });
    } finally {
      await publish(topic, '', true);
    }
  });

  it('starts an embedded broker when no URL is configured and publishes through it', async () => {
    const p = prefix();
    const hub = new MeterHub({ clock: new FakeClock(), log: silentLogger(), meters: [meter({ id: 'sim', readings: [{ quantity: 'frequencyHz', topic: `${p}/f` }] })] });
    hubs.push(hub);
    await hub.start();
    await hub.subscribed();
    expect(hub.brokerUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(hub.brokerUrl).not.toBe(brokerUrl);
    const reading = nextReading(hub, 'sim');
    await hub.publish(`${p}/f`, '49.95', { qos: 1 });
    expect((await reading).frequencyHz).toBe(49.95);
  });

  it('reconnects and resubscribes after the broker restarts', async () => {
    const p = prefix();
    let own = await startEmbeddedBroker({ port: 0 });
    const port = own.port;
    try {
      const hub = await startHub({ url: own.url, meters: [meter({ id: 'grid', readings: [{ quantity: 'powerW', topic: `${p}/p` }] })] });
      const lost = nextState(hub, 'reconnecting');
      await own.close();
      await lost;
      expect(hub.connectionState).toBe('reconnecting');

      own = await startEmbeddedBroker({ port });
      await hub.subscribed();
      const ownPublisher = await connectAsync(own.url, { clientId: `switchyard-test-pub-${randomUUID()}` });
      try {
        const reading = nextReading(hub, 'grid');
        await ownPublisher.publishAsync(`${p}/p`, '42', { qos: 1 });
        expect((await reading).powerW).toBe(42);
        expect(hub.connectionState).toBe('connected');
      } finally {
        await ownPublisher.endAsync();
      }
    } finally {
      await Promise.all(hubs.splice(0).map((h) => h.close()));
      await own.close();
    }
  });

  it('rejects a pending wait for subscriptions when closed', async () => {
    const hub = new MeterHub({ url: 'mqtt://127.0.0.1:1', clock: new FakeClock(), log: silentLogger(), meters: [] });
    await hub.start();
    const waiting = hub.subscribed();
    await hub.close();
    await expect(waiting).rejects.toThrow('closed');
    expect(hub.connectionState).toBe('closed');
  });
});
