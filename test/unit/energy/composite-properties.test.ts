import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChargingProfile, SchedulePeriod } from '../../../src/energy/charging-profile.js';
import {
  CompositeEngine, type CompositePeriod, type CompositeRequest, type CompositeSchedule, computeComposite, installProfile, limitAt,
} from '../../../src/energy/composite/index.js';

const DAY_S = 86_400;
const BASE_MS = Date.parse('2025-01-06T00:00:00Z');

/** Whole seconds, so that every breakpoint is a whole-second offset. */
const secondsMs = (minS: number, maxS: number): fc.Arbitrary<number> => fc.integer({ min: minS, max: maxS }).map((s) => s * 1000);

const periodsArb = (unitMax: number): fc.Arbitrary<SchedulePeriod[]> =>
  fc.array(fc.record({
    gapS: fc.integer({ min: 1, max: 20_000 }),
    limit: fc.integer({ min: 0, max: unitMax * 10 }).map((x) => x / 10),
    numberPhases: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    setpoint: fc.option(fc.integer({ min: -unitMax, max: unitMax }), { nil: undefined }),
    dischargeLimit: fc.option(fc.integer({ min: -unitMax, max: 0 }), { nil: undefined }),
  }, { requiredKeys: ['gapS', 'limit'] }), { minLength: 1, maxLength: 5 })
    .map((raw) => {
      let start = 0;
      return raw.map(({ gapS, ...rest }, i) => {
        if (i > 0) start += gapS;
        const period: SchedulePeriod = { startPeriodS: start, limit: rest.limit };
        if (rest.numberPhases !== undefined) period.numberPhases = rest.numberPhases;
        if (rest.setpoint !== undefined) period.setpoint = rest.setpoint;
        if (rest.dischargeLimit !== undefined) period.dischargeLimit = rest.dischargeLimit;
        return period;
      });
    });

const profileArb = (nowMs: number): fc.Arbitrary<Omit<ChargingProfile, 'id'>> =>
  fc.record({
    stackLevel: fc.integer({ min: 0, max: 4 }),
    purpose: fc.constantFrom(
      'ChargingStationMaxProfile', 'TxDefaultProfile', 'TxProfile', 'ChargingStationExternalConstraints',
    ) as fc.Arbitrary<ChargingProfile['purpose']>,
    kind: fc.constantFrom('Absolute', 'Recurring', 'Relative') as fc.Arbitrary<ChargingProfile['kind']>,
    recurrency: fc.constantFrom('Daily', 'Weekly') as fc.Arbitrary<'Daily' | 'Weekly'>,
    evseId: fc.integer({ min: 0, max: 2 }),
    transactionId: fc.option(fc.constantFrom('tx-1', 'tx-2'), { nil: undefined }),
    validFromMs: fc.option(secondsMs(-DAY_S, 2 * DAY_S).map((d) => nowMs + d), { nil: undefined }),
    validForMs: fc.option(secondsMs(1, 3 * DAY_S), { nil: undefined }),
    startScheduleMs: secondsMs(-8 * DAY_S, DAY_S).map((d) => nowMs + d),
    durationS: fc.option(fc.integer({ min: 60, max: 200_000 }), { nil: undefined }),
    unit: fc.constantFrom('A', 'W') as fc.Arbitrary<'A' | 'W'>,
    periodsA: periodsArb(80),
    periodsW: periodsArb(40_000),
  }).map((r) => {
    const p: Omit<ChargingProfile, 'id'> = {
      stackLevel: r.stackLevel,
      purpose: r.purpose,
      kind: r.kind,
      evseId: r.purpose === 'ChargingStationMaxProfile' ? 0 : r.evseId,
      schedules: [{
        rateUnit: r.unit,
        periods: r.unit === 'A' ? r.periodsA : r.periodsW,
        ...(r.kind === 'Relative' ? {} : { startScheduleMs: r.startScheduleMs }),
        ...(r.durationS === undefined ? {} : { durationS: r.durationS }),
      }],
    };
    if (r.kind === 'Recurring') p.recurrency = r.recurrency;
    if (r.purpose === 'TxProfile' && r.transactionId !== undefined) p.transactionId = r.transactionId;
    if (r.validFromMs !== undefined) p.validFromMs = r.validFromMs;
    if (r.validForMs !== undefined) p.validToMs = (r.validFromMs ?? nowMs - DAY_S * 1000) + r.validForMs;
    return p;
  });

