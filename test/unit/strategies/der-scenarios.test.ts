import { join } from 'node:path';
import { expect } from 'vitest';
import { clearDerControls, EMPTY_DER_STATE, setDerControl, type DerControlState } from '../../../src/der/der-control-store.js';
import type { ClearDerControlRequest, SetDerControlRequest } from '../../../src/der/der-control-types.js';
import { ageReading, type MeterReading } from '../../../src/energy/meter-reading.js';
import type { EvseLiveState, EvseModel } from '../../../src/energy/site-model.js';
import type { SiteSnapshot } from '../../../src/energy/strategy.js';
import { createDerStrategy, type DerDecision, type DerStrategyParams } from '../../../strategies/der/index.js';
import { describeScenarioFolder, expectClose, scenarioEvse } from '../../helpers/strategy-scenarios.js';

/**
 * Each file: EVSEs, params, and steps at offsets (s) from START_MS (2026-01-05T08:00:00Z, which
 * startTimes in the files are written against). A step first applies `set` (SetDERControlRequests,
 * each must be Accepted) and `clear` (ClearDERControlRequests), merges meter readings and live
 * states, then decides; the strategy state is threaded through. Expectations name an EVSE's
 * decision (`absent: true`: none) and the controls recorded as not applied.
 */
interface Expected {
  evseKey: string;
  absent?: boolean;
  setpointW?: number;
  maxCurrentA?: number;
  dischargeLimitW?: number;
  sourceIncludes?: string;
  reasonIncludes?: string;
  powerFactor?: DerDecision['powerFactor'];
}

interface Step {
  atS: number;
  set?: SetDerControlRequest[];
  clear?: ClearDerControlRequest[];
  live?: Record<string, Partial<EvseLiveState>>;
  meters?: Record<string, Omit<MeterReading, 'meterId' | 'timeMs'> & { ageS?: number }>;
  expect: Expected[];
  expectNotApplied?: { controlId: string; evseKey?: string; reasonIncludes: string }[];
}

interface Scenario {
  description: string;
  params?: Partial<DerStrategyParams>;
  evses: (Partial<EvseModel> & { key: string })[];
  steps: Step[];
}

const START_MS = Date.UTC(2026, 0, 5, 8, 0, 0);
const TOLERANCE_W = 1;
const TOLERANCE_A = 0.05;
const FOLDER = join(import.meta.dirname, '../../scenarios/strategies/der');

function runScenario(scenario: Scenario): void {
  let controls: DerControlState = EMPTY_DER_STATE;
  const strategy = createDerStrategy(scenario.params ?? {}, { controls: () => controls });
  const evses = scenario.evses.map((e) => scenarioEvse(e, { bidirectional: true }));
  let state = strategy.initialState();
  let live: Record<string, EvseLiveState> = Object.fromEntries(evses.map((e) => [e.key, { key: e.key, active: true, controllable: true }]));
  let meters: Step['meters'] = {};
  for (const step of scenario.steps) {
    const nowMs = START_MS + step.atS * 1000;
    for (const req of step.set ?? []) {
      const out = setDerControl(controls, req, nowMs);
      expect(out.response.status, `at ${step.atS} s, set ${req.controlId}: ${out.response.statusInfo?.additionalInfo}`).toBe('Accepted');
      controls = out.state;
    }
    for (const req of step.clear ?? []) controls = clearDerControls(controls, req, nowMs).state;
    for (const [key, patch] of Object.entries(step.live ?? {})) live = { ...live, [key]: { key, active: true, controllable: true, ...live[key], ...patch } };
    meters = { ...meters, ...step.meters };
    const snapshot: SiteSnapshot = {
      nowMs, circuits: [], evses, live, modes: {}, csmsProfiles: {},
      meters: Object.fromEntries(Object.entries(meters).map(([meterId, { ageS, ...r }]) => [
        meterId, ageReading({ ...r, meterId, timeMs: nowMs - (ageS ?? 0) * 1000 }, nowMs, 10),
      ])),
      meterRoles: { gridMeterId: 'grid' },
    };
    const result = strategy.decide(snapshot, state);
    state = result.state;
    for (const want of step.expect) {
      const at = `at ${step.atS} s, ${want.evseKey}`;
      const got: DerDecision | undefined = result.decisions.find((d) => d.evseKey === want.evseKey);
      if (want.absent) {
        expect(got, `${at}: no decision`).toBeUndefined();
        continue;
      }
      expect(got, `${at}: a decision`).toBeDefined();
      if (!got) continue;
      const why = `${at} (${got.source}: ${got.reason})`;
      if (want.setpointW !== undefined) expectClose(got.setpointW, want.setpointW, TOLERANCE_W, `${why} setpointW`);
      if (want.maxCurrentA !== undefined) expectClose(got.maxCurrentA, want.maxCurrentA, TOLERANCE_A, `${why} maxCurrentA`);
      if (want.dischargeLimitW !== undefined) expectClose(got.dischargeLimitW, want.dischargeLimitW, TOLERANCE_W, `${why} dischargeLimitW`);
      if (want.sourceIncludes !== undefined) expect(got.source, why).toContain(want.sourceIncludes);
      if (want.reasonIncludes !== undefined) expect(got.reason, why).toContain(want.reasonIncludes);
      if (want.powerFactor !== undefined) expect(got.powerFactor, why).toEqual(want.powerFactor);
    }
    for (const want of step.expectNotApplied ?? []) {
      const hit = state.notApplied.find((n) => n.controlId === want.controlId && n.evseKey === want.evseKey);
      expect(hit, `at ${step.atS} s: ${want.controlId} not applied to ${want.evseKey}`).toBeDefined();
      expect(hit?.reason).toContain(want.reasonIncludes);
    }
  }
}

describeScenarioFolder<Scenario>('der strategy scenarios', FOLDER, 8, runScenario);
