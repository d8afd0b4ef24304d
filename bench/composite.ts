/**
 * W5: composite-schedule computations per second for one EVSE (10 stacked profiles of mixed
 * kinds and 2 local limits over 24 h). Baseline in the same run: the naive way, evaluating the
 * effective limit once a minute (1,440 `limitAt` calls) and merging equal neighbours. Both are
 * timed in alternating rounds, after a warm-up, and must produce the same periods.
 */
import { computeComposite, limitAt, type CompositePeriod, type CompositeRequest, type EffectiveLimit } from '../src/energy/composite/index.js';
import type { Benchmark, BenchResult } from './bench-types.js';
import { compositeRequest } from './composite-fixture.js';
import { spreadOf, type Spread } from './stats.js';

const SETTINGS = { seed: 5, warmupMs: 1000, rounds: 9, roundMs: 400 };

function samePeriod(a: EffectiveLimit, b: EffectiveLimit): boolean {
  return a.limit === b.limit && a.numberPhases === b.numberPhases && a.source === b.source
    && a.setpoint === b.setpoint && a.dischargeLimit === b.dischargeLimit && a.operationMode === b.operationMode;
}

/** The baseline: the effective limit at every whole minute of the horizon, equal neighbours merged. */
function perMinute(req: CompositeRequest): CompositePeriod[] {
  const periods: CompositePeriod[] = [];
  let last: CompositePeriod | undefined;
  for (let offsetS = 0; offsetS < req.durationS; offsetS += 60) {
    const effective = limitAt(req, req.nowMs + offsetS * 1000);
    if (last && samePeriod(last, effective)) continue;
    last = { startOffsetS: offsetS, ...effective };
    periods.push(last);
  }
  return periods;
}

/** Calls `fn` in batches until `durationMs` has passed; operations per second. */
function opsPerS(fn: () => unknown, durationMs: number): number {
  let ops = 0;
  let batch = 1;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    elapsed = performance.now() - t0;
    if (elapsed < durationMs / 20) batch *= 2;
  }
  return (ops * 1000) / elapsed;
}

function describeSpread(label: string, s: Spread): string {
  return `${label}: median ${s.median.toFixed(0)} ops/s, min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)} (range ${(100 * s.relativeRange).toFixed(0)}% of the median)`;
}

export const benchmark: Benchmark = {
  name: 'composite',
  workload: 'W5',
  title: 'composite schedule (breakpoints) vs per-minute evaluation, 10 profiles + 2 local limits, 24 h',
  async run(progress): Promise<BenchResult> {
    const req = compositeRequest(SETTINGS.seed);
    const engine = () => computeComposite(req);
    const naive = () => perMinute(req);
    const fromEngine = engine().periods;
    const fromNaive = naive();
    const agree = JSON.stringify(fromEngine) === JSON.stringify(fromNaive);

    progress('warming up');
    opsPerS(engine, SETTINGS.warmupMs);
    opsPerS(naive, SETTINGS.warmupMs);
    const engineRates: number[] = [];
    const naiveRates: number[] = [];
    for (let r = 0; r < SETTINGS.rounds; r++) {
      progress(`round ${r + 1} of ${SETTINGS.rounds}`);
      engineRates.push(opsPerS(engine, SETTINGS.roundMs));
      naiveRates.push(opsPerS(naive, SETTINGS.roundMs));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const e = spreadOf(engineRates);
    const n = spreadOf(naiveRates);
    const baseline = (value: number) => ({ label: 'per-minute limitAt', value });
    return {
      rows: [
        { metric: 'composite schedules/s (median of rounds)', value: e.median, unit: 'ops/s', baseline: baseline(n.median), digits: 0 },
        { metric: 'time per composite schedule', value: 1e6 / e.median, unit: 'us', baseline: baseline(1e6 / n.median), digits: 0 },
        { metric: 'periods in the 24 h schedule', value: fromEngine.length, unit: 'count', baseline: baseline(fromNaive.length), digits: 0 },
      ],
      notes: [
        `Seed ${SETTINGS.seed}; ${SETTINGS.rounds} alternating rounds of ${SETTINGS.roundMs} ms each after ${SETTINGS.warmupMs} ms warm-up per method; single thread.`,
        describeSpread('engine', e),
        describeSpread('per-minute baseline', n),
        agree
          ? 'The two methods produced identical periods (every input time is on a whole minute).'
          : 'WARNING: the two methods produced different periods; the comparison is not like for like.',
      ],
    };
  },
};