const requestArb: fc.Arbitrary<CompositeRequest> = secondsMs(0, 14 * DAY_S).map((d) => BASE_MS + d).chain((nowMs) =>
  fc.record({
    durationS: fc.integer({ min: 1, max: 2 * DAY_S }),
    evseId: fc.integer({ min: 0, max: 2 }),
    profiles: fc.array(profileArb(nowMs), { maxLength: 10 }),
    transaction: fc.option(fc.record({
      id: fc.constantFrom('tx-1', 'tx-2'),
      startedMs: secondsMs(0, 7200).map((ago) => nowMs - ago),
    }), { nil: undefined }),
    evse: fc.record({
      phases: fc.constantFrom(1, 3) as fc.Arbitrary<1 | 3>,
      voltageV: fc.constantFrom(120, 230, 240),
      maxCurrentA: fc.integer({ min: 6, max: 63 }),
      maxPowerW: fc.option(fc.integer({ min: 1000, max: 50_000 }), { nil: undefined }),
    }, { requiredKeys: ['phases', 'voltageV', 'maxCurrentA'] }),
    rateUnit: fc.constantFrom('A', 'W') as fc.Arbitrary<'A' | 'W'>,
    localLimits: fc.array(fc.record({
      source: fc.constantFrom('circuit:main', 'strategy:solar-surplus'),
      maxCurrentA: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
      numberPhases: fc.option(fc.constantFrom(1, 3), { nil: undefined }),
      fromMs: fc.option(secondsMs(-3600, DAY_S).map((d) => nowMs + d), { nil: undefined }),
      toMs: fc.option(secondsMs(1, 2 * DAY_S).map((d) => nowMs + d), { nil: undefined }),
    }, { requiredKeys: ['source'] }), { maxLength: 3 }),
  }).map((r): CompositeRequest => {
    const req: CompositeRequest = {
      nowMs,
      durationS: r.durationS,
      evseId: r.evseId,
      // Installed one by one, as a station would hold them (same purpose, level and EVSE replace).
      profiles: r.profiles.reduce<ChargingProfile[]>((all, p, i) => installProfile(all, { ...p, id: i + 1 }), []),
      evse: r.evse,
      rateUnit: r.rateUnit,
      localLimits: r.localLimits,
    };
    if (r.transaction !== undefined && r.evseId !== 0) req.transaction = r.transaction;
    return req;
  }));

/** The composite period containing instant tMs. */
function periodAt(schedule: CompositeSchedule, tMs: number): CompositePeriod | undefined {
  let found: CompositePeriod | undefined;
  for (const p of schedule.periods) if (schedule.scheduleStartMs + p.startOffsetS * 1000 <= tMs) found = p;
  return found;
}

/** The period of a ChargingStationMaxProfile at t, by a plain reading of OCPP. */
function referenceMaxPeriodAt(req: CompositeRequest, p: ChargingProfile, tMs: number): SchedulePeriod | undefined {
  if (p.validFromMs !== undefined && tMs < p.validFromMs) return undefined;
  if (p.validToMs !== undefined && tMs >= p.validToMs) return undefined;
  const s = p.schedules[0];
  if (!s) return undefined;
  const startMs = p.kind === 'Relative' ? (req.transaction?.startedMs ?? req.nowMs) : s.startScheduleMs;
  if (startMs === undefined) return undefined;
  let offsetS = (tMs - startMs) / 1000;
  let lengthS = s.durationS ?? Infinity;
  if (p.kind === 'Recurring') {
    const cycleS = p.recurrency === 'Weekly' ? 7 * DAY_S : DAY_S;
    offsetS = ((offsetS % cycleS) + cycleS) % cycleS;
    lengthS = Math.min(lengthS, cycleS);
  }
  if (offsetS < 0 || offsetS >= lengthS) return undefined;
  return s.periods.filter((q) => q.startPeriodS <= offsetS).at(-1);
}

