import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { boot16, boot2x, ocppClient, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { parseSiteConfig } from '../../../src/config/load.js';
import { startHub } from '../../../src/hub.js';
import { silentLogger } from '../../../src/util/logger.js';

/**
 * Commissioning through the API with strict ocpp-rpc chargers (1.6 and 2.0.1): refused and
 * remembered outside a window, Pending inside, approved with a placement on a circuit (the hub
 * sets a generated password over OCPP), reconnected with it and Accepted, then charging profiles
 * from the hub's load management; still there after a restart on the same data directory.
 */
const YAML = `
circuits:
  - { id: main, maxCurrentA: 20, worstCaseNonEvA: 0 }
stations:
  - { id: OLD, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] }
`;

type Version = '1.6' | '2.0.1';
let harness: Harness | undefined;
const clients: RPCClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close({ force: true }).catch(() => undefined);
  await harness?.stop();
  harness = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'switchyard-commission-'));
  dirs.push(d);
  return d;
}

async function api<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await harness!.hub.api.inject({ method, url, ...(body !== undefined ? { payload: body as object } : {}) });
  return { status: res.statusCode, json: (res.body ? res.json() : undefined) as T };
}

interface CommissioningState {
  window?: { untilMs: number };
  pending: Array<{ stationId: string; version?: string; boot?: { vendor?: string; model?: string }; connectors: Array<{ evseId: number; status: string }> }>;
  refused: Array<{ stationId?: string; remoteAddress: string; reason: string }>;
  commissioned: Array<{ stationId: string; evses: Array<{ id: number; circuit?: string }> }>;
}

function client(id: string, version: Version, password?: string): RPCClient {
  const c = ocppClient(harness!.hub.ocppUrl, id, { version, ...(password !== undefined ? { password } : {}) });
  clients.push(c);
  return c;
}

async function bootStatus(c: RPCClient, version: Version): Promise<string> {
  const answer = (await c.call('BootNotification', version === '1.6' ? boot16 : boot2x)) as { status: string };
  return answer.status;
}

/** Connects a pending charger that takes a new password over OCPP; resolves with the password it was given. */
function pendingCharger(id: string, version: Version, loginPassword = 'anything-at-all'): { c: RPCClient; password: Promise<string>; closed: Promise<void>; reported: Promise<void> } {
  const c = client(id, version, loginPassword);
  let reportedDone!: () => void;
  const reported = new Promise<void>((resolve) => (reportedDone = resolve));
  let give!: (p: string) => void;
  const password = new Promise<string>((resolve) => (give = resolve));
  const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
  if (version === '1.6') {
    c.handle('ChangeConfiguration', async ({ params }) => {
      const { key, value } = params as { key: string; value: string };
      expect(key).toBe('AuthorizationKey');
      expect(value).toMatch(/^[0-9A-F]{32,40}$/);
      give(Buffer.from(value, 'hex').toString('utf8'));
      return { status: 'Accepted' };
    });
    c.handle('TriggerMessage', async ({ params }) => {
      expect(params).toEqual({ requestedMessage: 'StatusNotification' });
      setImmediate(() => void c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' }).then(() => reportedDone(), () => undefined));
      return { status: 'Accepted' };
    });
  } else {
    c.handle('SetVariables', async ({ params }) => {
      const [data] = (params as { setVariableData: Array<{ attributeValue: string; component: { name: string }; variable: { name: string } }> }).setVariableData;
      expect(data?.component.name).toBe('SecurityCtrlr');
      expect(data?.variable.name).toBe('BasicAuthPassword');
      give(data?.attributeValue ?? '');
      return { setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] };
    });
  }
  return { c, password, closed, reported };
}

