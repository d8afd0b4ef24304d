import { describe, expect, it } from 'vitest';
import { decide, initialDecideStates, type DecideSetup } from '../../../src/control/decide.js';
import type { Strategy } from '../../../src/energy/strategy.js';
import { aGridReading, anActive, aSnapshot, T0 } from './builders.js';

const params = { marginA: 1 };
const noStrategies: DecideSetup = { strategies: [], params };

function run(snapshot = aSnapshot(), setup: DecideSetup = noStrategies) {
  return decide(snapshot, initialDecideStates(setup.strategies), setup);
}

function capping(key: string, maxCurrentA: number, source: string): Strategy<unknown> {
  return {
    name: source,
    initialState: () => undefined,
    decide: () => ({ decisions: [{ evseKey: key, maxCurrentA, source, reason: 'test cap' }], state: undefined }),
  };
}

describe('decide', () => {
  it('shares what the circuit has left after the non-EV load fairly', () => {
    const result = run();
    expect(result.limits['cs1/1']?.limit.maxCurrentA).toBe(13.5);
    expect(result.limits['cs1/2']?.limit.maxCurrentA).toBe(13.5);
    expect(result.limits['cs1/1']?.limit.source).toBe('fuse:main');
  });

  it('lowers the limits when the non-EV load steps up', () => {
    const before = run(aSnapshot({ meters: { grid: aGridReading(4) } }));
    const after = run(aSnapshot({ meters: { grid: aGridReading(14) } }));
    expect(after.limits['cs1/1']?.limit.maxCurrentA).toBe(8.5);
    expect(after.limits['cs1/1']?.limit.maxCurrentA).toBeLessThan(before.limits['cs1/1']?.limit.maxCurrentA ?? 0);
  });

  it('gives failsafe limits (the base share) when the grid meter is stale', () => {
    const snapshot = aSnapshot({ meters: { grid: aGridReading(4, T0 - 60_000, { ageS: 60, stale: true }) } });
    const result = run(snapshot, { strategies: [], params: { marginA: 1, worstCaseNonEvA: { main: { L1: 10, L2: 10, L3: 10 } } } });
    for (const key of ['cs1/1', 'cs1/2']) {
      expect(result.limits[key]?.limit).toMatchObject({ maxCurrentA: 10.5, source: 'failsafe' });
    }
    expect(Object.keys(result.staleCircuits)).toEqual(['main']);
  });

  it('keeps an operator or CSMS cap on failsafe: the base share, never above the cap (a capped 10 A EVSE got 13 A)', () => {
    const snapshot = aSnapshot({
      meters: { grid: aGridReading(4, T0 - 60_000, { ageS: 60, stale: true }) },
      evseCaps: { 'cs1/1': [{ maxCurrentA: 7, source: 'operator', reason: 'max current' }] },
    });
    const result = run(snapshot, { strategies: [], params: { marginA: 1, worstCaseNonEvA: { main: { L1: 10, L2: 10, L3: 10 } } } });
    expect(result.limits['cs1/1']?.limit).toMatchObject({ maxCurrentA: 7, source: 'failsafe' });
    expect(result.limits['cs1/2']?.limit).toMatchObject({ maxCurrentA: 10.5, source: 'failsafe' });
  });

  it('puts an EVSE capped below its minimum on failsafe at 0 A', () => {
    const snapshot = aSnapshot({
      meters: { grid: aGridReading(4, T0 - 60_000, { ageS: 60, stale: true }) },
      evseCaps: { 'cs1/1': [{ maxCurrentA: 3, source: 'operator', reason: 'max current' }] },
    });
    expect(run(snapshot).limits['cs1/1']?.limit).toMatchObject({ maxCurrentA: 0, source: 'failsafe' });
  });

  it('gives failsafe limits when the grid meter has no reading at all', () => {
    const result = run(aSnapshot({ meters: {} }));
    expect(result.limits['cs1/1']?.limit.source).toBe('failsafe');
  });

  it('lets a strategy cap bind with its source and gives the freed current to the others', () => {
    const result = run(aSnapshot(), { strategies: [capping('cs1/1', 8, 'strategy:test')], params });
    expect(result.limits['cs1/1']?.limit).toMatchObject({ maxCurrentA: 8, source: 'strategy:test' });
    expect(result.limits['cs1/1']?.limits.map((l) => l.source)).toContain('strategy:test');
    expect(result.limits['cs1/2']?.limit).toMatchObject({ maxCurrentA: 16, source: 'evse:max' });
  });

  it('lets the tightest of several strategy caps bind', () => {
    const setup = { strategies: [capping('cs1/1', 10, 'strategy:a'), capping('cs1/1', 7, 'strategy:b')], params };
    expect(run(aSnapshot(), setup).limits['cs1/1']?.limit).toMatchObject({ maxCurrentA: 7, source: 'strategy:b' });
  });

  it('shows each strategy the caps of the strategies before it', () => {
    const seen: string[] = [];
    const spy: Strategy<unknown> = {
      name: 'spy',
      initialState: () => undefined,
      decide: (s) => {
        seen.push(...(s.evseCaps?.['cs1/1'] ?? []).map((c) => c.source));
        return { decisions: [], state: undefined };
      },
    };
    run(aSnapshot(), { strategies: [capping('cs1/1', 10, 'strategy:first'), spy], params });
    expect(seen).toEqual(['strategy:first']);
  });

  it('threads each strategy state from one decision to the next', () => {
    const counter: Strategy<number> = {
      name: 'counter',
      initialState: () => 0,
      decide: (_s, n) => ({ decisions: [], state: n + 1 }),
    };
    const setup = { strategies: [counter], params };
    const first = decide(aSnapshot(), initialDecideStates(setup.strategies), setup);
    const second = decide(aSnapshot(), first.states, setup);
    expect(second.states.strategies).toEqual([2]);
  });

  it('leaves out a strategy that throws, reports it and keeps its state', () => {
    const broken: Strategy<string> = {
      name: 'broken',
      initialState: () => 'kept',
      decide: () => {
        throw new Error('boom');
      },
    };
    const result = run(aSnapshot(), { strategies: [broken, capping('cs1/1', 9, 'strategy:ok')], params });
    expect(result.strategyErrors).toEqual([{ strategy: 'broken', message: 'boom' }]);
    expect(result.states.strategies[0]).toBe('kept');
    expect(result.limits['cs1/1']?.limit.source).toBe('strategy:ok');
  });

  it('caps an EVSE by the CSMS profile in force, with the profile as source', () => {
    const profile = {
      id: 7,
      stackLevel: 0,
      purpose: 'TxDefaultProfile' as const,
      kind: 'Absolute' as const,
      evseId: 1,
      schedules: [{ startScheduleMs: 0, rateUnit: 'A' as const, periods: [{ startPeriodS: 0, limit: 10 }] }],
    };
    const result = run(aSnapshot({ csmsProfiles: { cs1: [profile] } }));
    expect(result.limits['cs1/1']?.limit.maxCurrentA).toBe(10);
    expect(result.limits['cs1/1']?.limit.source).toMatch(/csms/);
    expect(result.limits['cs1/2']?.limit.maxCurrentA).toBe(16);
  });

  it('gives an inactive EVSE 0 A', () => {
    const result = run(aSnapshot({ live: { 'cs1/1': anActive('cs1/1'), 'cs1/2': anActive('cs1/2', { active: false }) } }));
    expect(result.limits['cs1/2']?.limit.maxCurrentA).toBe(0);
    expect(result.limits['cs1/1']?.limit.maxCurrentA).toBe(16);
  });

  it('budgets each circuit phase with what it allocated', () => {
    const main = run().circuits.find((c) => c.circuitId === 'main');
    expect(main?.phases.L1).toMatchObject({ limitA: 32, nonEvA: 4, availableA: 27, allocatedA: 27 });
  });

  it('reports a base share for every EVSE', () => {
    const result = run(aSnapshot(), { strategies: [], params: { marginA: 1, worstCaseNonEvA: { main: { L1: 10, L2: 10, L3: 10 } } } });
    expect(result.limits['cs1/1']?.baseShare.maxCurrentA).toBe(10.5);
  });
});
