import { describe, it, expect } from 'vitest';
import {
  effectiveMode, idleModeStrategy, MODE_STRATEGIES, OPERATION_MODES, restrictToModes, strategyActsIn,
} from '../../../src/control/operation-modes.js';
import { buildStrategies, strategyConfigSchema } from '../../../src/control/strategy-registry.js';
import { decide, initialDecideStates } from '../../../src/control/decide.js';
import type { ChargingProfile, OperationMode } from '../../../src/energy/charging-profile.js';
import type { Decision, SiteSnapshot, Strategy } from '../../../src/energy/strategy.js';
import { aRoot, anActive, anEvse, T0 } from './builders.js';

function snapshotWith(modes: Record<string, OperationMode>, extra: Partial<SiteSnapshot> = {}): SiteSnapshot {
  const keys = Object.keys(modes);
  return {
    nowMs: T0,
    circuits: [aRoot({ meterId: undefined })],
    evses: keys.map((k) => anEvse(k)),
    live: Object.fromEntries(keys.map((k) => [k, anActive(k)])),
    meters: {},
    meterRoles: {},
    modes,
    csmsProfiles: {},
    ...extra,
  };
}

/** A strategy that caps every EVSE at 7 A. */
const sevenAmps: Strategy<null> = {
  name: 'seven',
  initialState: () => null,
  decide: (s, state) => ({ decisions: s.evses.map((e): Decision => ({ evseKey: e.key, maxCurrentA: 7, source: 'strategy:seven', reason: 'test' })), state }),
};

describe('the operation-mode table', () => {
  it('names the strategies that act in each mode', () => {
    expect(MODE_STRATEGIES).toEqual({
      ChargingOnly: ['load-balancing', 'solar-surplus'],
      LocalLoadBalancing: ['load-balancing', 'solar-surplus'],
      ExternalLimits: ['load-balancing'],
      CentralSetpoint: ['setpoint'],
      ExternalSetpoint: ['setpoint'],
      CentralFrequency: ['frequency-droop'],
      LocalFrequency: ['frequency-droop'],
      Idle: [],
    });
  });

  it('covers every OCPP 2.1 operation mode', () => {
    expect(Object.keys(MODE_STRATEGIES).sort()).toEqual([...OPERATION_MODES].sort());
  });

  it('lets no strategy act on an Idle EVSE and only the frequency response on a LocalFrequency one', () => {
    expect(['load-balancing', 'solar-surplus', 'setpoint', 'frequency-droop'].filter((t) => strategyActsIn(t as 'setpoint', 'Idle'))).toEqual([]);
    expect(strategyActsIn('frequency-droop', 'LocalFrequency')).toBe(true);
    expect(strategyActsIn('solar-surplus', 'LocalFrequency')).toBe(false);
  });
});

describe('modes applied to strategies', () => {
  it('drop a strategy decision for an EVSE whose mode does not allow the strategy', () => {
    const solar = restrictToModes('solar-surplus', sevenAmps);
    const out = solar.decide(snapshotWith({ 'A/1': 'ChargingOnly', 'B/1': 'ExternalSetpoint' }), null);
    expect(out.decisions.map((d) => d.evseKey)).toEqual(['A/1']);
  });

  it('take the mode from the CSMS period in force over the configured one', () => {
    const profile: ChargingProfile = {
      id: 7, stackLevel: 0, purpose: 'TxDefaultProfile', kind: 'Absolute', evseId: 1,
      schedules: [{ id: 1, rateUnit: 'W', startScheduleMs: T0 - 1000, periods: [{ startPeriodS: 0, limit: 5000, operationMode: 'CentralSetpoint' }] }],
    };
    const s = snapshotWith({ 'A/1': 'ChargingOnly' }, { csmsProfiles: { A: [profile] } });
    expect(effectiveMode(s, anEvse('A/1'))).toBe('CentralSetpoint');
    expect(restrictToModes('solar-surplus', sevenAmps).decide(s, null).decisions).toEqual([]);
  });

  it('default to LocalLoadBalancing for an EVSE without a mode', () => {
    expect(effectiveMode(snapshotWith({}), anEvse('A/1'))).toBe('LocalLoadBalancing');
  });

  it('hold an Idle EVSE at 0 A with source mode:Idle', () => {
    const out = idleModeStrategy().decide(snapshotWith({ 'A/1': 'Idle', 'B/1': 'ChargingOnly' }), null);
    expect(out.decisions).toEqual([expect.objectContaining({ evseKey: 'A/1', maxCurrentA: 0, source: 'mode:Idle' })]);
  });

  it('give an Idle EVSE 0 A in a full decision while the others share the circuit', () => {
    const strategies = buildStrategies([strategyConfigSchema.parse({ type: 'load-balancing' })], { marginA: 1, rotationPeriodS: 900, nominalVoltageV: 230 });
    const s = snapshotWith({ 'A/1': 'Idle', 'B/1': 'LocalLoadBalancing' });
    const r = decide(s, initialDecideStates(strategies), { strategies, params: { marginA: 1, worstCaseNonEvA: { main: { L1: 0, L2: 0, L3: 0 } } } });
    expect(r.limits['A/1']?.limit).toMatchObject({ maxCurrentA: 0, source: 'mode:Idle' });
    expect(r.limits['B/1']?.limit.maxCurrentA).toBe(16);
  });
});
