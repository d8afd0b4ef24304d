import { describe, expect, it } from 'vitest';
import { allocate, initialRotationState, rotationAsSent } from '../../../src/energy/allocation/index.js';
import { perPhase } from '../../../src/energy/phases.js';
import { aCircuit, anEvse, anInput, liveOf } from './allocation-builders.js';

const evses = [anEvse({ key: 'A' }), anEvse({ key: 'C' }), anEvse({ key: 'B' })];
/** A and C charge at what they were offered; B was just plugged in (offered 0 A so far). */
const live = liveOf(evses, {
  A: { offers: [{ fromMs: 0, limitA: 16 }], transactionStartedMs: 0 },
  C: { offers: [{ fromMs: 0, limitA: 16 }], transactionStartedMs: 0 },
  B: { offers: [{ fromMs: 0, limitA: 0 }], transactionStartedMs: 1000 },
});

describe('the allocation keeps room for ramps the chargers have not reported yet', () => {
  it('admits a start only where twice its minimum fits (its first ramp shows as building load before its first report)', () => {
    const input = anInput({ circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(20) })], evses, live, nowMs: 60_000 });
    // Without the ramp room (earlier releases) 6 + 6 + 6 fit into 20 A and B starts...
    const before = allocate(input, initialRotationState());
    expect(before.allocations.find((a) => a.evseKey === 'B')?.currentA).toBeGreaterThanOrEqual(6);
    // ...and its ramp, seen by the meter before B reports it, pushes someone out again.
    const after = allocate({ ...input, rampRoom: { pendingA: {}, starts: true } }, initialRotationState());
    const b = after.allocations.find((a) => a.evseKey === 'B');
    expect(b?.currentA).toBe(0);
    expect(b?.binding.reason).toContain('first ramp');
    expect(after.allocations.find((a) => a.evseKey === 'A')?.currentA).toBe(10);
  });

  it('gives a start its share at once where twice its minimum fits, keeping the room of its first ramp free', () => {
    const input = anInput({ circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(30) })], evses, live, nowMs: 60_000, rampRoom: { pendingA: {}, starts: true } });
    const out = allocate(input, initialRotationState());
    expect(out.allocations.map((a) => [a.evseKey, a.currentA])).toEqual([['A', 8], ['C', 8], ['B', 8]]);
  });

  it('never pauses an EVSE at its minimum for a pending ramp; the pending ramp only keeps the fair share down', () => {
    const two = evses.slice(0, 2);
    const input = anInput({
      circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(16) })],
      evses: two,
      live: liveOf(two, { A: { offers: [{ fromMs: 0, limitA: 6 }] }, C: { offers: [{ fromMs: 0, limitA: 6 }] } }),
      rampRoom: { pendingA: { A: [6, 6, 6] }, starts: true },
    });
    const out = allocate(input, initialRotationState());
    expect(out.allocations.map((a) => [a.evseKey, a.currentA])).toEqual([['A', 6], ['C', 6]]);
    const without = allocate({ ...input, rampRoom: { pendingA: {}, starts: true } }, initialRotationState());
    expect(without.allocations.map((a) => [a.evseKey, a.currentA])).toEqual([['A', 8], ['C', 8]]);
  });
});

describe('the rotation memory follows what is sent', () => {
  it('an EVSE the allocation paused but that keeps its minimum (held) keeps its turn', () => {
    const prev = { entries: { A: { status: 'served' as const, sinceMs: 1000, offeredA: 6, raisedMs: 1000 } } };
    const allocated = { entries: { A: { status: 'paused' as const, sinceMs: 50_000, offeredA: 0, raisedMs: 1000 } } };
    const out = rotationAsSent(prev, allocated, [{ key: 'A', minA: 6, finalA: 6 }], 50_000, 1);
    expect(out.entries.A).toEqual({ status: 'served', sinceMs: 1000, offeredA: 6, raisedMs: 1000 });
  });

  it('a start that was staged does not begin its turn, and its waiting time goes on', () => {
    const prev = { entries: { B: { status: 'paused' as const, sinceMs: 1000, offeredA: 0, raisedMs: 1000 } } };
    const allocated = { entries: { B: { status: 'served' as const, sinceMs: 50_000, offeredA: 6, raisedMs: 50_000 } } };
    const out = rotationAsSent(prev, allocated, [{ key: 'B', minA: 6, finalA: 0 }], 50_000, 1);
    expect(out.entries.B).toEqual({ status: 'paused', sinceMs: 1000, offeredA: 0, raisedMs: 1000 });
  });
});
