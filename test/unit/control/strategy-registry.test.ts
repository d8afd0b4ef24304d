import { describe, it, expect } from 'vitest';
import { ConfigError, parseSiteConfig } from '../../../src/config/load.js';
import { buildStrategies, createStrategy, strategyConfigSchema } from '../../../src/control/strategy-registry.js';
import { decide, initialDecideStates } from '../../../src/control/decide.js';
import type { SiteSnapshot } from '../../../src/energy/strategy.js';
import { aRoot, anActive, anEvse, T0 } from './builders.js';

const BASE = `
meters:
  - { id: grid, role: grid, readings: [{ quantity: powerW, topic: t/grid }] }
stations:
  - { id: HOME, securityProfile: 0, evses: [{ id: 1 }] }
`;

function problemsOf(yaml: string): Array<{ path: string; message: string }> {
  try {
    parseSiteConfig(yaml, 'site.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const CTX = { marginA: 1, rotationPeriodS: 900, nominalVoltageV: 230 };

describe('the strategies block of a site config', () => {
  it('accepts a home-solar block and fills in the defaults', () => {
    const cfg = parseSiteConfig(`${BASE}strategies: [{ type: solar-surplus, defaultMode: pv }]\n`, 'site.yaml');
    expect(cfg.strategies[0]).toMatchObject({ type: 'solar-surplus', defaultMode: 'pv', enableDelayS: 60, disableDelayS: 180 });
  });

  it('names the field path of a bad parameter', () => {
    const problems = problemsOf(`${BASE}strategies: [{ type: load-balancing }, { type: solar-surplus, disableDelayS: -5 }]\n`);
    expect(problems.map((p) => p.path)).toEqual(['strategies[1].disableDelayS']);
  });

  it('names the type field of an unknown strategy type', () => {
    const problems = problemsOf(`${BASE}strategies: [{ type: solar-surpluss }]\n`);
    expect(problems.map((p) => p.path)).toEqual(['strategies[0].type']);
  });

  it('rejects a parameter that belongs to another strategy type', () => {
    const problems = problemsOf(`${BASE}strategies: [{ type: setpoint, droopPct: 5 }]\n`);
    expect(problems[0]?.path).toBe('strategies[0]');
    expect(problems[0]?.message).toMatch(/droopPct/);
  });

  it('rejects a frequency-watt curve whose power falls as frequency rises, at the curve', () => {
    const curve = '[{ frequencyHz: 49.8, powerW: 5000 }, { frequencyHz: 50.2, powerW: -5000 }]';
    const problems = problemsOf(`${BASE}strategies: [{ type: frequency-droop, curve: ${curve} }]\n`);
    expect(problems.map((p) => p.path)).toEqual(['strategies[0].curve']);
    expect(problems[0]?.message).toMatch(/must not decrease/);
  });

  it('rejects an EVSE key that the config does not define', () => {
    const problems = problemsOf(`${BASE}strategies: [{ type: solar-surplus, modes: { HOME/2: now } }]\n`);
    expect(problems.map((p) => p.path)).toEqual(['strategies[0].modes.HOME/2']);
    expect(problems[0]?.message).toMatch(/HOME\/1/);
  });

  it('rejects solar-surplus on a site without a grid meter', () => {
    const problems = problemsOf(`stations: [{ id: HOME, securityProfile: 0 }]\nstrategies: [{ type: solar-surplus }]\n`);
    expect(problems.map((p) => p.path)).toEqual(['strategies[0].type']);
  });

  it('rejects an unknown operation mode on an EVSE at its field', () => {
    const problems = problemsOf(`stations: [{ id: HOME, securityProfile: 0, evses: [{ id: 1, mode: Charging }] }]\n`);
    expect(problems.map((p) => p.path)).toEqual(['stations[0].evses[0].mode']);
  });
});

describe('the strategy registry', () => {
  it('builds one strategy per entry after the Idle hold, in order', () => {
    const configs = [
      strategyConfigSchema.parse({ type: 'load-balancing' }),
      strategyConfigSchema.parse({ type: 'solar-surplus' }),
      strategyConfigSchema.parse({ type: 'setpoint', siteSetpointW: 3000 }),
      strategyConfigSchema.parse({ type: 'frequency-droop' }),
    ];
    expect(buildStrategies(configs, CTX).map((s) => s.name)).toEqual(['operation-modes', 'load-balancing', 'solar-surplus', 'setpoint', 'frequency-droop']);
  });

  it('passes typed parameters to the factory: solar-surplus in min+pv keeps the car at its minimum without surplus', () => {
    const solar = createStrategy(strategyConfigSchema.parse({ type: 'solar-surplus', defaultMode: 'min+pv' }), CTX);
    const snapshot: SiteSnapshot = {
      nowMs: T0,
      circuits: [aRoot()],
      evses: [anEvse('HOME/1')],
      live: { 'HOME/1': anActive('HOME/1') },
      meters: { grid: { meterId: 'grid', timeMs: T0, powerW: 500, ageS: 0, stale: false } },
      meterRoles: { gridMeterId: 'grid' },
      modes: {},
      csmsProfiles: {},
    };
    const out = solar.decide(snapshot, solar.initialState());
    expect(out.decisions).toEqual([expect.objectContaining({ evseKey: 'HOME/1', maxCurrentA: 6, source: 'strategy:solar-surplus' })]);
  });

  it('gives a setpoint strategy from config its static site setpoint, acting only on EVSEs in a setpoint mode', () => {
    const strategies = buildStrategies([strategyConfigSchema.parse({ type: 'setpoint', siteSetpointW: 5520 })], CTX);
    const snapshot: SiteSnapshot = {
      nowMs: T0,
      circuits: [aRoot({ meterId: undefined })],
      evses: [anEvse('A/1'), anEvse('B/1')],
      live: { 'A/1': anActive('A/1'), 'B/1': anActive('B/1') },
      meters: {},
      meterRoles: {},
      modes: { 'A/1': 'ExternalSetpoint', 'B/1': 'ChargingOnly' },
      csmsProfiles: {},
    };
    const r = decide(snapshot, initialDecideStates(strategies), { strategies, params: { marginA: 1, worstCaseNonEvA: { main: { L1: 0, L2: 0, L3: 0 } } } });
    expect(r.limits['A/1']?.limit).toMatchObject({ maxCurrentA: 8, source: 'strategy:setpoint' }); // 5520 W / 690 W per A
    expect(r.limits['B/1']?.limits.some((l) => l.source === 'strategy:setpoint')).toBe(false);
  });
});
