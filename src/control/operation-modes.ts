import type { OperationMode } from '../energy/charging-profile.js';
import type { Decision, SiteSnapshot, Strategy } from '../energy/strategy.js';
import type { EvseModel } from '../energy/site-model.js';
import { csmsPeriodFor } from '../../strategies/setpoint/active-period.js';

/** The strategy types a site config can name. */
export const STRATEGY_TYPES = ['load-balancing', 'solar-surplus', 'setpoint', 'frequency-droop'] as const;
export type StrategyType = (typeof STRATEGY_TYPES)[number];

/** Every OCPP 2.1 operation mode, in the order the API lists them. */
export const OPERATION_MODES = [
  'ChargingOnly',
  'ExternalLimits',
  'CentralSetpoint',
  'ExternalSetpoint',
  'CentralFrequency',
  'LocalFrequency',
  'LocalLoadBalancing',
  'Idle',
] as const satisfies readonly OperationMode[];

/** An EVSE's mode when neither the config, a rule nor the CSMS says otherwise. */
export const DEFAULT_OPERATION_MODE: OperationMode = 'LocalLoadBalancing';

/**
 * Which configured strategies act on an EVSE in each operation mode. The circuit allocation and
 * the guard act in every mode (they keep the fuses whole); an EVSE in `Idle` is also held at 0 A.
 * - ChargingOnly, LocalLoadBalancing: classic smart charging: fair share and solar surplus.
 * - ExternalLimits: limits come from outside (CSMS, API, rules); no local optimisation.
 * - CentralSetpoint, ExternalSetpoint: the signed setpoint (V2X) only.
 * - CentralFrequency, LocalFrequency: the frequency response only.
 */
export const MODE_STRATEGIES: Readonly<Record<OperationMode, readonly StrategyType[]>> = {
  ChargingOnly: ['load-balancing', 'solar-surplus'],
  LocalLoadBalancing: ['load-balancing', 'solar-surplus'],
  ExternalLimits: ['load-balancing'],
  CentralSetpoint: ['setpoint'],
  ExternalSetpoint: ['setpoint'],
  CentralFrequency: ['frequency-droop'],
  LocalFrequency: ['frequency-droop'],
  Idle: [],
};

/** Source of the 0 A limit on an EVSE in Idle. */
export const IDLE_SOURCE = 'mode:Idle';

/** True when a strategy of this type acts on an EVSE in this mode. */
export function strategyActsIn(type: StrategyType, mode: OperationMode): boolean {
  return MODE_STRATEGIES[mode].includes(type);
}

/**
 * The mode an EVSE is in now: the operationMode of the CSMS charging-profile period in force,
 * else the snapshot's mode for it (config, overridden by an active rule), else the default.
 */
export function effectiveMode(snapshot: SiteSnapshot, evse: EvseModel): OperationMode {
  return csmsPeriodFor(snapshot, evse)?.period.operationMode ?? snapshot.modes[evse.key] ?? DEFAULT_OPERATION_MODE;
}

/**
 * Whether any EVSE may be in `mode` in this snapshot: a CSMS profile is in it (any period may
 * name the mode) or a configured/rule mode is. False means effectiveMode is never `mode` for any
 * EVSE of the snapshot (without a CSMS profile it is the snapshot's mode or the default), so a
 * caller may skip the per-EVSE reading: at thousands of EVSEs that reading is a turn of the
 * event loop of its own.
 */
export function mayBeInMode(snapshot: SiteSnapshot, mode: OperationMode): boolean {
  if (mode === DEFAULT_OPERATION_MODE) return true;
  for (const id in snapshot.csmsProfiles) if ((snapshot.csmsProfiles[id]?.length ?? 0) > 0) return true;
  for (const key in snapshot.modes) if (snapshot.modes[key] === mode) return true;
  return false;
}

/**
 * The strategy, acting only on EVSEs whose mode allows its type (see MODE_STRATEGIES): its
 * decisions for other EVSEs are dropped; site-wide decisions (no evseKey) are kept. The inner
 * strategy still sees the whole snapshot and keeps its own state.
 */
export function restrictToModes<S>(type: StrategyType, strategy: Strategy<S>): Strategy<S> {
  return {
    name: strategy.name,
    initialState: () => strategy.initialState(),
    decide(snapshot, state) {
      const out = strategy.decide(snapshot, state);
      const byKey = new Map(snapshot.evses.map((e) => [e.key, e]));
      const decisions = out.decisions.filter((d) => {
        if (d.evseKey === undefined) return true;
        const evse = byKey.get(d.evseKey);
        return evse !== undefined && strategyActsIn(type, effectiveMode(snapshot, evse));
      });
      return { decisions, state: out.state };
    },
  };
}

/** Holds every EVSE in Idle at 0 A (source `mode:Idle`), whatever the other strategies say. */
export function idleModeStrategy(): Strategy<null> {
  return {
    name: 'operation-modes',
    initialState: () => null,
    decide(snapshot, state) {
      const decisions: Decision[] = [];
      if (!mayBeInMode(snapshot, 'Idle')) return { decisions, state };
      for (const evse of snapshot.evses) {
        if (effectiveMode(snapshot, evse) !== 'Idle') continue;
        decisions.push({ evseKey: evse.key, maxCurrentA: 0, source: IDLE_SOURCE, reason: 'operation mode Idle: not charging' });
      }
      return { decisions, state };
    },
  };
}
