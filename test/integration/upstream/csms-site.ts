import type { RPCClient } from 'ocpp-rpc';
import { afterEach } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { StrictCsms, type StrictCsmsOptions } from './strict-csms.js';

interface Running {
  csms: StrictCsms;
  h: Harness;
  clock: FakeClock;
}

/**
 * A strict CSMS and a hub on a fake clock whose site config is made for the CSMS's URL (proxy
 * or hub mode, see proxySiteYaml and hubSiteYaml): started by a test, stopped with its chargers
 * after it.
 */
export class CsmsSiteFixture {
  /** Chargers to close after the test. */
  readonly clients: RPCClient[] = [];
  private running: Running | undefined;

  get csms(): StrictCsms {
    return this.site().csms;
  }

  get h(): Harness {
    return this.site().h;
  }

  get clock(): FakeClock {
    return this.site().clock;
  }

  /** Starts the CSMS, then the hub on `yamlFor(the CSMS's URL)`. */
  async start(yamlFor: (csmsUrl: string) => string, csmsOptions: StrictCsmsOptions = {}): Promise<void> {
    const csms = new StrictCsms(csmsOptions);
    await csms.start();
    const clock = new FakeClock(Date.now());
    const h = await startTestHub(yamlFor(csms.url), { clock });
    this.running = { csms, h, clock };
  }

  /** Closes the chargers, then stops the hub and the CSMS. */
  async stop(): Promise<void> {
    for (const c of this.clients.splice(0)) await c.close({ force: true });
    const running = this.running;
    this.running = undefined;
    await running?.h.stop();
    await running?.csms.stop();
  }

  private site(): Running {
    if (!this.running) throw new Error('the site runs only inside a test, once started');
    return this.running;
  }
}

/** A CsmsSiteFixture that each test of the file starts itself, stopped after each test. */
export function useCsmsSite(): CsmsSiteFixture {
  const site = new CsmsSiteFixture();
  afterEach(() => site.stop());
  return site;
}
