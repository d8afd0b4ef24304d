import { afterEach, beforeEach } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { boot16, boot2x, ocppClient, startTestHub, type ClientOptions, type Harness } from '../../helpers/hub-harness.js';
import type { OutboxPump } from '../../../src/upstream/outbox-pump.js';
import { StrictCsms } from './strict-csms.js';
import { proxyOf, proxySiteYaml } from './proxy-site.js';

/** A proxy-mode hub (fake clock) and a strict CSMS, fresh for each test; the tests gate the hub's commits. */
export interface GatedProxyRig {
  h: Harness;
  csms: StrictCsms;
  /** A strict ocpp-rpc charger connected to the hub (closed after the test). */
  connect(id: string, version: '1.6' | '2.0.1', opts?: Pick<ClientOptions, 'callConcurrency'>): Promise<RPCClient>;
  /** CP16 (1.6) or CP201 (2.0.1) connected and booted, answering the CSMS's GetConfiguration / ClearCache, its boot delivered. */
  booted(id: 'CP16' | 'CP201', opts?: Pick<ClientOptions, 'callConcurrency'>): Promise<RPCClient>;
  /** The outbox pump of CP16 or CP201. */
  pumpOf(id: 'CP16' | 'CP201'): OutboxPump;
}

/** Registers the hooks that start and stop the rig around each test of the calling file. */
export function useGatedProxy(): GatedProxyRig {
  const clients: RPCClient[] = [];
  const rig = {
    connect: async (id: string, version: '1.6' | '2.0.1', opts: Pick<ClientOptions, 'callConcurrency'> = {}) => {
      const c = ocppClient(rig.h.hub.ocppUrl, id, { version, ...opts });
      clients.push(c);
      await c.connect();
      return c;
    },
    booted: async (id: 'CP16' | 'CP201', opts: Pick<ClientOptions, 'callConcurrency'> = {}) => {
      const version = id === 'CP16' ? '1.6' : '2.0.1';
      const c = await rig.connect(id, version, opts);
      c.handle('GetConfiguration', () => Promise.resolve({ configurationKey: [] }));
      c.handle('ClearCache', () => Promise.resolve({ status: 'Accepted' }));
      await c.call('BootNotification', version === '1.6' ? boot16 : boot2x);
      await rig.pumpOf(id).whenIdle();
      return c;
    },
    pumpOf: (id: 'CP16' | 'CP201') => proxyOf(rig.h).station(id, id === 'CP16' ? '1.6' : '2.0.1').pump,
  } as GatedProxyRig;
  beforeEach(async () => {
    rig.csms = new StrictCsms({ passwords: { CP16: 'pw-cp16', CP201: 'pw-cp201' } });
    await rig.csms.start();
    rig.h = await startTestHub(proxySiteYaml({ csmsUrl: rig.csms.url }), { clock: new FakeClock(Date.now()) });
  });
  afterEach(async () => {
    rig.h.hub.store.batch.gateCommits(undefined);
    rig.h.hub.store.batch.gateSyncs(undefined);
    for (const c of clients.splice(0)) await c.close({ force: true });
    await rig.h.stop();
    await rig.csms.stop();
  });
  return rig;
}

/** Tracks whether a call has been answered (CALLRESULT or CALLERROR) yet. */
export function track<T>(p: Promise<T>): { settled: () => boolean; result: Promise<T> } {
  let done = false;
  const result = p.finally(() => {
    done = true;
  });
  result.catch(() => undefined);
  return { settled: () => done, result };
}
