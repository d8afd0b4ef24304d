import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvseModel } from '../../src/energy/site-model.js';

/**
 * What the strategy scenario runners share: the folder of JSON files (adding a case is adding a
 * file), the EVSE defaults a scenario may override, and a tolerant number comparison.
 */

/** A scenario EVSE with defaults: circuit main, 3 phases (rotation from the phases), 6-16 A, 230 V. */
export function scenarioEvse(e: Partial<EvseModel> & { key: string }, defaults: Partial<EvseModel> = {}): EvseModel {
  const phases = e.phases ?? defaults.phases ?? 3;
  return {
    circuitId: 'main',
    phases,
    phaseRotation: phases === 1 ? ['L1'] : ['L1', 'L2', 'L3'],
    minCurrentA: 6,
    maxCurrentA: 16,
    priority: 1,
    voltageV: 230,
    bidirectional: false,
    ...defaults,
    ...e,
  };
}

export function expectClose(got: number | undefined, want: number, tolerance: number, what: string): void {
  expect(got, what).toBeDefined();
  expect(Math.abs((got ?? NaN) - want), `${what}: got ${got}`).toBeLessThanOrEqual(tolerance);
}

/** One test per JSON file in `folder` (sorted), plus one that the folder holds at least `minFiles`. */
export function describeScenarioFolder<S extends { description: string }>(title: string, folder: string, minFiles: number, run: (scenario: S) => void): void {
  describe(title, () => {
    const files = readdirSync(folder).filter((f) => f.endsWith('.json')).sort();
    it('has scenario files', () => {
      expect(files.length).toBeGreaterThanOrEqual(minFiles);
    });
    for (const file of files) {
      const scenario = JSON.parse(readFileSync(join(folder, file), 'utf8')) as S;
      it(`${file}: ${scenario.description}`, () => run(scenario));
    }
  });
}
