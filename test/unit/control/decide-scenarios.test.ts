import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decide, initialDecideStates, type DecideParams } from '../../../src/control/decide.js';
import type { SiteSnapshot } from '../../../src/energy/strategy.js';

/** One JSON file per case: a snapshot, the params, and the expected limit per EVSE key. */
interface Scenario {
  description: string;
  params: DecideParams;
  snapshot: SiteSnapshot;
  expect: Record<string, { maxCurrentA: number; source: string }>;
}

const dir = join(import.meta.dirname, 'decide-scenarios');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('decide scenarios', () => {
  it('has scenario files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    const scenario = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Scenario;
    it(`${file}: ${scenario.description}`, () => {
      const result = decide(scenario.snapshot, initialDecideStates([]), { strategies: [], params: scenario.params });
      const got: Record<string, { maxCurrentA: number; source: string }> = {};
      for (const key of Object.keys(scenario.expect)) {
        const l = result.limits[key]?.limit;
        if (l) got[key] = { maxCurrentA: l.maxCurrentA, source: l.source };
      }
      expect(got).toEqual(scenario.expect);
    });
  }
});
