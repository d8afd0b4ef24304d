import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCircuits } from '../../../src/config/circuit-check.js';
import { siteConfigSchema } from '../../../src/config/schema.js';

/** Whether following parents from some circuit comes back to it (a reference oracle, by brute force). */
function hasCycle(parents: ReadonlyArray<number | undefined>): boolean {
  return parents.some((_, start) => {
    let cur = parents[start];
    for (let steps = 0; cur !== undefined && steps <= parents.length; steps++) {
      if (cur === start) return true;
      cur = parents[cur];
    }
    return false;
  });
}

describe('circuit tree check (property)', () => {
  it('reports a cycle or self-parent exactly when the parent links contain one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }).chain((n) => fc.array(fc.option(fc.integer({ min: 0, max: n - 1 }), { nil: undefined }), { minLength: n, maxLength: n })),
        (parents) => {
          const config = siteConfigSchema.parse({
            circuits: parents.map((p, i) => ({ id: `c${i}`, maxCurrentA: 32, worstCaseNonEvA: 0, ...(p !== undefined ? { parent: `c${p}` } : {}) })),
          });
          const reported = checkCircuits(config).some((p) => /cycle|cannot feed itself/.test(p.message));
          expect(reported).toBe(hasCycle(parents));
        },
      ),
      { numRuns: 500 },
    );
  });
});
