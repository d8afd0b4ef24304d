/**
 * W5 as the CSMS asks it: GetCompositeSchedule answers per second in proxy mode (CsmsProfiles,
 * OCPP 2.0.1, W5's 10 profiles stored for one EVSE with a running transaction, 24 h), on a real
 * SQLite store. Baseline in the same run: the way the answer was made before, the station's
 * profiles read from the store into a new array and computed without the engine's cache at
 * every call (computeComposite), same wire conversion. Each request starts 1 s after the last,
 * so no answer can be reused; every 97th answer of both is compared.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeComposite } from '../src/energy/composite/index.js';
import type { EvseModel } from '../src/energy/site-model.js';
import { openStore, type Store } from '../src/store/store.js';
import { CsmsProfiles } from '../src/upstream/csms-profiles.js';
import { proxyScope, type ProfileScope } from '../src/upstream/csms-profiles-scope.js';
import { compositeTo2x } from '../src/upstream/csms-profiles-wire-2x.js';
import { FakeClock } from '../src/util/fake-clock.js';
import { silentLogger } from '../src/util/logger.js';
import type { Benchmark, BenchResult } from './bench-types.js';
import { compositeRequest } from './composite-fixture.js';
import { spreadOf } from './stats.js';

const SETTINGS = { seed: 5, rounds: 7, callsPerRound: 400 };
const REQUEST = { evseId: 1, duration: 86_400, chargingRateUnit: 'A' };

interface Rig {
  store: Store;
  clock: FakeClock;
  profiles: CsmsProfiles;
  scope: ProfileScope;
  /** The answer as it was made before: store read, no cache. */
  uncached(): Record<string, unknown>;
}

function rig(dir: string): Rig {
  const req = compositeRequest(SETTINGS.seed);
  const clock = new FakeClock(req.nowMs);
  const store = openStore({ path: join(dir, 'hub.db'), clock });
  for (const p of req.profiles) store.profiles.put('CP1', 'csms', p);
  const evse: EvseModel = {
    key: 'CP1/1', circuitId: 'main', phases: 3, phaseRotation: ['L1', 'L2', 'L3'], minCurrentA: 6,
    maxCurrentA: req.evse.maxCurrentA, priority: 1, voltageV: req.evse.voltageV, bidirectional: false,
  };
  const localLimits = req.localLimits ?? [];
  const profiles = new CsmsProfiles({
    store, clock, log: silentLogger(), evses: () => [evse], activeTransactionOf: () => req.transaction,
    sessionLimitsOf: () => localLimits, controllable: () => true, onChange: () => undefined,
  });
  const scope = proxyScope({
    stationId: 'CP1', version: '2.0.1', hasEvse: (s, e) => profiles.hasEvse(s, e),
    hubTransactionIdOf: () => undefined, csmsTransactionIdOf: () => undefined, send: () => Promise.resolve({}),
  });
  const uncached = () => compositeTo2x(computeComposite({
    nowMs: clock.nowMs(), durationS: REQUEST.duration, evseId: 1,
    profiles: store.profiles.list('CP1', 'csms').map((p) => p.profile),
    transaction: req.transaction, evse: req.evse, rateUnit: 'A', localLimits,
  }), 1, '2.0.1');
  return { store, clock, profiles, scope, uncached };
}

/** Answers per second of wall time and of CPU time over `calls` answers. */
async function timed(calls: number, one: () => Promise<unknown> | unknown): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await one();
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu0);
  return { wall: (calls * 1000) / wallMs, cpu: (calls * 1e6) / Math.max(used.user + used.system, 1) };
}

export const benchmark: Benchmark = {
  name: 'csms-composite',
  workload: 'W5',
  title: 'GetCompositeSchedule answers to the CSMS (proxy, 2.0.1) vs the same answers without the engine cache',
  async run(progress): Promise<BenchResult> {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-csms-composite-'));
    const r = rig(dir);
    try {
      let compared = 0;
      let n = 0;
      const viaHub = async () => {
        r.clock.advanceMs(1000);
        const answer = await r.profiles.handle(r.scope, 'GetCompositeSchedule', REQUEST);
        if (++n % 97 === 0) {
          if (JSON.stringify(answer) !== JSON.stringify(r.uncached())) throw new Error(`answers differ at call ${n}`);
          compared++;
        }
      };
      const before = () => {
        r.clock.advanceMs(1000);
        return r.uncached();
      };
      await timed(100, viaHub);
      await timed(20, before);
      const cached: { wall: number; cpu: number }[] = [];
      const baseline: { wall: number; cpu: number }[] = [];
      for (let round = 0; round < SETTINGS.rounds; round++) {
        progress(`round ${round + 1} of ${SETTINGS.rounds}`);
        cached.push(await timed(SETTINGS.callsPerRound, viaHub));
        baseline.push(await timed(SETTINGS.callsPerRound / 10, before));
      }
      const med = (xs: { wall: number; cpu: number }[], k: 'wall' | 'cpu') => spreadOf(xs.map((x) => x[k])).median;
      return {
        rows: [
          { metric: 'answers per CPU-second (median of rounds)', value: med(cached, 'cpu'), unit: '/s', baseline: { label: 'store read + no cache', value: med(baseline, 'cpu') }, digits: 0 },
          { metric: 'answers per wall second (median of rounds)', value: med(cached, 'wall'), unit: '/s', baseline: { label: 'store read + no cache', value: med(baseline, 'wall') }, digits: 0 },
        ],
        notes: [
          `${SETTINGS.rounds} alternating rounds of ${SETTINGS.callsPerRound} answers (baseline ${SETTINGS.callsPerRound / 10}); the start moves on 1 s per call.`,
          `${compared} answers compared with the baseline's, all identical (a difference fails the run).`,
        ],
      };
    } finally {
      r.store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
