import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { HubMetrics } from '../../../src/api/metrics.js';
import type { EvseEnergyView, SiteView } from '../../../src/api/energy-queries.js';
import { anEvseView } from './evse-view-fixture.js';
import type { SiteMetricsDeps } from '../../../src/api/metrics-site.js';
import { familyBlocks, referenceFamilies, REFERENCE_FAMILIES } from './metrics-reference.js';

/** A site the operations below change: EVSE views, circuits, stations, registers. */
interface Model {
  evses: EvseEnergyView[];
  circuits: SiteView['circuits'];
  stations: Array<{ stationId: string; connected: boolean }>;
  registers: Array<{ evseKey: string; valueWh: number }>;
}

const KEYS = ['CP1/1', 'CP1/2', 'CP2/1', 'CP "3"/1', 'CP\\4/1', 'CP\n5/1', 'ÄÖ/1', 'x{y}=z/7'];
const SOURCES = ['circuit:row-a', 'fuse', 'strategy:solar', 'csms:profile 7', 'Bad:x', '', 'guard:ramp:2', 'failsafe'];
const PHASE_ROTATIONS = [['L1'], ['L2', 'L3', 'L1'], ['L3'], []];
/** Values as they may come: fractions, zero and minus zero, negatives, NaN, infinities. */
const value = fc.oneof(fc.constantFrom(0, -0, 6, 16, 32, 0.1 + 0.2, -3.5, 1e21, NaN, Infinity, -Infinity), fc.double());
const phases = fc.array(value, { maxLength: 3 });

function view(evseKey: string, rotation: string[]): EvseEnergyView {
  return anEvseView({ evseKey, stationId: evseKey.split('/')[0] ?? evseKey, phaseRotation: rotation, profileWrites: { lastHour: 0, lastDay: 0 } });
}

const budget = (limitA: number, a: number) => ({ limitA, nonEvA: a, availableA: limitA - a, allocatedA: a / 2 });

type Op = (m: Model) => void;
const at = <T>(list: T[], i: number): T | undefined => (list.length ? list[i % list.length] : undefined);
const replace = (m: Model, i: number, change: (e: EvseEnergyView) => EvseEnergyView) => {
  const e = at(m.evses, i);
  if (e) m.evses[m.evses.indexOf(e)] = change(e);
};

const op: fc.Arbitrary<Op> = fc.oneof(
  // A decision: new limit objects for every EVSE, a few with other values; circuits recomputed.
  fc.tuple(fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, 6, 10, 16), fc.constantFrom(...SOURCES)), { maxLength: 4 }), value).map(([changes, a]) => (m: Model) => {
    m.evses = m.evses.map((e) => ({ ...e, ...(e.limit ? { limit: { ...e.limit } } : {}) }));
    for (const [i, maxCurrentA, source] of changes) replace(m, i, (e) => ({ ...e, limit: { maxCurrentA, source } }));
    m.circuits = m.circuits.map((c) => ({ ...c, phases: { ...c.phases, L2: budget(c.phases.L2.limitA, a) } }));
  }),
  // An operator's max current: that EVSE's limit changes.
  fc.tuple(fc.nat(), value).map(([i, a]) => (m: Model) => replace(m, i, (e) => ({ ...e, maxCurrentA: a, limit: { maxCurrentA: a, source: e.limit?.source ?? 'setting' } }))),
  // An operation mode: the view changes, no metric does (no limit while Idle).
  fc.tuple(fc.nat(), fc.boolean()).map(([i, idle]) => (m: Model) =>
    replace(m, i, (e) => {
      const { limit: _limit, ...rest } = e;
      return idle ? { ...rest, mode: 'Idle', modeSource: 'api' } : { ...e, mode: 'LocalLoadBalancing', modeSource: 'config' };
    }),
  ),
  fc.tuple(fc.nat(), fc.option(value)).map(([i, offeredA]) => (m: Model) =>
    replace(m, i, (e) => {
      const { offeredA: _o, ...rest } = e;
      return offeredA === null ? rest : { ...rest, offeredA };
    }),
  ),
  fc.tuple(fc.nat(), fc.option(phases)).map(([i, drawnA]) => (m: Model) =>
    replace(m, i, (e) => {
      const { drawnA: _d, ...rest } = e;
      return drawnA === null ? { ...rest, active: false } : { ...rest, active: true, drawnA };
    }),
  ),
  fc.tuple(fc.nat(), fc.boolean()).map(([i, on]) => (m: Model) =>
    replace(m, i, (e) => {
      const { disobedient: _d, ...rest } = e;
      return on ? { ...rest, disobedient: { sinceMs: 0, limitA: 6, drawnA: 9 } } : rest;
    }),
  ),
  fc.tuple(fc.nat(), fc.option(fc.tuple(fc.nat(20), fc.nat(200)))).map(([i, w]) => (m: Model) =>
    replace(m, i, (e) => {
      const { profileWrites: _p, ...rest } = e;
      return w === null ? rest : { ...rest, profileWrites: { lastHour: w[0], lastDay: w[1] } };
    }),
  ),
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...PHASE_ROTATIONS), fc.nat()).map(([key, rotation, pos]) => (m: Model) => {
    if (!m.evses.some((e) => e.evseKey === key)) m.evses.splice(pos % (m.evses.length + 1), 0, view(key, rotation));
  }),
  fc.nat().map((i) => (m: Model) => {
    if (m.evses.length) m.evses.splice(i % m.evses.length, 1);
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]) => (m: Model) => {
    const a = at(m.evses, i);
    const b = at(m.evses, j);
    if (a && b) [m.evses[m.evses.indexOf(a)], m.evses[m.evses.indexOf(b)]] = [b, a];
  }),
  fc.tuple(fc.constantFrom('CP1', 'CP2', 'CP "3"', 'CP\\4'), fc.boolean()).map(([stationId, connected]) => (m: Model) => {
    const s = m.stations.find((x) => x.stationId === stationId);
    if (s) s.connected = connected;
    else m.stations.push({ stationId, connected });
  }),
  fc.tuple(fc.constantFrom(...KEYS), fc.option(fc.oneof(fc.constantFrom(0, 1.5, 1e21), fc.double({ min: 0, max: 1e12, noNaN: true })))).map(([evseKey, wh]) => (m: Model) => {
    m.registers = m.registers.filter((r) => r.evseKey !== evseKey);
    if (wh !== null) m.registers.push({ evseKey, valueWh: wh });
  }),
);

