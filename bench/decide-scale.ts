/**
 * One control decision at N declared EVSEs, in process (no sockets): the controller's whole
 * pass (inputs, snapshot, pure decide, targets, the limit-change log, the dispatcher with chargers
 * that accept every profile at once) on the site of the `scale`
 * benchmark with BENCH_SCALE_DECLARED=1 (rows of 50 one-EVSE stations under one main, 3-phase,
 * 16 A) with the hub's default strategies and energy settings. Two states of the site: every EVSE
 * idle (stations connecting) and every EVSE in a transaction, reporting what it draws and holding
 * an offer (steady traffic). Reports the median, p90 and slowest wall time per decision.
 * The same decisions stepped (as the hub runs those that are not urgent):
 * the longest step, i.e. how long the event loop is held at most.
 * BENCH_DECIDE_N (default 5000) and BENCH_DECIDE_ROUNDS (default 40) set the size.
 * BENCH_DECIDE_REFUSE=1: the chargers refuse every profile and every EVSE is uncontrollable, as
 * in the `scale` benchmark (whose chargers answer NotImplemented).
 * BENCH_DECIDE_PARTS=1: also runs the pure decision's steps on the controller's last snapshot and
 * reports the longest step of each part by name (which part holds the event loop longest).
 */
import { performance } from 'node:perf_hooks';
import { parseSiteConfig } from '../src/config/load.js';
import { Controller } from '../src/control/controller.js';
import { baseSharesOf, decideSteps, initialDecideStates, type DecideResult } from '../src/control/decide.js';
import type { SiteSnapshot, Strategy } from '../src/energy/strategy.js';
import { Dispatcher } from '../src/control/dispatcher.js';
import { withLimitChangeLog } from '../src/control/limit-change-log.js';
import { siteModelFromConfig } from '../src/control/site-model-from-config.js';
import { decideParamsOf, strategiesOf } from '../src/hub-energy-control.js';
import type { EvseLiveState } from '../src/energy/site-model.js';
import { FakeClock } from '../src/util/fake-clock.js';
import { silentLogger } from '../src/util/logger.js';
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { percentile } from './stats.js';

const N = Number(process.env['BENCH_DECIDE_N'] ?? 5000);
const ROUNDS = Number(process.env['BENCH_DECIDE_ROUNDS'] ?? 40);
const REFUSE = process.env['BENCH_DECIDE_REFUSE'] === '1';
const PARTS = process.env['BENCH_DECIDE_PARTS'] === '1';

/** The declared site of the scale benchmark: rows of 50 one-EVSE stations (3-phase, 16 A) under one main. */
export function declaredSiteYaml(n: number): string {
  const rows = Math.ceil(n / 50);
  const lines = ['circuits:', `  - { id: main, maxCurrentA: ${rows * 400}, worstCaseNonEvA: 0 }`];
  for (let r = 0; r < rows; r++) lines.push(`  - { id: row-${r}, parent: main, maxCurrentA: 400 }`);
  lines.push('stations:');
  for (let i = 0; i < n; i++) lines.push(`  - { id: S${i}, securityProfile: 0, evses: [{ id: 1, circuit: row-${Math.floor(i / 50)}, phases: 3, maxCurrentA: 16 }] }`);
  return lines.join('\n');
}

interface Run {
  medianMs: number;
  p90Ms: number;
  maxMs: number;
  /** Stepped (as the hub runs a debounced decision or the tick): the longest step of each decision. */
  longestStepMedianMs: number;
  longestStepMaxMs: number;
  /** The first step (reading the inputs) and the last (the end of the decision and its dispatch), medians. */
  firstStepMedianMs: number;
  lastStepMedianMs: number;
  steps: number;
  /** BENCH_DECIDE_PARTS=1: per part of the pure decision, the median over the rounds of its longest step, ms. */
  parts: Map<string, PartTime>;
}

/** The first strategy, keeping the snapshot it was given (the controller's, with the caps before the strategies). */
function snapshotKeeper(strategy: Strategy<unknown>): { strategy: Strategy<unknown>; last: () => SiteSnapshot | undefined } {
  let seen: SiteSnapshot | undefined;
  return {
    strategy: { name: strategy.name, initialState: () => strategy.initialState(), decide: (snapshot, state) => ((seen = snapshot), strategy.decide(snapshot, state)) },
    last: () => seen,
  };
}

