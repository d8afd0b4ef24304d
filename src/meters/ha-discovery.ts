import { availabilityTopic } from './mqtt-out-config.js';
import { evseModeCommandTopic, evseValueTopic, siteLimitCommandTopic, siteValueTopic, type EvseValue, type SiteValue } from './mqtt-out-topics.js';

/**
 * Home Assistant MQTT discovery: one retained config message per entity under
 * `<discoveryPrefix>/<component>/<nodeId>/<objectId>/config`. The hub is one device; each
 * station is a device connected through it (`via_device`), holding its EVSEs' entities.
 * Every entity follows the hub's availability topic. Pure: builds messages, sends nothing.
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
  evses: readonly { stationId: string; evseId: number }[];
  /** Options of each EVSE's mode select. */
  modes: readonly string[];
  /** Upper bound of the site limit number, W. */
  siteLimitMaxW: number;
}

export interface HaDevice {
  identifiers: string[];
  name: string;
  manufacturer: string;
  model: string;
  sw_version?: string;
  via_device?: string;
}

/** The keys Home Assistant reads from a config; abbreviations are not used. */
export interface HaEntityConfig {
  name: string;
  unique_id: string;
  state_topic: string;
  availability_topic: string;
  payload_available: string;
  payload_not_available: string;
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
}

export type HaComponent = 'sensor' | 'number' | 'select';

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

type SensorKind = 'power' | 'current' | 'energy' | 'text' | 'diagnostic';

const SENSOR_CLASSES: Record<SensorKind, Pick<HaEntityConfig, 'device_class' | 'state_class' | 'unit_of_measurement' | 'entity_category'>> = {
  power: { device_class: 'power', state_class: 'measurement', unit_of_measurement: 'W' },
  current: { device_class: 'current', state_class: 'measurement', unit_of_measurement: 'A' },
  // Session energy starts again at 0 with every session: total_increasing reads a drop as a reset.
  energy: { device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'Wh' },
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
];

export function haDiscoveryMessages(input: DiscoveryInput): DiscoveryMessage[] {
  const { settings: s } = input;
  const hubId = s.nodeId;
  const common = {
    availability_topic: availabilityTopic(s.topicPrefix),
    payload_available: 'online',
    payload_not_available: 'offline',
    origin: { name: 'Switchyard', sw_version: input.swVersion },
  };
  const hubDevice: HaDevice = { identifiers: [hubId], name: s.siteName, manufacturer: 'Switchyard', model: 'OCPP hub', sw_version: input.swVersion };
  const message = (component: HaComponent, objectId: string, config: Omit<HaEntityConfig, keyof typeof common | 'unique_id'>): DiscoveryMessage => ({
    topic: `${s.discoveryPrefix}/${component}/${s.nodeId}/${objectId}/config`,
    component,
    config: { ...config, ...common, unique_id: `${hubId}_${objectId}` },
  });

  const out: DiscoveryMessage[] = SITE_SENSORS.map((e) =>
    message('sensor', e.objectId, { name: e.name, state_topic: siteValueTopic(s.topicPrefix, e.value), device: hubDevice, ...SENSOR_CLASSES[e.kind] }),
  );
  out.push(
    message('number', 'site_limit_set', {
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
  for (const evse of input.evses) {
    let device = stations.get(evse.stationId);
    if (!device) {
      device = { identifiers: [`${hubId}_station_${idPart(evse.stationId)}`], name: `Station ${evse.stationId}`, manufacturer: 'Switchyard', model: 'OCPP charging station', via_device: hubId };
      stations.set(evse.stationId, device);
    }
    const base = `evse_${idPart(evse.stationId)}_${evse.evseId}`;
    for (const e of EVSE_SENSORS) {
      out.push(
        message('sensor', `${base}_${e.objectId}`, {
          name: `EVSE ${evse.evseId} ${e.name}`,
          state_topic: evseValueTopic(s.topicPrefix, evse.stationId, evse.evseId, e.value),
          device,
          ...SENSOR_CLASSES[e.kind],
        }),
      );
    }
    out.push(
      message('select', `${base}_mode`, {
        name: `EVSE ${evse.evseId} mode`,
        state_topic: evseValueTopic(s.topicPrefix, evse.stationId, evse.evseId, 'mode'),
        command_topic: evseModeCommandTopic(s.topicPrefix, evse.stationId, evse.evseId),
        options: [...input.modes],
        device,
      }),
    );
  }
  return out;
}
