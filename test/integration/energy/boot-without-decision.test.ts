import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { SimCharger } from '../../../src/sim/sim-charger.js';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { waitForState } from '../sim/advance.js';

/**
 * A station that boots again needs no decision of its own: the last decision counted its EVSE
 * (connected or not), and the dispatcher writes the base and dynamic profiles again from it.
 * Simulated chargers on ocpp-rpc (strict), one fake clock; no meter: a 24 A circuit shared by
 * two 3-phase EVSEs gives each 12 A.
 */
const SITE = `
energy: { marginA: 0, leaseS: 120, minIntervalS: 5, hysteresisA: 0.5, debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 24, worstCaseNonEvA: 0 }
stations:
  - { id: A, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] }
  - { id: B, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] }
`;

let h: Harness | undefined;
const chargers: SimCharger[] = [];
afterEach(async () => {
  for (const c of chargers.splice(0)) await c.stop();
  await h?.stop();
  h = undefined;
});

const hubProfiles = (c: SimCharger) => (c.state().evses[0]?.profiles ?? []).filter((p) => p.id >= 1000);

describe('a boot and the control loop', () => {
  it('gives a rebooted station its base and dynamic profiles again without asking for a decision', async () => {
    const clock = new FakeClock();
    h = await startTestHub(SITE, { clock });
    const hub = h.hub;
    const triggers: string[] = [];
    const trigger = hub.energy.controller.trigger.bind(hub.energy.controller);
    hub.energy.controller.trigger = (reason: string) => {
      triggers.push(reason);
      trigger(reason);
    };
    const charger = (id: string, version: '1.6' | '2.0.1') => new SimCharger({ identity: id, version, endpoint: hub.ocppUrl, clock, log: silentLogger(), phases: 3, maxCurrentA: 16, meterIntervalS: 10 });
    // The first decision (at start) gave both EVSEs a target.
    clock.advanceMs(200);
    expect(hub.energy.controller.stats().decisions).toBeGreaterThanOrEqual(1);
    chargers.push(charger('A', '1.6'), charger('B', '2.0.1'));
    for (const c of chargers) await c.start();
    await Promise.all(chargers.map((c) => waitForState(c, () => hubProfiles(c).length === 2)));
    expect(triggers.filter((r) => r.startsWith('boot '))).toEqual([]);

    // A boots again as a new charger: no profiles until the hub writes them, from the targets it has.
    await chargers[0]?.stop();
    const again = charger('A', '1.6');
    chargers[0] = again;
    const before = hub.energy.controller.stats().decisions;
    await again.start();
    await waitForState(again, () => hubProfiles(again).length === 2);
    expect(hubProfiles(again).map((p) => p.schedules[0]?.periods[0]?.limit).sort()).toEqual(hubProfiles(chargers[1] as SimCharger).map((p) => p.schedules[0]?.periods[0]?.limit).sort());
    expect(triggers.filter((r) => r.startsWith('boot '))).toEqual([]);
    expect(hub.energy.controller.stats().decisions).toBe(before);
  });
});
