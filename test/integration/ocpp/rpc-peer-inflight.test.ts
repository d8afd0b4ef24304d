import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RpcPeer } from '../../../src/ocpp/rpc-peer.js';
import { startTestHub, type TestHub } from './rpc-harness.js';

/** A station that pipelines: writes `count` Heartbeat CALLs at once and collects every answer by id. */
async function pipeliningStation(url: string, count: number): Promise<{ answers: Map<string, unknown[]>; allAnswered: Promise<void>; ws: WebSocket }> {
  const ws = new WebSocket(url, ['ocpp1.6']);
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  const answers = new Map<string, unknown[]>();
  const allAnswered = new Promise<void>((resolve) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as unknown[];
      answers.set(String(frame[1]), frame);
      if (answers.size === count) resolve();
    });
  });
  for (let i = 0; i < count; i++) ws.send(JSON.stringify([2, `f${i}`, 'Heartbeat', {}]));
  return { answers, allAnswered, ws };
}

describe('per-station limit on CALLs in flight', () => {
  let hub: TestHub | undefined;
  afterEach(async () => hub?.stop());

  it('never runs more handlers of one station at once than the limit, and answers every CALL once', async () => {
    const limit = 3;
    let running = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    hub = await startTestHub({
      version: '1.6',
      options: { maxCallsInFlight: limit },
      setup: (peer: RpcPeer) =>
        peer.handle('Heartbeat', async () => {
          running += 1;
          most = Math.max(most, running);
          await new Promise<void>((resolve) => releases.push(resolve));
          running -= 1;
          return { currentTime: new Date(0).toISOString() };
        }),
    });
    const flood = await pipeliningStation(hub.url('FLOOD'), 200);
    await hub.nextPeer();
    // Release handlers as they start until every CALL has its answer (result or CALLERROR).
    const pump = setInterval(() => releases.splice(0).forEach((r) => r()), 5);
    await flood.allAnswered;
    clearInterval(pump);
    expect(most).toBeLessThanOrEqual(limit);
    const kinds = [...flood.answers.values()].map((f) => (f[0] === 3 ? 'result' : `${String(f[0])}:${String(f[2])}`));
    expect(new Set(kinds).size).toBeLessThanOrEqual(2);
    for (const k of kinds) expect(['result', '4:GenericError']).toContain(k);
    expect(kinds.filter((k) => k === 'result').length).toBeGreaterThanOrEqual(limit);
    flood.ws.close();
  });

  it('serves another station while one station holds all its slots', async () => {
    const releases: (() => void)[] = [];
    hub = await startTestHub({
      version: '1.6',
      options: { maxCallsInFlight: 2 },
      setup: (peer: RpcPeer) => {
        if (peer.identity !== 'FLOOD') return;
        peer.handle('Heartbeat', async () => {
          await new Promise<void>((resolve) => releases.push(resolve));
          return { currentTime: new Date(0).toISOString() };
        });
      },
    });
    const flood = await pipeliningStation(hub.url('FLOOD'), 500);
    await hub.nextPeer();
    // FLOOD's handlers stay blocked; a well-behaved station still gets its answer.
    const good = new WebSocket(hub.url('GOOD'), ['ocpp1.6']);
    await new Promise<void>((resolve) => good.once('open', () => resolve()));
    await hub.nextPeer();
    const answer = new Promise<unknown[]>((resolve) => good.once('message', (d) => resolve(JSON.parse(String(d)) as unknown[])));
    good.send(JSON.stringify([2, 'g1', 'Heartbeat', {}]));
    expect(await answer).toMatchObject([3, 'g1', { currentTime: expect.any(String) }]);
    expect(releases.length).toBeLessThanOrEqual(2);
    const pump = setInterval(() => releases.splice(0).forEach((r) => r()), 5);
    await flood.allAnswered;
    clearInterval(pump);
    good.close();
    flood.ws.close();
  });
});
