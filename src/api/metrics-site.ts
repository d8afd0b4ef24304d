import { Counter, Gauge } from 'prom-client';
import type { SiteMetricView } from './metric-readings.js';
import { keptFamily, type KeptFamilyDef } from './kept-family.js';
import type { KeptTextRegistry } from './kept-text-registry.js';
import { evsePowerFamily, type EvseMetricReading } from './metrics-evse.js';

/** What the site metrics read at scrape time. */
export interface SiteMetricsDeps {
  /** Every station the hub knows or the config names, with its connection state. */
  stations(): Array<{ stationId: string; connected: boolean }>;
  /** Nominal phase voltage, V (EVSE power from the measured currents). */
  voltageV: number;
  /** This build's version. */
  version: string;
  /** Transactions started and ended since the hub started. */
  transactions(): { started: number; ended: number };
  /** Each EVSE's lifetime import register as its charger last reported it, Wh (EVSEs that never reported one left out). */
  evseRegistersWh?(): Array<{ evseKey: string; valueWh: number }>;
  /** Energy register readings not taken since start (negative, or not a finite number). */
  evseRegisterReadingsRejected?(): number;
}

/**
 * Gauges an integrator alerts on: meter readings, their age and staleness, circuits on failsafe,
 * station connections, EVSE power, transactions, profile writes, build info. Base units (W, s),
 * counters end in _total, labels name things (meter, circuit, station, evse), never values.
 */
export function siteGauges(registry: KeptTextRegistry, deps: SiteMetricsDeps, energy: { site(): SiteMetricView }, readings: () => readonly EvseMetricReading[]): void {
  const registers = [registry];
  new Gauge({
    name: 'switchyard_meter_power_watts',
    help: 'Active power of each meter, W (grid: import positive, export negative; pv: production negative; circuit: load positive)',
    labelNames: ['meter'],
    registers,
    collect() {
      this.reset();
      for (const [meter, r] of Object.entries(energy.site().meters)) if (r.powerW !== undefined) this.set({ meter }, r.powerW);
    },
  });
  new Gauge({
    name: 'switchyard_meter_current_amperes',
    help: 'Measured current of each meter per phase, A: for a circuit meter, the measured load of its circuit (the budget is switchyard_circuit_allocated_amperes)',
    labelNames: ['meter', 'phase'],
    registers,
    collect() {
      this.reset();
      for (const [meter, r] of Object.entries(energy.site().meters)) {
        for (const [phase, a] of Object.entries(r.currentA ?? {})) if (typeof a === 'number') this.set({ meter, phase }, a);
      }
    },
  });
  new Gauge({
    name: 'switchyard_meter_reading_age_seconds',
    help: 'Age of each meter\'s last reading, s',
    labelNames: ['meter'],
    registers,
    collect() {
      this.reset();
      for (const [meter, r] of Object.entries(energy.site().meters)) this.set({ meter }, r.ageS);
    },
  });
  new Gauge({
    name: 'switchyard_meter_stale',
    help: '1 while the meter\'s last reading is older than its staleAfterS (the circuits it guards go to failsafe), else 0',
    labelNames: ['meter'],
    registers,
    collect() {
      this.reset();
      for (const [meter, r] of Object.entries(energy.site().meters)) this.set({ meter }, r.stale ? 1 : 0);
    },
  });
  new Gauge({
    name: 'switchyard_circuit_failsafe',
    help: '1 while the circuit is on failsafe (its meter stale or missing: chargers held at their safe base), else 0',
    labelNames: ['circuit'],
    registers,
    collect() {
      this.reset();
      const site = energy.site();
      const ids = new Set([...site.circuits.map((c) => c.circuitId), ...Object.keys(site.staleCircuits)]);
      for (const circuit of ids) this.set({ circuit }, site.staleCircuits[circuit] !== undefined ? 1 : 0);
    },
  });
  // Per-station and per-EVSE families: lines kept between scrapes (kept-family.ts).
  keptFamily(registry, 'gauge', STATION_CONNECTED, deps.stations);
  keptFamily(registry, 'gauge', evsePowerFamily(deps.voltageV), readings);
  keptFamily(registry, 'counter', EVSE_ENERGY, () => deps.evseRegistersWh?.() ?? []);
  new Counter({
    name: 'switchyard_evse_energy_register_rejected_total',
    help: 'Energy register readings from chargers not taken since the hub started: negative, or not a finite number (the last valid reading stays; each EVSE is logged once)',
    registers,
    collect() {
      this.reset();
      this.inc(deps.evseRegisterReadingsRejected?.() ?? 0);
    },
  });
  new Counter({
    name: 'switchyard_transactions_started_total',
    help: 'Transactions started since the hub started',
    registers,
    collect() {
      this.reset();
      this.inc(deps.transactions().started);
    },
  });
  new Counter({
    name: 'switchyard_transactions_ended_total',
    help: 'Transactions ended since the hub started',
    registers,
    collect() {
      this.reset();
      this.inc(deps.transactions().ended);
    },
  });
  new Counter({
    name: 'switchyard_profile_writes_total',
    help: 'Charging-profile writes to stations since start, by outcome (accepted, rejected, failed)',
    labelNames: ['outcome'],
    registers,
    collect() {
      const d = energy.site().dispatch;
      this.reset();
      this.inc({ outcome: 'accepted' }, d.accepted);
      this.inc({ outcome: 'rejected' }, d.rejected);
      this.inc({ outcome: 'failed' }, d.failed);
    },
  });
  new Gauge({
    name: 'switchyard_build_info',
    help: 'Build of this hub (value 1): version and Node.js version',
    labelNames: ['version', 'node'],
    registers,
    collect() {
      this.reset();
      this.set({ version: deps.version, node: process.version }, 1);
    },
  });
}

const STATION_CONNECTED: KeptFamilyDef<{ stationId: string; connected: boolean }, 'station'> = {
  name: 'switchyard_station_connected',
  help: '1 while the station has an open OCPP connection, else 0 (configured stations that never connected included)',
  labelNames: ['station'],
  each: (s, add) => add(s.stationId, s.connected ? 1 : 0, undefined, 0),
  labels: (id) => [['station', id]],
};

const EVSE_ENERGY: KeptFamilyDef<{ evseKey: string; valueWh: number }, 'evse'> = {
  name: 'switchyard_evse_energy_joules_total',
  help: "Energy the EVSE delivered over its life, J (its charger's Energy.Active.Import.Register; a replaced meter reads as a counter reset)",
  labelNames: ['evse'],
  // A counter's value is a finite number from zero up (prom-client's Counter.inc throws on anything
  // else, which would fail the whole scrape): a register that is none is left out, not exported.
  each: (r, add) => {
    if (isCounterValue(r.valueWh * 3600)) add(r.evseKey, r.valueWh, undefined, 0);
  },
  labels: (id) => [['evse', id]],
  value: (wh) => 0 + wh * 3600,
};

/** Whether a number can be a counter's value: finite, not below zero. */
function isCounterValue(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}
