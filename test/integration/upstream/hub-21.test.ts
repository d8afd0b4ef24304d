import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ocppRpc, { type RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { ocpp21Validator } from '../../helpers/ocpp21-validator.js';
import { boot16, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { meterValue16, t0 } from './proxy-site.js';
import { SITE, charger, hubSiteYaml, siteReady } from './hub-site.js';

interface Seen {
  method: string;
  params: Record<string, unknown>;
}

let server: InstanceType<typeof ocppRpc.RPCServer>;
let url: string;
let seen: Seen[];
const waiters = new Set<() => void>();
let h: Harness;
const clients: RPCClient[] = [];

/** A strict OCPP 2.1 CSMS: every message is checked against the official 2.1 schemas. */
beforeEach(async () => {
  seen = [];
  server = new ocppRpc.RPCServer({ protocols: ['ocpp2.1'], strictMode: true, strictModeValidators: [ocpp21Validator()] });
  server.on('client', (client: { handle(fn: (ctx: { method?: string; params?: Record<string, unknown> }) => Promise<Record<string, unknown>>): void }) => {
    client.handle(async ({ method, params }) => {
      seen.push({ method: method ?? '', params: params ?? {} });
      for (const w of [...waiters]) w();
      if (method === 'BootNotification') return { currentTime: new Date().toISOString(), status: 'Accepted', interval: 300 };
      if (method === 'TransactionEvent' && params?.['idToken'] !== undefined) return { idTokenInfo: { status: 'Accepted' } };
      return {};
    });
  });
  const http = await server.listen(0, '127.0.0.1');
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/csms`;
  h = await startTestHub(hubSiteYaml({ csmsUrl: url, version: '2.1' }), { clock: new FakeClock(Date.now()) });
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close({ force: true });
  await h.stop();
  await server.close({ force: true, awaitPending: false });
});

/** Resolves once pred holds, checked on every call the CSMS receives. */
function until(pred: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!pred()) return;
      waiters.delete(check);
      resolve();
    };
    waiters.add(check);
    check();
  });
}

describe('hub mode on an OCPP 2.1 link', () => {
  it('boots the site as a 2.1 station and carries a 1.6 session that the strict 2.1 CSMS accepts', async () => {
    await siteReady(h);
    expect(seen[0]).toMatchObject({ method: 'BootNotification', params: { reason: 'PowerUp', chargingStation: { vendorName: 'Switchyard' } } });
    const c = await charger(h, 'CP16', '1.6');
    clients.push(c);
    await c.call('BootNotification', boot16);
    const start = (await c.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 0, timestamp: t0() })) as { transactionId: number; idTagInfo: { status: string } };
    expect(start.idTagInfo.status).toBe('Accepted');
    await c.call('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [meterValue16(120)] });
    await c.call('StopTransaction', { transactionId: start.transactionId, meterStop: 240, timestamp: t0() });
    await until(() => seen.filter((s) => s.method === 'TransactionEvent').length === 3);
    expect(seen.filter((s) => s.method === 'TransactionEvent').map((s) => [s.params['eventType'], s.params['seqNo']])).toEqual([
      ['Started', 0],
      ['Updated', 1],
      ['Ended', 2],
    ]);
    const res = await h.hub.api.inject({ method: 'GET', url: '/api/upstream' });
    expect(res.json<{ links: Array<{ name: string; version: string }> }>().links).toEqual([expect.objectContaining({ name: SITE, version: '2.1' })]);
  });
});