function metricsOf(m: Model, scrapeTurnMs: number): { metrics: HubMetrics; energy: { site(): SiteView; evses(): EvseEnergyView[] }; site: SiteMetricsDeps } {
  const energy = {
    site: (): SiteView => ({ nowMs: 0, meters: {}, circuits: m.circuits, staleCircuits: {}, evses: [], dispatch: { writes: 0, accepted: 0, rejected: 0, failed: 0 } }),
    evses: () => m.evses,
  };
  const site: SiteMetricsDeps = { stations: () => m.stations, voltageV: 230, version: 'test', transactions: () => ({ started: 0, ended: 0 }), evseRegistersWh: () => m.registers };
  const metrics = new HubMetrics({
    stationsConnected: () => 0,
    energy,
    controlStats: () => ({ decisions: 0, triggers: 0, lastDurationMs: 0, maxDurationMs: 0, totalDurationMs: 0, failures: 0, superseded: 0, stepped: 0 }),
    site,
    scrapeTurnMs,
  });
  return { metrics, energy, site };
}

/** The families prom-client writes from process state (they change between two reads). */
const volatile = (name: string) => name.startsWith('process_') || name.startsWith('nodejs_');

describe('per-EVSE, per-station and per-circuit lines kept between scrapes', () => {
  it('read after any sequence of decisions, operator changes, offers, draws and EVSE list changes, byte for byte as built afresh by prom-client', async () => {
    await fc.assert(
      // A scrape that gives the event loop back after every family (0 ms), or never.
      fc.asyncProperty(fc.array(fc.array(op, { maxLength: 4 }), { minLength: 1, maxLength: 12 }), fc.constantFrom(0, Infinity), async (rounds, scrapeTurnMs) => {
        const model: Model = {
          evses: KEYS.slice(0, 4).map((k, i) => ({ ...view(k, PHASE_ROTATIONS[i % 3] ?? []), limit: { maxCurrentA: 16, source: 'circuit:main' } })),
          circuits: [{ circuitId: 'main', phases: { L1: budget(32, 5), L2: budget(32, 3), L3: budget(32, 0) } }],
          stations: [{ stationId: 'CP1', connected: true }],
          registers: [],
        };
        const { metrics, energy, site } = metricsOf(model, scrapeTurnMs);
        for (const ops of rounds) {
          for (const o of ops) o(model);
          // Two scrapes asked for at once: the second runs after the first, both whole.
          const [text, again] = await Promise.all([metrics.scrape(), metrics.scrape()]);
          const kept = familyBlocks(text);
          const second = familyBlocks(again);
          const fresh = await referenceFamilies(energy, site);
          for (const name of REFERENCE_FAMILIES) {
            expect(kept.get(name)).toBe(fresh.get(name));
            expect(second.get(name)).toBe(fresh.get(name));
          }
          // The relative order of the families is the registration order of before.
          expect([...kept.keys()].filter((n) => fresh.has(n))).toEqual([...REFERENCE_FAMILIES]);
          // And the whole text is what prom-client itself writes for the same registry (kept families through their JSON view).
          const own = familyBlocks(await Registry.prototype.metrics.call(metrics.registry));
          expect([...kept].filter(([n]) => !volatile(n))).toEqual([...own].filter(([n]) => !volatile(n)));
        }
      }),
      { numRuns: 150 },
    );
  });
});
