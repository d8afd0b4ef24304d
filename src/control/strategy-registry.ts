/**
 * The `strategies` block of a site config and the factories that turn it into Strategy
 * instances. Each entry picks a factory by its `type`; its parameters are validated per type
 * (a zod discriminated union), so a bad value is reported with its field path, e.g.
 * `strategies[1].disableDelayS`. References to EVSEs and meters are checked against the rest of
 * the config by checkStrategyRefs.
 */
import { z } from 'zod';
import type { PerPhase } from '../energy/phases.js';
import type { Strategy } from '../energy/strategy.js';
import { createSolarSurplusStrategy } from '../../strategies/solar-surplus/index.js';
import { createSetpointStrategy } from '../../strategies/setpoint/index.js';
import { checkFreqWattCurve, createFrequencyDroopStrategy } from '../../strategies/frequency-droop/index.js';
import { loadBalancing } from '../../strategies/load-balancing/index.js';
import type { NonEvEstimator } from '../../strategies/load-balancing/site-load.js';
import { idleModeStrategy, restrictToModes, type StrategyType } from './operation-modes.js';

const evseKey = z.string().regex(/^[A-Za-z0-9._:-]+\/\d+$/, 'an EVSE key <stationId>/<evseId>, e.g. HOME/1');
const solarMode = z.enum(['off', 'now', 'min+pv', 'pv']);

const loadBalancingConfig = z.strictObject({
  type: z.literal('load-balancing'),
  /** Current kept free on every circuit and phase, A (default: energy.marginA). */
  marginA: z.number().min(0).optional(),
  /** How long an EVSE keeps its turn when not all minimums fit, s (default: energy.rotationPeriodS). */
  rotationPeriodS: z.number().positive().optional(),
  /** An EV drawing clearly less than offered is capped at measured + this, A. */
  drawHeadroomA: z.number().min(0).optional(),
  /** Ramp-up time after a raised offer before under-draw counts, s. */
  drawSettleS: z.number().min(0).optional(),
});

const solarSurplusConfig = z.strictObject({
  type: z.literal('solar-surplus'),
  /** Solar mode of EVSEs not listed in `modes`. */
  defaultMode: solarMode.default('pv'),
  /** Solar mode per EVSE key. */
  modes: z.record(evseKey, solarMode).default({}),
  enableDelayS: z.number().min(0).default(60),
  disableDelayS: z.number().min(0).default(180),
  enableThresholdW: z.number().min(0).default(0),
  disableThresholdW: z.number().min(0).default(200),
  phaseSwitchDelayS: z.number().min(0).default(120),
  /** Three-phase EVSEs that can switch to one phase. */
  phaseSwitchingEvses: z.array(evseKey).default([]),
  /** While the home battery's SoC is below this, it gets PV first (0 = never), %. */
  batteryPrioritySocPct: z.number().min(0).max(100).default(0),
  batteryReserveW: z.number().min(0).default(0),
});

const setpointConfig = z.strictObject({
  type: z.literal('setpoint'),
  /** Static site setpoint, W (positive charges, negative discharges); a live one wins. */
  siteSetpointW: z.number().optional(),
  /** Static setpoint per EVSE key; a live one wins. */
  evseSetpoints: z
    .record(evseKey, z.strictObject({ valueW: z.number(), dischargeLimitW: z.number().max(0).optional() }))
    .default({}),
});

const frequencyDroopConfig = z
  .strictObject({
    type: z.literal('frequency-droop'),
    /** Meter whose frequencyHz is used (default: the grid meter). */
    frequencyMeter: z.string().min(1).optional(),
    nominalHz: z.number().positive().default(50),
    deadBandHz: z.number().min(0).default(0.02),
    droopPct: z.number().positive().default(5),
    /** Power with no frequency response, W (positive charges). */
    baselineW: z.number().default(0),
    /** Frequency-watt curve added to the baseline; power must not fall as frequency rises. */
    curve: z.array(z.strictObject({ frequencyHz: z.number().positive(), powerW: z.number() })).min(1).optional(),
    /** Time to cover 90 % of a step, s. */
    responseTimeS: z.number().min(0).default(10),
  })
  .superRefine((c, ctx) => {
    if (!c.curve) return;
    const problem = checkFreqWattCurve(c.curve.map((p) => ({ frequency: p.frequencyHz, power: p.powerW })));
    if (problem) ctx.addIssue({ code: 'custom', path: ['curve'], message: problem });
  });

export const strategyConfigSchema = z.discriminatedUnion('type', [
  loadBalancingConfig,
  solarSurplusConfig,
  setpointConfig,
  frequencyDroopConfig,
]);

/** The `strategies` block: run in this order, each capped by the ones before it. */
export const strategiesConfigSchema = z.array(strategyConfigSchema);

export type StrategyConfig = z.infer<typeof strategyConfigSchema>;

/** What the factories need from the rest of the site config. */
export interface RegistryContext {
  /** energy.marginA and energy.rotationPeriodS: load-balancing defaults. */
  marginA: number;
  rotationPeriodS: number;
  nominalVoltageV: number;
  worstCaseNonEvA?: Record<string, Partial<PerPhase>>;
  /** energy.nonEvEstimator and energy.settleS: load-balancing's non-EV load, solar-surplus's hold after a change. */
  nonEvEstimator?: NonEvEstimator;
  followS?: number;
}

