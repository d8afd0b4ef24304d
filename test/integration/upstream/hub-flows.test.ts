import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import type { UpstreamView } from '../../../src/upstream/upstream.js';
import { boot16, boot2x, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { StrictCsms } from './strict-csms.js';
import { meterValue16, t0, txEvent } from './proxy-site.js';
import { SITE, charger, hubOf, hubSiteYaml, siteReady, transactionEvents, txIdOf } from './hub-site.js';

let csms: StrictCsms;
let h: Harness;
let clock: FakeClock;
const clients: RPCClient[] = [];
const keptDirs: string[] = [];

async function cp(id: string, version: '1.6' | '2.0.1', received: Array<[string, unknown]> = []): Promise<RPCClient> {
  const c = await charger(h, id, version, received);
  clients.push(c);
  return c;
}

beforeEach(async () => {
  csms = new StrictCsms({ passwords: { [SITE]: 'pw-site' }, authorize: { BLOCKED1: 'Blocked' } });
  await csms.start();
  clock = new FakeClock(Date.now());
  h = await startTestHub(hubSiteYaml({ csmsUrl: csms.url }), { clock });
  await siteReady(h);
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close({ force: true });
  await h.stop();
  await csms.stop();
  for (const dir of keptDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('hub mode', () => {
  it('boots once for the whole site over one link, and keeps the chargers’ boots local', async () => {
    const a = await cp('CP16', '1.6');
    const b = await cp('CP201', '2.0.1');
    await expect(a.call('BootNotification', boot16)).resolves.toMatchObject({ status: 'Accepted' });
    await expect(b.call('BootNotification', boot2x)).resolves.toMatchObject({ status: 'Accepted' });
    expect([...csms.clients.keys()]).toEqual([SITE]);
    expect(csms.of(SITE, 'BootNotification')).toHaveLength(1);
    expect(csms.of(SITE, 'BootNotification')[0]?.params).toMatchObject({ reason: 'PowerUp', chargingStation: { vendorName: 'Switchyard' } });
    expect(csms.rejectedAuth).toEqual([]);
  });

  it('translates a 1.6 session into TransactionEvents on upstream EVSE 1 that the strict CSMS accepts', async () => {
    const c = await cp('CP16', '1.6');
    await c.call('BootNotification', boot16);
    // The CSMS's answer is final, even against the hub's local list.
    await expect(c.call('Authorize', { idTag: 'BLOCKED1' })).resolves.toEqual({ idTagInfo: { status: 'Blocked' } });
    await c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    const start = (await c.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() })) as { transactionId: number; idTagInfo: { status: string } };
    expect(start.idTagInfo.status).toBe('Accepted');
    await c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    for (const wh of [150, 200]) await c.call('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [meterValue16(wh)] });
    await c.call('StopTransaction', { transactionId: start.transactionId, meterStop: 250, timestamp: t0(), reason: 'Local' });
    await csms.until(() => transactionEvents(csms).some((e) => e.params['eventType'] === 'Ended'));

    const events = transactionEvents(csms);
    expect(events.map((e) => [e.params['eventType'], e.params['triggerReason'], e.params['seqNo']])).toEqual([
      ['Started', 'Authorized', 0],
      ['Updated', 'ChargingStateChanged', 1],
      ['Updated', 'MeterValuePeriodic', 2],
      ['Updated', 'MeterValuePeriodic', 3],
      ['Ended', 'StopAuthorized', 4],
    ]);
    expect(new Set(events.map(txIdOf)).size).toBe(1);
    expect(events[0]?.params).toMatchObject({ evse: { id: 1, connectorId: 1 }, idToken: { idToken: 'LOCAL1' }, transactionInfo: { chargingState: 'EVConnected' } });
    expect(events.every((e) => e.params['offline'] === undefined)).toBe(true);
    expect(csms.of(SITE, 'StatusNotification').map((s) => [s.params['evseId'], s.params['connectorStatus']])).toEqual([[1, 'Occupied']]);
    expect(csms.of(SITE).map((m) => m.method)).not.toContain('StartTransaction');
    expect(h.hub.store.transactions.get('CP16', String(start.transactionId))?.status).toBe('Ended');
    await hubOf(h).pump.whenIdle();
    expect(h.hub.store.outbox.count()).toBe(0);
  });

  it('remaps a 2.0.1 charger’s transaction to upstream EVSE 2, keeping its ids and seqNos', async () => {
    const c = await cp('CP201', '2.0.1');
    await c.call('BootNotification', boot2x);
    await c.call('StatusNotification', { timestamp: t0(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    const started = (await c.call('TransactionEvent', txEvent('Started', 0, 'TX-A', 0))) as { idTokenInfo?: { status: string } };
    expect(started.idTokenInfo?.status).toBe('Accepted');
    await c.call('TransactionEvent', txEvent('Updated', 1, 'TX-A', 500));
    await c.call('TransactionEvent', txEvent('Ended', 2, 'TX-A', 900));
    await csms.until(() => transactionEvents(csms).length === 3);
    const events = transactionEvents(csms);
    expect(events.map((e) => e.params['seqNo'])).toEqual([0, 1, 2]);
    expect(events.map(txIdOf)).toEqual(['TX-A', 'TX-A', 'TX-A']);
    expect(events.map((e) => (e.params['evse'] as { id: number }).id)).toEqual([2, 2, 2]);
    expect(csms.of(SITE, 'StatusNotification')[0]?.params).toMatchObject({ evseId: 2, connectorId: 1, connectorStatus: 'Occupied' });
  });

  it('shows one link, the site boot and the persistent EVSE mapping in GET /api/upstream', async () => {
    const res = await h.hub.api.inject({ method: 'GET', url: '/api/upstream' });
    const body = res.json<UpstreamView>();
    expect(body.mode).toBe('hub');
    expect(body.bootStatus).toBe('Accepted');
    expect(body.links).toEqual([expect.objectContaining({ name: SITE, identity: SITE, version: '2.0.1', state: 'connected', outboxDepth: 0 })]);
    expect(body.mapping).toEqual([
      { stationId: 'CP16', evseId: 1, connectorId: 1, upstreamEvseId: 1, upstreamConnectorId: 1 },
      { stationId: 'CP201', evseId: 1, connectorId: 1, upstreamEvseId: 2, upstreamConnectorId: 1 },
    ]);
    expect(body.traffic.at(-1)?.links[SITE]?.['BootNotification']?.framesOut).toBe(1);
  });

  it('keeps the mapping across a restart, with an EVSE added to the config later appended after it', async () => {
    // EVSEs the config does not name are refused, so the second EVSE is added to the config first.
    const dir = h.dir;
    keptDirs.push(dir);
    await h.hub.stop();
    const twoEvses = hubSiteYaml({ csmsUrl: csms.url }).replace('- { id: CP201, securityProfile: 0 }', '- { id: CP201, securityProfile: 0, evses: [{ id: 1 }, { id: 2 }] }');
    h = await startTestHub(twoEvses, { clock, dir });
    const c = await cp('CP201', '2.0.1');
    await c.call('BootNotification', boot2x);
    await c.call('StatusNotification', { timestamp: t0(), connectorStatus: 'Available', evseId: 2, connectorId: 1 });
    await c.close({ force: true });
    clients.splice(0);
    await h.hub.stop();
    h = await startTestHub(twoEvses, { clock, dir });
    const body = (await h.hub.api.inject({ method: 'GET', url: '/api/upstream' })).json<UpstreamView>();
    expect(body.mapping?.map((m) => [m.stationId, m.evseId, m.upstreamEvseId])).toEqual([
      ['CP16', 1, 1],
      ['CP201', 1, 2],
      ['CP201', 2, 3],
    ]);
  });

  it('sends one heartbeat for the site after an idle interval, never the chargers’ own', async () => {
    const c = await cp('CP16', '1.6');
    await c.call('BootNotification', boot16);
    await c.call('Heartbeat', {});
    expect(csms.of(SITE, 'Heartbeat')).toHaveLength(0);
    clock.advanceMs(300_000);
    await csms.until(() => csms.of(SITE, 'Heartbeat').length === 1);
    expect(csms.of(SITE, 'Heartbeat')).toHaveLength(1);
  });

  it('answers GetVariables and GetBaseReport from the hub’s own device model, EVSEs as components', async () => {
    const c = await cp('CP201', '2.0.1');
    await c.call('BootNotification', boot2x);
    await c.call('StatusNotification', { timestamp: t0(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    await csms.until(() => csms.of(SITE, 'StatusNotification').length === 1);
    const server = await csms.client(SITE);
    const got = (await server.call('GetVariables', {
      getVariableData: [
        { component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'AvailabilityState' } },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { component: { name: 'EVSE', evse: { id: 9 } }, variable: { name: 'AvailabilityState' } },
      ],
    })) as { getVariableResult: Array<{ attributeStatus: string; attributeValue?: string }> };
    expect(got.getVariableResult.map((r) => [r.attributeStatus, r.attributeValue])).toEqual([
      ['Accepted', 'Available'],
      ['Accepted', '300'],
      ['UnknownComponent', undefined],
    ]);
    await expect(server.call('GetBaseReport', { requestId: 7, reportBase: 'SummaryInventory' })).resolves.toEqual({ status: 'Accepted' });
    await csms.until(() => csms.of(SITE, 'NotifyReport').length > 0);
    expect(csms.of(SITE, 'NotifyReport')[0]?.params).toMatchObject({ requestId: 7, seqNo: 0 });
  });
});
