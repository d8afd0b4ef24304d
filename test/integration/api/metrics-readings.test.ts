import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { energyQueries } from '../../../src/energy-queries-impl.js';
import { HubMetrics } from '../../../src/api/metrics.js';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { familyBlocks, referenceFamilies, REFERENCE_FAMILIES } from '../../unit/api/metrics-reference.js';

/** Twelve declared one-EVSE stations on two rows under one main: what a real site declares. */
const SITE = `
energy: { marginA: 1, debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 63, worstCaseNonEvA: 0 }
  - { id: row-a, parent: main, maxCurrentA: 40 }
  - { id: row-b, parent: main, maxCurrentA: 32 }
stations:
${Array.from({ length: 12 }, (_, i) => `  - { id: S${i}, securityProfile: 0, evses: [{ id: 1, circuit: row-${i < 6 ? 'a' : 'b'}, phases: ${i % 3 === 0 ? 1 : 3}, maxCurrentA: 16 }] }`).join('\n')}
`;

let h: Harness;
let clock: FakeClock;

beforeAll(async () => {
  clock = new FakeClock();
  h = await startTestHub(SITE, { clock });
  // The final check of each run expects every EVSE's limit line: there is a decision from the start,
  // whatever the first generated run does (one that only changed a mode used to find none).
  h.hub.energy.controller.decideNow('test start');
});

afterAll(async () => {
  await h?.stop();
});

/** The families the site view feeds (meters, circuits on failsafe, profile writes). */
const SITE_VIEW_FAMILIES = ['switchyard_meter_power_watts', 'switchyard_meter_current_amperes', 'switchyard_meter_reading_age_seconds', 'switchyard_meter_stale', 'switchyard_circuit_failsafe', 'switchyard_profile_writes_total'];

type Step = { kind: 'decide' } | { kind: 'mode'; evse: number; idle: boolean } | { kind: 'max'; evse: number; maxCurrentA: number } | { kind: 'time'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'decide' }),
  fc.record({ kind: fc.constant('mode' as const), evse: fc.nat(11), idle: fc.boolean() }),
  fc.record({ kind: fc.constant('max' as const), evse: fc.nat(11), maxCurrentA: fc.constantFrom(6, 8, 10, 16) }),
  fc.record({ kind: fc.constant('time' as const), ms: fc.constantFrom(100, 5_000, 3_600_000) }),
);

describe("a real hub's /metrics read from the energy side without the full views", () => {
  it('equals, after any sequence of decisions, mode and max-current changes, what the full site and EVSE views give', async () => {
    const viaViews = new HubMetrics({
      stationsConnected: () => 0,
      energy: energyQueries(h.hub.energy, clock),
      controlStats: () => h.hub.energy.controller.stats(),
      site: { stations: () => [], voltageV: 230, version: 'x', transactions: () => ({ started: 0, ended: 0 }) },
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        for (const s of steps) {
          const key = `S${s.kind === 'mode' || s.kind === 'max' ? s.evse : 0}/1`;
          if (s.kind === 'decide') h.hub.energy.controller.decideNow('test');
          else if (s.kind === 'mode') h.hub.energy.controls.update(key, { mode: s.idle ? 'Idle' : 'LocalLoadBalancing' }, 'api');
          else if (s.kind === 'max') h.hub.energy.controls.update(key, { maxCurrentA: s.maxCurrentA }, 'api');
          else clock.advanceMs(s.ms);
          const kept = familyBlocks(await h.hub.metrics.scrape());
          const fresh = await referenceFamilies(energyQueries(h.hub.energy, clock));
          for (const name of REFERENCE_FAMILIES.slice(0, 8)) expect(kept.get(name), name).toBe(fresh.get(name));
          const views = familyBlocks(await viaViews.scrape());
          for (const name of SITE_VIEW_FAMILIES) expect(kept.get(name), name).toBe(views.get(name));
        }
        expect(familyBlocks(await h.hub.metrics.scrape()).get('switchyard_evse_limit_amperes')).toMatch(/switchyard_evse_limit_amperes\{evse="S11\/1"\} /);
      }),
      { numRuns: 25 },
    );
  });
});