/** One part of the pure decision: medians over the rounds of its longest step and of its mean step, ms, and its steps per decision. */
interface PartTime {
  longestMs: number;
  meanMs: number;
  steps: number;
}

/**
 * The pure decision's steps on one snapshot, ROUNDS times, each given the one before as the
 * controller gives its last decision: per part (the name a step yields), the median over the
 * rounds of its longest step and of its mean step. On a shared machine the longest of many steps
 * picks up other processes' time; the mean does less.
 */
function timeParts(snapshot: SiteSnapshot, strategies: readonly Strategy<unknown>[], params: Parameters<typeof baseSharesOf>[1]): Map<string, PartTime> {
  const baseShares = baseSharesOf(snapshot, params);
  let states = initialDecideStates(strategies);
  let previous: DecideResult | undefined;
  const seen = new Map<string, { longest: number[]; mean: number[]; steps: number }>();
  for (let round = 0; round < ROUNDS + 5; round++) {
    const steps = decideSteps(snapshot, states, { strategies, params, baseShares, ...(previous ? { previous } : {}) });
    const inRound = new Map<string, { most: number; total: number; steps: number }>();
    for (;;) {
      const t0 = performance.now();
      const next = steps.next();
      const ms = performance.now() - t0;
      const name = next.done ? 'return' : next.value;
      const part = inRound.get(name) ?? { most: 0, total: 0, steps: 0 };
      part.most = Math.max(part.most, ms);
      part.total += ms;
      part.steps++;
      inRound.set(name, part);
      if (next.done) {
        previous = next.value;
        states = next.value.states;
        break;
      }
    }
    if (round < 5) continue;
    for (const [name, part] of inRound) {
      const all = seen.get(name) ?? { longest: [], mean: [], steps: part.steps };
      all.longest.push(part.most);
      all.mean.push(part.total / part.steps);
      seen.set(name, all);
    }
  }
  return new Map([...seen].map(([name, all]) => [name, { longestMs: percentile(all.longest, 50), meanMs: percentile(all.mean, 50), steps: all.steps }]));
}

async function timeDecisions(active: boolean): Promise<Run> {
  const config = parseSiteConfig(declaredSiteYaml(N), 'bench-site.yaml');
  const site = siteModelFromConfig(config);
  const clock = new FakeClock();
  // As the hub keeps them: one map of live states, read by each decision.
  const live = new Map<string, EvseLiveState>();
  for (const e of site.evses) {
    if (!active) continue;
    live.set(e.key, {
      key: e.key,
      active: true,
      controllable: !REFUSE,
      transactionId: `tx-${e.key}`,
      transactionStartedMs: clock.nowMs() - 600_000,
      measuredCurrentA: [6, 6, 6],
      samples: [{ timeMs: clock.nowMs() - 5_000, currentA: [6, 6, 6] }],
    });
  }
  // Every station connected (1.6) and accepting every profile; the answers come between decisions.
  const sink = new Dispatcher({ clock, log: silentLogger(), send: () => Promise.resolve({ status: REFUSE ? 'Rejected' : 'Accepted' }), versionOf: () => '1.6' });
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  const kept = snapshotKeeper(strategiesOf(config, site)[0] as Strategy<unknown>);
  const strategies = [kept.strategy, ...strategiesOf(config, site).slice(1)];
  const queue: Array<() => void> = [];
  const controllerParams = decideParamsOf(config);
  const log = silentLogger();
  const controller: Controller = new Controller({
    clock,
    log,
    site,
    strategies: strategies.map((strategy) => ({ strategy })),
    snapshot: () => ({ meters: {}, live, modes: {} }),
    dispatcher: withLimitChangeLog({ sink, log, decision: (key) => controller.lastDecision()?.evses[key] }),
    failsafe: { staleAfterS: 10 },
    yieldToLoop: (next) => queue.push(next),
    safetyTickS: 3600,
    params: controllerParams,
  });
  const times: number[] = [];
  for (let i = 0; i < ROUNDS + 5; i++) {
    clock.advanceMs(1000);
    const t0 = performance.now();
    controller.decideNow('bench');
    const ms = performance.now() - t0;
    if (i >= 5) times.push(ms);
    await settle();
  }
  // Stepped: the debounce window ends (reading the inputs is the first step), then step by step.
  const longest: number[] = [];
  const firsts: number[] = [];
  const lasts: number[] = [];
  let steps = 0;
  controller.start();
  clock.advanceMs(200);
  for (let next = queue.shift(); next; next = queue.shift()) next();
  for (let i = 0; i < ROUNDS + 5; i++) {
    clock.advanceMs(800);
    controller.trigger('bench');
    let t0 = performance.now();
    clock.advanceMs(200);
    const first = performance.now() - t0;
    let most = first;
    let last = 0;
    let n = 1;
    for (let next = queue.shift(); next; next = queue.shift()) {
      t0 = performance.now();
      next();
      last = performance.now() - t0;
      most = Math.max(most, last);
      n++;
    }
    if (i >= 5) {
      longest.push(most);
      firsts.push(first);
      lasts.push(last);
    }
    steps = n;
    await settle();
  }
  const snapshot = kept.last();
  const params = { ...controllerParams, marginA: controllerParams.marginA, worstCaseNonEvA: site.worstCaseNonEvA };
  const parts = PARTS && snapshot ? timeParts(snapshot, strategies, params) : new Map<string, PartTime>();
  return {
    parts,
    medianMs: percentile(times, 50),
    p90Ms: percentile(times, 90),
    maxMs: Math.max(...times),
    longestStepMedianMs: percentile(longest, 50),
    longestStepMaxMs: Math.max(...longest),
    firstStepMedianMs: percentile(firsts, 50),
    lastStepMedianMs: percentile(lasts, 50),
    steps,
  };
}

