/**
 * W5: composite-schedule computations per second for one EVSE (10 stacked profiles of mixed
 * kinds and 2 local limits over 24 h). Three ways, timed in alternating rounds after a warm-up:
 * - the engine as the hub uses it (CompositeEngine, cache per profile set), asked as a
 *   controller would: the start moves on by 1 s at every call (cycling over an hour), so no
 *   answer can be reused, only the profile timeline;
 * - the straightforward computation (computeComposite: breakpoints, no cache), same requests;
 * - the naive baseline: the effective limit once a minute (1,440 `limitAt` calls), equal
 *   neighbours merged.
 * All three must produce the same periods.
 */
import {
  CompositeEngine, computeComposite, limitAt, type CompositePeriod, type CompositeRequest, type EffectiveLimit,
} from '../src/energy/composite/index.js';
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

/**
 * Calls `fn` in batches until `durationMs` has passed: operations per second of wall time, and
 * per second of the process's CPU time (on a loaded machine the thread is often descheduled;
 * CPU time counts only the time it ran, so it says what one core does; GC helper threads count too,
 * which errs on the low side).
 */
function opsPerS(fn: () => unknown, durationMs: number): { wall: number; cpu: number } {
  let ops = 0;
  let batch = 1;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    elapsed = performance.now() - t0;
    if (elapsed < durationMs / 20) batch *= 2;
  }
  const used = process.cpuUsage(cpu0);
  const cpuMs = (used.user + used.system) / 1000;
  return { wall: (ops * 1000) / elapsed, cpu: (ops * 1000) / Math.max(cpuMs, 1e-3) };
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
    const compositeEngine = new CompositeEngine();
    // one request per second of an hour, built beforehand so that building them is not timed
    const shifted = Array.from({ length: 3600 }, (_, s) => ({ ...req, nowMs: req.nowMs + s * 1000 }));
    let call = 0;
    const engine = () => compositeEngine.compute(shifted[call++ % shifted.length] ?? req);
    let directCall = 0;
    const direct = () => computeComposite(shifted[directCall++ % shifted.length] ?? req);
    const naive = () => perMinute(req);
    const fromEngine = compositeEngine.compute(req).periods;
    const fromDirect = computeComposite(req).periods;
    const fromNaive = naive();
    const agree = JSON.stringify(fromEngine) === JSON.stringify(fromNaive) && JSON.stringify(fromDirect) === JSON.stringify(fromNaive);
    let sameShifted = true;
    for (let s = 0; s < shifted.length; s += 97) {
      const r = shifted[s] ?? req;
      if (JSON.stringify(compositeEngine.compute(r)) !== JSON.stringify(computeComposite(r))) sameShifted = false;
    }

    progress('warming up');
    opsPerS(engine, SETTINGS.warmupMs);
    opsPerS(direct, SETTINGS.warmupMs);
    opsPerS(naive, SETTINGS.warmupMs);
    const engineRates: number[] = [];
    const directRates: number[] = [];
    const naiveRates: number[] = [];
    const engineCpuRates: number[] = [];
    const directCpuRates: number[] = [];
    for (let r = 0; r < SETTINGS.rounds; r++) {
      progress(`round ${r + 1} of ${SETTINGS.rounds}`);
      const er = opsPerS(engine, SETTINGS.roundMs);
      const dr = opsPerS(direct, SETTINGS.roundMs);
      engineRates.push(er.wall);
      engineCpuRates.push(er.cpu);
      directRates.push(dr.wall);
      directCpuRates.push(dr.cpu);
      naiveRates.push(opsPerS(naive, SETTINGS.roundMs).wall);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const e = spreadOf(engineRates);
    const d = spreadOf(directRates);
    const n = spreadOf(naiveRates);
    const eCpu = spreadOf(engineCpuRates);
    const dCpu = spreadOf(directCpuRates);
    const baseline = (value: number) => ({ label: 'per-minute limitAt', value });
    return {
      rows: [
        { metric: 'composite schedules/s, engine with cache (median of rounds)', value: e.median, unit: 'ops/s', baseline: baseline(n.median), digits: 0 },
        {
          metric: 'composite schedules/s, engine vs straightforward breakpoints', value: e.median, unit: 'ops/s',
          baseline: { label: 'computeComposite, no cache', value: d.median }, digits: 0,
        },
        {
          metric: 'composite schedules per CPU-second of one core, engine vs straightforward', value: eCpu.median, unit: 'ops/s',
          baseline: { label: 'computeComposite, no cache', value: dCpu.median }, digits: 0,
        },
        { metric: 'time per composite schedule', value: 1e6 / e.median, unit: 'us', baseline: baseline(1e6 / n.median), digits: 0 },
        { metric: 'periods in the 24 h schedule', value: fromEngine.length, unit: 'count', baseline: baseline(fromNaive.length), digits: 0 },
      ],
      notes: [
        `Seed ${SETTINGS.seed}; ${SETTINGS.rounds} alternating rounds of ${SETTINGS.roundMs} ms each after ${SETTINGS.warmupMs} ms warm-up per method; single thread.`,
        describeSpread('engine with cache', e),
        describeSpread('engine with cache, per CPU-second', eCpu),
        describeSpread('straightforward breakpoints', d),
        describeSpread('per-minute baseline', n),
        agree
          ? 'The three methods produced identical periods (every input time is on a whole minute).'
          : 'WARNING: the two methods produced different periods; the comparison is not like for like.',
        sameShifted
          ? 'The engine and the straightforward computation agree on every 97th of the shifted requests.'
          : 'WARNING: the engine and the straightforward computation differ on a shifted request.',
      ],
    };
  },
};
