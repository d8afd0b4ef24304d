import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CurrentLimit } from '../../../src/energy/limit.js';
import type { Phase, PerPhase } from '../../../src/energy/phases.js';
import type { CircuitNode, EvseLiveState, EvseModel } from '../../../src/energy/site-model.js';
import { allocate, initialRotationState, type AllocationInput, type CircuitBudget, type RotationState } from '../../../src/energy/allocation/index.js';
import { anEvse, liveOf } from './allocation-builders.js';
import { circuitViolations, evseViolations } from './allocation-invariants.js';

/**
 * A scenario: a site, then steps that each change some inputs (kept for later steps) and say
 * what to expect. Only the fields named in `expect` are checked; every step is also checked
 * against the circuit invariants.
 */
interface Step {
  nowMs: number;
  live?: Record<string, Partial<EvseLiveState>>;
  nonEvLoadA?: Record<string, Partial<PerPhase>>;
  marginA?: number;
  caps?: Record<string, CurrentLimit[]>;
  rotationPeriodS?: number;
  siteLimitW?: { powerW: number; source: string };
  expect: {
    currentA?: Record<string, number>;
    binding?: Record<string, string>;
    status?: Record<string, string>;
    circuits?: Record<string, Partial<Record<Phase | 'power', Record<string, number>>>>;
  };
}

interface Scenario {
  name: string;
  circuits: CircuitNode[];
  evses: (Partial<EvseModel> & { key: string })[];
  live?: Record<string, Partial<EvseLiveState>>;
  omitLive?: string[];
  steps: Step[];
}

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../scenarios/allocation');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

function budgetField(b: CircuitBudget, kind: Phase | 'power', field: string): number | undefined {
  const part = kind === 'power' ? b.power : b.phases[kind];
  if (!part) return undefined;
  const value: unknown = Object.entries(part).find(([k]) => k === field)?.[1];
  return typeof value === 'number' ? value : undefined;
}

describe('allocation scenarios', () => {
  it('has at least twelve scenario files', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  for (const file of files) {
    const scenario: Scenario = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    it(`${file}: ${scenario.name}`, () => {
      const evses = scenario.evses.map((e) => anEvse(e));
      const live = liveOf(evses, scenario.live);
      for (const key of scenario.omitLive ?? []) delete live[key];
      let input: AllocationInput = { nowMs: 0, circuits: scenario.circuits, evses, live, nonEvLoadA: {}, marginA: 0, caps: {} };
      let state: RotationState = initialRotationState();
      scenario.steps.forEach((step, i) => {
        const { expect: expected, live: liveChanges, ...changes } = step;
        const nextLive = { ...input.live };
        for (const [key, l] of Object.entries(liveChanges ?? {})) nextLive[key] = { ...(nextLive[key] ?? { key, active: true, controllable: true }), ...l };
        input = { ...input, ...changes, live: nextLive };
        const result = allocate(input, state);
        state = result.state;
        const at = `step ${i}`;
        const byKey = new Map(result.allocations.map((a) => [a.evseKey, a]));
        for (const [key, a] of Object.entries(expected.currentA ?? {})) expect(byKey.get(key)?.currentA, `${at} ${key}`).toBeCloseTo(a, 6);
        for (const [key, s] of Object.entries(expected.binding ?? {})) expect(byKey.get(key)?.binding.source, `${at} ${key}`).toBe(s);
        for (const [key, s] of Object.entries(expected.status ?? {})) expect(byKey.get(key)?.status, `${at} ${key}`).toBe(s);
        for (const [id, parts] of Object.entries(expected.circuits ?? {})) {
          const b = result.circuits.find((c) => c.circuitId === id);
          expect(b, `${at} circuit ${id}`).toBeDefined();
          for (const [kind, fields] of Object.entries(parts) as [Phase | 'power', Record<string, number>][]) {
            for (const [field, v] of Object.entries(fields)) {
              expect(budgetField(b as CircuitBudget, kind, field), `${at} ${id} ${kind} ${field}`).toBeCloseTo(v, 6);
            }
          }
        }
        const chosenA: Record<string, number> = {};
        const imposedA: Record<string, number> = {};
        for (const a of result.allocations) (a.status === 'uncontrollable' || a.status === 'fixed' ? imposedA : chosenA)[a.evseKey] = a.currentA;
        expect(
          circuitViolations({ circuits: input.circuits, evses, nonEvLoadA: input.nonEvLoadA, marginA: input.marginA, chosenA, imposedA, siteLimitW: input.siteLimitW?.powerW }),
          at,
        ).toEqual([]);
        expect(evseViolations(evses, chosenA), at).toEqual([]);
      });
    });
  }
});
