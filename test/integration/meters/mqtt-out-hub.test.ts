import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { MqttObserver } from './mqtt-out-observer.js';
import { useTestBroker } from '../../helpers/test-broker.js';

/** MQTT out wired into a running hub that has no meters: HubEnergy still opens the connection. */

const broker = useTestBroker();

async function startHubWithMqttOut(): Promise<{ h: Harness; prefix: string; discovery: string; observer: MqttObserver; clock: FakeClock }> {
  const id = randomUUID();
  const prefix = `switchyard-test/${id}`;
  const discovery = `ha-test-${id}`;
  const observer = await MqttObserver.connect(broker.url, [`${prefix}/#`, `${discovery}/#`]);
  broker.onCleanup(() => observer.close());
  const clock = new FakeClock();
  const h = await startTestHub(
    `
site: { name: Garage }
mqtt: { url: "${broker.url}" }
mqttOut: { enabled: true, topicPrefix: "${prefix}", discoveryPrefix: "${discovery}" }
stations:
  - id: CP-1
    securityProfile: 0
    evses: [{ id: 1 }, { id: 2 }]
`,
    { clock },
  );
  broker.onCleanup(() => h.stop());
  return { h, prefix, discovery, observer, clock };
}

async function command(observer: MqttObserver, topic: string, payload: string): Promise<unknown> {
  const mark = observer.mark;
  await observer.publish(topic, payload);
  return JSON.parse((await observer.waitForTopic(`${topic}/result`, mark)).payload);
}

describe('MQTT out in a running hub', () => {
  it('connects without meters, says online and publishes discovery and the EVSEs of the config', async () => {
    const { h, prefix, discovery, observer } = await startHubWithMqttOut();
    expect(h.hub.energy.meters).toBeDefined();
    await observer.waitForTopic(`${prefix}/status`, 0, (p) => p === 'online');
    const evse2 = await observer.waitForTopic(`${prefix}/evse/CP-1/2/state`);
    expect(JSON.parse(evse2.payload)).toMatchObject({ evseKey: 'CP-1/2', status: 'Offline', mode: 'LocalLoadBalancing' });
    const select = await observer.waitFor((m) => m.topic.startsWith(`${discovery}/select/`) && m.topic.endsWith('/evse_CP-1_1_mode/config'));
    expect(JSON.parse(select.payload)).toMatchObject({ command_topic: `${prefix}/cmd/evse/CP-1/1/mode` });
  });

  it('applies a site limit command to the energy side and publishes the new limit at once', async () => {
    const { h, prefix, observer, clock } = await startHubWithMqttOut();
    await observer.waitForTopic(`${prefix}/status`, 0, (p) => p === 'online');
    const mark = observer.mark;
    expect(await command(observer, `${prefix}/cmd/site/limit`, '11000')).toMatchObject({ ok: true, powerW: 11000 });
    expect(h.hub.energy.activeOverride(clock.nowMs())).toMatchObject({ powerW: 11000, source: 'override:mqtt' });
    expect((await observer.waitForTopic(`${prefix}/site/site_limit_w`, mark, (p) => p === '11000')).payload).toBe('11000');
    expect(await command(observer, `${prefix}/cmd/site/limit`, '')).toMatchObject({ ok: true, cleared: true });
    expect(h.hub.energy.activeOverride(clock.nowMs())).toBeUndefined();
  });

  it('applies a mode command to the EVSE and publishes its new mode', async () => {
    const { h, prefix, observer } = await startHubWithMqttOut();
    await observer.waitForTopic(`${prefix}/status`, 0, (p) => p === 'online');
    const mark = observer.mark;
    expect(await command(observer, `${prefix}/cmd/evse/CP-1/2/mode`, 'Idle')).toMatchObject({ ok: true, mode: 'Idle' });
    expect(h.hub.energy.modeOf('CP-1/2')).toBe('Idle');
    expect((await observer.waitForTopic(`${prefix}/evse/CP-1/2/mode`, mark, (p) => p === 'Idle')).payload).toBe('Idle');
    expect(await command(observer, `${prefix}/cmd/evse/CP-9/1/mode`, 'Idle')).toMatchObject({ ok: false, code: 'UNKNOWN_EVSE' });
  });
});