/** The station max in force at t (the highest stack level), in A with `phases`. */
function stationMaxA(req: CompositeRequest, tMs: number, phases: number): number {
  let best: { level: number; amps: number } | undefined;
  for (const p of req.profiles) {
    if (p.purpose !== 'ChargingStationMaxProfile' || p.evseId !== 0) continue;
    const period = referenceMaxPeriodAt(req, p, tMs);
    if (!period) continue;
    const unit = p.schedules[0]?.rateUnit;
    const amps = unit === 'W' ? period.limit / (req.evse.voltageV * phases) : period.limit;
    if (!best || p.stackLevel > best.level) best = { level: p.stackLevel, amps };
  }
  return best?.amps ?? Infinity;
}

function inAmps(req: CompositeRequest, value: number, phases: number): number {
  return req.rateUnit === 'A' ? value : value / (req.evse.voltageV * phases);
}

/** Sample instants: each period's start and one random instant. */
const withInstants = fc.tuple(requestArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { minLength: 5, maxLength: 5 }));

const RUNS = { numRuns: 300 };

describe('composite schedule properties', () => {
  it('returns sorted periods contiguous from offset 0 that stay within the horizon', () => {
    fc.assert(fc.property(requestArb, (req) => {
      const { periods } = computeComposite(req);
      expect(periods[0]?.startOffsetS).toBe(0);
      for (let i = 1; i < periods.length; i++) {
        const prev = periods[i - 1];
        const cur = periods[i];
        expect(cur && prev && cur.startOffsetS > prev.startOffsetS).toBe(true);
        expect(cur && cur.startOffsetS < req.durationS).toBe(true);
      }
    }), RUNS);
  });

  it('never leaves two equal neighbours unmerged', () => {
    fc.assert(fc.property(requestArb, (req) => {
      const { periods } = computeComposite(req);
      for (let i = 1; i < periods.length; i++) {
        const { startOffsetS: _a, ...prev } = periods[i - 1] ?? { startOffsetS: 0 };
        const { startOffsetS: _b, ...cur } = periods[i] ?? { startOffsetS: 0 };
        expect(cur).not.toEqual(prev);
      }
    }), RUNS);
  });

  it('never exceeds the EVSE maximum current or power', () => {
    fc.assert(fc.property(requestArb, (req) => {
      for (const p of computeComposite(req).periods) {
        const amps = inAmps(req, p.limit, p.numberPhases);
        expect(amps).toBeLessThanOrEqual(req.evse.maxCurrentA + 1e-9);
        if (req.evse.maxPowerW !== undefined) {
          expect(amps * req.evse.voltageV * p.numberPhases).toBeLessThanOrEqual(req.evse.maxPowerW + 1e-6);
        }
        expect(p.limit).toBeGreaterThanOrEqual(0);
      }
    }), RUNS);
  });

  it('never exceeds the ChargingStationMaxProfile in force', () => {
    fc.assert(fc.property(withInstants, ([req, fractions]) => {
      const schedule = computeComposite(req);
      const endMs = req.nowMs + req.durationS * 1000;
      const instants = [
        ...schedule.periods.map((p) => req.nowMs + p.startOffsetS * 1000),
        // Offset first, then add (as below): nowMs + f * span can round up to endMs, an instant
        // outside the horizon, where a ChargingStationMaxProfile that starts at endMs is lower
        // than the last period (found by this property once in a full run: validFromMs = endMs).
        ...fractions.map((f) => req.nowMs + Math.min(Math.floor(f * (endMs - req.nowMs)), endMs - req.nowMs - 1)),
      ];
      for (const t of instants) {
        const p = periodAt(schedule, t);
        if (!p) throw new Error(`no period at ${t}`);
        expect(inAmps(req, p.limit, p.numberPhases)).toBeLessThanOrEqual(stationMaxA(req, t, p.numberPhases) + 1e-9);
      }
    }), RUNS);
  });

  it('keeps every setpoint within its dischargeLimit and limit', () => {
    fc.assert(fc.property(requestArb, (req) => {
      for (const p of computeComposite(req).periods) {
        if (p.setpoint === undefined) continue;
        expect(p.setpoint).toBeLessThanOrEqual(p.limit);
        if (p.dischargeLimit !== undefined) expect(p.setpoint).toBeGreaterThanOrEqual(p.dischargeLimit);
      }
    }), RUNS);
  });

  it('agrees with limitAt at random instants of the horizon', () => {
    fc.assert(fc.property(withInstants, ([req, fractions]) => {
      const schedule = computeComposite(req);
      const endMs = req.nowMs + req.durationS * 1000;
      for (const f of fractions) {
        // Offset first, then add: nowMs + f * span can round up to endMs itself in floating point
        // (an instant outside the horizon), e.g. f = 0.99999997 of 5 s at a 2025 epoch.
        const t = req.nowMs + Math.min(Math.floor(f * (endMs - req.nowMs)), endMs - req.nowMs - 1);
        const p = periodAt(schedule, t);
        if (!p) throw new Error(`no period at ${t}`);
        const { startOffsetS: _offset, ...expected } = p;
        expect(limitAt(req, t)).toEqual(expected);
      }
    }), RUNS);
  });
});

