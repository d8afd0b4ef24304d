import type { EventEmitter } from 'node:events';
import type { RPCClient } from 'ocpp-rpc';
import { SITE, useHubSite, type HubSiteFixture } from './hub-site.js';
import { Inbox, bootedCharger, reportAvailable, wellBehaved, type Answer } from './hub-blocks-helpers.js';

/*
 * The site of the hub-mode functional-block tests: a strict CSMS, the hub with a firmware file
 * server and a DataTransfer route, and CP16 (1.6) and CP201 (2.0.1) as strict chargers.
 */

const UPSTREAM_EXTRA = `  firmware: { host: 127.0.0.1, port: 0 }
  dataTransfer: [{ vendorId: com.acme, messageId: meter, station: CP201 }]`;

export interface Site {
  c16: RPCClient;
  c201: RPCClient;
  in16: Inbox;
  in201: Inbox;
}

export interface BlocksSite {
  hubSite: HubSiteFixture;
  /** CP16 (1.6, upstream EVSE 1) and CP201 (2.0.1, upstream EVSE 2), booted and Available. */
  site(answer16?: Answer, answer201?: Answer): Promise<Site>;
  /** The CSMS's calls of one action, as they arrived. */
  upstream(action: string): Record<string, unknown>[];
  /** Every frame the CSMS received from the site, raw, in arrival order (from the call on). */
  framesIn(): unknown[][];
}

/** Registers the calling test file's hooks (a fresh site per test). */
export function useBlocksSite(): BlocksSite {
  const hubSite = useHubSite({ upstreamExtra: UPSTREAM_EXTRA });
  return {
    hubSite,
    async site(answer16 = wellBehaved('1.6'), answer201 = wellBehaved('2.0.1')) {
      const in16 = new Inbox();
      const in201 = new Inbox();
      const c16 = await bootedCharger(hubSite.h, 'CP16', '1.6', in16, answer16);
      const c201 = await bootedCharger(hubSite.h, 'CP201', '2.0.1', in201, answer201);
      hubSite.clients.push(c16, c201);
      await reportAvailable(c16, c201);
      return { c16, c201, in16, in201 };
    },
    upstream: (action) => hubSite.csms.of(SITE, action).map((c) => c.params),
    framesIn() {
      const frames: unknown[][] = [];
      (hubSite.server as unknown as EventEmitter).on('message', (m: { message: string | Buffer; outbound: boolean }) => {
        if (!m.outbound) frames.push(JSON.parse(m.message.toString()) as unknown[]);
      });
      return frames;
    },
  };
}
