import { describe, expect, it } from 'vitest';
import type { SimCharger } from '../../../src/sim/sim-charger.js';
import { SteppingClock } from '../sim/stepping-clock.js';
import { advanceUntilState, waitForState } from '../sim/advance.js';
import { useLoopSites, type LoopSiteContext } from '../sim/loop-site.js';
import { StrictCsms } from './strict-csms.js';

/**
 * The CSMS's charging profiles in proxy mode, end to end: a strict CSMS (every message checked
 * against the official schemas), the real hub with a real broker, and simulated chargers that
 * evaluate the profiles they hold. The hub answers the CSMS's profile calls itself; the CSMS's
 * limit reaches a charger only through the hub's dispatcher.
 * Main circuit 30 A with a grid meter reading 5 A; two 3-phase 16 A EVSEs share (30 - 5 - 1) A at
 * first (later the measured EV currents count against that reading, and the share moves).
 */
function siteYaml(csmsUrl: string, ctx: LoopSiteContext): string {
  return `
mqtt: { url: '${ctx.mqttUrl}' }
server: { pingIntervalS: 0 }
energy: { marginA: 1, leaseS: 120, minIntervalS: 5, hysteresisA: 0.5, debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 30, meter: grid, worstCaseNonEvA: 10 }
meters:
  - id: grid
    role: grid
    staleAfterS: 600
    readings:
      - { quantity: currentA.L1, topic: '${ctx.topic}', path: currentA.L1 }
      - { quantity: currentA.L2, topic: '${ctx.topic}', path: currentA.L2 }
      - { quantity: currentA.L3, topic: '${ctx.topic}', path: currentA.L3 }
stations:
  - { id: CP16, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] }
  - { id: CP201, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] }
authorization:
  list: [{ idToken: CAR }]
upstream:
  mode: proxy
  url: ${csmsUrl}
  pingIntervalS: 0
  reconnect: { initialDelayS: 1, maxDelayS: 1, jitter: 0 }
`;
}

const EV = { capacityWh: 60_000, socPct: 20, maxAcCurrentA: 32, phases: 3 };
const SHARE_A = 12; // (30 - 5 - 1) / 2

const newSite = useLoopSites();

async function site() {
  const server = new StrictCsms();
  await server.start();
  const loop = await newSite({ yaml: (ctx) => siteYaml(server.url, ctx), clock: new SteppingClock(Date.parse('2025-03-03T08:00:00.000Z')) }).catch(async (err: unknown) => {
    await server.stop();
    throw err;
  });
  loop.onStopped(() => server.stop());
  const { clock, harness } = loop;
  const [cp16, cp201] = loop.addSimChargers((['CP16', 'CP201'] as const).map((id) => ({ identity: id, version: id === 'CP16' ? '1.6' : '2.0.1', phases: 3, maxCurrentA: 16, meterIntervalS: 10 })));
  if (!cp16 || !cp201) throw new Error('no chargers');
  for (const c of [cp16, cp201]) {
    await c.start();
    await c.plugIn(1, EV);
    await c.authorize(1, 'CAR');
    await waitForState(c, (s) => s.evses[0]?.transactionId !== undefined);
  }
  await loop.publishGrid(5);
  clock.advanceMs(6_000); // debounce, and past the write-rate limit for increases
  const offered = (c: SimCharger, a: number) => waitForState(c, (s) => s.evses[0]?.offeredCurrentA === a);
  // The second start waits until the first one's ramp shows in a report (room kept for it).
  await advanceUntilState(clock, cp16, (s) => s.evses[0]?.offeredCurrentA === SHARE_A, { stepMs: 100 });
  await advanceUntilState(clock, cp201, (s) => s.evses[0]?.offeredCurrentA === SHARE_A, { stepMs: 100 });
  /** Resolves once the charger is offered the circuit share the hub decided for its EVSE. */
  const onCircuitShare = (c: SimCharger, evseKey: string) =>
    waitForState(c, (st) => {
      const limit = harness.hub.energy.lastDecision()?.evses[evseKey]?.limit;
      return limit?.source === 'fuse:main' && st.evses[0]?.offeredCurrentA === limit.maxCurrentA;
    });
  return { clock, cp16, cp201, offered, onCircuitShare, hub: harness.hub, csms: server };
}

interface SiteView {
  evses: Array<{ evseKey: string; limit: { maxCurrentA: number; source: string } }>;
}