/** One configured strategy as a Strategy instance with typed parameters (no mode filter). */
export function createStrategy(config: StrategyConfig, ctx: RegistryContext): Strategy<unknown> {
  switch (config.type) {
    case 'load-balancing':
      return loadBalancing({
        marginA: config.marginA ?? ctx.marginA,
        rotationPeriodS: config.rotationPeriodS ?? ctx.rotationPeriodS,
        nominalVoltageV: ctx.nominalVoltageV,
        ...(config.drawHeadroomA !== undefined ? { drawHeadroomA: config.drawHeadroomA } : {}),
        ...(config.drawSettleS !== undefined ? { drawSettleS: config.drawSettleS } : {}),
        ...(ctx.worstCaseNonEvA ? { worstCaseNonEvA: ctx.worstCaseNonEvA } : {}),
        ...(ctx.nonEvEstimator ? { nonEvEstimator: ctx.nonEvEstimator } : {}),
        ...(ctx.followS !== undefined ? { followS: ctx.followS } : {}),
      });
    case 'solar-surplus': {
      const { type: _type, phaseSwitchingEvses, ...rest } = config;
      return createSolarSurplusStrategy({
        ...rest,
        phaseSwitchingEvseKeys: phaseSwitchingEvses,
        ...(ctx.followS !== undefined ? { settleS: ctx.followS } : {}),
      });
    }
    case 'setpoint':
      return createSetpointStrategy({
        evseSetpoints: config.evseSetpoints,
        ...(config.siteSetpointW !== undefined ? { siteSetpointW: config.siteSetpointW } : {}),
      });
    case 'frequency-droop': {
      const { type: _type, frequencyMeter, curve, ...rest } = config;
      return createFrequencyDroopStrategy({
        ...rest,
        ...(frequencyMeter !== undefined ? { frequencyMeterId: frequencyMeter } : {}),
        ...(curve ? { curve: curve.map((p) => ({ frequency: p.frequencyHz, power: p.powerW })) } : {}),
      });
    }
  }
}

/**
 * The controller's strategies for a config: first the Idle hold (EVSEs in Idle get 0 A), then
 * each configured strategy in order, acting only on EVSEs whose operation mode allows its type.
 */
export function buildStrategies(configs: readonly StrategyConfig[], ctx: RegistryContext): Strategy<unknown>[] {
  const out: Strategy<unknown>[] = [idleModeStrategy()];
  for (const c of configs) out.push(restrictToModes(c.type satisfies StrategyType, createStrategy(c, ctx)));
  return out;
}

/** The parts of a site config that strategy parameters refer to. */
export interface StrategyRefsInput {
  stations: ReadonlyArray<{ id: string; evses: ReadonlyArray<{ id: number; phases: 1 | 3 }> }>;
  meters: ReadonlyArray<{ id: string; role?: string }>;
  strategies: readonly StrategyConfig[];
}

export interface RefProblem {
  path: (string | number)[];
  message: string;
}

/** EVSE keys and meter ids named by strategies that the config does not define. */
export function checkStrategyRefs(cfg: StrategyRefsInput): RefProblem[] {
  const evses = new Map<string, 1 | 3>();
  for (const s of cfg.stations) for (const e of s.evses) evses.set(`${s.id}/${e.id}`, e.phases);
  const meterIds = new Set(cfg.meters.map((m) => m.id));
  const known = [...evses.keys()].join(', ') || 'none configured';
  const problems: RefProblem[] = [];
  const checkKey = (key: string, path: (string | number)[]): void => {
    if (!evses.has(key)) problems.push({ path, message: `expected a configured EVSE key (${known}), found "${key}"` });
  };
  cfg.strategies.forEach((s, i) => {
    const at = (...rest: (string | number)[]): (string | number)[] => ['strategies', i, ...rest];
    if (s.type === 'solar-surplus') {
      for (const key of Object.keys(s.modes)) checkKey(key, at('modes', key));
      s.phaseSwitchingEvses.forEach((key, j) => {
        checkKey(key, at('phaseSwitchingEvses', j));
        if (evses.get(key) === 1) problems.push({ path: at('phaseSwitchingEvses', j), message: `expected a three-phase EVSE, "${key}" has one phase` });
      });
      if (!cfg.meters.some((m) => m.role === 'grid')) {
        problems.push({ path: at('type'), message: 'solar-surplus needs a meter with role: grid' });
      }
    }
    if (s.type === 'setpoint') for (const key of Object.keys(s.evseSetpoints)) checkKey(key, at('evseSetpoints', key));
    if (s.type === 'frequency-droop') {
      if (s.frequencyMeter !== undefined && !meterIds.has(s.frequencyMeter)) {
        problems.push({ path: at('frequencyMeter'), message: `expected a configured meter id, found "${s.frequencyMeter}"` });
      }
      if (s.frequencyMeter === undefined && !cfg.meters.some((m) => m.role === 'grid')) {
        problems.push({ path: at('frequencyMeter'), message: 'expected a meter id (there is no meter with role: grid to default to)' });
      }
    }
  });
  return problems;
}
