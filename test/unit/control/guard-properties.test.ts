import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guard } from '../../../src/control/guard.js';
import type { CurrentLimit } from '../../../src/energy/limit.js';
import { amount, siteArb } from '../energy/allocation-arbitraries.js';
import { circuitViolations, evseViolations } from '../energy/allocation-invariants.js';

const proposalArb = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 1 },
  { arbitrary: amount(-5, 60), weight: 8 },
  { arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity), weight: 1 },
);

describe('guard properties', () => {
  it('keeps every circuit, EVSE max and minimum invariant for any proposed currents', () => {
    fc.assert(
      fc.property(
        siteArb,
        fc.array(proposalArb, { minLength: 16, maxLength: 16 }),
        fc.array(amount(0, 40), { minLength: 16, maxLength: 16 }),
        fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
        (site, proposals, bases, staleFlags) => {
          const proposed: Record<string, CurrentLimit> = {};
          const baseShares: Record<string, CurrentLimit> = {};
          site.evses.forEach((e, i) => {
            const p = proposals[i];
            if (p !== undefined) proposed[e.key] = { maxCurrentA: p, source: 'strategy:random' };
            baseShares[e.key] = { maxCurrentA: bases[i] ?? 0, source: 'base' };
          });
          const staleCircuitIds = site.circuits.filter((_, i) => staleFlags[i] && i > 0).map((c) => c.id);
          const out = guard({ ...site, proposed, baseShares, staleCircuitIds });
          const chosenA: Record<string, number> = {};
          const imposedA: Record<string, number> = {};
          const failsafeA: Record<string, number> = {};
          for (const e of site.evses) {
            const limit = out.limits[e.key];
            expect(limit, e.key).toBeDefined();
            const v = (limit as CurrentLimit).maxCurrentA;
            const imposed = site.live[e.key]?.controllable === false || limit?.source === 'failsafe';
            (imposed ? imposedA : chosenA)[e.key] = v;
            if (limit?.source === 'failsafe') failsafeA[e.key] = v;
          }
          expect(circuitViolations({ ...site, chosenA, imposedA, siteLimitW: site.siteLimitW?.powerW })).toEqual([]);
          // Uncontrollable EVSEs are what they are; everything the guard decides must be clean.
          expect(evseViolations(site.evses, { ...chosenA, ...failsafeA })).toEqual([]);
        },
      ),
      { numRuns: 400 },
    );
  });
});
