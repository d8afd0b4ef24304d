import { describe, expect, it } from 'vitest';
import { perPhase } from '../../../src/energy/phases.js';
import type { EvseModel } from '../../../src/energy/site-model.js';
import { allocate, baseShare, initialRotationState, type AllocationResult } from '../../../src/energy/allocation/index.js';
import { aCircuit, anEvse, anInput, liveOf } from './allocation-builders.js';
import { circuitViolations } from './allocation-invariants.js';

function currents(r: AllocationResult): Record<string, number> {
  return Object.fromEntries(r.allocations.map((a) => [a.evseKey, a.currentA]));
}

describe('allocate', () => {
  it('lists every limit that applied and names the binding one', () => {
    const evses = [anEvse({ key: 'a/1' })];
    const r = allocate(
      anInput({ circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(20) })], evses, caps: { 'a/1': [{ maxCurrentA: 25, source: 'csms:profile 7' }] } }),
      initialRotationState(),
    );
    const a = r.allocations[0];
    expect(a?.limits.map((l) => l.source)).toEqual(['evse:max', 'csms:profile 7', 'fuse:main']);
    expect(a?.binding).toMatchObject({ maxCurrentA: 20, source: 'fuse:main' });
  });

  it('rounds shares down to 0.1 A steps', () => {
    const evses = [anEvse({ key: 'a/1' }), anEvse({ key: 'b/1' }), anEvse({ key: 'c/1' })];
    const r = allocate(anInput({ circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(50) })], evses }), initialRotationState());
    expect(currents(r)).toEqual({ 'a/1': 16.6, 'b/1': 16.6, 'c/1': 16.6 });
  });

  it('does not rotate before the period has passed', () => {
    const evses = ['a/1', 'b/1', 'c/1'].map((key) => anEvse({ key }));
    const input = anInput({ circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(12) })], evses, rotationPeriodS: 900 });
    const first = allocate(input, initialRotationState());
    const later = allocate({ ...input, nowMs: 899_000 }, first.state);
    expect(currents(later)).toEqual(currents(first));
  });

  it('lets a newcomer wait for a turn rather than pause a running EVSE at once', () => {
    const evses = ['a/1', 'b/1', 'new/1'].map((key) => anEvse({ key }));
    const circuits = [aCircuit({ id: 'main', maxCurrentA: perPhase(12) })];
    const first = allocate(anInput({ circuits, evses, live: liveOf(evses, { 'new/1': { active: false } }) }), initialRotationState());
    const next = allocate(anInput({ circuits, evses, nowMs: 10_000 }), first.state);
    expect(currents(next)).toEqual({ 'a/1': 6, 'b/1': 6, 'new/1': 0 });
    expect(next.allocations[2]?.binding.source).toBe('paused:rotation');
  });

  it('waits for the EV to ramp up before capping it at what it draws', () => {
    const evses = [anEvse({ key: 'a/1' }), anEvse({ key: 'b/1' })];
    const circuits = [aCircuit({ id: 'main', maxCurrentA: perPhase(40) })];
    const first = allocate(anInput({ circuits, evses }), initialRotationState());
    const live = liveOf(evses, { 'a/1': { measuredCurrentA: [2, 2, 2] } });
    const early = allocate(anInput({ circuits, evses, live, nowMs: 10_000, drawSettleS: 30 }), first.state);
    const late = allocate(anInput({ circuits, evses, live, nowMs: 40_000, drawSettleS: 30 }), early.state);
    expect(currents(early)['a/1']).toBe(20);
    expect(late.allocations[0]?.binding.source).toBe('ev:draw');
    expect(currents(late)).toEqual({ 'a/1': 6, 'b/1': 32 });
  });

  it('gives an EV capped at its draw its share back once it draws what it is offered', () => {
    const evses = [anEvse({ key: 'a/1' }), anEvse({ key: 'b/1' })];
    const circuits = [aCircuit({ id: 'main', maxCurrentA: perPhase(40) })];
    let state = allocate(anInput({ circuits, evses }), initialRotationState()).state;
    state = allocate(anInput({ circuits, evses, nowMs: 60_000, live: liveOf(evses, { 'a/1': { measuredCurrentA: [8, 8, 8] } }) }), state).state;
    const back = allocate(anInput({ circuits, evses, nowMs: 61_000, live: liveOf(evses, { 'a/1': { measuredCurrentA: [10, 10, 10] } }) }), state);
    expect(currents(back)).toEqual({ 'a/1': 20, 'b/1': 20 });
  });

  it('pauses an EVSE on an unknown circuit and says why', () => {
    const evses = [anEvse({ key: 'a/1', circuitId: 'nowhere' })];
    const r = allocate(anInput({ circuits: [aCircuit({ id: 'main' })], evses }), initialRotationState());
    expect(r.allocations[0]).toMatchObject({ currentA: 0, status: 'paused', binding: { source: 'config:circuit' } });
  });

  it('holds a fixed EVSE at its given current and shares the rest', () => {
    const evses = [anEvse({ key: 'a/1' }), anEvse({ key: 'b/1' })];
    const r = allocate(
      anInput({ circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(40) })], evses, fixed: { 'a/1': { maxCurrentA: 10, source: 'failsafe' } } }),
      initialRotationState(),
    );
    expect(r.allocations[0]).toMatchObject({ currentA: 10, status: 'fixed', binding: { source: 'failsafe' } });
    expect(currents(r)['b/1']).toBe(30);
  });

  it('limits a DC EVSE by its power', () => {
    const evses = [anEvse({ key: 'dc/1', maxCurrentA: 200, maxPowerW: 13_800 })];
    const r = allocate(anInput({ circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(400) })], evses }), initialRotationState());
    expect(r.allocations[0]).toMatchObject({ currentA: 20, binding: { source: 'evse:maxPower' } });
  });

  it('treats non-EV production as no extra headroom', () => {
    const evses = [anEvse({ key: 'a/1' })];
    const r = allocate(anInput({ circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(20) })], evses, nonEvLoadA: { main: perPhase(-30) } }), initialRotationState());
    expect(currents(r)['a/1']).toBe(20);
  });

  it('counts the children of an unmetered circuit as its non-EV load', () => {
    const circuits = [aCircuit({ id: 'main', maxCurrentA: perPhase(50) }), aCircuit({ id: 'hvac', parentId: 'main', maxCurrentA: perPhase(40) })];
    const evses = [anEvse({ key: 'a/1', circuitId: 'main' })];
    const r = allocate(anInput({ circuits, evses, nonEvLoadA: { hvac: perPhase(30) } }), initialRotationState());
    expect(currents(r)['a/1']).toBe(20);
    expect(r.circuits.find((c) => c.circuitId === 'main')?.phases.L1.nonEvA).toBe(30);
  });

  it('shares a W3-sized garage without overloading any circuit', () => {
    const subs = ['s1', 's2', 's3', 's4'];
    const circuits = [aCircuit({ id: 'main', maxCurrentA: perPhase(400) }), ...subs.map((id) => aCircuit({ id, parentId: 'main', maxCurrentA: perPhase(125) }))];
    const rotations: EvseModel['phaseRotation'][] = [['L1', 'L2', 'L3'], ['L2', 'L3', 'L1'], ['L3', 'L1', 'L2'], ['L1'], ['L2'], ['L3']];
    const evses = Array.from({ length: 200 }, (_, i) =>
      anEvse({ key: `cs${i}/1`, circuitId: subs[i % 4] as string, phaseRotation: rotations[i % rotations.length], maxCurrentA: 16 + (i % 3) * 8 }),
    );
    const input = anInput({ circuits, evses, nonEvLoadA: { main: perPhase(60), s1: { L1: 20 } }, marginA: 2 });
    const r = allocate(input, initialRotationState());
    const chosenA = currents(r);
    expect(circuitViolations({ ...input, siteLimitW: undefined, chosenA, imposedA: {} })).toEqual([]);
    const main = r.circuits.find((c) => c.circuitId === 'main');
    // Enough EVs to fill the main fuse: every phase is used to within a few amps.
    for (const p of ['L1', 'L2', 'L3'] as const) expect(main?.phases[p].allocatedA).toBeGreaterThan((main?.phases[p].availableA ?? 0) - 6);
  });
});

