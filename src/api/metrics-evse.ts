import type { KeptFamilyDef } from './kept-family.js';

/**
 * What the per-EVSE metrics show of one EVSE (EvseEnergyView has it all; `evse-metric-readings.ts`
 * reads it without building the full view).
 */
export interface EvseMetricReading {
  evseKey: string;
  /** Grid phase of each EVSE phase, in order. */
  phaseRotation: readonly string[];
  /** Last limit sent to the EVSE, A per phase. */
  offeredA?: number | undefined;
  /** Current the EV draws per EVSE phase, A, while in a transaction. */
  drawnA?: readonly number[] | undefined;
  /** The last decision's limit. */
  limit?: { maxCurrentA: number; source: string } | undefined;
  profileWrites?: { lastHour: number; lastDay: number } | undefined;
  /** Truthy while the charger draws more than the limit it accepted. */
  disobedient?: unknown;
}

type Def<L extends string> = KeptFamilyDef<EvseMetricReading, L>;

/** The per-EVSE families of metrics.ts, in registration order. */
export const EVSE_FAMILIES: [Def<'evse'>, Def<'evse' | 'phase'>, Def<'evse' | 'window'>, Def<'evse'>, Def<'evse'>, Def<'evse' | 'source'>] = [
  {
    name: 'switchyard_evse_offered_amperes',
    help: 'Current per phase last offered to the EVSE (its dynamic profile), A',
    labelNames: ['evse'],
    each: (e, add) => {
      if (e.offeredA !== undefined) add(e.evseKey, e.offeredA, undefined, 0);
    },
    labels: (id) => [['evse', id]],
  },
  {
    name: 'switchyard_evse_drawn_amperes',
    help: 'Current the EV draws per grid phase (as the station reports it), A',
    labelNames: ['evse', 'phase'],
    each: (e, add) => e.drawnA?.forEach((a, i) => add(e.evseKey, a, e.phaseRotation[i], i)),
    labels: (id, phase, slot) => [
      ['evse', id],
      ['phase', phase ?? `EVSE phase ${slot + 1}`],
    ],
  },
  {
    name: 'switchyard_evse_profile_writes',
    help: 'SetChargingProfile writes to the EVSE over the last hour or day (window label); charger flash wears out under frequent writes',
    labelNames: ['evse', 'window'],
    each: (e, add) => {
      if (!e.profileWrites) return;
      add(e.evseKey, e.profileWrites.lastHour, undefined, 0);
      add(e.evseKey, e.profileWrites.lastDay, undefined, 1);
    },
    labels: (id, _label, slot) => [
      ['evse', id],
      ['window', slot === 0 ? 'hour' : 'day'],
    ],
  },
  {
    name: 'switchyard_evse_disobedient',
    help: '1 while the charger draws more than the limit it accepted (it is then budgeted at what it draws); absent otherwise',
    labelNames: ['evse'],
    each: (e, add) => {
      if (e.disobedient) add(e.evseKey, 1, undefined, 0);
    },
    labels: (id) => [['evse', id]],
  },
  {
    name: 'switchyard_evse_limit_amperes',
    help: 'Limit of the last decision per EVSE, A per phase (who set it: switchyard_evse_limit_source_info)',
    labelNames: ['evse'],
    each: (e, add) => {
      if (e.limit) add(e.evseKey, e.limit.maxCurrentA, undefined, 0);
    },
    labels: (id) => [['evse', id]],
  },
  {
    name: 'switchyard_evse_limit_source_info',
    help: 'Which limit bound each EVSE at the last decision (value 1; the source kind, e.g. fuse, circuit, strategy, failsafe, csms, override, guard)',
    labelNames: ['evse', 'source'],
    // Kept by the whole source text; its kind is worked out only when it changes.
    each: (e, add) => {
      if (e.limit) add(e.evseKey, 1, e.limit.source, 0);
    },
    labels: (id, source) => [
      ['evse', id],
      ['source', sourceKind(source ?? '')],
    ],
  },
];

/** `switchyard_evse_power_watts` (metrics-site.ts): the measured currents' sum times the nominal voltage. */
export function evsePowerFamily(voltageV: number): Def<'evse'> {
  return {
    name: 'switchyard_evse_power_watts',
    help: 'Power the EV draws, W: measured current per phase times the nominal voltage (0 without an active transaction)',
    labelNames: ['evse'],
    each: (e, add) => add(e.evseKey, (e.drawnA ?? []).reduce((sum, a) => sum + a, 0), undefined, 0),
    labels: (id) => [['evse', id]],
    value: (sumA) => sumA * voltageV,
  };
}

/** `circuit:row-a` -> `circuit`, `csms:profile 7` -> `csms`: a label with few values, not one per decision. */
export function sourceKind(source: string): string {
  const kind = source.split(':')[0] ?? source;
  return /^[a-z][a-z0-9_-]{0,30}$/.test(kind) ? kind : 'other';
}
