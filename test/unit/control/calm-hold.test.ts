import { describe, expect, it } from 'vitest';
import { holdWhereFits } from '../../../src/control/hold-where-fits.js';
import { reserveRamps } from '../../../src/control/ramp-reserve.js';
import { decide, initialDecideStates } from '../../../src/control/decide.js';
import { buildCircuitTree, type CircuitBudget } from '../../../src/energy/allocation/index.js';
import type { CurrentLimit } from '../../../src/energy/limit.js';
import type { EvseLiveState } from '../../../src/energy/site-model.js';
import { aGridReading, anActive, anEvse, aRoot, aSnapshot, T0 } from './builders.js';

const evses = ['cs1/1', 'cs1/2', 'cs1/3'].map((k) => anEvse(k));
const tree = buildCircuitTree([aRoot()]);

/** The root with this much available per phase for EVs. */
function budget(availableA: number): CircuitBudget[] {
  const p = { limitA: 32, nonEvA: 0, availableA, allocatedA: 0 };
  return [{ circuitId: 'main', phases: { L1: p, L2: p, L3: p } }];
}

/** Active EVSEs holding these offers since long ago, each confirmed by a report at its offer. */
function holding(heldA: Record<string, number>): Record<string, EvseLiveState> {
  const live: Record<string, EvseLiveState> = {};
  for (const [key, a] of Object.entries(heldA)) live[key] = anActive(key, { offers: [{ fromMs: T0 - 600_000, limitA: a }], samples: [{ timeMs: T0 - 5_000, currentA: [a, a, a] }] });
  return live;
}

const share = (a: number): CurrentLimit => ({ maxCurrentA: a, source: 'fuse:main', reason: 'share' });

describe('decreases the site does not need are held', () => {
  it('keeps what an EVSE holds when everything still fits, even when every change is confirmed (earlier: only while reports were due)', () => {
    const out = holdWhereFits({ nowMs: T0, tree, evses, live: holding({ 'cs1/1': 10, 'cs1/2': 10 }), circuits: budget(26), limits: { 'cs1/1': share(9.5), 'cs1/2': share(9.5) }, followS: 30 });
    expect(out['cs1/1']).toMatchObject({ maxCurrentA: 10, source: 'hold' });
    expect(out['cs1/2']).toMatchObject({ maxCurrentA: 10, source: 'hold' });
  });

  it('never holds an EVSE whose sum a group limit caps: the circuit budgets do not see that limit (a held 16 A broke a CSMS site cap)', () => {
    const out = holdWhereFits({ nowMs: T0, tree, evses, live: holding({ 'cs1/1': 10, 'cs1/2': 10 }), circuits: budget(26), limits: { 'cs1/1': share(9.5), 'cs1/2': share(0) }, followS: 30, notHeld: new Set(['cs1/2']) });
    expect(out['cs1/1']).toMatchObject({ maxCurrentA: 10, source: 'hold' });
    expect(out['cs1/2']).toMatchObject({ maxCurrentA: 0, source: 'fuse:main' });
  });

  it('never holds above a cap of the CSMS, the operator or a strategy: such a decrease goes out at once (a CSMS 10 A waited 3.5 s at 12 A)', () => {
    const out = holdWhereFits({ nowMs: T0, tree, evses, live: holding({ 'cs1/1': 12, 'cs1/2': 12 }), circuits: budget(26), limits: { 'cs1/1': share(6), 'cs1/2': share(9.5) }, followS: 30, capsA: { 'cs1/1': 10 } });
    expect(out['cs1/1']?.maxCurrentA).toBe(10);
    expect(out['cs1/2']).toMatchObject({ maxCurrentA: 12, source: 'hold' });
  });

  it('releases as few holds as it takes, the one meant to come down most first (earlier: every hold on the circuit)', () => {
    const live = holding({ 'cs1/1': 12, 'cs1/2': 10, 'cs1/3': 10 });
    const out = holdWhereFits({ nowMs: T0, tree, evses, live, circuits: budget(28), limits: { 'cs1/1': share(6), 'cs1/2': share(9), 'cs1/3': share(9) }, followS: 30 });
    expect(out['cs1/1']).toMatchObject({ maxCurrentA: 6, source: 'fuse:main' });
    expect(out['cs1/2']).toMatchObject({ maxCurrentA: 10, source: 'hold' });
    expect(out['cs1/3']).toMatchObject({ maxCurrentA: 10, source: 'hold' });
  });

  it('gives way to a start, which also needs room for its first ramp', () => {
    const live = { ...holding({ 'cs1/1': 16, 'cs1/2': 10 }), 'cs1/3': anActive('cs1/3', { offers: [{ fromMs: T0 - 600_000, limitA: 0 }] }) };
    const out = holdWhereFits({ nowMs: T0, tree, evses, live, circuits: budget(31), limits: { 'cs1/1': share(10), 'cs1/2': share(10), 'cs1/3': share(6) }, followS: 30 });
    expect(out['cs1/1']).toMatchObject({ maxCurrentA: 10, source: 'fuse:main' });
    expect(out['cs1/3']?.maxCurrentA).toBe(6);
  });

  it('a decision does not claw back an increase it granted one second earlier (the observed cycle)', () => {
    // EV 1 was just raised from 10 to 16 A; EV 2 holds 10 A; the meter already shows EV 1's ramp
    // (22 A of EVs + 4 A building) while EV 1's last report still says 10 A.
    const evs = [anEvse('cs1/1'), anEvse('cs1/2')];
    const live = {
      'cs1/1': anActive('cs1/1', { offers: [{ fromMs: T0 - 600_000, limitA: 10 }, { fromMs: T0 - 8_000, limitA: 16 }], samples: [{ timeMs: T0 - 9_000, currentA: [10, 10, 10] }] }),
      'cs1/2': anActive('cs1/2', { offers: [{ fromMs: T0 - 600_000, limitA: 10 }], samples: [{ timeMs: T0 - 2_000, currentA: [10, 10, 10] }] }),
    };
    const snapshot = aSnapshot({ evses: evs, live, meters: { grid: aGridReading(4 + 16 + 10, T0) }, circuits: [aRoot({ maxCurrentA: { L1: 40, L2: 40, L3: 40 } })] });
    const result = decide(snapshot, initialDecideStates([]), { strategies: [], params: { marginA: 1 } });
    expect(result.limits['cs1/1']?.limit.maxCurrentA).toBe(16);
    expect(result.limits['cs1/2']?.limit.maxCurrentA).toBe(10);
  });
});

describe('a ramp is only kept room for while it is not reported', () => {
  it('an EV that reports drawing below its offer after its raise has no pending ramp: its next increase is not held back by it', () => {
    const evse = anEvse('cs1/1', { maxCurrentA: 32 });
    const live = { 'cs1/1': anActive('cs1/1', { offers: [{ fromMs: T0 - 600_000, limitA: 6 }, { fromMs: T0 - 300_000, limitA: 16 }], samples: [{ timeMs: T0 - 5_000, currentA: [8, 8, 8] }] }) };
    const out = reserveRamps({ nowMs: T0, tree, evses: [evse], live, circuits: budget(24), limits: { 'cs1/1': share(20) }, followS: 30 });
    // Earlier: 16 - 8 A kept for a ramp the report already ruled out, the increase staged at 16 A.
    expect(out['cs1/1']?.maxCurrentA).toBe(20);
  });
});
