import { availabilityTopic } from './mqtt-out-config.js';
import { evseCommandTopic, evseModeCommandTopic, evseValueTopic, siteLimitCommandTopic, siteValueTopic, stationAvailabilityTopic, type EvseValue, type SiteValue } from './mqtt-out-topics.js';
import { PRESS_PAYLOAD } from './mqtt-out-command-parse.js';
import { SOLAR_MODES } from '../energy/solar-mode.js';

/**
 * Home Assistant MQTT discovery: one retained config message per entity under
 * `<discoveryPrefix>/<component>/<nodeId>/<objectId>/config`. The hub is one device; each
 * station is a device connected through it (`via_device`) named with the vendor, model, firmware
 * and serial number of its last BootNotification, holding its EVSEs' entities. Site entities
 * follow the hub's availability topic (its last will says `offline`); EVSE entities follow both
 * the hub's and their station's (`availability_mode: all`), so a station that goes offline
 * makes its entities unavailable. Pure: builds messages, sends nothing.
 */

export interface DiscoverySettings {
  topicPrefix: string;
  discoveryPrefix: string;
  /** Letters, digits and _ only. */
  nodeId: string;
  siteName: string;
}

export interface DiscoveryInput {
  settings: DiscoverySettings;
  swVersion: string;
  /** solarMode: null (or absent) when the site has no solar-surplus strategy: no solar mode select. */
  evses: readonly { stationId: string; evseId: number; solarMode?: string | null }[];
  /** What each station told at its last boot. */
  stations?: readonly { stationId: string; vendor?: string; model?: string; firmwareVersion?: string; serialNumber?: string }[];
  /** Options of each EVSE's mode select. */
  modes: readonly string[];
  /** Upper bound of the site limit number, W. */
  siteLimitMaxW: number;
  /** The range of an EVSE's max current number, A (its configured min and max); undefined: no number. */
  currentRangeOf?(evseKey: string): { minA: number; maxA: number } | undefined;
  /** Start / stop buttons (standalone mode only). */
  remoteStartStop?: boolean;
  /** Which site energy sensors have a meter behind them. */
  siteMeters?: { grid: boolean; pv: boolean };
}

export interface HaAvailability {
  topic: string;
  payload_available: string;
  payload_not_available: string;
}

export interface HaDevice {
  identifiers: string[];
  name: string;
  manufacturer?: string;
  model?: string;
  sw_version?: string;
  serial_number?: string;
  via_device?: string;
}

/** The keys Home Assistant reads from a config; abbreviations are not used. */
export interface HaEntityConfig {
  name: string;
  unique_id: string;
  state_topic?: string;
  availability_topic?: string;
  payload_available?: string;
  payload_not_available?: string;
  availability?: HaAvailability[];
  availability_mode?: 'all' | 'any' | 'latest';
  device: HaDevice;
  origin: { name: string; sw_version: string };
  device_class?: string;
  state_class?: string;
  unit_of_measurement?: string;
  entity_category?: 'diagnostic' | 'config';
  icon?: string;
  command_topic?: string;
  options?: string[];
  min?: number;
  max?: number;
  step?: number;
  mode?: 'box' | 'slider' | 'auto';
  payload_press?: string;
}

export type HaComponent = 'sensor' | 'number' | 'select' | 'button';

export interface DiscoveryMessage {
  topic: string;
  component: HaComponent;
  config: HaEntityConfig;
}

/** Subscription filter matching every config this node publishes (to find ones to remove). */
export function discoveryConfigFilter(discoveryPrefix: string, nodeId: string): string {
  return `${discoveryPrefix}/+/${nodeId}/+/config`;
}

/** Topic Home Assistant publishes its birth (`online`) message on. */
export function haStatusTopic(discoveryPrefix: string): string {
  return `${discoveryPrefix}/status`;
}

/**
 * A topic- and id-safe form of a station id that keeps distinct ids distinct: letters, digits
 * and `-` stay, anything else becomes `_` and its hex code (`A.1` -> `A_2e1`).
 */
export function idPart(text: string): string {
  return text.replace(/[^A-Za-z0-9-]/g, (c) => `_${c.codePointAt(0)?.toString(16) ?? ''}`);
}

type SensorKind = 'power' | 'current' | 'energy' | 'lifetimeEnergy' | 'text' | 'diagnostic';

