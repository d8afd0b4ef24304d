import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { OPERATION_MODES } from '../../../src/control/operation-modes.js';
import type { MqttCommands } from '../../../src/meters/command-topic.js';
import { startEmbeddedBroker } from '../../../src/meters/embedded-broker.js';
import { MeterHub } from '../../../src/meters/meter-hub.js';
import { mqttOutConfigSchema, resolveMqttOut } from '../../../src/meters/mqtt-out-config.js';
import { MqttOut } from '../../../src/meters/mqtt-out-service.js';
import type { MqttOutState } from '../../../src/meters/mqtt-out-state.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { MqttObserver } from './mqtt-out-observer.js';

/**
 * The hub's `online` on a real broker (aedes, watched through its own events, so this file runs
 * its own broker even where MQTT_URL names one): a controller such as Home Assistant may send a
 * command the moment it sees `online`, and a command the broker gets before the hub's
 * subscription stands is dropped without a trace. So `online` comes after the subscription.
 */

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * An aedes broker on a free loopback port that logs, in the order it reads them from the wire,
 * the subscriptions it granted and the `status` messages it received.
 */
async function watchedBroker(statusTopic: string): Promise<{ url: string; events: string[] }> {
  const events: string[] = [];
  const broker = await startEmbeddedBroker({
    port: 0,
    aedes: {
      authorizeSubscribe: (_client, sub, done) => {
        events.push(`subscribed ${sub.topic}`);
        done(null, sub);
      },
      authorizePublish: (_client, packet, done) => {
        if (packet.topic === statusTopic) events.push(`${packet.topic} ${packet.payload.toString()}`);
        done(null);
      },
    },
  });
  cleanups.push(() => broker.close());
  return { url: broker.url, events };
}

const EMPTY_STATE: MqttOutState = {
  site: { gridPowerW: null, pvPowerW: null, evPowerW: 0, evCurrentA: { L1: 0, L2: 0, L3: 0 }, siteLimitW: null, siteLimitSource: null, staleMeters: [], gridImportKWh: null, gridExportKWh: null, pvEnergyKWh: null },
  evses: [],
  stations: [],
};

describe('MQTT out says online', () => {
  it('only once the broker has its command subscription, so a command sent on seeing online is answered', async () => {
    const prefix = `switchyard-test/${randomUUID()}`;
    const { url, events } = await watchedBroker(`${prefix}/status`);
    const observer = await MqttObserver.connect(url, [`${prefix}/#`]);
    cleanups.push(() => observer.close());
    const settings = resolveMqttOut(mqttOutConfigSchema.parse({ enabled: true, topicPrefix: prefix, discovery: false }), 'Test site');
    const clock = new FakeClock();
    const link = new MeterHub({ url, meters: [], clock, log: silentLogger() });
    const limits: number[] = [];
    const commands: MqttCommands = {
      setSiteLimit: (powerW, durationS) => {
        limits.push(powerW);
        return { powerW, untilMs: durationS * 1000 };
      },
      clearSiteLimit: () => undefined,
      setEvseMode: () => false,
    };
    const out = new MqttOut({ link, clock, log: silentLogger(), settings, read: () => EMPTY_STATE, commands, modes: OPERATION_MODES, siteLimitMaxW: 44_000, swVersion: 'test' });
    cleanups.push(async () => {
      await out.stop();
      await link.close();
    });
    out.start();
    await link.start(); // not waiting for the subscriptions: that is what `online` is for

    await observer.waitForTopic(`${prefix}/status`, 0, (p) => p === 'online');
    const mark = observer.mark;
    await observer.publish(`${prefix}/cmd/site/limit`, '11000');
    const result = await observer.waitForTopic(`${prefix}/cmd/site/limit/result`, mark);
    expect(JSON.parse(result.payload)).toMatchObject({ ok: true, powerW: 11000 });
    expect(limits).toEqual([11000]);
    expect(events.indexOf(`subscribed ${prefix}/cmd/#`)).toBeGreaterThanOrEqual(0);
    expect(events.indexOf(`subscribed ${prefix}/cmd/#`)).toBeLessThan(events.indexOf(`${prefix}/status online`));
  });
});
