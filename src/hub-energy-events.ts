/**
 * What the energy side does with a station's event: lifetime totals, the MQTT state, the
 * capabilities and profiles of a booted station, the live EVSE state and obedience, and whether
 * the event asks the controller for a decision (most reports do not: report-relevance.ts).
 */
import type { SiteConfig } from './config/schema.js';
import type { Controller } from './control/controller.js';
import type { Dispatcher } from './control/dispatcher.js';
import { evseKeyOf } from './control/evse-key.js';
import type { ObedienceWatch } from './control/obedience-watch.js';
import type { SiteRoster } from './control/site-roster.js';
import type { ChargerCapabilityReader } from './evse/charger-capability-reader.js';
import type { LiveEvseState } from './evse/live-evse-state.js';
import { reportWorthDeciding } from './evse/report-relevance.js';
import type { StationEvent } from './evse/station-service.js';
import type { EnergyTotals } from './hub-energy-totals.js';
import type { MqttOut } from './meters/mqtt-out-service.js';
import type { Clock } from './util/clock.js';

export interface EnergyStationEventsDeps {
  clock: Clock;
  /** Read for energy.settleS, how long an EV takes to follow a lower limit. */
  config: SiteConfig;
  totals: EnergyTotals;
  live: LiveEvseState;
  obedience: ObedienceWatch;
  dispatcher: Dispatcher;
  capabilities: ChargerCapabilityReader;
  roster: SiteRoster;
  controller: Controller;
  /** The MQTT state output, once started (none before, or when off). */
  mqttOut(): MqttOut | undefined;
}

/** The listener of station events for the energy side. */
export function energyStationEvents(deps: EnergyStationEventsDeps): (e: StationEvent) => void {
  const { clock, totals, live, obedience, dispatcher, capabilities, roster, controller } = deps;
  return (e) => {
    totals.onStationEvent(e);
    switch (e.kind) {
      case 'booted':
        deps.mqttOut()?.publisher.notify();
        capabilities.forget(e.stationId);
        dispatcher.onStationBooted(e.stationId);
        // A boot needs no decision of its own: the dispatcher writes the station's base and
        // dynamic profiles again from the last decision's targets (a decision counts every
        // EVSE of the site, connected or not), and an EVSE that becomes controllable again asks
        // for one itself. Only an EVSE without a target yet waits for a decision. (A boot
        // storm of thousands of stations no longer decides back to back.)
        if (roster.keysOf(e.stationId).some((key) => !dispatcher.hasTarget(key))) controller.trigger(`boot ${e.stationId}`);
        break;
      case 'status':
        if (live.onStatus(e.state)) controller.trigger(`status ${e.state.stationId}/${e.state.evseId}`);
        break;
      case 'connection':
        deps.mqttOut()?.publisher.notify();
        break;
      case 'transaction': {
        const key = evseKeyOf(e.event.stationId, e.event.evseId ?? 0);
        const before = live.get(key);
        if (!live.onTransactionEvent(e.event, clock.nowMs())) break;
        const wasDisobedient = obedience.of(key) !== undefined;
        obedience.check(key);
        // Every report is kept; only those a decision can act on ask for one (report-relevance.ts).
        const worth = wasDisobedient || obedience.of(key) !== undefined || reportWorthDeciding(before, live.get(key), dispatcher.offersOf(key), deps.config.energy.settleS * 1000);
        if (worth) controller.trigger(`transaction ${e.event.stationId}/${e.event.evseId ?? 0}`);
        break;
      }
    }
  };
}
