import { afterEach, beforeEach } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { ocppClient, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { StrictCsms } from './strict-csms.js';
import { proxySiteYaml } from './proxy-site.js';

/** A proxy-mode hub (fake clock) and a strict CSMS, fresh for each test; the tests gate the hub's commits. */
export interface GatedProxyRig {
  h: Harness;
  csms: StrictCsms;
  /** A strict ocpp-rpc charger connected to the hub (closed after the test). */
  connect(id: string, version: '1.6' | '2.0.1'): Promise<RPCClient>;
}

/** Registers the hooks that start and stop the rig around each test of the calling file. */
export function useGatedProxy(): GatedProxyRig {
  const clients: RPCClient[] = [];
  const rig = {
    connect: async (id: string, version: '1.6' | '2.0.1') => {
      const c = ocppClient(rig.h.hub.ocppUrl, id, { version });
      clients.push(c);
      await c.connect();
      return c;
    },
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