const SENSOR_CLASSES: Record<SensorKind, Pick<HaEntityConfig, 'device_class' | 'state_class' | 'unit_of_measurement' | 'entity_category'>> = {
  power: { device_class: 'power', state_class: 'measurement', unit_of_measurement: 'W' },
  current: { device_class: 'current', state_class: 'measurement', unit_of_measurement: 'A' },
  // Session energy starts again at 0 with every session: total_increasing reads a drop as a reset.
  energy: { device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'Wh' },
  // Lifetime totals for Home Assistant's Energy dashboard: they never go down (a drop reads as a reset).
  lifetimeEnergy: { device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'kWh' },
  text: {},
  diagnostic: { entity_category: 'diagnostic' },
};

const SITE_SENSORS: { objectId: string; name: string; value: SiteValue; kind: SensorKind }[] = [
  { objectId: 'grid_power', name: 'Grid power', value: 'grid_power_w', kind: 'power' },
  { objectId: 'pv_power', name: 'PV power', value: 'pv_power_w', kind: 'power' },
  { objectId: 'ev_power', name: 'EV power', value: 'ev_power_w', kind: 'power' },
  { objectId: 'ev_current', name: 'EV current (highest phase)', value: 'ev_current_a', kind: 'current' },
  { objectId: 'site_limit', name: 'Site limit', value: 'site_limit_w', kind: 'power' },
  { objectId: 'site_limit_source', name: 'Site limit source', value: 'site_limit_source', kind: 'diagnostic' },
];

const EVSE_SENSORS: { objectId: string; name: string; value: EvseValue; kind: SensorKind }[] = [
  { objectId: 'status', name: 'status', value: 'status', kind: 'text' },
  { objectId: 'offered_current', name: 'offered current', value: 'offered_current_a', kind: 'current' },
  { objectId: 'drawn_current', name: 'drawn current', value: 'drawn_current_a', kind: 'current' },
  { objectId: 'power', name: 'power', value: 'power_w', kind: 'power' },
  { objectId: 'session_energy', name: 'session energy', value: 'session_energy_wh', kind: 'energy' },
  { objectId: 'limit_source', name: 'limit source', value: 'limit_source', kind: 'diagnostic' },
  { objectId: 'energy', name: 'energy (lifetime)', value: 'energy_kwh', kind: 'lifetimeEnergy' },
];

const SITE_ENERGY_SENSORS: { objectId: string; name: string; value: SiteValue; meter: 'grid' | 'pv' }[] = [
  { objectId: 'grid_import_energy', name: 'Grid import energy', value: 'grid_import_kwh', meter: 'grid' },
  { objectId: 'grid_export_energy', name: 'Grid export energy', value: 'grid_export_kwh', meter: 'grid' },
  { objectId: 'pv_energy', name: 'PV energy', value: 'pv_energy_kwh', meter: 'pv' },
];

