import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { boot16, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { StrictCsms, type CsmsClient } from './strict-csms.js';
import { SITE, charger, hubOf, siteReady } from './hub-site.js';

/**
 * Hub mode with a strict CSMS (ocpp-rpc, official schemas) and three strict ocpp-rpc 1.6
 * chargers of one 3-phase 16 A EVSE each on a 100 A circuit: what the CSMS sets on evse 0 (the
 * site) caps the sum of the site's EVSEs, and the composite answers do not depend on when they
 * are asked.
 */
const STATIONS = ['GA', 'GB', 'GC'];

function yaml(csmsUrl: string): string {
  return `
server: { pingIntervalS: 0 }
energy: { marginA: 0, leaseS: 120, minIntervalS: 5, hysteresisA: 0.5, debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 100, worstCaseNonEvA: 0 }
stations:
${STATIONS.map((id) => `  - { id: ${id}, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] }`).join('\n')}
authorization:
  list: [{ idToken: CAR }]
upstream:
  mode: hub
  url: ${csmsUrl}
  identity: ${SITE}
  password: pw-site
  version: '2.0.1'
  pingIntervalS: 0
  reconnect: { initialDelayS: 1, maxDelayS: 1, jitter: 0 }
`;
}

let csms: StrictCsms;
let h: Harness;
let server: CsmsClient;
let clock: FakeClock;
const clients: RPCClient[] = [];
/** Every SetChargingProfile each charger accepted, in order. */
const written = new Map<string, Record<string, unknown>[]>();
const listeners = new Set<() => void>();

beforeEach(async () => {
  csms = new StrictCsms({ passwords: { [SITE]: 'pw-site' } });
  await csms.start();
  clock = new FakeClock(Date.parse('2026-03-02T08:00:00Z'));
  h = await startTestHub(yaml(csms.url), { clock });
  await siteReady(h);
  server = await csms.client(SITE);
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close({ force: true });
  written.clear();
  listeners.clear();
  await h.stop();
  await csms.stop();
});

async function connect(id: string): Promise<RPCClient> {
  written.set(id, []);
  const c = await charger(h, id, '1.6', [], (method, params) => {
    if (method === 'SetChargingProfile') {
      written.get(id)?.push(params as Record<string, unknown>);
      for (const l of [...listeners]) l();
    }
    return { status: 'Accepted' };
  });
  clients.push(c);
  await c.call('BootNotification', boot16);
  await c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
  return c;
}

async function startCharging(c: RPCClient): Promise<number> {
  await c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
  const answer = (await c.call('StartTransaction', { connectorId: 1, idTag: 'CAR', meterStart: 0, timestamp: new Date(clock.nowMs()).toISOString() })) as { transactionId: number };
  await c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
  return answer.transactionId;
}

/** The limit (A per phase) of the dynamic profile (the hub's higher stack level) a charger holds last. */
function dynamicLimitA(id: string): number | undefined {
  const list = written.get(id) ?? [];
  for (let i = list.length - 1; i >= 0; i--) {
    const cp = list[i]?.['csChargingProfiles'] as { stackLevel: number; chargingSchedule: { chargingSchedulePeriod: { limit: number }[] } };
    if (cp.stackLevel === 2) return cp.chargingSchedule.chargingSchedulePeriod[0]?.limit;
  }
  return undefined;
}

/**
 * Moves the clock on in 1 s steps until pred holds, waiting after each step for the chargers'
 * writes (or for the event loop to have passed messages on): increases wait for make before
 * break and the ramp reserve, which these chargers (they report no current) satisfy only once
 * energy.settleS has passed. Fails after 600 simulated seconds.
 */
async function advanceUntil(pred: () => boolean): Promise<void> {
  let wake: () => void = () => undefined;
  const check = (): void => {
    if (pred()) wake();
  };
  listeners.add(check);
  try {
    for (let simS = 0; !pred(); simS++) {
      if (simS > 600) throw new Error(`not reached within 600 simulated seconds; limits: ${STATIONS.map((id) => dynamicLimitA(id)).join(', ')}`);
      clock.advanceMs(1_000);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 20);
      });
    }
  } finally {
    listeners.delete(check);
  }
}

const sitePowerW = (): number => STATIONS.reduce((sum, id) => sum + (dynamicLimitA(id) ?? 0) * 230 * 3, 0);

const siteCap = (limitW: number) => ({
  evseId: 0,
  chargingProfile: {
    id: 900,
    stackLevel: 0,
    chargingProfilePurpose: 'ChargingStationMaxProfile',
    chargingProfileKind: 'Absolute',
    chargingSchedule: [{ id: 1, startSchedule: new Date(clock.nowMs() - 60_000).toISOString(), chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: limitW }] }],
  },
});

