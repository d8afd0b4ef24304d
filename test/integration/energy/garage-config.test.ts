import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { parseSiteConfig } from '../../../src/config/load.js';
import type { SiteConfig } from '../../../src/config/schema.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import type { SiteView } from '../../../src/api/energy-queries.js';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { DECISION_MODES, hubOptionsOf } from '../../helpers/decision-modes.js';

/**
 * The shipped garage site (site-config/garage.yaml) as it runs: 16 simulated chargers, the
 * simulated grid meter over MQTT (embedded broker, or Mosquitto at MQTT_URL), the real hub, one
 * fake clock. The test advances simulated time one second at a time (each second the site meter
 * publishes and the test waits until the hub has the reading) and samples /api/site: no circuit
 * phase may ever be given more than it has available, and the measured grid current must stay
 * within the connection's limit. The run is made with decisions at once and step by step.
 */
const CONFIG_URL = new URL('../../../site-config/garage.yaml', import.meta.url);
const PHASES = ['L1', 'L2', 'L3'] as const;
const EPS = 1e-6;

function garageYaml(): string {
  const doc = parseDocument(readFileSync(fileURLToPath(CONFIG_URL), 'utf8'));
  const url = process.env.MQTT_URL;
  if (url) doc.setIn(['mqtt', 'url'], url);
  return doc.toString();
}

/** Every circuit an EVSE's current passes through: its own and all its ancestors. */
function pathsOf(config: SiteConfig): Map<string, string[]> {
  const parent = new Map(config.circuits.map((c) => [c.id, c.parent]));
  const out = new Map<string, string[]>();
  for (const s of config.stations) {
    for (const e of s.evses) {
      const path: string[] = [];
      for (let c: string | undefined = e.circuit; c !== undefined; c = parent.get(c)) path.push(c);
      out.set(`${s.id}/${e.id}`, path);
    }
  }
  return out;
}

/** The grid phases each EVSE draws on, from the config. */
function rotationsOf(config: SiteConfig): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of config.stations) for (const e of s.evses) out.set(`${s.id}/${e.id}`, e.phaseRotation ?? (e.phases === 1 ? ['L1'] : ['L1', 'L2', 'L3']));
  return out;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('the shipped garage site config', () => {
  it('parses, and describes a garage of mixed chargers on a circuit tree with a grid meter', () => {
    const config = parseSiteConfig(garageYaml(), 'garage.yaml');
    const evses = config.stations.flatMap((s) => s.evses);
    expect(config.stations.length).toBeGreaterThanOrEqual(12);
    expect(new Set(config.simulation?.chargers.map((c) => c.version))).toEqual(new Set(['1.6', '2.0.1']));
    expect(evses.some((e) => e.phases === 1)).toBe(true);
    expect(new Set(evses.map((e) => (e.phaseRotation ?? []).join(','))).size).toBeGreaterThanOrEqual(4);
    expect(config.circuits.find((c) => c.parent === undefined)?.meter).toBe('grid');
    expect(config.meters.find((m) => m.id === 'grid')?.readings.every((r) => r.topic === 'switchyard/sim/grid')).toBe(true);
    expect(config.simulation?.siteMeter).toBeDefined();
  });

});

