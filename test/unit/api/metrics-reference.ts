/**
 * The per-circuit, per-EVSE and per-station metric families built the straightforward way (as
 * /metrics built them before their lines were kept): prom-client gauges and a counter filled from
 * the full site and EVSE views at every scrape. Tests compare the hub's kept text with this.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { EnergyQueries } from '../../../src/api/energy-queries.js';
import type { SiteMetricsDeps } from '../../../src/api/metrics-site.js';
import { sourceKind } from '../../../src/api/metrics.js';

const PHASES = ['L1', 'L2', 'L3'] as const;

/** The families in the order the hub registers them. */
export const REFERENCE_FAMILIES = [
  'switchyard_circuit_allocated_amperes',
  'switchyard_circuit_limit_amperes',
  'switchyard_evse_offered_amperes',
  'switchyard_evse_drawn_amperes',
  'switchyard_evse_profile_writes',
  'switchyard_evse_disobedient',
  'switchyard_evse_limit_amperes',
  'switchyard_evse_limit_source_info',
  'switchyard_station_connected',
  'switchyard_evse_power_watts',
  'switchyard_evse_energy_joules_total',
] as const;

/** The reference text of each family, by name (`site` absent: the families of metrics-site.ts left out). */
export async function referenceFamilies(energy: Pick<EnergyQueries, 'site' | 'evses'>, site?: SiteMetricsDeps): Promise<Map<string, string>> {
  const registers = [new Registry()];
  const views = energy.evses();
  const circuits = energy.site().circuits;
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        fill(this);
      },
    });
  gauge('switchyard_circuit_allocated_amperes', 'What the last decision budgeted per circuit and grid phase: non-EV load (measured or worst case) plus what EVSEs were given, A', ['circuit', 'phase'], (g) => {
    for (const c of circuits) for (const p of PHASES) g.set({ circuit: c.circuitId, phase: p }, c.phases[p].nonEvA + c.phases[p].allocatedA);
  });
  gauge('switchyard_circuit_limit_amperes', 'Limit per circuit and grid phase, A', ['circuit', 'phase'], (g) => {
    for (const c of circuits) for (const p of PHASES) g.set({ circuit: c.circuitId, phase: p }, c.phases[p].limitA);
  });
  gauge('switchyard_evse_offered_amperes', 'Current per phase last offered to the EVSE (its dynamic profile), A', ['evse'], (g) => {
    for (const e of views) if (e.offeredA !== undefined) g.set({ evse: e.evseKey }, e.offeredA);
  });
  gauge('switchyard_evse_drawn_amperes', 'Current the EV draws per grid phase (as the station reports it), A', ['evse', 'phase'], (g) => {
    for (const e of views) e.drawnA?.forEach((a, i) => g.set({ evse: e.evseKey, phase: e.phaseRotation[i] ?? `EVSE phase ${i + 1}` }, a));
  });
  gauge(
    'switchyard_evse_profile_writes',
    'SetChargingProfile writes to the EVSE over the last hour or day (window label); charger flash wears out under frequent writes',
    ['evse', 'window'],
    (g) => {
      for (const e of views) {
        if (!e.profileWrites) continue;
        g.set({ evse: e.evseKey, window: 'hour' }, e.profileWrites.lastHour);
        g.set({ evse: e.evseKey, window: 'day' }, e.profileWrites.lastDay);
      }
    },
  );
  gauge('switchyard_evse_disobedient', '1 while the charger draws more than the limit it accepted (it is then budgeted at what it draws); absent otherwise', ['evse'], (g) => {
    for (const e of views) if (e.disobedient) g.set({ evse: e.evseKey }, 1);
  });
  gauge('switchyard_evse_limit_amperes', 'Limit of the last decision per EVSE, A per phase (who set it: switchyard_evse_limit_source_info)', ['evse'], (g) => {
    for (const e of views) if (e.limit) g.set({ evse: e.evseKey }, e.limit.maxCurrentA);
  });
  gauge(
    'switchyard_evse_limit_source_info',
    'Which limit bound each EVSE at the last decision (value 1; the source kind, e.g. fuse, circuit, strategy, failsafe, csms, override, guard)',
    ['evse', 'source'],
    (g) => {
      for (const e of views) if (e.limit) g.set({ evse: e.evseKey, source: sourceKind(e.limit.source) }, 1);
    },
  );
  if (site) {
    gauge('switchyard_station_connected', '1 while the station has an open OCPP connection, else 0 (configured stations that never connected included)', ['station'], (g) => {
      for (const s of site.stations()) g.set({ station: s.stationId }, s.connected ? 1 : 0);
    });
    gauge('switchyard_evse_power_watts', 'Power the EV draws, W: measured current per phase times the nominal voltage (0 without an active transaction)', ['evse'], (g) => {
      for (const e of views) g.set({ evse: e.evseKey }, (e.drawnA ?? []).reduce((sum, a) => sum + a, 0) * site.voltageV);
    });
    new Counter({
      name: 'switchyard_evse_energy_joules_total',
      help: "Energy the EVSE delivered over its life, J (its charger's Energy.Active.Import.Register; a replaced meter reads as a counter reset)",
      labelNames: ['evse'],
      registers,
      collect() {
        this.reset();
        for (const r of site.evseRegistersWh?.() ?? []) this.inc({ evse: r.evseKey }, r.valueWh * 3600);
      },
    });
  }
  return familyBlocks(await (registers[0] as Registry).metrics());
}

/** A Prometheus text split into its families' text (HELP, TYPE and samples), by name. */
export function familyBlocks(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const block of text.replace(/\n$/, '').split('\n\n')) {
    const name = /^# HELP (\S+) /.exec(block)?.[1];
    if (name) out.set(name, block);
  }
  return out;
}
