import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Controller, type ControllerDeps, type DispatchSink } from '../../../src/control/controller.js';
import { decide, decideSteps, initialDecideStates } from '../../../src/control/decide.js';
import type { EvseTarget } from '../../../src/control/dispatcher.js';
import type { OfferStep } from '../../../src/energy/draw/draw-at.js';
import type { AgedReading } from '../../../src/energy/meter-reading.js';
import type { EvseLiveState, EvseModel } from '../../../src/energy/site-model.js';
import type { SiteSnapshot, Strategy } from '../../../src/energy/strategy.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { aGridReading, anEvse, aRoot } from './builders.js';

/** Callbacks handed to yieldToLoop, run only when the test says so. */
class StepQueue {
  private readonly queue: Array<() => void> = [];
  readonly yieldToLoop = (next: () => void): void => {
    this.queue.push(next);
  };
  get waiting(): number {
    return this.queue.length;
  }
  /** Runs up to `n` queued steps (each may queue the next). */
  run(n = Infinity): void {
    for (let i = 0; i < n && this.queue.length > 0; i++) this.queue.shift()?.();
  }
}

class RecordingSink implements DispatchSink {
  readonly applied: { targets: Record<string, EvseTarget>; decidedAtMs: number | undefined }[] = [];
  /** What the controller told about raises, in order, with applies between as 'apply'. */
  readonly holds: (boolean | 'apply')[] = [];
  holdRaises(held: boolean): void {
    this.holds.push(held);
  }
  constructor(
    private readonly offers: Record<string, OfferStep[]>,
    private readonly decidedAtMs: () => number | undefined,
  ) {}
  apply(targets: Record<string, EvseTarget>): void {
    this.applied.push({ targets, decidedAtMs: this.decidedAtMs() });
    this.holds.push('apply');
  }
  isControllable(): boolean {
    return true;
  }
  offersOf(key: string): OfferStep[] {
    return [...(this.offers[key] ?? [])];
  }
}

/** The world of one decision: EVSEs on two circuits, what they draw and were offered, the grid meter. */
const worldArb = fc.record({
  gridA: fc.integer({ min: 0, max: 120 }),
  evses: fc.array(
    fc.record({
      onA: fc.boolean(),
      active: fc.boolean(),
      offerA: fc.option(fc.integer({ min: 0, max: 32 }), { nil: undefined }),
      offerAgoS: fc.integer({ min: 0, max: 60 }),
      drawA: fc.option(fc.integer({ min: 0, max: 32 }), { nil: undefined }),
      reportAgoS: fc.integer({ min: 0, max: 60 }),
      maxA: fc.constantFrom(16, 32),
    }),
    { minLength: 1, maxLength: 8 },
  ),
});
type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

/** Counts its decisions in its state and caps the first EVSE below 20 A from its second one on. */
const counter: Strategy<number> = {
  name: 'counter',
  initialState: () => 0,
  decide: (_s, n) => ({ decisions: n > 0 ? [{ evseKey: 'cs0/1', maxCurrentA: 20, source: 'strategy:counter', reason: `decision ${n}` }] : [], state: n + 1 }),
};

function aSite(w: World, clock: FakeClock, stepped: StepQueue | undefined, overrides: Partial<ControllerDeps> = {}) {
  const nowMs = clock.nowMs();
  const evses: EvseModel[] = w.evses.map((x, i) => anEvse(`cs${i}/1`, { circuitId: x.onA ? 'a' : 'main', maxCurrentA: x.maxA }));
  const live: Record<string, EvseLiveState> = {};
  const offers: Record<string, OfferStep[]> = {};
  w.evses.forEach((x, i) => {
    const key = `cs${i}/1`;
    if (!x.active) return;
    live[key] = {
      key,
      active: true,
      controllable: true,
      transactionId: `tx-${key}`,
      transactionStartedMs: nowMs - 600_000,
      ...(x.drawA !== undefined ? { measuredCurrentA: [x.drawA, x.drawA, x.drawA], samples: [{ timeMs: nowMs - x.reportAgoS * 1000, currentA: [x.drawA, x.drawA, x.drawA] }] } : {}),
    };
    if (x.offerA !== undefined) offers[key] = [{ fromMs: nowMs - x.offerAgoS * 1000, limitA: x.offerA }];
  });
  const meters: Record<string, AgedReading> = { grid: aGridReading(w.gridA, nowMs) };
  const sink: RecordingSink = new RecordingSink(offers, () => controller.lastDecision()?.atMs);
  const controller: Controller = new Controller({
    clock,
    log: silentLogger(),
    site: {
      circuits: [aRoot({ maxCurrentA: { L1: 125, L2: 125, L3: 125 } }), { id: 'a', parentId: 'main', maxCurrentA: { L1: 40, L2: 40, L3: 40 } }],
      evses,
      meterRoles: { gridMeterId: 'grid' },
      worstCaseNonEvA: { main: { L1: 20, L2: 20, L3: 20 } },
    },
    strategies: [{ strategy: counter }],
    snapshot: () => ({ meters: { ...meters }, live: { ...live } }),
    dispatcher: sink,
    failsafe: { staleAfterS: 600 },
    safetyTickS: 3600,
    ...(stepped ? { yieldToLoop: stepped.yieldToLoop } : {}),
    ...overrides,
  });
  const publish = (currentA: number): AgedReading => {
    const r = aGridReading(currentA, clock.nowMs());
    meters.grid = r;
    return r;
  };
  return { controller, sink, publish };
}