describe('baseShare', () => {
  it('shares the limit minus the configured worst-case non-EV load', () => {
    const evses = [anEvse({ key: 'a/1' }), anEvse({ key: 'b/1' })];
    const shares = baseShare({ circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(63) })], evses, worstCaseNonEvA: { main: perPhase(23) }, marginA: 0 });
    expect(shares['a/1']?.maxCurrentA).toBe(20);
    expect(shares['b/1']?.maxCurrentA).toBe(20);
  });

  it('gives 0 when the worst case at the root is unknown', () => {
    const evses = [anEvse({ key: 'a/1' })];
    const shares = baseShare({ circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(63) })], evses, marginA: 0 });
    expect(shares['a/1']?.maxCurrentA).toBe(0);
  });

  it('lets a sub-circuit without an entry inherit its parent worst case', () => {
    const circuits = [aCircuit({ id: 'main', maxCurrentA: perPhase(100) }), aCircuit({ id: 'garage', parentId: 'main', maxCurrentA: perPhase(32) })];
    const evses = [anEvse({ key: 'a/1', circuitId: 'garage' })];
    const shares = baseShare({ circuits, evses, worstCaseNonEvA: { main: perPhase(20) }, marginA: 0 });
    expect(shares['a/1']?.maxCurrentA).toBe(12);
  });

  it('counts every EVSE, charging or not, and gives 0 rather than less than the minimum', () => {
    const evses = ['a/1', 'b/1', 'c/1'].map((key) => anEvse({ key }));
    const shares = baseShare({ circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(16) })], evses, worstCaseNonEvA: { main: perPhase(0) }, marginA: 0 });
    expect(['a/1', 'b/1', 'c/1'].map((k) => shares[k]?.maxCurrentA)).toEqual([8, 8, 0]);
  });
});