export function haDiscoveryMessages(input: DiscoveryInput): DiscoveryMessage[] {
  const { settings: s } = input;
  const hubId = s.nodeId;
  const hubAvailability: HaAvailability = { topic: availabilityTopic(s.topicPrefix), payload_available: 'online', payload_not_available: 'offline' };
  const origin = { name: 'Switchyard', sw_version: input.swVersion };
  const hubDevice: HaDevice = { identifiers: [hubId], name: s.siteName, manufacturer: 'Switchyard', model: 'OCPP hub', sw_version: input.swVersion };
  type Body = Omit<HaEntityConfig, 'unique_id' | 'origin' | 'availability_topic' | 'payload_available' | 'payload_not_available' | 'availability' | 'availability_mode'>;
  const siteMessage = (component: HaComponent, objectId: string, config: Body): DiscoveryMessage => ({
    topic: `${s.discoveryPrefix}/${component}/${s.nodeId}/${objectId}/config`,
    component,
    config: { ...config, availability_topic: hubAvailability.topic, payload_available: 'online', payload_not_available: 'offline', origin, unique_id: `${hubId}_${objectId}` },
  });

  const out: DiscoveryMessage[] = SITE_SENSORS.map((e) =>
    siteMessage('sensor', e.objectId, { name: e.name, state_topic: siteValueTopic(s.topicPrefix, e.value), device: hubDevice, ...SENSOR_CLASSES[e.kind] }),
  );
  for (const e of SITE_ENERGY_SENSORS) {
    if (input.siteMeters && !input.siteMeters[e.meter]) continue;
    out.push(siteMessage('sensor', e.objectId, { name: e.name, state_topic: siteValueTopic(s.topicPrefix, e.value), device: hubDevice, ...SENSOR_CLASSES.lifetimeEnergy }));
  }
  out.push(
    siteMessage('number', 'site_limit_set', {
      name: 'Site limit override',
      state_topic: siteValueTopic(s.topicPrefix, 'site_limit_w'),
      command_topic: siteLimitCommandTopic(s.topicPrefix),
      device: hubDevice,
      device_class: 'power',
      unit_of_measurement: 'W',
      min: 0,
      max: input.siteLimitMaxW,
      step: 100,
      mode: 'box',
    }),
  );

  const stations = new Map<string, HaDevice>();
  const infoOf = new Map((input.stations ?? []).map((st) => [st.stationId, st]));
  for (const evse of input.evses) {
    let device = stations.get(evse.stationId);
    if (!device) {
      device = stationDevice(hubId, evse.stationId, infoOf.get(evse.stationId));
      stations.set(evse.stationId, device);
    }
    const stationAvailability: HaAvailability = { topic: stationAvailabilityTopic(s.topicPrefix, evse.stationId), payload_available: 'online', payload_not_available: 'offline' };
    const message = (component: HaComponent, objectId: string, config: Body): DiscoveryMessage => ({
      topic: `${s.discoveryPrefix}/${component}/${s.nodeId}/${objectId}/config`,
      component,
      config: { ...config, availability: [hubAvailability, stationAvailability], availability_mode: 'all', origin, unique_id: `${hubId}_${objectId}` },
    });
    const base = `evse_${idPart(evse.stationId)}_${evse.evseId}`;
    const valueTopic = (value: EvseValue): string => evseValueTopic(s.topicPrefix, evse.stationId, evse.evseId, value);
    for (const e of EVSE_SENSORS) {
      out.push(message('sensor', `${base}_${e.objectId}`, { name: `EVSE ${evse.evseId} ${e.name}`, state_topic: valueTopic(e.value), device, ...SENSOR_CLASSES[e.kind] }));
    }
    out.push(
      message('select', `${base}_mode`, {
        name: `EVSE ${evse.evseId} mode`,
        state_topic: valueTopic('mode'),
        command_topic: evseModeCommandTopic(s.topicPrefix, evse.stationId, evse.evseId),
        options: [...input.modes],
        device,
      }),
    );
    if (evse.solarMode !== undefined && evse.solarMode !== null) {
      out.push(
        message('select', `${base}_solar_mode`, {
          name: `EVSE ${evse.evseId} solar mode`,
          state_topic: valueTopic('solar_mode'),
          command_topic: evseCommandTopic(s.topicPrefix, evse.stationId, evse.evseId, 'solar_mode'),
          options: [...SOLAR_MODES],
          icon: 'mdi:solar-power',
          device,
        }),
      );
    }
    const range = input.currentRangeOf?.(`${evse.stationId}/${evse.evseId}`);
    if (range) {
      out.push(
        message('number', `${base}_max_current`, {
          name: `EVSE ${evse.evseId} max current`,
          state_topic: valueTopic('max_current_a'),
          command_topic: evseCommandTopic(s.topicPrefix, evse.stationId, evse.evseId, 'max_current'),
          device_class: 'current',
          unit_of_measurement: 'A',
          min: range.minA,
          max: range.maxA,
          step: 1,
          mode: 'slider',
          device,
        }),
      );
    }
    if (input.remoteStartStop) {
      for (const verb of ['start', 'stop'] as const) {
        out.push(
          message('button', `${base}_${verb}`, {
            name: `EVSE ${evse.evseId} ${verb} charging`,
            command_topic: evseCommandTopic(s.topicPrefix, evse.stationId, evse.evseId, verb),
            payload_press: PRESS_PAYLOAD,
            icon: verb === 'start' ? 'mdi:play' : 'mdi:stop',
            device,
          }),
        );
      }
    }
  }
  return out;
}

/** A station's device: what its last BootNotification said, where it said it. */
function stationDevice(hubId: string, stationId: string, info: { vendor?: string; model?: string; firmwareVersion?: string; serialNumber?: string } | undefined): HaDevice {
  return {
    identifiers: [`${hubId}_station_${idPart(stationId)}`],
    name: `Station ${stationId}`,
    manufacturer: info?.vendor ?? 'unknown (not booted yet)',
    model: info?.model ?? 'OCPP charging station',
    ...(info?.firmwareVersion !== undefined ? { sw_version: info.firmwareVersion } : {}),
    ...(info?.serialNumber !== undefined ? { serial_number: info.serialNumber } : {}),
    via_device: hubId,
  };
}