describe.each(DECISION_MODES)('the shipped garage site config running ($name)', (mode) => {
  it('never gives a circuit phase more than it has while the simulated cars arrive and charge', async () => {
    const clock = new FakeClock(undefined, mode.yieldMs !== undefined ? { yieldMs: mode.yieldMs } : {});
    h = await startTestHub(garageYaml(), { clock, ...hubOptionsOf(mode) });
    const config = h.config;
    const meters = h.hub.energy.meters;
    if (!meters) throw new Error('no meter hub');
    await meters.subscribed();
    const paths = pathsOf(config);
    const rotations = rotationsOf(config);
    const maxA = new Map<string, { max: number; min: number }>(config.stations.flatMap((s) => s.evses.map((e) => [`${s.id}/${e.id}`, { max: e.maxCurrentA, min: e.minCurrentA }] as const)));
    const rootLimitA = config.circuits.find((c) => c.parent === undefined)?.maxCurrentA;
    const marginA = config.energy.marginA;

    /** Advances one simulated second and waits for the site meter's reading of that second. */
    const tick = async () => {
      const dueMs = clock.nowMs() + 1000;
      const got = new Promise<void>((resolve) => {
        const off = meters.onReading((r) => {
          if (r.meterId === 'grid' && r.timeMs >= dueMs) {
            off();
            resolve();
          }
        });
      });
      clock.advanceMs(1000);
      await got;
    };

    let samples = 0;
    let mostChargingAtOnce = 0;
    let mostCarsAtOnce = 0;
    let mostOversubscribedA = -Infinity;
    for (let s = 0; s < 180; s++) {
      await tick();
      const site = (await h.hub.api.inject({ method: 'GET', url: '/api/site' })).json<SiteView>();
      if (site.circuits.length === 0) continue;
      samples++;
      // From the second decision on, every decision has a fresh grid reading (the first may precede it).
      if (s >= 2) expect(site.staleCircuits).toEqual({});

      const limitOf = new Map(site.evses.map((e) => [e.evseKey, e.limit.maxCurrentA]));
      for (const [key, limit] of limitOf) {
        const own = maxA.get(key);
        expect(own, key).toBeDefined();
        expect(limit, key).toBeLessThanOrEqual((own?.max ?? 0) + EPS);
        expect(limit === 0 || limit >= (own?.min ?? 0) - EPS, `${key} at ${limit} A`).toBe(true);
      }
      // Base profiles are meaningful: every charger keeps at least its minimum when the hub is gone.
      for (const e of site.evses) expect(e.baseShareA, e.evseKey).toBeGreaterThanOrEqual(maxA.get(e.evseKey)?.min ?? Infinity);
      for (const c of site.circuits) {
        for (const p of PHASES) {
          const b = c.phases[p];
          // What the decision sends, summed independently from the config's tree and phase rotations.
          let sentA = 0;
          let wantedA = 0;
          for (const e of site.evses) {
            if (!paths.get(e.evseKey)?.includes(c.circuitId) || !rotations.get(e.evseKey)?.includes(p)) continue;
            sentA += e.limit.maxCurrentA;
            if (e.status === 'charging' || e.status === 'paused') wantedA += maxA.get(e.evseKey)?.max ?? 0;
          }
          expect(b.allocatedA, `${c.circuitId} ${p} allocated`).toBeLessThanOrEqual(b.availableA + EPS);
          expect(sentA, `${c.circuitId} ${p} sent`).toBeLessThanOrEqual(b.availableA + EPS);
          expect(b.availableA + b.nonEvA, `${c.circuitId} ${p}`).toBeLessThanOrEqual(b.limitA - marginA + EPS);
          mostOversubscribedA = Math.max(mostOversubscribedA, wantedA - b.availableA);
        }
      }
      const grid = site.meters['grid']?.currentA;
      for (const p of PHASES) expect(grid?.[p] ?? 0, `grid ${p}`).toBeLessThanOrEqual(typeof rootLimitA === 'number' ? rootLimitA : 0);
      mostChargingAtOnce = Math.max(mostChargingAtOnce, site.evses.filter((e) => e.limit.maxCurrentA > 0 && e.status !== 'inactive').length);
      mostCarsAtOnce = Math.max(mostCarsAtOnce, site.evses.filter((e) => e.status === 'charging' || e.status === 'paused').length);
    }

    expect(samples).toBeGreaterThan(150);
    // The run was a real contest for capacity: most chargers had a car that wanted power (charging,
    // or paused by the rotation), and on some circuit phase the cars present wanted more than it had
    // available. (Measured on demand, not on how close the sent limits came to the limit: that slack
    // depends on when the chargers' reports land relative to the clock, so it varies with the
    // machine's load.) "Most": more than half of the EVSEs at once. Cars, not EVSEs given a limit:
    // how many of the cars present are admitted at once is the allocation's choice (its rotation
    // pauses some when the connection cannot give all their minimum), and it depends on the
    // building load estimated from reports that land late on a loaded machine: a stepped CI run
    // admitted at most 8 of 16 at once (16 of 16 when counting cars, in every run here). Each EVSE's cars are planned from
    // its own seed, so the same cars arrive at the same simulated seconds in every run.
    expect(mostCarsAtOnce).toBeGreaterThan(maxA.size / 2);
    expect(mostChargingAtOnce).toBeGreaterThan(0);
    expect(mostOversubscribedA).toBeGreaterThan(0);
    expect(h.hub.energy.controller.stats().stepped > 0).toBe(mode.steppedFromEvses === 0);
  }, 120_000);
});
