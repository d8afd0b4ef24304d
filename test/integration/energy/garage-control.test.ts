import { describe, it, expect } from 'vitest';
import { waitForState } from '../sim/advance.js';
import { useLoopSites, type LoopSiteContext } from '../sim/loop-site.js';
import { DECISION_MODES, type DecisionMode } from '../../helpers/decision-modes.js';
import type { PerPhase } from '../../../src/energy/phases.js';
import type { SiteView } from '../../../src/api/energy-queries.js';

/**
 * The energy core end to end: a real MQTT broker (embedded, or Mosquitto at MQTT_URL), the real
 * hub, simulated chargers that evaluate the profiles they were given, and one fake clock for all.
 * Main circuit 40 A with a grid meter; two 3-phase EVSEs of 16 A; worst-case non-EV load 20 A, so
 * each EVSE's base (safe) share is (40 - 20 - 1 margin) / 2 = 9.5 A. The grid meter reads the
 * building plus what the EVs draw, and simulated time moves from event to event, each message
 * landing before the next (LoopSite.simulate). Run with decisions at once and step by step.
 */
function siteYaml(ctx: LoopSiteContext): string {
  return `
mqtt: { url: '${ctx.mqttUrl}' }
energy: { marginA: 1, leaseS: 120, minIntervalS: 5, hysteresisA: 0.5, debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 40, meter: grid, worstCaseNonEvA: 20 }
meters:
  - id: grid
    role: grid
    staleAfterS: 60
    readings:
      - { quantity: currentA.L1, topic: '${ctx.topic}', path: currentA.L1 }
      - { quantity: currentA.L2, topic: '${ctx.topic}', path: currentA.L2 }
      - { quantity: currentA.L3, topic: '${ctx.topic}', path: currentA.L3 }
stations:
  - { id: GA1, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] }
  - { id: GA2, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] }
authorization:
  list: [{ idToken: CAR }]
`;
}

const EV = { capacityWh: 60_000, socPct: 20, maxAcCurrentA: 32, phases: 3 };
const newSite = useLoopSites();

async function garage(mode: DecisionMode) {
  const site = await newSite({ yaml: siteYaml, decisions: mode });
  const { clock, hub } = site;
  const cps = site.addSimChargers(['GA1', 'GA2'].map((id, i) => ({ identity: id, version: i === 0 ? '1.6' : '2.0.1', phases: 3, maxCurrentA: 16, meterIntervalS: 10 })));
  for (const c of cps) await c.start();
  for (const c of cps) {
    await c.plugIn(1, EV);
    await c.authorize(1, 'CAR');
    await waitForState(c, (s) => s.evses[0]?.transactionId !== undefined);
  }

  // The grid meter reads the building plus what the chargers' EVs really draw at the instant.
  const g = {
    site,
    clock,
    hub,
    cps,
    buildingA: 5,
    /** The most any phase of the grid meter read, A. */
    mostGridA: 0,
    gridA: (): PerPhase => {
      const a = { L1: g.buildingA, L2: g.buildingA, L3: g.buildingA };
      for (const c of cps) {
        const d = c.drawnCurrentA();
        a.L1 += d.L1;
        a.L2 += d.L2;
        a.L3 += d.L3;
      }
      g.mostGridA = Math.max(g.mostGridA, a.L1, a.L2, a.L3);
      return a;
    },
    view: async () => (await hub.api.inject({ method: 'GET', url: '/api/site' })).json<SiteView>(),
    /**
     * 90 s with the building at 5 A and the grid meter publishing every second, from event to
     * event: the chargers start at their own maximum before the hub's first decision (which,
     * seeing 37 A and no report yet, pauses them); the EVs follow the hub's profiles and report
     * every 10 s, and each increase waits for those reports. The same simulated history on any
     * machine: each step waits until no message is under way. Then checks that the hub gave
     * each EV what the fuse allows: (40 - 5 - 1) / 2 = 17, capped at the EVSE's 16 A.
     */
    chargeUp: async () => {
      await site.simulate({ untilMs: clock.nowMs() + 90_000, meterPeriodMs: 1000, gridA: g.gridA });
      const view = await g.view();
      expect(view.evses.map((e) => [e.evseKey, e.limit.maxCurrentA, e.limit.source])).toEqual([
        ['GA1/1', 16, 'evse:max'],
        ['GA2/1', 16, 'evse:max'],
      ]);
      // Each EV follows the hub's dynamic profile, within the hysteresis of it (a raise smaller
      // than 0.5 A is not written), draws it, and the hub has seen it do so.
      for (const c of cps) {
        const e = c.state().evses[0];
        expect(e?.limitSource, c.identity).toBe('csms:profile 1003');
        expect(e?.offeredCurrentA, c.identity).toBeGreaterThan(16 - 0.5);
        expect(e?.drawnCurrentA, c.identity).toBe(e?.offeredCurrentA);
        const drawn = e?.drawnCurrentA ?? 0;
        expect(hub.energy.live.get(`${c.identity}/1`)?.measuredCurrentA, c.identity).toEqual([drawn, drawn, drawn]);
      }
      expect(g.mostGridA).toBeLessThanOrEqual(40);
    },
    bothOffered: (a: number) => Promise.all(cps.map((c) => waitForState(c, (s) => s.evses[0]?.offeredCurrentA === a))),
  };
  return g;
}

