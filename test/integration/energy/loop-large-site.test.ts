import { describe, expect, it } from 'vitest';
import { createPrng } from '../../../src/sim/prng.js';
import type { FollowChargerSpec } from '../sim/follow-charger.js';
import { useLoopSites, type LoopSiteContext, type SimEvent } from '../sim/loop-site.js';
import { BuildingLoad } from '../sim/building-load.js';
import { judgeOverloads, type JudgedCircuit } from './loop-judge.js';
import { meteredSiteHead } from './loop-site-yaml.js';

/**
 * The fuse on a site large enough to decide step by step by the hub's own rule (500 EVSEs or
 * more; no threshold set by the test): 520 EVSEs declared in the config, as a real site declares
 * its chargers, of which 8 are connected: ocpp-rpc chargers in strict mode (1.6 and 2.0.1, 3-phase
 * and 1-phase) whose EVs follow every new limit 2-8 s late, reporting every 1-10 s. The other 512
 * are offline, yet every decision covers them. A real broker, the real hub, one fake clock moved
 * from event to event; each step of a decision takes 45 ms of simulated time, so meter readings
 * (every second), charger reports and answers arrive while a decision runs, and a rise supersedes
 * it. Building steps (seeded) stay below the configured worst case.
 */
const newSite = useLoopSites();

const DECLARED = 520;
const MAIN_A = 160;
const ROWS = { 'row-a': 40, 'row-b': 40 } as const;
type Row = keyof typeof ROWS;

interface Plan extends FollowChargerSpec {
  circuit: Row;
  plugAtS: number;
}
const s3 = (rotation: FollowChargerSpec['rotation']) => ({ phases: 3 as const, rotation, maxCurrentA: 16 });
const s1 = (phase: 'L1' | 'L2' | 'L3') => ({ phases: 1 as const, rotation: [phase], maxCurrentA: 32 });
const PLANS: Plan[] = [
  { id: 'C1', version: '1.6', circuit: 'row-a', ...s3(['L1', 'L2', 'L3']), followDelayS: 5, reportPeriodS: 1, plugAtS: 10 },
  { id: 'C2', version: '2.0.1', circuit: 'row-a', ...s3(['L2', 'L3', 'L1']), followDelayS: 2, reportPeriodS: 10, plugAtS: 25 },
  { id: 'C3', version: '1.6', circuit: 'row-a', ...s1('L1'), followDelayS: 8, reportPeriodS: 5, plugAtS: 40 },
  { id: 'C4', version: '2.0.1', circuit: 'row-a', ...s3(['L3', 'L1', 'L2']), followDelayS: 5, reportPeriodS: 1, plugAtS: 55 },
  { id: 'C5', version: '1.6', circuit: 'row-b', ...s3(['L1', 'L2', 'L3']), followDelayS: 3, reportPeriodS: 10, plugAtS: 15 },
  { id: 'C6', version: '2.0.1', circuit: 'row-b', ...s1('L2'), followDelayS: 5, reportPeriodS: 1, plugAtS: 30 },
  { id: 'C7', version: '1.6', circuit: 'row-b', ...s3(['L2', 'L3', 'L1']), followDelayS: 6, reportPeriodS: 5, plugAtS: 45 },
  { id: 'C8', version: '2.0.1', circuit: 'row-b', ...s3(['L1', 'L2', 'L3']), followDelayS: 4, reportPeriodS: 1, plugAtS: 60 },
];

function yaml(ctx: LoopSiteContext): string {
  const connected = PLANS.map(
    (p) => `  - { id: ${p.id}, securityProfile: 0, evses: [{ id: 1, circuit: ${p.circuit}, phases: ${p.phases}, phaseRotation: [${p.rotation.join(', ')}], maxCurrentA: ${p.maxCurrentA} }] }`,
  );
  const offline = Array.from({ length: DECLARED - PLANS.length }, (_, i) => `  - { id: D${String(i + 1).padStart(3, '0')}, securityProfile: 0, evses: [{ id: 1, circuit: ${i % 2 === 0 ? 'row-a' : 'row-b'}, phases: 3, maxCurrentA: 16 }] }`);
  return `${meteredSiteHead(ctx, { marginA: 1, leaseS: 120, minIntervalS: 10, hysteresisA: 1, debounceMs: 200 })}
circuits:
  - { id: main, maxCurrentA: ${MAIN_A}, meter: grid, worstCaseNonEvA: 130 }
  - { id: row-a, parent: main, maxCurrentA: ${ROWS['row-a']}, worstCaseNonEvA: 0 }
  - { id: row-b, parent: main, maxCurrentA: ${ROWS['row-b']}, worstCaseNonEvA: 0 }
stations:
${[...connected, ...offline].join('\n')}
authorization:
  list: [{ idToken: CAR }]
`;
}

const S = 1000;
const END_S = 180;

describe('the fuse on a site of 520 EVSEs, deciding step by step as the hub does there', () => {
  it('is never taken over its limit by a hub write while EVs follow late and the building steps', async () => {
    const site = await newSite({ yaml, decisions: { name: 'the hub’s own threshold', yieldMs: 45 } });
    expect(site.hub.energy.site.evses).toHaveLength(DECLARED);
    const t0 = site.clock.nowMs();
    const chargers = await site.addFollowChargers(PLANS, 'CAR');
    const rng = createPrng(14);
    const building = new BuildingLoad({ L1: 60, L2: 60, L3: 60 }, t0);
    for (let s = 20; s < 160; s += rng.int(10, 40)) building.step(t0 + s * S, { L1: rng.int(40, 130), L2: rng.int(40, 130), L3: rng.int(40, 130) });
    const events: SimEvent[] = chargers.map((c, i) => ({ atMs: t0 + (PLANS[i]?.plugAtS ?? 10) * S, run: () => c.plugIn(32) }));
    await site.simulate({ untilMs: t0 + END_S * S, meterPeriodMs: 1000, gridA: site.gridOf(building), events });

    const rows: JudgedCircuit[] = (Object.keys(ROWS) as Row[]).map((id) => ({ id, limitA: ROWS[id], carriesBuilding: false, chargers: chargers.filter((c) => PLANS.find((p) => p.id === c.id)?.circuit === id) }));
    const report = judgeOverloads([{ id: 'main', limitA: MAIN_A, carriesBuilding: true, chargers }, ...rows], building, t0, t0 + END_S * S);
    const hubCaused = report.episodes.filter((e) => e.hubCaused).map((e) => `${e.circuit} ${e.phase} ${(e.fromMs - t0) / 1000}-${(e.toMs - t0) / 1000} s +${e.peakOverA.toFixed(1)} A`);
    expect({ hubCausedS: report.hubCausedS, episodes: hubCaused.slice(0, 5) }).toEqual({ hubCausedS: 0, episodes: [] });
    // The EVs did charge (the run judged something), and decisions did run in steps, some superseded.
    expect(chargers.filter((c) => c.writes.some((w) => w.offeredAfterA >= 6)).length).toBe(PLANS.length);
    const stats = site.hub.energy.controller.stats();
    expect(stats.stepped).toBeGreaterThan(0);
    expect(stats.superseded).toBeGreaterThan(0);
  }, 300_000);
});
