import { describe, expect, it } from 'vitest';
import { Controller, type ControllerDeps, type DispatchSink } from '../../../src/control/controller.js';
import type { ControllabilityListener, EvseTarget } from '../../../src/control/dispatcher.js';
import type { AgedReading } from '../../../src/energy/meter-reading.js';
import type { Strategy } from '../../../src/energy/strategy.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { aGridReading, anActive, anEvse, aRoot } from './builders.js';

class FakeDispatcher implements DispatchSink {
  readonly applied: Record<string, EvseTarget>[] = [];
  readonly uncontrollable = new Set<string>();
  private listener: ControllabilityListener | undefined;
  apply(targets: Record<string, EvseTarget>): void {
    this.applied.push(targets);
  }
  isControllable(key: string): boolean {
    return !this.uncontrollable.has(key);
  }
  onControllabilityChange(listener: ControllabilityListener): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }
  reject(key: string): void {
    this.uncontrollable.add(key);
    this.listener?.(key, false);
  }
  last(): Record<string, EvseTarget> | undefined {
    return this.applied.at(-1);
  }
}

/** A controller on two active EVSEs under a 32 A root with a grid meter; `publish` is a new reading. */
function aController(overrides: Partial<ControllerDeps> = {}) {
  const clock = new FakeClock();
  const dispatcher = new FakeDispatcher();
  const meters: Record<string, AgedReading> = {};
  const publish = (currentA: number) => {
    meters.grid = aGridReading(currentA, clock.nowMs());
  };
  const controller = new Controller({
    clock,
    log: silentLogger(),
    site: {
      circuits: [aRoot()],
      evses: [anEvse('cs1/1'), anEvse('cs1/2')],
      meterRoles: { gridMeterId: 'grid' },
      worstCaseNonEvA: { main: { L1: 10, L2: 10, L3: 10 } },
    },
    strategies: [],
    snapshot: () => ({ meters, live: { 'cs1/1': anActive('cs1/1'), 'cs1/2': anActive('cs1/2') } }),
    dispatcher,
    failsafe: { staleAfterS: 5 },
    safetyTickS: 60,
    ...overrides,
  });
  return { clock, dispatcher, controller, publish };
}

describe('Controller', () => {
  it('makes one decision for many triggers within debounceMs', () => {
    const h = aController();
    h.publish(4);
    h.controller.start();
    h.clock.advanceMs(200);
    expect(h.controller.stats().decisions).toBe(1);
    for (let i = 0; i < 5; i++) {
      h.publish(4 + i);
      h.controller.trigger('meter:grid');
      h.clock.advanceMs(30);
    }
    h.clock.advanceMs(100);
    expect(h.controller.stats().decisions).toBe(2);
    expect(h.dispatcher.applied).toHaveLength(2);
  });

  it('decides within debounceMs of the first trigger even when triggers keep coming', () => {
    const h = aController();
    h.publish(4);
    h.controller.start();
    for (let i = 0; i < 10; i++) {
      h.controller.trigger('meter:grid');
      h.clock.advanceMs(50);
    }
    expect(h.controller.stats().decisions).toBe(2);
  });

  it('hands the limits and base shares to the dispatcher', () => {
    const h = aController();
    h.publish(4);
    h.controller.start();
    h.clock.advanceMs(200);
    expect(h.dispatcher.last()).toEqual({
      'cs1/1': { limitA: 13.5, baseA: 10.5, numberPhases: 3, minA: 6, voltageV: 230 },
      'cs1/2': { limitA: 13.5, baseA: 10.5, numberPhases: 3, minA: 6, voltageV: 230 },
    });
  });

  it('keeps the last decision with limits, binding sources, circuit budgets and reasons', () => {
    const h = aController();
    h.publish(4);
    h.controller.start();
    h.controller.trigger('evse:cs1/1 started');
    h.clock.advanceMs(200);
    const last = h.controller.lastDecision();
    expect(last?.reasons).toEqual(['start', 'evse:cs1/1 started']);
    expect(last?.evses['cs1/1']?.limit).toMatchObject({ maxCurrentA: 13.5, source: 'fuse:main' });
    expect(last?.circuits[0]?.phases.L1.availableA).toBe(27);
    expect(last?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('lowers the limits after a step in non-EV load', () => {
    const h = aController();
    h.publish(4);
    h.controller.start();
    h.clock.advanceMs(200);
    h.publish(14);
    h.controller.trigger('meter:grid');
    h.clock.advanceMs(200);
    expect(h.dispatcher.last()?.['cs1/1']?.limitA).toBe(8.5);
  });

  it('gives failsafe limits when the grid meter falls silent, at the instant its reading turns stale', () => {
    const h = aController();
    h.publish(4);
    h.controller.start();
    h.clock.advanceMs(5000);
    expect(h.controller.lastDecision()?.evses['cs1/1']?.limit.source).toBe('fuse:main');
    h.clock.advanceMs(1);
    const last = h.controller.lastDecision();
    expect(last?.reasons).toEqual(['meter:stale']);
    expect(last?.evses['cs1/1']?.limit).toMatchObject({ maxCurrentA: 10.5, source: 'failsafe' });
    expect(h.dispatcher.last()?.['cs1/1']?.limitA).toBe(10.5);
  });

  it('uses a meter’s own staleness threshold when given', () => {
    const h = aController({ failsafe: { staleAfterS: 5, staleAfterSByMeter: { grid: 2 } } });
    h.publish(4);
    h.controller.start();
    h.clock.advanceMs(2001);
    expect(h.controller.lastDecision()?.evses['cs1/1']?.limit.source).toBe('failsafe');
  });

  it('decides on the safety tick without any trigger', () => {
    const h = aController({ safetyTickS: 10, failsafe: { staleAfterS: 600 } });
    h.publish(4);
    h.controller.start();
    h.clock.advanceMs(200);
    h.clock.advanceMs(30_000);
    expect(h.controller.stats().decisions).toBe(4);
  });

  it('budgets an EVSE the dispatcher reports uncontrollable at its max', () => {
    const h = aController();
    h.publish(4);
    h.controller.start();
    h.clock.advanceMs(200);
    h.dispatcher.reject('cs1/1');
    h.clock.advanceMs(200);
    const last = h.controller.lastDecision();
    expect(last?.reasons).toEqual(['evse:uncontrollable cs1/1']);
    expect(last?.evses['cs1/1']?.status).toBe('uncontrollable');
    expect(last?.evses['cs1/2']?.limit.maxCurrentA).toBe(11);
  });

  it('runs the strategies in order with their state threaded', () => {
    const seen: number[] = [];
    const counter: Strategy<number> = {
      name: 'counter',
      initialState: () => 0,
      decide: (_s, n) => {
        seen.push(n);
        return { decisions: [{ evseKey: 'cs1/1', maxCurrentA: 7, source: 'strategy:counter', reason: 'r' }], state: n + 1 };
      },
    };
    const h = aController({ strategies: [{ strategy: counter }] });
    h.publish(4);
    h.controller.start();
    h.clock.advanceMs(200);
    h.controller.decideNow('api');
    expect(seen).toEqual([0, 1]);
    expect(h.controller.lastDecision()?.evses['cs1/1']?.limit.source).toBe('strategy:counter');
  });

  it('stops deciding when stopped', () => {
    const h = aController({ safetyTickS: 10 });
    h.publish(4);
    h.controller.start();
    h.clock.advanceMs(200);
    h.controller.stop();
    h.controller.trigger('meter:grid');
    h.clock.advanceMs(60_000);
    expect(h.controller.stats().decisions).toBe(1);
    expect(h.clock.pendingTimers).toBe(0);
  });
});
