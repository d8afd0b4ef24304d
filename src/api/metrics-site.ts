import { Counter, Gauge, type Registry } from 'prom-client';
import type { EnergyQueries } from './energy-queries.js';
import { ViewGauge } from './view-gauge.js';

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
}

/**
 * Gauges an integrator alerts on: meter readings, their age and staleness, circuits on failsafe,
 * station connections, EVSE power, transactions, profile writes, build info. Base units (W, s),
 * counters end in _total, labels name things (meter, circuit, station, evse), never values.
 */
export function siteGauges(registers: Registry[], deps: SiteMetricsDeps, energy: Pick<EnergyQueries, 'site' | 'evses'>): void {
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
  new ViewGauge(
    {
      name: 'switchyard_station_connected',
      help: '1 while the station has an open OCPP connection, else 0 (configured stations that never connected included)',
      labelNames: ['station'],
      registers,
    },
    () => deps.stations().map((s) => ({ labels: { station: s.stationId }, value: s.connected ? 1 : 0 })),
  );
  new ViewGauge(
    {
      name: 'switchyard_evse_power_watts',
      help: 'Power the EV draws, W: measured current per phase times the nominal voltage (0 without an active transaction)',
      labelNames: ['evse'],
      registers,
    },
    () => energy.evses().map((e) => ({ labels: { evse: e.evseKey }, value: (e.drawnA ?? []).reduce((sum, a) => sum + a, 0) * deps.voltageV })),
  );
  new Counter({
    name: 'switchyard_evse_energy_joules_total',
    help: "Energy the EVSE delivered over its life, J (its charger's Energy.Active.Import.Register; a replaced meter reads as a counter reset)",
    labelNames: ['evse'],
    registers,
    collect() {
      this.reset();
      for (const r of deps.evseRegistersWh?.() ?? []) this.inc({ evse: r.evseKey }, r.valueWh * 3600);
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
