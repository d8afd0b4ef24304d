import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PerPhase } from '../../../src/energy/phases.js';
import type { CircuitNode } from '../../../src/energy/site-model.js';
import { allocate, baseShare, initialRotationState, type AllocationResult, type RotationState } from '../../../src/energy/allocation/index.js';
import { capsA, siteArb, type RandomSite } from './allocation-arbitraries.js';
import { circuitViolations, evseViolations } from './allocation-invariants.js';

function split(result: AllocationResult): { chosenA: Record<string, number>; imposedA: Record<string, number> } {
  const chosenA: Record<string, number> = {};
  const imposedA: Record<string, number> = {};
  for (const a of result.allocations) (a.status === 'uncontrollable' ? imposedA : chosenA)[a.evseKey] = a.currentA;
  return { chosenA, imposedA };
}

function run(site: RandomSite, nowMs: number, state: RotationState): AllocationResult {
  return allocate(
    { nowMs, circuits: site.circuits, evses: site.evses, live: site.live, nonEvLoadA: site.nonEvLoadA, marginA: site.marginA, caps: site.caps, siteLimitW: site.siteLimitW, rotationPeriodS: 60 },
    state,
  );
}

const stepsArb = fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 1, maxLength: 4 });

describe('allocation properties', () => {
  it('never puts more on a circuit phase or its power than is available, and nothing below an overloaded circuit', () => {
    fc.assert(
      fc.property(siteArb, stepsArb, (site, steps) => {
        let state = initialRotationState();
        let nowMs = 0;
        for (const dt of steps) {
          nowMs += dt;
          const result = run(site, nowMs, state);
          state = result.state;
          const { chosenA, imposedA } = split(result);
          expect(circuitViolations({ ...site, chosenA, imposedA, siteLimitW: site.siteLimitW?.powerW })).toEqual([]);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never gives an EVSE more than its max or any of its caps', () => {
    fc.assert(
      fc.property(siteArb, stepsArb, (site, steps) => {
        let state = initialRotationState();
        let nowMs = 0;
        for (const dt of steps) {
          nowMs += dt;
          const result = run(site, nowMs, state);
          state = result.state;
          const { chosenA } = split(result);
          expect(evseViolations(site.evses, chosenA, capsA(site)).filter((v) => !v.includes('between'))).toEqual([]);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never gives an EVSE a current strictly between 0 and its minimum', () => {
    fc.assert(
      fc.property(siteArb, stepsArb, (site, steps) => {
        let state = initialRotationState();
        let nowMs = 0;
        for (const dt of steps) {
          nowMs += dt;
          const result = run(site, nowMs, state);
          state = result.state;
          const { chosenA } = split(result);
          expect(evseViolations(site.evses, chosenA).filter((v) => v.includes('between'))).toEqual([]);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('serves every EVSE whose minimum fits on its own within a round of rotation periods', () => {
    fc.assert(
      fc.property(siteArb, (site) => {
        const periodMs = 60_000;
        const fitsAlone = site.evses.filter((e) => {
          const live = Object.fromEntries(Object.entries(site.live).map(([k, l]) => [k, k === e.key || !l.controllable ? l : { ...l, active: false }]));
          const r = run({ ...site, live }, 0, initialRotationState());
          return r.allocations.find((a) => a.evseKey === e.key)?.status === 'charging';
        });
        const served = new Set<string>();
        let state = initialRotationState();
        for (let i = 0; i <= site.evses.length + 1; i++) {
          const r = run(site, i * periodMs, state);
          state = r.state;
          for (const a of r.allocations) if (a.status === 'charging') served.add(a.evseKey);
        }
        expect(fitsAlone.map((e) => e.key).filter((k) => !served.has(k))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the sum of base shares within every circuit under its worst-case non-EV load', () => {
    const worstArb = fc.array(
      fc.option(fc.record({ L1: fc.double({ min: 0, max: 150, noNaN: true }), L2: fc.double({ min: 0, max: 150, noNaN: true }), L3: fc.double({ min: 0, max: 150, noNaN: true }) }), { nil: undefined }),
      { minLength: 7, maxLength: 7 },
    );
    fc.assert(
      fc.property(siteArb, worstArb, (site, worstRows) => {
        const worstCaseNonEvA: Record<string, PerPhase> = {};
        site.circuits.forEach((c, i) => {
          const w = worstRows[i];
          if (w) worstCaseNonEvA[c.id] = w;
        });
        const shares = baseShare({ circuits: site.circuits, evses: site.evses, worstCaseNonEvA, marginA: site.marginA, live: site.live });
        // The documented worst case, computed plainly: own entry, else the parent's, else (root) full.
        const worst: Record<string, PerPhase> = {};
        const worstOf = (c: CircuitNode): PerPhase => {
          const own = worstCaseNonEvA[c.id];
          if (own) return own;
          const parent = site.circuits.find((p) => p.id === c.parentId);
          return parent ? worstOf(parent) : c.maxCurrentA;
        };
        for (const c of site.circuits) worst[c.id] = worstOf(c);
        const chosenA: Record<string, number> = {};
        const imposedA: Record<string, number> = {};
        for (const e of site.evses) {
          const v = shares[e.key]?.maxCurrentA ?? 0;
          (site.live[e.key]?.controllable === false ? imposedA : chosenA)[e.key] = v;
        }
        expect(circuitViolations({ ...site, siteLimitW: undefined, nonEvLoadA: worst, nonEvIsFinal: true, chosenA, imposedA })).toEqual([]);
        expect(evseViolations(site.evses, chosenA)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});
