import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../../src/util/fake-clock.js';
import type { RPCClient } from 'ocpp-rpc';
import { boot2x, ocppClient, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { apiClient, type ErrorBody } from './api-client.js';

/**
 * The EVSE controls through the API (inject) on a real hub with a real SQLite file: solar mode,
 * max current, priority and operation mode are checked against the EVSE, act on the next
 * decision, say who set them, and come back after the hub restarts on the same data directory.
 */
const TOKEN = 'controls-token-0123456789';
const SITE = `
api: { token: ${TOKEN} }
energy: { marginA: 1, debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 40, meter: grid, worstCaseNonEvA: 10 }
meters:
  - id: grid
    role: grid
    staleAfterS: 30
    readings:
      - { quantity: powerW, topic: controls-test/grid, path: powerW }
stations:
  - { id: HOME, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, minCurrentA: 6, maxCurrentA: 16 }] }
  - { id: NIGHT, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 1, minCurrentA: 8, maxCurrentA: 32, priority: 2 }] }
strategies:
  - { type: load-balancing }
  - { type: solar-surplus, defaultMode: pv, modes: { NIGHT/1: min+pv } }
rules:
  timezone: UTC
  list:
    - { id: always-external, cron: '0 0 * * *', durationMin: 1440, modes: { NIGHT/1: ExternalLimits } }
`;
const NO_SOLAR = `
api: { token: ${TOKEN} }
stations:
  - { id: CP1, securityProfile: 0, evses: [{ id: 1, maxCurrentA: 16 }] }
`;

interface Setting<T> {
  value: T;
  source: string;
  updatedMs?: number;
}
interface EvseBody {
  evseKey: string;
  priority: number;
  mode: string;
  modeSource: string;
  solarInForce?: boolean;
  settings: { priority: Setting<number>; mode: Setting<string>; solarMode?: Setting<string>; maxCurrentA?: Setting<number> };
  limits: Array<{ maxCurrentA: number; source: string; reason?: string }>;
}

let dir: string;
let clock: FakeClock;
let h: Harness | undefined;
let cp: RPCClient | undefined;

/** Starts the hub on the shared data directory and gives it a fresh grid reading (no failsafe), then a decision. */
async function start(): Promise<Harness> {
  clock = new FakeClock();
  h = await startTestHub(SITE, { clock, dir });
  const meters = h.hub.energy.meters;
  if (!meters) throw new Error('no meter hub');
  await meters.subscribed();
  const got = new Promise<void>((resolve) => {
    const off = meters.onReading(() => {
      off();
      resolve();
    });
  });
  await meters.publish('controls-test/grid', JSON.stringify({ powerW: 500 }));
  await got;
  await charging(h);
  clock.advanceMs(200);
  return h;
}

/** HOME connects as an OCPP 2.0.1 charger with a car charging (the transaction survives a restart in the store). */
async function charging(hub: Harness): Promise<void> {
  await cp?.close({ force: true });
  cp = ocppClient(hub.hub.ocppUrl, 'HOME', { version: '2.0.1' });
  cp.handle(async () => ({ status: 'Accepted' }));
  await cp.connect();
  await cp.call('BootNotification', boot2x);
  await cp.call('StatusNotification', { timestamp: new Date(clock.nowMs()).toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
  await cp.call('TransactionEvent', {
    eventType: 'Started',
    timestamp: new Date(clock.nowMs()).toISOString(),
    triggerReason: 'ChargingStateChanged',
    seqNo: 0,
    transactionInfo: { transactionId: 'TX-HOME', chargingState: 'Charging' },
    evse: { id: 1, connectorId: 1 },
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-controls-'));
  await start();
});

afterAll(async () => {
  await cp?.close({ force: true });
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function client() {
  if (!h) throw new Error('hub not started');
  return apiClient(h.hub.api, TOKEN);
}

async function evse(key: string): Promise<EvseBody> {
  return client().get<EvseBody>(`/api/evses/${key}`);
}

describe('EVSE controls in the API', () => {
  it('shows each setting with its source: the config, and a cron rule for the mode it sets', async () => {
    const home = await evse('HOME/1');
    expect(home.settings).toEqual({
      priority: { value: 1, source: 'config' },
      mode: { value: 'LocalLoadBalancing', source: 'config' },
      solarMode: { value: 'pv', source: 'config' },
    });
    expect(home).toMatchObject({ mode: 'LocalLoadBalancing', modeSource: 'config', solarInForce: true });
    const night = await evse('NIGHT/1');
    expect(night.settings.solarMode).toEqual({ value: 'min+pv', source: 'config' });
    expect(night).toMatchObject({ mode: 'ExternalLimits', modeSource: 'rule:always-external', solarInForce: false });
  });

  it('sets the solar mode, a max current and the priority in one request, and the next decision uses them', async () => {
    const res = await client().send('PATCH', '/api/evses/HOME/1', { solarMode: 'now', maxCurrentA: 10, priority: 3 });
    expect(res.status).toBe(200);
    const body = res.body as EvseBody;
    expect(body.settings.solarMode).toMatchObject({ value: 'now', source: 'api' });
    expect(body.settings.maxCurrentA).toMatchObject({ value: 10, source: 'api' });
    expect(body.settings.priority).toMatchObject({ value: 3, source: 'api' });
    expect(body.priority).toBe(3);

    clock.advanceMs(200);
    const after = await evse('HOME/1');
    expect(after.limits).toContainEqual({ maxCurrentA: 10, source: 'override:api', reason: 'max current set to 10 A' });
    // `now` asks for the EVSE's max (16 A); the operator's 10 A caps it.
    expect(after.limits.find((l) => l.source === 'strategy:solar-surplus')?.reason).toMatch(/^now: max 16 A/);
  });

  it('keeps the operator max current when the grid meter falls silent: failsafe gives the base share under it (it gave 13 A and more)', async () => {
    const hub = h;
    if (!hub) throw new Error('hub not started');
    const writes: number[] = [];
    cp?.handle('SetChargingProfile', async ({ params }) => {
      const profile = (params as { chargingProfile: { chargingSchedule: Array<{ chargingRateUnit: string; chargingSchedulePeriod: Array<{ limit: number }> }> } }).chargingProfile;
      for (const schedule of profile.chargingSchedule) {
        for (const period of schedule.chargingSchedulePeriod) writes.push(schedule.chargingRateUnit === 'W' ? period.limit / (230 * 3) : period.limit);
      }
      return { status: 'Accepted' };
    });
    // No reading for longer than the meter's staleAfterS (30 s): everything below it is on failsafe.
    clock.advanceMs(31_000);
    const decided = hub.hub.energy.lastDecision()?.evses['HOME/1'];
    expect(hub.hub.energy.lastDecision()?.staleCircuits).toHaveProperty('main');
    // The failsafe limit (an increase may then be staged below it, never above).
    const failsafe = decided?.limits.find((l) => l.source === 'failsafe');
    expect(failsafe?.maxCurrentA).toBeLessThanOrEqual(10);
    expect(decided?.limit.maxCurrentA).toBeLessThanOrEqual(10);
    const view = await evse('HOME/1');
    expect(view.limits.find((l) => l.source === 'failsafe')?.maxCurrentA).toBeLessThanOrEqual(10);
    // Another minute on failsafe: nothing the charger is sent lets it draw more than 10 A.
    clock.advanceMs(60_000);
    expect(hub.hub.energy.lastDecision()?.evses['HOME/1']?.limit.maxCurrentA).toBeLessThanOrEqual(10);
    for (const a of writes) expect(a).toBeLessThanOrEqual(10 + 1e-9);
  });

  it.each([
    [{ maxCurrentA: 20 }, 'BAD_REQUEST', 'body.maxCurrentA', 'above the most HOME/1 is configured for, 16 A'],
    [{ maxCurrentA: 4 }, 'BAD_REQUEST', 'body.maxCurrentA', 'below the least HOME/1 charges at, 6 A'],
    [{ solarMode: 'sunny' }, 'BAD_REQUEST', 'body.solarMode', 'must be equal to one of the allowed values'],
    [{ priority: 0 }, 'BAD_REQUEST', 'body.priority', 'must be > 0'],
  ])('refuses %j with 400 and the reason, changing nothing', async (patch, code, field, reason) => {
    const res = await client().send('PATCH', '/api/evses/HOME/1', { priority: 5, ...patch });
    expect(res.status).toBe(400);
    const err = (res.body as ErrorBody).error;
    expect(err.code).toBe(code);
    expect(err.field).toBe(field);
    expect(err.message).toContain(reason);
    const now = await evse('HOME/1');
    expect(now.settings.priority.value).toBe(3); // the valid priority 5 in the same request was not applied
    expect(now.settings.maxCurrentA?.value).toBe(10);
  });

  it('refuses an empty change with 400', async () => {
    const res = await client().send('PATCH', '/api/evses/HOME/1', {});
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.code).toBe('BAD_REQUEST');
  });

  it('needs the API token to change settings', async () => {
    const res = await client().send('PATCH', '/api/evses/HOME/1', { solarMode: 'off' }, null);
    expect(res.status).toBe(401);
    expect((await evse('HOME/1')).settings.solarMode?.value).toBe('now');
  });

  it('answers 404 for an EVSE not in the site config', async () => {
    const res = await client().send('PATCH', '/api/evses/NOPE/1', { solarMode: 'off' });
    expect(res.status).toBe(404);
    expect((res.body as ErrorBody).error.code).toBe('NOT_FOUND');
  });

  it('sets the operation mode and shows the operator as its source', async () => {
    const res = await client().send('PATCH', '/api/evses/NIGHT/1', { mode: 'Idle', maxCurrentA: 32 });
    expect(res.status).toBe(200);
    const body = res.body as EvseBody;
    expect(body.settings.mode).toMatchObject({ value: 'Idle', source: 'api' });
    // The rule still sets the mode now: the page can say so.
    expect(body).toMatchObject({ mode: 'ExternalLimits', modeSource: 'rule:always-external' });
  });

  it('keeps every setting and who set it across a restart on the same database file', async () => {
    await h?.stop();
    h = undefined;
    await start();
    const home = await evse('HOME/1');
    expect(home.settings.solarMode).toMatchObject({ value: 'now', source: 'api' });
    expect(home.settings.maxCurrentA).toMatchObject({ value: 10, source: 'api' });
    expect(home.settings.priority).toMatchObject({ value: 3, source: 'api' });
    expect(home.priority).toBe(3);
    expect(home.limits).toContainEqual({ maxCurrentA: 10, source: 'override:api', reason: 'max current set to 10 A' });
    const night = await evse('NIGHT/1');
    expect(night.settings.mode).toMatchObject({ value: 'Idle', source: 'api' });
    expect(night.settings.maxCurrentA).toMatchObject({ value: 32, source: 'api' });
  });

  it('goes back to the site config for a setting set to null, also after a restart', async () => {
    const res = await client().send('PATCH', '/api/evses/HOME/1', { maxCurrentA: null, solarMode: null });
    expect(res.status).toBe(200);
    const body = res.body as EvseBody;
    expect(body.settings.maxCurrentA).toBeUndefined();
    expect(body.settings.solarMode).toEqual({ value: 'pv', source: 'config' });
    await h?.stop();
    h = undefined;
    await start();
    const home = await evse('HOME/1');
    expect(home.settings.maxCurrentA).toBeUndefined();
    expect(home.settings.solarMode).toEqual({ value: 'pv', source: 'config' });
    expect(home.settings.priority).toMatchObject({ value: 3, source: 'api' });
    expect(home.limits.map((l) => l.source)).not.toContain('override:api');
  });
});

describe('EVSE controls on a site without solar', () => {
  let plain: Harness;
  beforeAll(async () => {
    plain = await startTestHub(NO_SOLAR);
  });
  afterAll(async () => {
    await plain?.stop();
  });

  it('refuses a solar mode with 409 NOT_APPLICABLE and says why, and shows no solar mode', async () => {
    const api = apiClient(plain.hub.api, TOKEN);
    const res = await api.send('PATCH', '/api/evses/CP1/1', { solarMode: 'now' });
    expect(res.status).toBe(409);
    const err = (res.body as ErrorBody).error;
    expect(err).toMatchObject({ code: 'NOT_APPLICABLE', field: 'body.solarMode' });
    expect(err.message).toContain('no solar-surplus strategy');
    const view = await api.get<EvseBody>('/api/evses/CP1/1');
    expect(view.settings.solarMode).toBeUndefined();
    expect(view.solarInForce).toBeUndefined();
  });
});
