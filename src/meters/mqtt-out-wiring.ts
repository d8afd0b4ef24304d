import type { ConnectorState } from '../model/types.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { MqttCommands } from './command-topic.js';
import { resolveMqttOut, type MqttOutConfig } from './mqtt-out-config.js';
import type { MqttOutLink } from './mqtt-out-link.js';
import { MqttOut, mqttOutWill, siteLimitMaxWOf, type MqttOutDeps } from './mqtt-out-service.js';
import { readMqttOutState, type MqttOutHubView, type MqttOutStateReaderDeps } from './mqtt-out-state.js';
import type { CircuitNode } from '../energy/site-model.js';

/** The parts of a site config MQTT out reads. */
export interface MqttOutSiteConfig {
  site: { name: string; voltageV: number };
  mqttOut: MqttOutConfig;
}

export interface MqttOutWiringDeps {
  config: MqttOutSiteConfig;
  link: MqttOutLink;
  clock: Clock;
  log: Logger;
  /** The energy side (HubEnergy), with the circuit tree for the site limit's range. */
  hub: MqttOutHubView & { site: { circuits: CircuitNode[] } };
  commands: MqttCommands;
  modes: readonly string[];
  /** Connector states as stored (reported by the stations). */
  connectors: () => ConnectorState[];
  isConnected: (stationId: string) => boolean;
  sessionEnergyWh: (stationId: string, transactionId: string) => number | undefined;
  /** Station identity, registers, solar modes, max currents and site totals (see MqttOutStateReaderDeps). */
  extras?: Pick<MqttOutStateReaderDeps, 'stationInfo' | 'evseRegisterWh' | 'solarModeOf' | 'maxCurrentAOf' | 'siteEnergyWh'>;
  discoveryExtras?: MqttOutDeps['discoveryExtras'];
}

/** The `will` to give the MeterHub when MQTT out is on (spread it into MeterHubDeps). */
export function mqttOutWillFor(config: MqttOutSiteConfig): { will?: ReturnType<typeof mqttOutWill> } {
  return config.mqttOut.enabled ? { will: mqttOutWill(resolveMqttOut(config.mqttOut, config.site.name)) } : {};
}

/** MQTT out for a hub, or undefined when `mqttOut.enabled` is false. Call `start()` on it. */
export function createMqttOut(deps: MqttOutWiringDeps): MqttOut | undefined {
  const { config } = deps;
  if (!config.mqttOut.enabled) return undefined;
  const settings = resolveMqttOut(config.mqttOut, config.site.name);
  return new MqttOut({
    link: deps.link,
    clock: deps.clock,
    log: deps.log,
    settings,
    commands: deps.commands,
    modes: deps.modes,
    siteLimitMaxW: siteLimitMaxWOf(deps.hub.site.circuits, config.site.voltageV),
    ...(deps.discoveryExtras ? { discoveryExtras: deps.discoveryExtras } : {}),
    read: () => {
      const statuses = new Map<string, string>();
      for (const c of deps.connectors()) {
        const key = `${c.stationId}/${c.evseId}`;
        // The first connector of an EVSE speaks for it.
        if (!statuses.has(key)) statuses.set(key, c.detail ?? c.status);
      }
      return readMqttOutState(
        {
          hub: deps.hub,
          connectorStatus: (stationId, evseId) => statuses.get(`${stationId}/${evseId}`),
          isConnected: deps.isConnected,
          sessionEnergyWh: deps.sessionEnergyWh,
          ...deps.extras,
        },
        deps.clock.nowMs(),
      );
    },
  });
}