const quiet: World = { gridA: 10, evses: [{ onA: false, active: true, offerA: 10, offerAgoS: 30, drawA: 10, reportAgoS: 5, maxA: 32 }, { onA: true, active: true, offerA: 16, offerAgoS: 5, drawA: 6, reportAgoS: 1, maxA: 32 }] };

describe('stepped decisions', () => {
  it('run a debounced decision over several turns and dispatch only after its last step', () => {
    const clock = new FakeClock();
    const q = new StepQueue();
    const h = aSite(quiet, clock, q);
    h.controller.start();
    clock.advanceMs(200);
    expect(h.sink.applied).toHaveLength(0);
    q.run(3);
    expect(h.sink.applied).toHaveLength(0);
    q.run();
    expect(h.sink.applied).toHaveLength(1);
    expect(h.controller.lastDecision()?.reasons).toEqual(['start']);
    expect(q.waiting).toBe(0);
  });

  it('give the same decision and targets as deciding at once, on any site', () => {
    fc.assert(
      fc.property(worldArb, fc.integer({ min: 1, max: 4 }), (w, rounds) => {
        const runs = [undefined, new StepQueue()].map((q) => {
          const clock = new FakeClock();
          const h = aSite(w, clock, q);
          h.controller.start();
          const out: unknown[] = [];
          for (let i = 0; i < rounds; i++) {
            h.controller.trigger('api');
            clock.advanceMs(200);
            q?.run();
            const { durationMs: _d, ...last } = h.controller.lastDecision() ?? { durationMs: 0 };
            out.push(last, h.sink.applied.at(-1)?.targets);
          }
          return out;
        });
        expect(runs[1]).toEqual(runs[0]);
      }),
      { numRuns: 150 },
    );
  });

  it('stop for a meter rise: the urgent decision dispatches, the stepped one never does nor keeps its states', () => {
    const clock = new FakeClock();
    const q = new StepQueue();
    const h = aSite(quiet, clock, q);
    h.controller.start();
    clock.advanceMs(200);
    q.run(2); // the snapshot and the strategy ran: its state would be 1
    clock.advanceMs(50);
    h.controller.meterReading(h.publish(60));
    expect(h.sink.applied).toHaveLength(1);
    const urgent = h.controller.lastDecision();
    expect(urgent?.reasons).toEqual(['start', 'meter grid rise']);
    // The urgent decision ran the strategy from its kept state (0: no cap), not the stepped one's.
    expect(urgent?.evses['cs0/1']?.limits.some((l) => l.source === 'strategy:counter')).toBe(false);
    q.run();
    expect(h.sink.applied).toHaveLength(1);
    expect(h.controller.lastDecision()).toBe(urgent);
    expect(h.controller.stats()).toMatchObject({ decisions: 1, superseded: 1 });
  });

  it('stop when the site changes under them, and the change decides with their reasons', () => {
    const clock = new FakeClock();
    const q = new StepQueue();
    const h = aSite(quiet, clock, q);
    h.controller.start();
    clock.advanceMs(200);
    q.run(1);
    h.controller.siteChanged('station cs9 added');
    q.run();
    expect(h.sink.applied).toHaveLength(0);
    clock.advanceMs(200);
    q.run();
    expect(h.sink.applied).toHaveLength(1);
    expect(h.controller.lastDecision()?.reasons).toEqual(['start', 'station cs9 added']);
  });

  it('follow one another: triggers while one is under way make the next one when it ends', () => {
    const clock = new FakeClock();
    const q = new StepQueue();
    const h = aSite(quiet, clock, q);
    h.controller.start();
    clock.advanceMs(200);
    q.run(2);
    h.controller.trigger('evse:cs1/1 started');
    clock.advanceMs(200);
    expect(q.waiting).toBe(1); // still the first decision's next step, no second one beside it
    q.run();
    expect(h.sink.applied).toHaveLength(2);
    expect(h.controller.lastDecision()?.reasons).toEqual(['evse:cs1/1 started']);
    expect(h.controller.lastDecision()?.atMs).toBe(clock.nowMs());
  });

  it('arm the staleness decision for the instant the reading turns stale, however late they end', () => {
    const clock = new FakeClock();
    const t0 = clock.nowMs();
    const q = new StepQueue();
    const h = aSite(quiet, clock, q, { failsafe: { staleAfterS: 5 } });
    h.controller.start();
    clock.advanceMs(200);
    clock.advanceMs(3000); // the steps wait this long for their turns
    q.run();
    expect(h.sink.applied).toHaveLength(1);
    clock.advanceMs(t0 + 5001 - clock.nowMs());
    expect(h.controller.lastDecision()?.reasons).toEqual(['meter:stale']);
    expect(Object.keys(h.controller.lastDecision()?.staleCircuits ?? {})).toContain('main');
  });

  it('hold the dispatcher’s raises from their start to their apply, and free them when dropped without one', () => {
    const clock = new FakeClock();
    const q = new StepQueue();
    const h = aSite(quiet, clock, q);
    h.controller.start();
    clock.advanceMs(200);
    q.run();
    expect(h.sink.holds).toEqual([true, 'apply']);
    h.controller.trigger('api');
    clock.advanceMs(200);
    q.run(1);
    h.controller.siteChanged('station cs9 added'); // dropped: no decision at once follows
    expect(h.sink.holds).toEqual([true, 'apply', true, false]);
    clock.advanceMs(200);
    q.run(2);
    h.controller.meterReading(h.publish(60)); // superseded by an urgent decision: its apply frees them
    expect(h.sink.holds).toEqual([true, 'apply', true, false, true, 'apply']);
  });

  it('run on the clock’s yield: a FakeClock runs their steps as it is advanced', () => {
    const clock = new FakeClock(undefined, { yieldMs: 10 });
    const h = aSite(quiet, clock, undefined, { yieldToLoop: (next) => clock.yieldToLoop(next) });
    h.controller.start();
    clock.advanceMs(200);
    expect(h.sink.applied).toHaveLength(0);
    clock.advanceMs(1_000);
    expect(h.sink.applied).toHaveLength(1);
    expect(h.controller.stats()).toMatchObject({ decisions: 1, stepped: 1 });
    // Each step took 10 ms of simulated time: the decision read its inputs at 200 ms and dispatched later.
    expect(h.controller.lastDecision()?.atMs).toBe(clock.nowMs() - 1_000);
  });

  it('decide at once on a site smaller than steppedFromEvses', () => {
    const clock = new FakeClock();
    const q = new StepQueue();
    const h = aSite(quiet, clock, q, { steppedFromEvses: 3 });
    h.controller.start();
    clock.advanceMs(200);
    expect(h.sink.applied).toHaveLength(1);
    expect(q.waiting).toBe(0);
  });

  it('never dispatch from inputs older than a decision already dispatched, whatever comes between the steps', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('trigger' as const) }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 400 }) }),
      fc.record({ kind: fc.constant('steps' as const), n: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ kind: fc.constant('meter' as const), currentA: fc.integer({ min: 0, max: 120 }) }),
      fc.record({ kind: fc.constant('site' as const) }),
    );
    fc.assert(
      fc.property(worldArb, fc.array(op, { maxLength: 40 }), (w, ops) => {
        const clock = new FakeClock();
        const q = new StepQueue();
        const h = aSite(w, clock, q);
        h.controller.start();
        for (const o of ops) {
          if (o.kind === 'trigger') h.controller.trigger('api');
          else if (o.kind === 'advance') clock.advanceMs(o.ms);
          else if (o.kind === 'steps') q.run(o.n);
          else if (o.kind === 'meter') h.controller.meterReading(h.publish(o.currentA));
          else h.controller.siteChanged('site');
          clock.advanceMs(1);
        }
        clock.advanceMs(1000);
        q.run();
        const at = h.sink.applied.map((a) => a.decidedAtMs ?? -1);
        for (let i = 1; i < at.length; i++) expect(at[i]).toBeGreaterThanOrEqual(at[i - 1] ?? -1);
        expect(h.sink.applied).toHaveLength(h.controller.stats().decisions);
        // Nothing is left undecided: every trigger ended in a decision.
        expect(q.waiting).toBe(0);
        const last = h.controller.lastDecision();
        expect(last).toBeDefined();
      }),
      { numRuns: 200 },
    );
  });
});

describe('decideSteps', () => {
  it('yields between the parts of a decision and ends with decide’s result', () => {
    const clock = new FakeClock();
    const w = quiet;
    const h = aSite(w, clock, undefined);
    h.controller.decideNow('x');
    const snapshot: SiteSnapshot = {
      nowMs: clock.nowMs(),
      circuits: [aRoot()],
      evses: [anEvse('cs0/1'), anEvse('cs1/1')],
      live: {},
      meters: { grid: aGridReading(4, clock.nowMs()) },
      meterRoles: { gridMeterId: 'grid' },
      modes: {},
      csmsProfiles: {},
    };
    const setup = { strategies: [counter], params: { marginA: 1 } };
    const states = initialDecideStates(setup.strategies);
    const steps = decideSteps(snapshot, states, setup);
    const names: string[] = [];
    for (;;) {
      const s = steps.next();
      if (s.done) {
        expect(s.value).toEqual(decide(snapshot, states, setup));
        break;
      }
      names.push(s.value);
    }
    expect(names).toEqual(expect.arrayContaining(['strategy counter', 'site load', 'allocation: water fill', 'allocation', 'guard: limits', 'guard']));
  });
});
