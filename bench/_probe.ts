import { performance } from 'node:perf_hooks';
import { parseSiteConfig } from '../src/config/load.js';
import { Controller, type DispatchSink } from '../src/control/controller.js';
import { decideSteps } from '../src/control/decide.js';
import { withLimitChangeLog } from '../src/control/limit-change-log.js';
import { siteModelFromConfig } from '../src/control/site-model-from-config.js';
import { strategiesOf } from '../src/hub-energy-control.js';
import type { OfferStep } from '../src/energy/draw/draw-at.js';
import type { EvseLiveState } from '../src/energy/site-model.js';
import { FakeClock } from '../src/util/fake-clock.js';
import { silentLogger } from '../src/util/logger.js';
import { declaredSiteYaml } from './decide-scale.js';
import { Dispatcher } from '../src/control/dispatcher.js';
const N = 5000;
const config = parseSiteConfig(declaredSiteYaml(N), 'x.yaml');
const site = siteModelFromConfig(config);
const clock = new FakeClock();
const offers = new Map<string, OfferStep[]>();
const live: Record<string, EvseLiveState> = {};
for (const e of site.evses) {
  live[e.key] = { key: e.key, active: true, controllable: true, transactionId: `tx-${e.key}`, transactionStartedMs: clock.nowMs() - 600_000, measuredCurrentA: [6, 6, 6], samples: [{ timeMs: clock.nowMs() - 5_000, currentA: [6, 6, 6] }] };
  offers.set(e.key, [{ fromMs: clock.nowMs() - 120_000, limitA: 6 }]);
}
const liveMap = new Map(Object.entries(live));
const sink: DispatchSink = { apply: () => undefined, isControllable: () => true, offersOf: (key) => offers.get(key) ?? [] };
const real = process.env['REAL'] === '1';
let disp: Dispatcher | undefined;
if (real) disp = new Dispatcher({ clock, log: silentLogger(), send: async () => ({ status: 'Accepted' }), versionOf: () => '1.6' });
const strategies = strategiesOf(config, site);
const log = silentLogger();
const controller: Controller = new Controller({
  clock, log, site, strategies: strategies.map((strategy) => ({ strategy })),
  snapshot: () => ({ meters: {}, live: liveMap, modes: {} }),
  dispatcher: withLimitChangeLog({ sink: disp ?? sink, log, decision: (key) => controller.lastDecision()?.evses[key] }),
  failsafe: { staleAfterS: 10 },
  params: { marginA: config.energy.marginA, rotationPeriodS: config.energy.rotationPeriodS, nominalVoltageV: config.site.voltageV, nonEvEstimator: config.energy.nonEvEstimator, followS: config.energy.settleS, rampReserve: config.energy.nonEvEstimator === 'aligned' },
});
const c = controller as any;
const acc = new Map<string, number[]>();
const add = (k: string, v: number) => { const a = acc.get(k) ?? []; a.push(v); acc.set(k, a); };
for (let i = 0; i < 30; i++) {
  await new Promise((r) => setImmediate(r));
  clock.advanceMs(1000);
  let t0 = performance.now();
  const snap = c.buildSnapshot(clock.nowMs());
  add('buildSnapshot', performance.now() - t0);
  const setup = c.setupFor(snap);
  const g = decideSteps(snap, c.states, setup);
  const per = new Map<string, number>();
  let r;
  for (;;) { t0 = performance.now(); r = g.next(); const d = performance.now() - t0; const name = r.done ? 'end' : r.value; per.set(name, Math.max(per.get(name) ?? 0, d)); if (r.done) break; }
  for (const [k, v] of per) add('step ' + k, v);
  t0 = performance.now();
  c.commit(r.value, snap, [], clock.nowMs(), 1);
  add('commit', performance.now() - t0);
  t0 = performance.now(); c.targetsOf(r.value); add('targetsOf', performance.now() - t0);
}
for (const [k, a] of acc) { a.sort((x, y) => x - y); console.log(k.padEnd(30), 'median', a[Math.floor(a.length / 2)]!.toFixed(2), 'max', a[a.length - 1]!.toFixed(2)); }