/** A commissioned charger with its password: answers the capability read, hands over the first profile it gets. */
function acceptedCharger(id: string, version: Version, password: string): { c: RPCClient; profile: Promise<unknown> } {
  const c = client(id, version, password);
  let got!: (p: unknown) => void;
  const profile = new Promise<unknown>((resolve) => (got = resolve));
  if (version === '1.6') {
    c.handle('GetConfiguration', async () => ({ configurationKey: [] }));
    c.handle('SetChargingProfile', async ({ params }) => {
      got(params);
      return { status: 'Accepted' };
    });
  } else {
    c.handle('GetVariables', async ({ params }) => ({
      getVariableResult: (params as { getVariableData: Array<{ component: { name: string }; variable: { name: string } }> }).getVariableData.map((d) => ({ attributeStatus: 'UnknownVariable', component: d.component, variable: d.variable })),
    }));
    c.handle('SetChargingProfile', async ({ params }) => {
      got(params);
      return { status: 'Accepted' };
    });
  }
  return { c, profile };
}

function limitOf(version: Version, params: unknown): number | undefined {
  if (version === '1.6') return (params as { csChargingProfiles: { chargingSchedule: { chargingSchedulePeriod: Array<{ limit: number }> } } }).csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0]?.limit;
  return (params as { chargingProfile: { chargingSchedule: Array<{ chargingSchedulePeriod: Array<{ limit: number }> }> } }).chargingProfile.chargingSchedule[0]?.chargingSchedulePeriod[0]?.limit;
}

describe.each<Version>(['1.6', '2.0.1'])('commissioning a %s charger', (version) => {
  const id = `NEW${version.replace(/\./g, '')}`;

  it('refuses it outside a window and remembers, finds it Pending inside, approves it onto a circuit, and keeps it after a restart', async () => {
    const dir = tempDir();
    harness = await startTestHub(YAML, { dir });

    // Outside a window: refused like any unknown station, and remembered.
    await expect(client(id, version, 'guess').connect()).rejects.toThrow();
    const before = await api<CommissioningState>('GET', '/api/commissioning');
    expect(before.json.refused[0]).toMatchObject({ stationId: id, remoteAddress: expect.stringContaining('127.0.0.1'), reason: expect.stringContaining('no commissioning window') });

    // Inside a window: admitted with any password, answered Pending, listed with what it said.
    expect((await api('POST', '/api/commissioning', { durationS: 600 })).status).toBe(201);
    const found = pendingCharger(id, version);
    await found.c.connect();
    expect(await bootStatus(found.c, version)).toBe('Pending');
    // 1.6: the hub asks for the connectors (TriggerMessage); 2.0.1: the charger reports them.
    if (version === '1.6') await found.reported;
    else await found.c.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    // Anything else than reports is refused while Pending.
    await expect(found.c.call('Authorize', version === '1.6' ? { idTag: 'X' } : { idToken: { idToken: 'X', type: 'ISO14443' } })).rejects.toThrow();
    const listed = await api<CommissioningState>('GET', '/api/commissioning');
    expect(listed.json.pending).toEqual([expect.objectContaining({ stationId: id, version, boot: expect.objectContaining({ vendor: 'TestVendor' }), connectors: [{ evseId: 1, connectorId: 1, status: 'Available' }] })]);

    // Approval: the password goes over OCPP, the hub closes the connection, the charger comes back with it.
    const approved = await api('POST', `/api/commissioning/pending/${id}/approve`, { evses: [{ id: 1, circuit: 'main', phases: 3, maxCurrentA: 16 }] });
    expect(approved.status).toBe(201);
    const password = await found.password;
    expect(password).toHaveLength(20);
    await found.closed;
    const stored = harness.hub.store.db.prepare('SELECT password_hash FROM commissioned_stations WHERE station_id = ?').get(id) as { password_hash: string };
    expect(stored.password_hash.startsWith('scrypt$')).toBe(true);
    expect(JSON.stringify(harness.hub.store.db.prepare('SELECT * FROM commissioned_stations').all())).not.toContain(password);

    // A wrong password is refused; the new one is Accepted and the EVSE gets a profile from load management.
    await expect(client(id, version, 'anything-at-all').connect()).rejects.toThrow();
    const back = acceptedCharger(id, version, password);
    await back.c.connect();
    expect(await bootStatus(back.c, version)).toBe('Accepted');
    const limit = limitOf(version, await back.profile);
    // 20 A main shared with OLD (16 A max): the base shares fit the circuit.
    expect(limit).toBeGreaterThan(0);
    expect(limit).toBeLessThanOrEqual(16);
    expect(harness.hub.energy.site.evses.map((e) => e.key).sort()).toEqual([`${id}/1`, 'OLD/1'].sort());
    const shares = harness.hub.energy.lastDecision();
    const sum = ['OLD/1', `${id}/1`].reduce((s, k) => s + (shares?.evses[k]?.baseShare.maxCurrentA ?? 0), 0);
    expect(sum).toBeLessThanOrEqual(20);
    const stations = await api<{ stations: Array<{ stationId: string }> }>('GET', '/api/stations');
    expect(stations.json.stations.map((s) => s.stationId)).toContain(id);

    // Restart on the same data directory: still there, and the password still works.
    for (const c of clients.splice(0)) await c.close({ force: true });
    await harness.stop();
    harness = await startTestHub(YAML, { dir });
    expect((await api<CommissioningState>('GET', '/api/commissioning')).json.commissioned).toEqual([expect.objectContaining({ stationId: id, evses: [expect.objectContaining({ id: 1, circuit: 'main' })] })]);
    const again = acceptedCharger(id, version, password);
    await again.c.connect();
    expect(await bootStatus(again.c, version)).toBe('Accepted');
    expect(limitOf(version, await again.profile)).toBeLessThanOrEqual(16);
    expect(harness.hub.energy.site.evses.map((e) => e.key)).toContain(`${id}/1`);

    // Editing its placement changes the site model at once; a YAML station is not editable here.
    const edited = await api('PUT', `/api/commissioning/stations/${id}`, { evses: [{ id: 1, circuit: 'main', phases: 1, phaseRotation: ['L2'], maxCurrentA: 10 }] });
    expect(edited.status).toBe(200);
    expect(harness.hub.energy.site.evses.find((e) => e.key === `${id}/1`)).toMatchObject({ phases: 1, phaseRotation: ['L2'], maxCurrentA: 10 });
    expect((await api('PUT', '/api/commissioning/stations/OLD', { evses: [{ id: 1 }] })).status).toBe(409);

    // Removing it: disconnected, refused afterwards.
    const closed = new Promise<void>((resolve) => again.c.once('close', () => resolve()));
    expect((await api('DELETE', `/api/commissioning/stations/${id}`)).status).toBe(204);
    await closed;
    await expect(client(id, version, password).connect()).rejects.toThrow();
    expect(harness.hub.energy.site.evses.map((e) => e.key)).toEqual(['OLD/1']);
  });

  it('rejecting a pending charger disconnects and forgets it', async () => {
    harness = await startTestHub(YAML, { dir: tempDir() });
    await api('POST', '/api/commissioning', { durationS: 600 });
    const found = pendingCharger(id, version);
    await found.c.connect();
    expect(await bootStatus(found.c, version)).toBe('Pending');
    expect((await api('POST', `/api/commissioning/pending/${id}/reject`)).status).toBe(204);
    await found.closed;
    const state = await api<CommissioningState>('GET', '/api/commissioning');
    expect(state.json.pending).toEqual([]);
    expect(state.json.commissioned).toEqual([]);
    expect((await api('POST', `/api/commissioning/pending/${id}/reject`)).status).toBe(404);
  });
});

