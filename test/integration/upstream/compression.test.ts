import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import type { UpstreamView } from '../../../src/upstream/upstream.js';
import { boot2x, ocppClient, startTestHub } from '../../helpers/hub-harness.js';
import { StrictCsms } from './strict-csms.js';
import { linkState, proxySiteYaml, txEvent } from './proxy-site.js';

interface Measured {
  payloadBytesOut: number;
  wireBytesOut: number;
  frames: number;
}

/** Runs one 2.0.1 session through a proxy hub and returns the TransactionEvent traffic upstream. */
async function session(compression: boolean): Promise<Measured> {
  const csms = new StrictCsms({ deflate: true });
  await csms.start();
  const h = await startTestHub(proxySiteYaml({ csmsUrl: csms.url, compression }), { clock: new FakeClock(Date.now()) });
  const cp = ocppClient(h.hub.ocppUrl, 'CP201', { version: '2.0.1' });
  try {
    await cp.connect();
    await cp.call('BootNotification', boot2x);
    await linkState(h, 'CP201', '2.0.1', 'connected');
    await cp.call('TransactionEvent', txEvent('Started', 0, 'TX-Z', 0));
    for (let seqNo = 1; seqNo <= 30; seqNo++) await cp.call('TransactionEvent', txEvent('Updated', seqNo, 'TX-Z', seqNo * 137));
    await cp.call('TransactionEvent', txEvent('Ended', 31, 'TX-Z', 5000));
    expect(csms.of('CP201', 'TransactionEvent')).toHaveLength(32);
    const view = (await h.hub.api.inject({ method: 'GET', url: '/api/upstream' })).json<UpstreamView>();
    const counts = view.traffic.at(-1)?.links['CP201']?.['TransactionEvent'];
    return { payloadBytesOut: counts?.payloadBytesOut ?? 0, wireBytesOut: counts?.wireBytesOut ?? 0, frames: counts?.framesOut ?? 0 };
  } finally {
    await cp.close({ force: true });
    await h.stop();
    await csms.stop();
  }
}

describe('upstream compression', () => {
  it('works off and on against a strict CSMS, and deflate puts fewer bytes on the wire for the same messages', async () => {
    const plain = await session(false);
    const deflated = await session(true);
    expect(plain.frames).toBe(32);
    expect(deflated.frames).toBe(32);
    expect(deflated.payloadBytesOut).toBe(plain.payloadBytesOut);
    // Without compression the wire carries the text plus WebSocket framing.
    expect(plain.wireBytesOut).toBeGreaterThan(plain.payloadBytesOut);
    expect(deflated.wireBytesOut).toBeLessThan(plain.wireBytesOut);
    expect(deflated.wireBytesOut).toBeLessThan(deflated.payloadBytesOut);
  });
});