describe.each(DECISION_MODES)('a garage sharing one grid connection ($name)', (mode) => {
  it('gives the chargers what the fuse allows and lowers their limits at once when building load steps up', async () => {
    const g = await garage(mode);
    const { site, clock, hub } = g;
    await g.chargeUp();

    // The building steps up to 20 A: the grid meter reads 20 + 2 x ~16 = ~52 A, over the fuse.
    // The rise decides at once (no debounce window), and decreases go out without waiting for
    // the write-rate limit: the chargers have them before the clock moves on at all.
    const stepMs = clock.nowMs();
    g.buildingA = 20;
    await site.publishGrid(g.gridA());
    const decision = hub.energy.lastDecision();
    expect(decision?.atMs).toBe(stepMs);
    expect(decision?.reasons).toContain('meter grid rise');
    expect(Object.entries(decision?.evses ?? {}).map(([k, e]) => [k, e.limit.maxCurrentA, e.limit.source])).toEqual([
      ['GA1/1', 9.5, 'fuse:main'], // (40 - 20 - 1) / 2
      ['GA2/1', 9.5, 'fuse:main'],
    ]);
    await site.settle();
    expect(clock.nowMs()).toBe(stepMs);
    for (const c of g.cps) expect(c.state().evses[0], c.identity).toMatchObject({ offeredCurrentA: 9.5, drawnCurrentA: 9.5, limitSource: expect.stringMatching(/^csms:profile/) });
    expect(g.gridA().L1).toBeLessThanOrEqual(40); // 20 + 2 x 9.5 = 39

    const view = await g.view();
    expect(view.evses.map((e) => e.limit.source)).toEqual(['fuse:main', 'fuse:main']);
    expect(view.circuits[0]?.phases.L1.allocatedA).toBeLessThanOrEqual(view.circuits[0]?.phases.L1.availableA ?? 0);
  });

  it('falls back to failsafe limits when the grid meter goes silent', async () => {
    const g = await garage(mode);
    await g.chargeUp();

    await g.site.advance(61_000); // no reading for 61 s; staleAfterS is 60: the controller notices by itself
    for (const c of g.cps) expect(c.state().evses[0]?.offeredCurrentA, c.identity).toBe(9.5);
    const site = await g.view();
    expect(Object.keys(site.staleCircuits)).toEqual(['main']);
    expect(site.evses.every((e) => e.limit.source === 'failsafe')).toBe(true);
  });

  it('leaves every charger at its base profile once the lease ends if the hub dies', async () => {
    const g = await garage(mode);
    await g.chargeUp();

    // Both hold their base profile (stack level 1, 9.5 A) under the dynamic one before the hub goes.
    for (const c of g.cps) expect(c.state().evses[0]?.profiles.some((p) => p.stackLevel === 1 && p.schedules[0]?.periods[0]?.limit === 9.5), c.identity).toBe(true);
    await g.site.stopHub(); // the hub is gone; nobody renews the leases
    g.clock.advanceMs(130_000); // leaseS is 120; the chargers re-evaluate at their meter ticks
    await g.bothOffered(9.5);
    expect(g.cps.map((c) => c.state().evses[0]?.limitSource)).toEqual([expect.stringMatching(/^csms:profile/), expect.stringMatching(/^csms:profile/)]);
  });
});
