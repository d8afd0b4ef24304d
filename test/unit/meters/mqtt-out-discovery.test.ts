import { describe, expect, it } from 'vitest';
import { haDiscoveryMessages, idPart } from '../../../src/meters/ha-discovery.js';

const settings = { topicPrefix: 'switchyard/garage', discoveryPrefix: 'homeassistant', nodeId: 'switchyard_garage', siteName: 'Garage' };

describe('Home Assistant discovery configs', () => {
  it('keeps station ids that differ only in punctuation apart', () => {
    const ids = ['A.1', 'A_1', 'A:1', 'A-1', 'A1'].map(idPart);
    expect(new Set(ids).size).toBe(5);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('gives every entity a unique id and an object id Home Assistant accepts', () => {
    const messages = haDiscoveryMessages({ settings, swVersion: '1', evses: [{ stationId: 'A.1', evseId: 1 }, { stationId: 'A_1', evseId: 1 }], modes: ['Idle'], siteLimitMaxW: 1000 });
    expect(new Set(messages.map((m) => m.config.unique_id)).size).toBe(messages.length);
    for (const m of messages) expect(m.topic).toMatch(/^homeassistant\/(sensor|number|select)\/switchyard_garage\/[A-Za-z0-9_-]+\/config$/);
  });

  it('uses the state topics the publisher writes', () => {
    const messages = haDiscoveryMessages({ settings, swVersion: '1', evses: [{ stationId: 'CP-1', evseId: 3 }], modes: ['Idle'], siteLimitMaxW: 1000 });
    const topics = messages.map((m) => m.config.state_topic);
    expect(topics).toContain('switchyard/garage/site/pv_power_w');
    expect(topics).toContain('switchyard/garage/evse/CP-1/3/session_energy_wh');
    expect(topics).toContain('switchyard/garage/evse/CP-1/3/drawn_current_a');
  });
});