describe('cached composite engine', () => {
  /** Later requests on the same profile set: shifted start, other horizon, EVSE, locals, flags. */
  const followUpArb = fc.array(fc.record({
    shiftS: fc.integer({ min: -600, max: 2 * DAY_S }),
    durationS: fc.option(fc.integer({ min: 0, max: 2 * DAY_S }), { nil: undefined }),
    evseId: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    dropTransaction: fc.boolean(),
    dropLocals: fc.boolean(),
    priorityCharging: fc.boolean(),
    rateUnit: fc.constantFrom('A', 'W') as fc.Arbitrary<'A' | 'W'>,
  }), { minLength: 1, maxLength: 6 });

  /** PriorityCharging and LocalGeneration too, which the request arbitrary leaves out. */
  const withRarePurposes = (req: CompositeRequest, extra: number): CompositeRequest => {
    if (extra === 0) return req;
    const [first, second] = req.profiles;
    const profiles = [...req.profiles];
    if (first && first.purpose !== 'ChargingStationMaxProfile') profiles[0] = { ...first, purpose: 'PriorityCharging' };
    if (second && extra === 2) profiles[1] = { ...second, purpose: 'LocalGeneration' };
    return { ...req, profiles };
  };

  it('gives the same schedule as the straightforward computation, first time and from its cache', () => {
    fc.assert(fc.property(requestArb, fc.integer({ min: 0, max: 2 }), followUpArb, (raw, extra, followUps) => {
      const first = withRarePurposes(raw, extra);
      const engine = new CompositeEngine();
      expect(engine.compute(first)).toEqual(computeComposite(first));
      expect(engine.compute(first)).toEqual(computeComposite(first));
      for (const f of followUps) {
        const req: CompositeRequest = {
          ...first,
          nowMs: first.nowMs + f.shiftS * 1000,
          durationS: f.durationS ?? first.durationS,
          evseId: f.evseId ?? first.evseId,
          rateUnit: f.rateUnit,
          priorityCharging: f.priorityCharging,
        };
        if (f.dropTransaction || req.evseId === 0) delete req.transaction;
        if (f.dropLocals) delete req.localLimits;
        expect(engine.compute(req)).toEqual(computeComposite(req));
      }
    }), RUNS);
  });

  it('rejects a non-finite start or a negative horizon as the straightforward computation does', () => {
    const engine = new CompositeEngine();
    const req: CompositeRequest = {
      nowMs: BASE_MS, durationS: -1, evseId: 1, profiles: [], evse: { phases: 3, voltageV: 230, maxCurrentA: 16 }, rateUnit: 'A',
    };
    expect(() => engine.compute(req)).toThrow(RangeError);
    expect(() => engine.compute({ ...req, durationS: 60, nowMs: Number.NaN })).toThrow(RangeError);
  });
});
