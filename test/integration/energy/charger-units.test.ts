import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { SimCharger, type SimChargerConfig } from '../../../src/sim/sim-charger.js';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { waitForState } from '../sim/advance.js';

/**
 * Profiles in what each charger takes: simulated chargers (on ocpp-rpc, strict) that accept only W
 * or keep only low stack levels, as real ones do, report so at boot (1.6 GetConfiguration, 2.x
 * GetVariables); the hub reads it, writes what they accept, and they obey. No meter: a 24 A circuit
 * shared by two 3-phase 16 A EVSEs gives each 12 A, in the base and the dynamic profile alike.
 */
function siteYaml(extra = ''): string {
  return `
energy: { marginA: 0, leaseS: 120, minIntervalS: 5, hysteresisA: 0.5, debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 24, worstCaseNonEvA: 0 }
stations:
  - { id: W16, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] ${extra} }
  - { id: W201, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] }
authorization:
  list: [{ idToken: CAR }]
`;
}

const EV = { capacityWh: 60_000, socPct: 20, maxAcCurrentA: 32, phases: 3 };

let h: Harness | undefined;
let chargers: SimCharger[] = [];
afterEach(async () => {
  for (const c of chargers) await c.stop();
  chargers = [];
  await h?.stop();
  h = undefined;
});

async function site(yaml: string, options: Record<string, Partial<SimChargerConfig>>) {
  const clock = new FakeClock();
  h = await startTestHub(yaml, { clock });
  const hub = h.hub;
  chargers = Object.entries(options).map(([identity, o]) => new SimCharger({
    identity, version: identity === 'W16' ? '1.6' : '2.0.1', endpoint: hub.ocppUrl, clock, log: silentLogger(), phases: 3, maxCurrentA: 16, meterIntervalS: 10, ...o,
  }));
  for (const c of chargers) await c.start();
  for (const c of chargers) {
    await c.plugIn(1, EV);
    await c.authorize(1, 'CAR');
    await waitForState(c, (s) => s.evses[0]?.transactionId !== undefined);
  }
  clock.advanceMs(6_000);
  return { clock, hub };
}

const hubProfiles = (c: SimCharger) => (c.state().evses[0]?.profiles ?? []).filter((p) => p.id >= 1000);

/** Both of the hub's profiles (base and dynamic) installed, and the EV offered 12 A. */
const bothProfilesAt12A = () => Promise.all(chargers.map((c) => waitForState(c, (s) => s.evses[0]?.offeredCurrentA === 12 && (s.evses[0]?.profiles.filter((p) => p.id >= 1000).length ?? 0) === 2)));

describe('profiles in the charger’s own unit and stack levels', () => {
  it('writes W-only chargers (1.6 and 2.0.1) their limits in W, which they accept and obey', async () => {
    const { hub } = await site(siteYaml(), { W16: { rateUnits: ['W'] }, W201: { rateUnits: ['W'] } });
    // 24 A shared: 12 A each on 3 phases = 8,280 W.
    await bothProfilesAt12A();
    for (const c of chargers) {
      expect(hubProfiles(c).map((p) => p.schedules[0]?.rateUnit)).toEqual(['W', 'W']);
      expect(hubProfiles(c).map((p) => p.schedules[0]?.periods[0]?.limit)).toEqual([8280, 8280]);
    }
    expect(['W16/1', 'W201/1'].map((k) => hub.energy.dispatcher.isControllable(k))).toEqual([true, true]);
    const view = (await hub.api.inject({ method: 'GET', url: '/api/evses/W16/1/schedule' })).json<{ controllable: boolean; capabilities: { rateUnits: string[] } }>();
    expect(view).toMatchObject({ controllable: true, capabilities: { rateUnits: ['W'] } });
  });

  it('keeps the hub’s two profiles under a charger’s maximum stack level', async () => {
    await site(siteYaml(), { W16: { maxStackLevel: 1 }, W201: { maxStackLevel: 1 } });
    await bothProfilesAt12A();
    for (const c of chargers) expect(hubProfiles(c).map((p) => p.stackLevel).sort()).toEqual([0, 1]);
  });

  it('follows the site config where a charger reports wrongly', async () => {
    // W16 says it takes A and W; the config says W: the hub believes the config.
    const { hub } = await site(siteYaml(', smartCharging: { rateUnit: W }'), { W16: {}, W201: {} });
    await bothProfilesAt12A();
    expect(hubProfiles(chargers[0] as SimCharger).map((p) => p.schedules[0]?.rateUnit)).toEqual(['W', 'W']);
    expect(hubProfiles(chargers[1] as SimCharger).map((p) => p.schedules[0]?.rateUnit)).toEqual(['A', 'A']);
    expect(hub.energy.capabilities.of('W16')).toMatchObject({ rateUnits: ['W'] });
  });
});