describe('commissioning API answers', () => {
  it('refuses a placement on a circuit that does not exist, with the field', async () => {
    harness = await startTestHub(YAML, { dir: tempDir() });
    await api('POST', '/api/commissioning', { durationS: 600 });
    const found = pendingCharger('BAD1', '1.6');
    await found.c.connect();
    await bootStatus(found.c, '1.6');
    const res = await api<{ error: { code: string; field: string } }>('POST', '/api/commissioning/pending/BAD1/approve', { evses: [{ id: 1, circuit: 'nowhere' }] });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('BAD_REQUEST');
    expect((await api<CommissioningState>('GET', '/api/commissioning')).json.pending.map((p) => p.stationId)).toEqual(['BAD1']);
  });

  it('needs the token for writes when one is configured', async () => {
    harness = await startTestHub(`${YAML}\napi: { token: secret-token-123456 }\n`, { dir: tempDir() });
    expect((await api('POST', '/api/commissioning', { durationS: 60 })).status).toBe(401);
  });
});

describe('commissioning sheet', () => {
  it('gives an OCPP URL, station id and one-time password as text and QR code; the password admits the station once, as Pending', async () => {
    harness = await startTestHub(YAML, { dir: tempDir() });
    const res = await api<{ stationId: string; ocppUrl: string; password: string; text: string; svg: string }>('POST', '/api/commissioning/sheets', { stationId: 'SHEET1' });
    expect(res.status).toBe(201);
    expect(res.json.ocppUrl).toBe(harness.hub.ocppUrl);
    // The test hub listens on 127.0.0.1 only: that address is the URL, with a warning that chargers cannot reach it.
    expect(res.json).toMatchObject({ ocppUrlSource: 'listen-address', ocppUrlWarning: expect.stringContaining('loopback') });
    expect(res.json.text).toBe(`OCPP URL: ${harness.hub.ocppUrl}\nStation id: SHEET1\nPassword: ${res.json.password}\n`);
    expect(res.json.svg).toMatch(/^<svg[^>]*>.*<path/s);
    // No window is open: a wrong password is refused, the sheet's password admits it as Pending.
    await expect(client('SHEET1', '2.0.1', 'not-the-password-123').connect()).rejects.toThrow();
    const c = pendingCharger('SHEET1', '2.0.1', res.json.password);
    await c.c.connect();
    expect(await bootStatus(c.c, '2.0.1')).toBe('Pending');
    expect((await api<CommissioningState>('GET', '/api/commissioning')).json.pending.map((p) => p.stationId)).toEqual(['SHEET1']);
    expect((await api('POST', '/api/commissioning/sheets', { stationId: 'OLD' })).status).toBe(409);
  });

  it('keeps a sheet\'s one-time password across a restart of the hub (a printed sheet stays good)', async () => {
    const dir = tempDir();
    harness = await startTestHub(YAML, { dir });
    const res = await api<{ password: string }>('POST', '/api/commissioning/sheets', { stationId: 'SHEET4' });
    expect(res.status).toBe(201);
    expect(JSON.stringify(harness.hub.store.db.prepare('SELECT * FROM station_state').all())).not.toContain(res.json.password);
    await harness.stop();
    harness = await startTestHub(YAML, { dir });
    const c = pendingCharger('SHEET4', '2.0.1', res.json.password);
    await c.c.connect();
    expect(await bootStatus(c.c, '2.0.1')).toBe('Pending');
    // Used once (and the rejection drops it): the password admits the id no more.
    expect((await api('POST', '/api/commissioning/pending/SHEET4/reject')).status).toBe(204);
    await expect(client('SHEET4', '2.0.1', res.json.password).connect()).rejects.toThrow();
  });

  it('names the configured public URL', async () => {
    harness = await startTestHub(`${YAML}\nserver: { publicUrl: "wss://hub.example.net/ocpp" }\n`, { dir: tempDir() });
    const res = await api<{ ocppUrl: string; ocppUrlSource: string; ocppUrlWarning?: string; text: string }>('POST', '/api/commissioning/sheets', { stationId: 'SHEET2' });
    expect(res.json).toMatchObject({ ocppUrl: 'wss://hub.example.net/ocpp', ocppUrlSource: 'config' });
    expect(res.json.ocppUrlWarning).toBeUndefined();
    expect(res.json.text).toContain('OCPP URL: wss://hub.example.net/ocpp\n');
  });

  it('names the host the request came in on when the OCPP listener is on every address', async () => {
    const dir = tempDir();
    const config = parseSiteConfig(YAML, 'test.yaml');
    Object.assign(config.server, { host: '0.0.0.0', port: 0 });
    Object.assign(config.api, { host: '127.0.0.1', port: 0 });
    config.data.dir = dir;
    const hub = await startHub({ config, configPath: join(dir, 'test.yaml'), log: silentLogger() });
    harness = { hub, dir, config, stop: () => hub.stop() };
    const res = await hub.api.inject({ method: 'POST', url: '/api/commissioning/sheets', headers: { host: '192.168.1.5:8080' }, payload: { stationId: 'SHEET3' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ ocppUrl: `ws://192.168.1.5:${hub.ocppPort}/ocpp`, ocppUrlSource: 'host-header' });
  });
});