describe('hub mode: a CSMS limit on evse 0 caps the whole site', () => {
  it('keeps the sum of the site’s EVSEs within a 4,830 W ChargingStationMaxProfile, not each charger', async () => {
    const cps = [];
    for (const id of STATIONS) cps.push(await connect(id));
    for (const c of cps) await startCharging(c);
    await advanceUntil(() => STATIONS.every((id) => dynamicLimitA(id) === 16));

    await expect(server.call('SetChargingProfile', siteCap(4830))).resolves.toEqual({ status: 'Accepted' });
    await advanceUntil(() => sitePowerW() <= 4830);
    // Not three times the cap (7 A each), and what fits the cap is still used: one EVSE at 7 A
    // (an EVSE lowered below it may come back up in steps: the increase waits for the decreases
    // and for the chargers' reports), the sum within the cap at every step on the way.
    const over: number[] = [];
    const watch = (): void => {
      if (sitePowerW() > 4830) over.push(sitePowerW());
    };
    listeners.add(watch);
    await advanceUntil(() => STATIONS.map((id) => dynamicLimitA(id)).sort().join() === '0,0,7');
    listeners.delete(watch);
    expect(over).toEqual([]);
    expect(STATIONS.map((id) => dynamicLimitA(id)).sort()).toEqual([0, 0, 7]);

    // Later decisions (meter-less site: a safety tick every 10 s) keep it.
    for (let i = 0; i < 3; i++) clock.advanceMs(10_000);
    expect(sitePowerW()).toBeLessThanOrEqual(4830);
  });

  it('answers GetCompositeSchedule for evse 0 with the site total within the cap, in W and in A', async () => {
    for (const id of STATIONS) await connect(id);
    await expect(server.call('SetChargingProfile', siteCap(4830))).resolves.toEqual({ status: 'Accepted' });
    const inW = (await server.call('GetCompositeSchedule', { evseId: 0, duration: 3600, chargingRateUnit: 'W' })) as { status: string; schedule: { chargingSchedulePeriod: { startPeriod: number; limit: number }[] } };
    expect(inW.status).toBe('Accepted');
    expect(inW.schedule.chargingSchedulePeriod).toEqual([expect.objectContaining({ startPeriod: 0, limit: 4830 })]);
    const inA = (await server.call('GetCompositeSchedule', { evseId: 0, duration: 3600, chargingRateUnit: 'A' })) as { schedule: { chargingSchedulePeriod: { limit: number }[] } };
    expect(inA.schedule.chargingSchedulePeriod).toEqual([expect.objectContaining({ limit: 7 })]);
  });
});

describe('hub mode: composite schedules do not depend on when they are asked', () => {
  it('answers the same composite for an EVSE before, during and right after a transaction', async () => {
    const ga = await connect('GA');
    const upstreamEvseId = hubOf(h).states.state.mapping.entries.find((e) => e.stationId === 'GA')?.upstreamEvseId;
    expect(upstreamEvseId).toBeDefined();
    const txDefault = {
      evseId: upstreamEvseId,
      chargingProfile: {
        id: 31,
        stackLevel: 0,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: [{
          id: 1, startSchedule: new Date(clock.nowMs() - 60_000).toISOString(), chargingRateUnit: 'A',
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }],
        }],
      },
    };
    await expect(server.call('SetChargingProfile', txDefault)).resolves.toEqual({ status: 'Accepted' });
    const ask = async (): Promise<unknown> => {
      const answer = (await server.call('GetCompositeSchedule', { evseId: upstreamEvseId, duration: 7_200, chargingRateUnit: 'A' })) as { status: string; schedule: Record<string, unknown> };
      expect(answer.status).toBe('Accepted');
      const { scheduleStart: _start, ...rest } = answer.schedule;
      return rest;
    };
    const before = await ask();
    // The idle EVSE shows what a session would get (the TxDefaultProfile), not the hub's "no EV, 0 A".
    expect(before).toMatchObject({ duration: 7_200, chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] });

    const txId = await startCharging(ga);
    await advanceUntil(() => dynamicLimitA('GA') === 10);
    const during = await ask();
    await ga.call('StopTransaction', { transactionId: txId, meterStop: 1000, timestamp: new Date(clock.nowMs()).toISOString(), reason: 'Local' });
    await ga.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    const rightAfter = await ask();
    await advanceUntil(() => true);
    const later = await ask();
    expect(during).toEqual(before);
    expect(rightAfter).toEqual(before);
    expect(later).toEqual(before);
  });
});
