import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { WebSocket } from 'ws';
import fc from 'fast-check';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestHub(`
server: { maxFrameBytes: 4096 }
stations:
  - { id: RAW16, securityProfile: 0 }
  - { id: RAW201, securityProfile: 0 }
  - { id: FUZZ, securityProfile: 0 }
`);
});
afterAll(async () => h.stop());

/** A raw WebSocket "station" that sends frames verbatim and collects what comes back. */
class RawStation {
  private readonly inbox: unknown[][] = [];
  private waiters: Array<() => void> = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as unknown[];
      if (msg[0] === 2) return; // calls from the hub (e.g. charging profiles) are not answers
      this.inbox.push(msg);
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async open(id: string, protocol: string): Promise<RawStation> {
    const ws = new WebSocket(`${h.hub.ocppUrl}/${id}`, [protocol]);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new RawStation(ws);
  }
  async reply(frame: string): Promise<unknown[]> {
    this.ws.send(frame);
    return this.next();
  }
  async next(): Promise<unknown[]> {
    while (this.inbox.length === 0) await new Promise<void>((r) => this.waiters.push(r));
    return this.inbox.shift() as unknown[];
  }
  /** Sends a Heartbeat and waits for its CALLRESULT, skipping answers to earlier frames. */
  async heartbeatWorks(): Promise<boolean> {
    const id = `hb-${Math.random()}`;
    this.ws.send(JSON.stringify([2, id, 'Heartbeat', {}]));
    for (;;) {
      const m = await this.next();
      if (m[1] === id) return m[0] === 3;
    }
  }
}

describe('bad input from an OCPP 1.6 station', () => {
  it.each([
    ['not JSON', 'this is not json', '-1', 'FormationViolation'],
    ['JSON but not an array', '{"a":1}', '-1', 'FormationViolation'],
    ['an unknown action', '[2,"m1","MakeCoffee",{}]', 'm1', 'NotImplemented'],
    ['a payload of the wrong type', '[2,"m2","Authorize",{"idTag":42}]', 'm2', 'TypeConstraintViolation'],
    ['a payload missing a required field', '[2,"m3","StartTransaction",{"connectorId":1}]', 'm3', 'OccurenceConstraintViolation'],
    ['a payload with an unknown property', '[2,"m4","Heartbeat",{"extra":true}]', 'm4', 'PropertyConstraintViolation'],
  ])('answers %s with the right CALLERROR and stays usable', async (_name, frame, id, code) => {
    const st = await RawStation.open('RAW16', 'ocpp1.6');
    const answer = await st.reply(frame);
    expect(answer[0]).toBe(4);
    expect(answer[1]).toBe(id);
    expect(answer[2]).toBe(code);
    expect(await st.heartbeatWorks()).toBe(true);
    st.ws.close();
  });

  it('answers a frame over the size limit with a CALLERROR and stays usable', async () => {
    const st = await RawStation.open('RAW16', 'ocpp1.6');
    const answer = await st.reply(JSON.stringify([2, 'big', 'DataTransfer', { vendorId: 'x', data: 'y'.repeat(6000) }]));
    expect(answer[0]).toBe(4);
    expect(answer[2]).toBe('FormationViolation');
    expect(await st.heartbeatWorks()).toBe(true);
    st.ws.close();
  });
});

describe('bad input from an OCPP 2.0.1 station', () => {
  it.each([
    ['not JSON', 'nope', 'RpcFrameworkError'],
    ['an unknown message type', '[9,"m5","Heartbeat",{}]', 'MessageTypeNotSupported'],
    ['an unknown action', '[2,"m6","MakeCoffee",{}]', 'NotImplemented'],
    ['a payload of the wrong type', '[2,"m7","Heartbeat",[]]', 'FormatViolation'],
    ['a wrong enum value', '[2,"m8","StatusNotification",{"timestamp":"2026-01-01T00:00:00Z","connectorStatus":"Sleepy","evseId":1,"connectorId":1}]', 'PropertyConstraintViolation'],
  ])('answers %s with the right CALLERROR and stays usable', async (_name, frame, code) => {
    const st = await RawStation.open('RAW201', 'ocpp2.0.1');
    const answer = await st.reply(frame);
    expect(answer[0]).toBe(4);
    expect(answer[2]).toBe(code);
    expect(await st.heartbeatWorks()).toBe(true);
    st.ws.close();
  });
});

describe('random frames', () => {
  it('never crash the hub nor leak a session', async () => {
    const frameArb = fc.oneof(
      fc.string(),
      fc.json(),
      fc.tuple(fc.constantFrom(2, 3, 4, 5, 6, 7, -1), fc.string(), fc.string(), fc.anything()).map((t) => JSON.stringify(t)),
      fc.tuple(fc.constant(2), fc.uuid(), fc.constantFrom('BootNotification', 'Heartbeat', 'Authorize', 'StartTransaction', 'StopTransaction', 'MeterValues', 'StatusNotification', 'DataTransfer'), fc.jsonValue()).map((t) => JSON.stringify(t)),
    );
    const st = await RawStation.open('FUZZ', 'ocpp1.6');
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 8 }), async (frames) => {
        for (const f of frames) st.ws.send(f);
        expect(await st.heartbeatWorks()).toBe(true);
      }),
      { numRuns: 60 },
    );
    expect(h.hub.registry.size).toBe(1);
    st.ws.close();
    await new Promise((resolve) => st.ws.once('close', resolve));
    // Still answering; the stations the test closed are configured, so the hub says it is degraded by them.
    const health = (await h.hub.api.inject({ method: 'GET', url: '/api/health' })).json<{ status: string; reasons: string[] }>();
    expect(health.status).toBe('degraded');
    expect(health.reasons.every((r) => /^station (RAW16|RAW201|FUZZ) offline/.test(r))).toBe(true);
  });
});
