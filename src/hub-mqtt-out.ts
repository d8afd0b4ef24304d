/**
 * MQTT out for a running hub: the state it publishes, the Home Assistant entities it announces
 * and the commands it takes, wired to HubEnergy (limits, setpoints) and to its one EvseControls
 * (modes, solar mode, max current, start / stop: the same path as the API). Wiring only.
 */
import type { SiteConfig } from './config/schema.js';
import type { Clock } from './util/clock.js';
import type { Logger } from './util/logger.js';
import type { Store } from './store/store.js';
import type { StationRegistry } from './evse/station-registry.js';
import type { MeterHub } from './meters/meter-hub.js';
import type { HubEnergy } from './hub-energy.js';
import type { MqttCommands } from './meters/command-topic.js';
import { createMqttOut } from './meters/mqtt-out-wiring.js';
import type { MqttOut } from './meters/mqtt-out-service.js';
import { mqttEvseControls } from './meters/mqtt-evse-controls.js';
import { OPERATION_MODES } from './control/operation-modes.js';
import { withChargingState } from './model/connector-detail.js';

export interface HubMqttOutDeps {
  config: SiteConfig;
  clock: Clock;
  log: Logger;
  store: Store;
  registry: StationRegistry;
  meters: MeterHub;
  energy: HubEnergy;
}

export function createHubMqttOut(deps: HubMqttOutDeps): MqttOut | undefined {
  const { config, clock, store, registry, energy } = deps;
  const { controls } = energy;
  const standalone = config.upstream.mode === 'none';
  const commands: MqttCommands = {
    setSiteLimit: (powerW, durationS) => energy.setSiteLimit(powerW, clock.nowMs() + durationS * 1000, 'override:mqtt'),
    clearSiteLimit: () => energy.clearSiteLimit(),
    setEvseMode: (evseKey, mode) => {
      const known = OPERATION_MODES.find((m) => m === mode);
      if (known === undefined) return false;
      try {
        controls.update(evseKey, { mode: known }, 'mqtt');
        return true;
      } catch {
        return false;
      }
    },
    setpoints: {
      setEvse: (evseKey, setpointW, dischargeLimitW, durationS) =>
        energy.externalSetpoints.setEvse(evseKey, { setpointW, ...(dischargeLimitW !== undefined ? { dischargeLimitW } : {}), durationS, source: 'external:mqtt' }),
      clearEvse: (evseKey) => energy.externalSetpoints.clearEvse(evseKey),
      setSite: (setpointW, durationS) => energy.externalSetpoints.setSite({ setpointW, durationS, source: 'external:mqtt' }),
      clearSite: () => energy.externalSetpoints.clearSite(),
    },
    ...mqttEvseControls(controls, {
      solarModes: config.strategies.some((s) => s.type === 'solar-surplus'),
      ...(standalone ? { startIdToken: config.mqttOut.startIdToken } : {}),
    }),
  };
  return createMqttOut({
    config,
    link: deps.meters,
    clock,
    log: deps.log.child({ part: 'mqtt-out' }),
    hub: energy,
    modes: OPERATION_MODES,
    commands,
    connectors: () =>
      store.connectors.listAll().map((c) => {
        const tx = c.status === 'Occupied' && c.detail === undefined ? store.transactions.findActive(c.stationId, c.evseId)[0] : undefined;
        return tx ? withChargingState(c, store.transactions.lastChargingState(c.stationId, tx.transactionId)) : c;
      }),
    isConnected: (stationId) => registry.get(stationId) !== undefined,
    sessionEnergyWh: (stationId, transactionId) => store.transactions.get(stationId, transactionId)?.energyWh,
    extras: {
      stationInfo: (stationId) => {
        const s = store.stations.get(stationId);
        if (!s) return undefined;
        return {
          ...(s.vendor !== undefined ? { vendor: s.vendor } : {}),
          ...(s.model !== undefined ? { model: s.model } : {}),
          ...(s.firmwareVersion !== undefined ? { firmwareVersion: s.firmwareVersion } : {}),
          ...(s.serialNumber !== undefined ? { serialNumber: s.serialNumber } : {}),
        };
      },
      evseRegisterWh: (stationId, evseId) => energy.totals.registers.of(stationId, evseId)?.valueWh,
      // What the select and the number show is what the controls hold, whoever set it (API, MQTT, config).
      solarModeOf: (evseKey) => controls.view(evseKey)?.solarMode?.value,
      maxCurrentAOf: (evseKey) => controls.view(evseKey)?.maxCurrentA?.value,
      siteEnergyWh: () => energy.totals.siteEnergy.published(),
    },
    discoveryExtras: {
      currentRangeOf: (evseKey) => {
        const model = energy.site.evses.find((e) => e.key === evseKey);
        return model ? { minA: model.minCurrentA, maxA: model.maxCurrentA } : undefined;
      },
      remoteStartStop: standalone,
    },
  });
}
