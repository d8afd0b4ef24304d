import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { deepArrayJson, RawStation } from '../../helpers/raw-station.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestHub(`
stations:
  - { id: DEEP16, securityProfile: 0 }
  - { id: DEEP201, securityProfile: 0 }
`);
});
afterAll(async () => h.stop());

const url = (id: string) => `${h.hub.ocppUrl}/${id}`;

describe('deeply nested frames (standalone)', () => {
  it('answers a 2.0.1 DataTransfer nested 30,000 deep with FormatViolation and stores nothing of it', async () => {
    const st = await RawStation.open(url('DEEP201'), 'ocpp2.0.1');
    st.send(`[2,"deep-dt","DataTransfer",{"vendorId":"x","data":${deepArrayJson(30_000)}}]`);
    const answer = await st.answerTo('deep-dt');
    expect(answer.slice(0, 3)).toEqual([4, 'deep-dt', 'FormatViolation']);
    st.send('[2,"hb","Heartbeat",{}]');
    expect((await st.answerTo('hb'))[0]).toBe(3);
    expect(h.hub.store.messages.count()).toBe(0);
    await st.close();
  });

  it('answers a 1.6 frame nested 30,000 deep with FormationViolation', async () => {
    const st = await RawStation.open(url('DEEP16'), 'ocpp1.6');
    st.send(`[2,"deep16","DataTransfer",{"vendorId":"x","data":"y","extra":${deepArrayJson(30_000)}}]`);
    expect((await st.answerTo('deep16')).slice(0, 3)).toEqual([4, 'deep16', 'FormationViolation']);
    await st.close();
  });

  it('still answers a DataTransfer with vendor data nested within the limit', async () => {
    const st = await RawStation.open(url('DEEP201'), 'ocpp2.0.1');
    st.send(`[2,"ok-dt","DataTransfer",{"vendorId":"x","data":${deepArrayJson(25)}}]`);
    expect((await st.answerTo('ok-dt'))[0]).toBe(3);
    await st.close();
  });

  it('answers a CALL five times over the size limit with a CALLERROR carrying its id, then keeps serving', async () => {
    const st = await RawStation.open(url('DEEP201'), 'ocpp2.0.1');
    st.send(JSON.stringify([2, 'big5', 'DataTransfer', { vendorId: 'x', data: 'y'.repeat(5 * 65_536) }]));
    const answer = await st.answerTo('big5');
    expect(answer.slice(0, 3)).toEqual([4, 'big5', 'FormatViolation']);
    expect(answer[3]).toMatch(/exceeds 65536 bytes/);
    st.send('[2,"hb2","Heartbeat",{}]');
    expect((await st.answerTo('hb2'))[0]).toBe(3);
    await st.close();
  });

  it('answers a CALL whose message id is longer than 36 characters with the version\'s framework error', async () => {
    const id = 'i'.repeat(37);
    const st201 = await RawStation.open(url('DEEP201'), 'ocpp2.0.1');
    st201.send(`[2,"${id}","Heartbeat",{}]`);
    expect((await st201.answerTo(id)).slice(0, 3)).toEqual([4, id, 'RpcFrameworkError']);
    await st201.close();
    const st16 = await RawStation.open(url('DEEP16'), 'ocpp1.6');
    st16.send(`[2,"${id}","Heartbeat",{}]`);
    expect((await st16.answerTo(id)).slice(0, 3)).toEqual([4, id, 'FormationViolation']);
    await st16.close();
  });
});
