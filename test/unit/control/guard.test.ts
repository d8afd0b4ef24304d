import { describe, expect, it } from 'vitest';
import { guard, type GuardInput } from '../../../src/control/guard.js';
import { perPhase } from '../../../src/energy/phases.js';
import { aCircuit, anEvse, liveOf } from '../energy/allocation-builders.js';

function aGuardInput(overrides: Partial<GuardInput> = {}): GuardInput {
  const evses = overrides.evses ?? [anEvse({ key: 'a/1' }), anEvse({ key: 'b/1' })];
  return {
    circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(40) })],
    evses,
    live: liveOf(evses),
    nonEvLoadA: {},
    marginA: 0,
    proposed: {},
    baseShares: {},
    ...overrides,
  };
}

describe('guard', () => {
  it('passes proposals that respect every invariant unchanged, with their sources', () => {
    const proposed = { 'a/1': { maxCurrentA: 16, source: 'strategy:solar-surplus' }, 'b/1': { maxCurrentA: 20, source: 'circuit:main' } };
    const out = guard(aGuardInput({ proposed }));
    expect(out.limits).toEqual(proposed);
    expect(out.violations).toEqual([]);
  });

  it('cuts a proposal above the EVSE max down to the max', () => {
    const out = guard(aGuardInput({ proposed: { 'a/1': { maxCurrentA: 50, source: 'strategy:x' }, 'b/1': { maxCurrentA: 0, source: 'strategy:x' } } }));
    expect(out.limits['a/1']).toMatchObject({ maxCurrentA: 32, source: 'evse:max' });
    expect(out.violations.some((v) => v.startsWith('max:a/1'))).toBe(true);
  });

  it('scales proposals down proportionally when a circuit phase would be overloaded', () => {
    const out = guard(aGuardInput({ proposed: { 'a/1': { maxCurrentA: 30, source: 's' }, 'b/1': { maxCurrentA: 20, source: 's' } }, nonEvLoadA: { main: perPhase(15) } }));
    expect(out.limits['a/1']).toMatchObject({ maxCurrentA: 15, source: 'fuse:main' });
    expect(out.limits['b/1']).toMatchObject({ maxCurrentA: 10, source: 'fuse:main' });
    expect(out.violations.some((v) => v.startsWith('circuit:main L1'))).toBe(true);
  });

  it('sets a proposal strictly between 0 and the minimum to 0', () => {
    const out = guard(aGuardInput({ proposed: { 'a/1': { maxCurrentA: 4, source: 's' }, 'b/1': { maxCurrentA: 10, source: 's' } } }));
    expect(out.limits['a/1']).toMatchObject({ maxCurrentA: 0, source: 'evse:min' });
    expect(out.limits['b/1']?.maxCurrentA).toBe(10);
    expect(out.violations.some((v) => v.startsWith('min:a/1'))).toBe(true);
  });

  it('puts an EVSE that scaling pushed below its minimum back at its minimum when that fits', () => {
    // 16 A for three EVSEs proposed 8 A each: scaled to 5.3 A each, below 6 A; two fit at 6 A.
    const evses = [anEvse({ key: 'a/1', priority: 2 }), anEvse({ key: 'b/1' }), anEvse({ key: 'c/1' })];
    const proposed = Object.fromEntries(evses.map((e) => [e.key, { maxCurrentA: 8, source: 's' }]));
    const out = guard(aGuardInput({ evses, live: liveOf(evses), proposed, circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(16) })] }));
    expect([out.limits['a/1']?.maxCurrentA, out.limits['b/1']?.maxCurrentA, out.limits['c/1']?.maxCurrentA]).toEqual([6, 6, 0]);
  });

  it('takes an EVSE without a proposal at its max and still enforces the circuit', () => {
    const out = guard(aGuardInput({ proposed: {} }));
    expect(out.limits['a/1']?.maxCurrentA).toBe(20);
    expect(out.limits['b/1']?.maxCurrentA).toBe(20);
  });

  it('counts an uncontrollable EVSE at its max before the others', () => {
    const evses = [anEvse({ key: 'old/1', maxCurrentA: 16 }), anEvse({ key: 'a/1' })];
    const out = guard(aGuardInput({ evses, live: liveOf(evses, { 'old/1': { controllable: false } }), proposed: { 'a/1': { maxCurrentA: 32, source: 's' } } }));
    expect(out.limits['old/1']?.maxCurrentA).toBe(16);
    expect(out.limits['a/1']?.maxCurrentA).toBe(24);
  });

  it("gives an uncontrollable EVSE its earlier decision's limit object again while it says the same, never its value", () => {
    const evses = [anEvse({ key: 'old/1', maxCurrentA: 16 }), anEvse({ key: 'a/1' })];
    const input = aGuardInput({ evses, live: liveOf(evses, { 'old/1': { controllable: false } }), proposed: { 'a/1': { maxCurrentA: 32, source: 's' } } });
    const first = guard(input);
    const earlier = first.limits['old/1'];
    if (!earlier) throw new Error('no limit for old/1');
    const again = guard({ ...input, previous: { 'old/1': { limit: earlier } } });
    expect(again.limits['old/1']).toBe(earlier);
    const stale = { ...earlier, maxCurrentA: 10 };
    const changed = guard({ ...input, previous: { 'old/1': { limit: stale } } });
    expect(changed.limits['old/1']).not.toBe(stale);
    expect(changed).toStrictEqual(first);
  });

  it('gives every EVSE its base share with source failsafe when the grid meter is stale', () => {
    const out = guard(
      aGuardInput({
        proposed: { 'a/1': { maxCurrentA: 32, source: 's' }, 'b/1': { maxCurrentA: 32, source: 's' } },
        staleCircuitIds: ['main'],
        baseShares: { 'a/1': { maxCurrentA: 10, source: 'fuse:main' }, 'b/1': { maxCurrentA: 10, source: 'fuse:main' } },
      }),
    );
    expect(out.limits['a/1']).toMatchObject({ maxCurrentA: 10, source: 'failsafe' });
    expect(out.limits['b/1']).toMatchObject({ maxCurrentA: 10, source: 'failsafe' });
    expect(out.violations).toContain('stale:main meter stale or missing: failsafe below it');
  });

  it('applies failsafe only below a stale sub-circuit and counts that circuit as full', () => {
    const evses = [anEvse({ key: 'a/1', circuitId: 'garage' }), anEvse({ key: 'b/1', circuitId: 'main' })];
    const out = guard(
      aGuardInput({
        evses,
        live: liveOf(evses),
        circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(50) }), aCircuit({ id: 'garage', parentId: 'main', maxCurrentA: perPhase(32) })],
        proposed: { 'a/1': { maxCurrentA: 32, source: 's' }, 'b/1': { maxCurrentA: 32, source: 's' } },
        staleCircuitIds: ['garage'],
        baseShares: { 'a/1': { maxCurrentA: 8, source: 'circuit:garage' } },
      }),
    );
    expect(out.limits['a/1']).toMatchObject({ maxCurrentA: 8, source: 'failsafe' });
    // The garage counts as full (32 A), so main has 18 A left for b/1.
    expect(out.limits['b/1']).toMatchObject({ maxCurrentA: 18, source: 'fuse:main' });
  });

  it('replaces an invalid proposal with 0', () => {
    const out = guard(aGuardInput({ proposed: { 'a/1': { maxCurrentA: Number.NaN, source: 'strategy:broken' }, 'b/1': { maxCurrentA: 10, source: 's' } } }));
    expect(out.limits['a/1']?.maxCurrentA).toBe(0);
    expect(out.violations.some((v) => v.startsWith('proposal:a/1'))).toBe(true);
  });

  it('limits a DC EVSE by its power', () => {
    const evses = [anEvse({ key: 'dc/1', maxCurrentA: 100, maxPowerW: 6900 })];
    const out = guard(aGuardInput({ evses, live: liveOf(evses), circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(200) })], proposed: { 'dc/1': { maxCurrentA: 100, source: 's' } } }));
    expect(out.limits['dc/1']).toMatchObject({ maxCurrentA: 10, source: 'evse:maxPower' });
  });
});
