import { describe, expect, it } from 'vitest';
import { decide, initialDecideStates, type DecideSetup } from '../../../src/control/decide.js';
import type { Decision, Strategy } from '../../../src/energy/strategy.js';
import { createSetpointStrategy } from '../../../strategies/setpoint/index.js';
import { aGridReading, anEvse, aSnapshot } from './builders.js';

const params = { marginA: 1 };

function deciding(name: string, decisions: Decision[]): Strategy<unknown> {
  return { name, initialState: () => undefined, decide: () => ({ decisions, state: undefined }) };
}

function run(strategies: Strategy<unknown>[], snapshot = aSnapshot({ evses: [anEvse('cs1/1', { bidirectional: true }), anEvse('cs1/2')] })) {
  const setup: DecideSetup = { strategies, params };
  return decide(snapshot, initialDecideStates(strategies), setup);
}

describe('decide with setpoints', () => {
  it('carries a discharge setpoint with the EVSE held at 0 A of charging', () => {
    const sp = deciding('sp', [{ evseKey: 'cs1/1', setpointW: -3000, dischargeLimitW: -5000, source: 'strategy:setpoint', reason: 'test' }]);
    const d = run([sp]).limits['cs1/1'];
    expect(d?.limit.maxCurrentA).toBe(0);
    expect(d).toMatchObject({ setpointW: -3000, dischargeLimitW: -5000, setpointMode: 'CentralSetpoint', setpointSource: 'strategy:setpoint' });
  });

  it('never lets a charging setpoint exceed the current the guard allows at the EVSE voltage and phases', () => {
    // The grid meter reads 20 A of building load: the fuse leaves far less than 11 kW for the EVSE.
    const sp = deciding('sp', [{ evseKey: 'cs1/1', setpointW: 11_000, source: 'strategy:setpoint', reason: 'test' }]);
    const d = run([sp], aSnapshot({ evses: [anEvse('cs1/1', { bidirectional: true }), anEvse('cs1/2')], meters: { grid: aGridReading(20) } })).limits['cs1/1'];
    const allowedW = (d?.limit.maxCurrentA ?? NaN) * 3 * 230;
    expect(allowedW).toBeLessThan(11_000);
    expect(d?.setpointW).toBeCloseTo(allowedW, 6);
    expect(d?.setpointReason).toMatch(/charging capped by/);
  });

  it('never discharges beyond the tightest discharge limit or the EVSE max power', () => {
    const sp = deciding('sp', [{ evseKey: 'cs1/1', setpointW: -50_000, source: 'strategy:setpoint', reason: 'test' }]);
    const der = deciding('der', [{ evseKey: 'cs1/1', dischargeLimitW: -2000, source: 'der:LimitMaxDischarge', reason: 'test' }]);
    expect(run([sp, der]).limits['cs1/1']).toMatchObject({ setpointW: -2000, dischargeLimitW: -2000 });
    expect(run([sp]).limits['cs1/1']).toMatchObject({ setpointW: -16 * 3 * 230, dischargeLimitW: -16 * 3 * 230 });
  });

  it('gives an EVSE that cannot discharge a setpoint of at least 0', () => {
    const sp = deciding('sp', [{ evseKey: 'cs1/2', setpointW: -3000, source: 'strategy:setpoint', reason: 'test' }]);
    expect(run([sp]).limits['cs1/2']).toMatchObject({ setpointW: 0, dischargeLimitW: 0, setpointReason: expect.stringMatching(/cannot discharge/) });
  });

  it('lets a later strategy refine the setpoint of an earlier one', () => {
    const first = deciding('a', [{ evseKey: 'cs1/1', setpointW: 2000, source: 'a', reason: 'a' }]);
    const second = deciding('b', [{ evseKey: 'cs1/1', setpointW: -1000, source: 'b', reason: 'b' }]);
    expect(run([first, second]).limits['cs1/1']).toMatchObject({ setpointW: -1000, setpointSource: 'b' });
  });

  it('sends ExternalSetpoint for an EVSE in ExternalSetpoint mode', () => {
    const snapshot = aSnapshot({
      evses: [anEvse('cs1/1', { bidirectional: true }), anEvse('cs1/2')],
      modes: { 'cs1/1': 'ExternalSetpoint' },
      setpoints: { evse: { 'cs1/1': { valueW: -3000, source: 'external:api' } } },
    });
    const d = run([createSetpointStrategy()], snapshot).limits['cs1/1'];
    expect(d).toMatchObject({ setpointW: -3000, setpointMode: 'ExternalSetpoint' });
  });

  it('gives no setpoint on failsafe or without a setpoint decision', () => {
    const sp = deciding('sp', [{ evseKey: 'cs1/1', setpointW: -3000, source: 'strategy:setpoint', reason: 'test' }]);
    const stale = aSnapshot({ evses: [anEvse('cs1/1', { bidirectional: true }), anEvse('cs1/2')], meters: { grid: aGridReading(4, 0, { ageS: 60, stale: true }) } });
    const result = run([sp], stale);
    expect(result.limits['cs1/1']?.limit.source).toBe('failsafe');
    expect(result.limits['cs1/1']?.setpointW).toBeUndefined();
    expect(run([]).limits['cs1/1']?.setpointW).toBeUndefined();
  });
});
