import type { RPCClient } from 'ocpp-rpc';
import { afterEach, beforeEach } from 'vitest';
import { HubUpstream } from '../../../src/upstream/hub/hub-upstream.js';
import type { FakeClock } from '../../../src/util/fake-clock.js';
import type { Harness } from '../../helpers/hub-harness.js';
import { ocppClient } from '../../helpers/hub-harness.js';
import { CsmsSiteFixture } from './csms-site.js';
import type { CsmsClient, Received, StrictCsms } from './strict-csms.js';

export const SITE = 'SITE1';

export interface HubSiteOptions {
  csmsUrl: string;
  version?: '2.0.1' | '2.1';
  batchWindowS?: number;
  compression?: boolean;
  extra?: string;
  /** The `stations:` list items (YAML), instead of CP16 and CP201 with one EVSE each. */
  stations?: string;
  /** Lines added inside the upstream block (two-space indented). */
  upstreamExtra?: string;
}

/**
 * A site config in hub mode: chargers CP16 (1.6, upstream EVSE 1) and CP201 (2.0.1, upstream
 * EVSE 2) behind ONE link as SITE1; no pings (fake clock), 1 s reconnect.
 */
export function hubSiteYaml(o: HubSiteOptions): string {
  return `
server: { pingIntervalS: 0 }
stations:
${o.stations ?? '  - { id: CP16, securityProfile: 0 }\n  - { id: CP201, securityProfile: 0 }'}
authorization:
  list: [{ idToken: LOCAL1 }]
upstream:
  mode: hub
  url: ${o.csmsUrl}
  identity: ${SITE}
  password: pw-site
  version: '${o.version ?? '2.0.1'}'
  pingIntervalS: 0
  compression: ${o.compression ?? false}
  batchWindowS: ${o.batchWindowS ?? 0}
  reconnect: { initialDelayS: 1, maxDelayS: 1, jitter: 0 }
  offline: { unknownIdTokens: Invalid, rebootGraceS: 60 }
${o.upstreamExtra ?? ''}
${o.extra ?? ''}`;
}

/** A strict CSMS and a hub-mode site (hubSiteYaml) on a fake clock, started for each test. */
export class HubSiteFixture {
  private readonly base = new CsmsSiteFixture();
  private csmsClient: CsmsClient | undefined;

  constructor(private readonly options: Omit<HubSiteOptions, 'csmsUrl'>) {}

  /** Chargers to close after the test. */
  get clients(): RPCClient[] {
    return this.base.clients;
  }

  get csms(): StrictCsms {
    return this.base.csms;
  }

  get h(): Harness {
    return this.base.h;
  }

  get clock(): FakeClock {
    return this.base.clock;
  }

  /** The CSMS's end of the site's link. */
  get server(): CsmsClient {
    if (!this.csmsClient) throw new Error('the hub site runs only inside a test');
    return this.csmsClient;
  }

  /** Starts the CSMS and the hub, and resolves once the site's link is up and its boot accepted. */
  async start(): Promise<void> {
    await this.base.start((csmsUrl) => hubSiteYaml({ ...this.options, csmsUrl }), { passwords: { [SITE]: 'pw-site' } });
    await siteReady(this.base.h);
    this.csmsClient = await this.base.csms.client(SITE);
  }

  /** Closes the chargers, then stops the hub and the CSMS. */
  async stop(): Promise<void> {
    this.csmsClient = undefined;
    await this.base.stop();
  }
}

/** A HubSiteFixture started before and stopped after each test of the file. */
export function useHubSite(options: Omit<HubSiteOptions, 'csmsUrl'> = {}): HubSiteFixture {
  const site = new HubSiteFixture(options);
  beforeEach(() => site.start());
  afterEach(() => site.stop());
  return site;
}

export function hubOf(h: Harness): HubUpstream {
  const u = h.hub.upstream;
  if (!(u instanceof HubUpstream)) throw new Error('hub is not in hub mode');
  return u;
}

/** Resolves once the site's link is up and its boot accepted (or, with false, once it is not). */
export function siteReady(h: Harness, ready = true): Promise<void> {
  const gate = hubOf(h).gate;
  return new Promise((resolve) => {
    if ((gate.state === 'connected') === ready) return resolve();
    const off = gate.onState((s) => {
      if ((s === 'connected') !== ready) return;
      off();
      resolve();
    });
  });
}

/** A strict ocpp-rpc charger that answers every CSMS call with `answer(method)` and records them. */
export async function charger(
  h: Harness,
  id: string,
  version: '1.6' | '2.0.1',
  received: Array<[string, unknown]> = [],
  answer: (method: string, params: unknown) => Record<string, unknown> | Promise<Record<string, unknown>> = () => ({ status: 'Accepted' }),
): Promise<RPCClient> {
  const c = ocppClient(h.hub.ocppUrl, id, { version });
  c.handle(async ({ method, params }) => {
    const action = method ?? '';
    received.push([action, params]);
    return answer(action, params);
  });
  await c.connect();
  return c;
}

export function transactionEvents(csms: StrictCsms): Received[] {
  return csms.of(SITE, 'TransactionEvent');
}

export function txIdOf(c: Received): string {
  return String((c.params['transactionInfo'] as { transactionId: string }).transactionId);
}
