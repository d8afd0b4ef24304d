import { describe, expect, it } from 'vitest';
import { mqttOutConfigSchema, resolveMqttOut } from '../../../src/meters/mqtt-out-config.js';

describe('the mqttOut config block', () => {
  it('defaults the topic prefix to switchyard/<site name> and the discovery prefix to homeassistant', () => {
    const s = resolveMqttOut(mqttOutConfigSchema.parse({ enabled: true }), 'Garage Nord 2');
    expect(s).toMatchObject({ topicPrefix: 'switchyard/garage-nord-2', discoveryPrefix: 'homeassistant', nodeId: 'switchyard_garage_nord_2', retain: true, publishIntervalS: 60 });
  });

  it('names the node with "switchyard" once when the site name starts with it', () => {
    const s = resolveMqttOut(mqttOutConfigSchema.parse({ enabled: true }), 'Switchyard demo');
    expect(s).toMatchObject({ topicPrefix: 'switchyard/switchyard-demo', nodeId: 'switchyard_demo' });
  });

  it.each(['a/+/b', 'a/#', '/a', 'a/', 'a//b'])('refuses the topic prefix %j', (topicPrefix) => {
    expect(mqttOutConfigSchema.safeParse({ topicPrefix }).success).toBe(false);
  });

  it('refuses unknown keys', () => {
    expect(mqttOutConfigSchema.safeParse({ enabeld: true }).success).toBe(false);
  });
});
