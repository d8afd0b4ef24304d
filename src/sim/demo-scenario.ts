/**
 * The demo scenario: on every EVSE, cars arrive, authorize with a tag from a list, charge for a
 * while and leave, over and over. Planning is pure (seeded PRNG); the driver applies the plan
 * through the injected Clock.
 */
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { EvSpec } from './ev-model.js';
import type { Prng } from './prng.js';
import type { SimCharger } from './sim-charger.js';

export interface DemoScenarioParams {
  idTags: string[];
  /** The first car on each EVSE arrives within this many seconds of the start. */
  firstArrivalMaxS: number;
  /** Empty time between two visits, s. */
  idleMinS: number;
  idleMaxS: number;
  /** Time from plug-in to presenting the tag, s. */
  authorizeMinS: number;
  authorizeMaxS: number;
  /** Time from plug-in to leaving, s. */
  dwellMinS: number;
  dwellMaxS: number;
}

export const DEFAULT_DEMO_PARAMS: DemoScenarioParams = {
  idTags: ['DEMO-TAG-01', 'DEMO-TAG-02', 'DEMO-TAG-03', 'DEMO-TAG-04', 'DEMO-TAG-05', 'DEMO-TAG-06'],
  firstArrivalMaxS: 30,
  idleMinS: 60,
  idleMaxS: 600,
  authorizeMinS: 3,
  authorizeMaxS: 15,
  dwellMinS: 600,
  dwellMaxS: 3600,
};

export interface PlannedVisit {
  arriveAfterS: number;
  authorizeAfterS: number;
  dwellS: number;
  idTag: string;
  ev: EvSpec;
}

export function randomEv(prng: Prng): EvSpec {
  const threePhase = prng.next() < 0.7;
  return {
    capacityWh: prng.pick([40_000, 58_000, 64_000, 77_000, 82_000]),
    socPct: Math.round(prng.between(10, 60)),
    targetSocPct: prng.pick([80, 90, 100]),
    maxAcCurrentA: threePhase ? prng.pick([16, 16, 32]) : prng.pick([16, 32]),
    phases: threePhase ? 3 : 1,
  };
}

export function planVisit(prng: Prng, params: DemoScenarioParams, first: boolean): PlannedVisit {
  const dwellS = prng.between(params.dwellMinS, params.dwellMaxS);
  return {
    arriveAfterS: first ? prng.between(0, params.firstArrivalMaxS) : prng.between(params.idleMinS, params.idleMaxS),
    authorizeAfterS: Math.min(dwellS / 2, prng.between(params.authorizeMinS, params.authorizeMaxS)),
    dwellS,
    idTag: prng.pick(params.idTags),
    ev: randomEv(prng),
  };
}

export interface DemoDriverDeps {
  charger: SimCharger;
  evseId: number;
  prng: Prng;
  params: DemoScenarioParams;
  clock: Clock;
  log: Logger;
}

/**
 * Runs visits on one EVSE until stopped. Every step of a visit is timed from the simulated clock
 * alone (not from when the CSMS answered), and the steps run in order on one chain.
 */
export class DemoDriver {
  private readonly deps: DemoDriverDeps;
  private readonly timers = new Set<TimerHandle>();
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private stopped = false;

  constructor(deps: DemoDriverDeps) {
    this.deps = deps;
  }

  start(): void {
    this.next(true);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) this.deps.clock.clearTimeout(t);
    this.timers.clear();
  }

  private next(first: boolean): void {
    const visit = planVisit(this.deps.prng, this.deps.params, first);
    const { charger, evseId } = this.deps;
    this.at(visit.arriveAfterS, () => {
      this.run('plug in', () => charger.plugIn(evseId, visit.ev));
      this.at(visit.authorizeAfterS, () => this.run('authorize', async () => void (await charger.authorize(evseId, visit.idTag))));
      this.at(visit.dwellS, () => {
        this.run('unplug', async () => {
          if (charger.state().evses[evseId - 1]?.evPlugged) await charger.unplug(evseId);
        });
        this.next(false);
      });
    });
  }

  /** Runs the step now when nothing is queued (so it sees the clock's time), else after the others. */
  private run(what: string, step: () => Promise<void>): void {
    const exec = (): Promise<void> =>
      step()
        .catch((err: unknown) => {
          if (!this.stopped) this.deps.log.warn({ station: this.deps.charger.identity, evseId: this.deps.evseId, step: what, err: String(err) }, 'demo step failed');
        })
        .finally(() => this.queued--);
    this.queued++;
    this.chain = this.queued === 1 ? exec() : this.chain.then(exec);
  }

  private at(delayS: number, fn: () => void): void {
    if (this.stopped) return;
    const handle = this.deps.clock.setTimeout(() => {
      this.timers.delete(handle);
      if (!this.stopped) fn();
    }, delayS * 1000);
    this.timers.add(handle);
  }
}