describe('the CSMS’s charging profiles in proxy mode', () => {
  it('turns a 1.6 TxDefaultProfile below the circuit share into a lower limit on the charger, and clearing it restores the share', async () => {
    const s = await site();
    const upstream = await s.csms.client('CP16');
    const profile = {
      chargingProfileId: 7,
      stackLevel: 0,
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 8 }] },
    };
    await expect(upstream.call('SetChargingProfile', { connectorId: 1, csChargingProfiles: profile })).resolves.toEqual({ status: 'Accepted' });
    s.clock.advanceMs(100); // debounce; a decrease goes out at once
    await s.offered(s.cp16, 8);
    // The other EVSE's increase waits until the decrease it depends on settled (the charger's
    // next report shows it, or energy.settleS passed) and for the write-rate limit.
    // It gets what CP16 gave up, up to its 16 A (less what the safe non-EV estimate keeps back).
    // An increase takes room for itself and for its ramp until a report shows it (ramp-reserve.ts), so
    // the last amp is granted by halves, and a step of hysteresisA or less is not written: 15 A.
    await advanceUntilState(s.clock, s.cp201, (st) => (st.evses[0]?.offeredCurrentA ?? 0) >= 15);

    // The hub, not the CSMS, wrote the charger's profiles; the API names the CSMS's profile.
    expect(s.cp16.state().evses[0]?.profiles.map((p) => p.id).sort()).toEqual([1002, 1003]);
    const view = (await s.hub.api.inject({ method: 'GET', url: '/api/site' })).json<SiteView>();
    expect(view.evses.find((e) => e.evseKey === 'CP16/1')?.limit).toMatchObject({ maxCurrentA: 8, source: 'csms:profile 7' });
    const schedule = (await s.hub.api.inject({ method: 'GET', url: '/api/evses/CP16/1/schedule' })).json<{ schedule: { periods: Array<{ limit: number; source: string }> } }>();
    expect(schedule.schedule.periods[0]).toMatchObject({ limit: 8, source: 'csms:profile 7' });

    const composite = (await upstream.call('GetCompositeSchedule', { connectorId: 1, duration: 600, chargingRateUnit: 'A' })) as { status: string; chargingSchedule: { chargingSchedulePeriod: Array<{ startPeriod: number; limit: number }> } };
    expect(composite.status).toBe('Accepted');
    expect(composite.chargingSchedule.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 8, numberPhases: 3 }]);

    await expect(upstream.call('ClearChargingProfile', { id: 7 })).resolves.toEqual({ status: 'Accepted' });
    // The increase goes once the write-rate limit and the ramp reserve allow it.
    await advanceUntilState(s.clock, s.cp16, (st) => (st.evses[0]?.offeredCurrentA ?? 0) > 8);
    expect(s.hub.energy.lastDecision()?.evses['CP16/1']?.limit.source).not.toBe('csms:profile 7');
  });

  it('rejects a 1.6 TxProfile for a transaction that does not run, and accepts one for the CSMS’s transaction id', async () => {
    const s = await site();
    const upstream = await s.csms.client('CP16');
    const tx = (transactionId: number) => ({
      chargingProfileId: 8,
      transactionId,
      stackLevel: 0,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] },
    });
    const csmsTxId = 5000; // the strict CSMS's id for the first (and only) 1.6 StartTransaction
    expect(s.csms.of('CP16', 'StartTransaction')).toHaveLength(1);
    await expect(upstream.call('SetChargingProfile', { connectorId: 1, csChargingProfiles: tx(csmsTxId + 1) })).resolves.toEqual({ status: 'Rejected' });
    await expect(upstream.call('SetChargingProfile', { connectorId: 1, csChargingProfiles: tx(csmsTxId) })).resolves.toEqual({ status: 'Accepted' });
    s.clock.advanceMs(100);
    await s.offered(s.cp16, 10);
  });

  it('answers 2.0.1 profile calls for the station, reports its profiles, and keeps answering while the charger is away', async () => {
    const s = await site();
    const upstream = await s.csms.client('CP201');
    const profile = {
      id: 21,
      stackLevel: 1,
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 6900 }] }],
    };
    await expect(upstream.call('SetChargingProfile', { evseId: 1, chargingProfile: profile })).resolves.toEqual({ status: 'Accepted' });
    s.clock.advanceMs(100);
    await s.offered(s.cp201, 10); // 6900 W / (230 V x 3)

    await expect(upstream.call('GetChargingProfiles', { requestId: 77, chargingProfile: { chargingLimitSource: ['CSO'] } })).resolves.toEqual({ status: 'Accepted' });
    await s.csms.until(() => s.csms.of('CP201', 'ReportChargingProfiles').length === 1);
    expect(s.csms.of('CP201', 'ReportChargingProfiles')[0]?.params).toEqual({ requestId: 77, chargingLimitSource: 'CSO', evseId: 1, chargingProfile: [profile] });

    const composite = (await upstream.call('GetCompositeSchedule', { evseId: 1, duration: 300 })) as { schedule: { chargingRateUnit: string; chargingSchedulePeriod: Array<{ limit: number }> } };
    expect(composite.schedule).toMatchObject({ evseId: 1, duration: 300, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] });

    await s.cp201.stop();
    await expect(upstream.call('ClearChargingProfile', { chargingProfileCriteria: { chargingProfilePurpose: 'TxDefaultProfile' } })).resolves.toEqual({ status: 'Accepted' });
    await expect(upstream.call('ClearChargingProfile', { chargingProfileId: 21 })).resolves.toEqual({ status: 'Unknown' });
  });
});
