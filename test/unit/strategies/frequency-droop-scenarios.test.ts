import { join } from 'node:path';
import { expect } from 'vitest';
import type { ChargingProfile, OperationMode } from '../../../src/energy/charging-profile.js';
import { ageReading, type MeterReading } from '../../../src/energy/meter-reading.js';
import type { EvseLiveState, EvseModel } from '../../../src/energy/site-model.js';
import type { SiteSnapshot } from '../../../src/energy/strategy.js';
import { createFrequencyDroopStrategy, type FrequencyDroopParams } from '../../../strategies/frequency-droop/index.js';
import { describeScenarioFolder, expectClose, scenarioEvse } from '../../helpers/strategy-scenarios.js';

/**
 * Each file: EVSEs, params, and steps at offsets (s) from START_MS (1,750,000,000,000 ms, which
 * profile times in the files are written against). A step merges meter readings and live
 * states and replaces modes and profiles when it gives them; the strategy's state (last output
 * and its time) is threaded through. `absent: true` expects no decision. The grid meter is `grid`.
 */
interface Expected {
  evseKey: string;
  absent?: boolean;
  setpointW?: number;
  maxCurrentA?: number;
  dischargeLimitW?: number;
  reasonIncludes?: string;
}

interface Step {
  atS: number;
  live?: Record<string, Partial<EvseLiveState>>;
  modes?: Record<string, OperationMode>;
  meters?: Record<string, Omit<MeterReading, 'meterId' | 'timeMs'> & { ageS?: number }>;
  csmsProfiles?: Record<string, ChargingProfile[]>;
  expect: Expected[];
}

interface Scenario {
  description: string;
  params?: Partial<FrequencyDroopParams>;
  staleAfterS?: number;
  evses: (Partial<EvseModel> & { key: string })[];
  steps: Step[];
}

const START_MS = 1_750_000_000_000;
const TOLERANCE_W = 1;
const TOLERANCE_A = 0.05;
const FOLDER = join(import.meta.dirname, '../../scenarios/strategies/frequency-droop');

function runScenario(scenario: Scenario): void {
  const strategy = createFrequencyDroopStrategy(scenario.params);
  const evses = scenario.evses.map((e) => scenarioEvse(e, { bidirectional: true }));
  let state = strategy.initialState();
  let live: Record<string, EvseLiveState> = Object.fromEntries(
    evses.map((e) => [e.key, { key: e.key, active: true, controllable: true }]),
  );
  let modes: Record<string, OperationMode> = {};
  let meters: Step['meters'] = {};
  let csmsProfiles: Record<string, ChargingProfile[]> = {};
  for (const step of scenario.steps) {
    for (const [key, patch] of Object.entries(step.live ?? {})) {
      live = { ...live, [key]: { key, active: true, controllable: true, ...live[key], ...patch } };
    }
    modes = step.modes ?? modes;
    meters = { ...meters, ...step.meters };
    const nowMs = START_MS + step.atS * 1000;
    csmsProfiles = step.csmsProfiles ?? csmsProfiles;
    const snapshot: SiteSnapshot = {
      nowMs, circuits: [], evses, live, modes, csmsProfiles,
      meters: Object.fromEntries(Object.entries(meters).map(([meterId, { ageS, ...r }]) => [
        meterId,
        ageReading({ ...r, meterId, timeMs: nowMs - (ageS ?? 0) * 1000 }, nowMs, scenario.staleAfterS ?? 10),
      ])),
      meterRoles: { gridMeterId: 'grid' },
    };
    const result = strategy.decide(snapshot, state);
    state = result.state;
    for (const want of step.expect) {
      const at = `at ${step.atS} s, ${want.evseKey}`;
      const got = result.decisions.find((d) => d.evseKey === want.evseKey);
      if (want.absent) {
        expect(got, `${at}: no decision`).toBeUndefined();
        continue;
      }
      expect(got, `${at}: a decision`).toBeDefined();
      if (!got) continue;
      const why = `${at} (${got.reason})`;
      if (want.setpointW !== undefined) expectClose(got.setpointW, want.setpointW, TOLERANCE_W, `${why} setpointW`);
      if (want.maxCurrentA !== undefined) expectClose(got.maxCurrentA, want.maxCurrentA, TOLERANCE_A, `${why} maxCurrentA`);
      if (want.dischargeLimitW !== undefined) {
        expectClose(got.dischargeLimitW, want.dischargeLimitW, TOLERANCE_W, `${why} dischargeLimitW`);
      }
      if (want.reasonIncludes !== undefined) expect(got.reason, at).toContain(want.reasonIncludes);
    }
  }
}

describeScenarioFolder<Scenario>('frequency-droop scenarios', FOLDER, 6, runScenario);