export const benchmark: Benchmark = {
  name: 'decide-scale',
  workload: 'W2',
  title: `one control decision over ${N} declared EVSEs, in process${REFUSE ? ' (chargers that refuse profiles)' : ''}`,
  async run(progress): Promise<BenchResult> {
    const rows: BenchRow[] = [];
    for (const active of [false, true]) {
      const label = active ? 'all in a transaction' : 'all idle';
      progress(`${N} EVSEs, ${label}: ${ROUNDS} decisions`);
      const r = await timeDecisions(active);
      rows.push(
        { metric: `decision, ${N} EVSEs ${label}: median`, value: r.medianMs, unit: 'ms', digits: 2 },
        { metric: `decision, ${N} EVSEs ${label}: p90`, value: r.p90Ms, unit: 'ms', digits: 2 },
        { metric: `decision, ${N} EVSEs ${label}: slowest`, value: r.maxMs, unit: 'ms', digits: 2 },
        { metric: `stepped decision (${r.steps} steps), ${N} EVSEs ${label}: longest step, median`, value: r.longestStepMedianMs, unit: 'ms', digits: 2 },
        { metric: `stepped decision (${r.steps} steps), ${N} EVSEs ${label}: longest step, slowest`, value: r.longestStepMaxMs, unit: 'ms', digits: 2 },
        { metric: `stepped decision, ${N} EVSEs ${label}: first step (reading the inputs), median`, value: r.firstStepMedianMs, unit: 'ms', digits: 2 },
        { metric: `stepped decision, ${N} EVSEs ${label}: last step (the dispatch), median`, value: r.lastStepMedianMs, unit: 'ms', digits: 2 },
        ...[...r.parts]
          .sort((a, b) => b[1].longestMs - a[1].longestMs)
          .slice(0, 8)
          .map(([name, part]) => ({ metric: `pure decision, ${N} EVSEs ${label}: part "${name}" (${part.steps} steps), longest / mean step, medians`, value: part.longestMs, unit: `ms / ${part.meanMs.toFixed(2)} ms`, digits: 2 })),
      );
    }
    return {
      rows,
      notes: [
        `${ROUNDS} decisions after 5 warm-up ones, the clock 1 s further each; no meters (as in the scale benchmark's declared site); the chargers' answers are handled between decisions, untimed.`,
        'Stepped: as the hub runs a decision that is not urgent (the safety tick, debounced triggers), one step per event-loop turn; the longest step is how long the loop is held at most. Its first step reads the inputs.',
      ],
    };
  },
};
