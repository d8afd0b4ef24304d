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

describe('Home Assistant discovery of station devices and EVSE controls', () => {
  const input = {
    settings,
    swVersion: '1',
    modes: ['Idle'],
    siteLimitMaxW: 1000,
    evses: [{ stationId: 'CP-1', evseId: 1, solarMode: 'pv' }, { stationId: 'CP-2', evseId: 1, solarMode: null }],
    stations: [{ stationId: 'CP-1', vendor: 'ACME', model: 'W11', firmwareVersion: '2.3', serialNumber: 'S1' }],
  };
  const byId = (messages: ReturnType<typeof haDiscoveryMessages>, id: string) => messages.find((m) => m.config.unique_id === `switchyard_garage_${id}`);

  it('names a station device from its boot, and says so when it has not booted yet', () => {
    const messages = haDiscoveryMessages(input);
    expect(byId(messages, 'evse_CP-1_1_power')?.config.device).toMatchObject({ manufacturer: 'ACME', model: 'W11', sw_version: '2.3', serial_number: 'S1', via_device: 'switchyard_garage' });
    const unbooted = byId(messages, 'evse_CP-2_1_power')?.config.device;
    expect(unbooted?.sw_version).toBeUndefined();
    expect(unbooted?.manufacturer).toMatch(/not booted/);
  });

  it('makes EVSE entities follow the hub and their station, and site entities the hub', () => {
    const messages = haDiscoveryMessages(input);
    expect(byId(messages, 'evse_CP-1_1_power')?.config).toMatchObject({
      availability_mode: 'all',
      availability: [{ topic: 'switchyard/garage/status' }, { topic: 'switchyard/garage/station/CP-1/availability' }],
    });
    expect(byId(messages, 'evse_CP-1_1_power')?.config.availability_topic).toBeUndefined();
    expect(byId(messages, 'grid_power')?.config.availability_topic).toBe('switchyard/garage/status');
  });

  it('offers the solar mode select only where there is a solar mode, the max current number in its range and buttons only when asked', () => {
    const plain = haDiscoveryMessages(input);
    expect(byId(plain, 'evse_CP-1_1_solar_mode')?.config.options).toEqual(['off', 'now', 'min+pv', 'pv']);
    expect(byId(plain, 'evse_CP-2_1_solar_mode')).toBeUndefined();
    expect(plain.some((m) => m.component === 'button' || m.config.unique_id.endsWith('_max_current'))).toBe(false);
    const full = haDiscoveryMessages({ ...input, remoteStartStop: true, currentRangeOf: () => ({ minA: 6, maxA: 16 }) });
    expect(byId(full, 'evse_CP-2_1_max_current')?.config).toMatchObject({ min: 6, max: 16, command_topic: 'switchyard/garage/cmd/evse/CP-2/1/max_current' });
    expect(byId(full, 'evse_CP-2_1_start')).toMatchObject({ component: 'button', config: { command_topic: 'switchyard/garage/cmd/evse/CP-2/1/start', payload_press: 'PRESS' } });
    expect(byId(full, 'evse_CP-2_1_stop')?.component).toBe('button');
  });

  it('gives lifetime energy sensors kWh and total_increasing, and site energy only for meters the site has', () => {
    const messages = haDiscoveryMessages({ ...input, siteMeters: { grid: true, pv: false } });
    for (const id of ['evse_CP-1_1_energy', 'grid_import_energy', 'grid_export_energy']) {
      expect(byId(messages, id)?.config, id).toMatchObject({ device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'kWh' });
    }
    expect(byId(messages, 'pv_energy')).toBeUndefined();
  });
});
