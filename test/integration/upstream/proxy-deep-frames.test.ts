import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ocppClient, startTestHub, boot2x, type Harness } from '../../helpers/hub-harness.js';
import { deepArrayJson, RawStation } from '../../helpers/raw-station.js';
import { StrictCsms } from './strict-csms.js';
import { proxySiteYaml } from './proxy-site.js';

// Real clock on purpose: the crash this guards against came from a call timeout firing on a timer.
let csms: StrictCsms;
let h: Harness;
beforeAll(async () => {
  csms = new StrictCsms({ passwords: { CP16: 'pw-cp16', CP201: 'pw-cp201' } });
  await csms.start();
  h = await startTestHub(proxySiteYaml({ csmsUrl: csms.url }).replace('pingIntervalS: 0\n  compression', 'pingIntervalS: 0\n  callTimeoutS: 1\n  compression'));
});
afterAll(async () => {
  await h.stop();
  await csms.stop();
});

describe('proxy mode under deeply nested frames', () => {
  it('answers three pipelined 2.0.1 Heartbeats with 30,000-deep customData with FormatViolation, relays nothing of them, and keeps relaying', async () => {
    const st = await RawStation.open(`${h.hub.ocppUrl}/CP201`, 'ocpp2.0.1');
    const deep = (id: string) => `[2,"${id}","Heartbeat",{"customData":{"vendorId":"x","v":${deepArrayJson(30_000)}}}]`;
    for (const id of ['d1', 'd2', 'd3']) st.send(deep(id));
    for (const id of ['d1', 'd2', 'd3']) expect((await st.answerTo(id)).slice(0, 3)).toEqual([4, id, 'FormatViolation']);
    await st.close();

    // The same station, as a strict independent client, is still relayed to the CSMS.
    const cp = ocppClient(h.hub.ocppUrl, 'CP201', { version: '2.0.1' });
    await cp.connect();
    await cp.call('BootNotification', boot2x);
    await expect(cp.call('Heartbeat', {})).resolves.toHaveProperty('currentTime');
    expect(csms.of('CP201', 'Heartbeat')).toHaveLength(1);
    await cp.close({ force: true });
  });
});
