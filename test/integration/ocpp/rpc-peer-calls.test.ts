import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FormationViolationError,
  FormatViolationError,
  NotSupportedError,
  OccurenceConstraintViolationError,
  OccurrenceConstraintViolationError,
  PropertyConstraintViolationError,
  RpcClosedError,
  RpcTimeoutError,
} from '../../../src/ocpp/errors.js';
import type { RpcPeer } from '../../../src/ocpp/rpc-peer.js';
import type { CallContext } from '../../../src/ocpp/rpc-types.js';
import { RawClient, startTestHub, VERSIONS, type TestHub } from './rpc-harness.js';

describe.each(VERSIONS)('RpcPeer outgoing calls, OCPP %s', (version) => {
  let hub: TestHub;
  let raw: RawClient;
  let peer: RpcPeer;

  beforeEach(async () => {
    hub = await startTestHub({ version });
    raw = await RawClient.connect(hub.url('CP-RAW'), version);
    peer = await hub.nextPeer();
  });

  afterEach(async () => {
    await raw.close();
    await hub.stop();
  });

  it('sends a CALL with a fresh message id and resolves with the result', async () => {
    const result = peer.call('ClearCache', {});
    const [type, id, action, payload] = await raw.next();
    expect([type, action, payload]).toEqual([2, 'ClearCache', {}]);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    raw.send([3, id, { status: 'Accepted' }]);
    await expect(result).resolves.toEqual({ status: 'Accepted' });
  });

  it('does not send a second call before the first is answered', async () => {
    const first = peer.call('ClearCache', {});
    const second = peer.call('ClearCache', {});
    const call1 = await raw.next();
    // A round trip after the first CALL: had the second been sent, it would arrive before the answer.
    expect(await raw.heartbeatRoundTrip()).toEqual([]);
    raw.send([3, call1[1], { status: 'Accepted' }]);
    const call2 = await raw.next();
    expect(call2[1]).not.toBe(call1[1]);
    raw.send([3, call2[1], { status: 'Rejected' }]);
    await expect(first).resolves.toEqual({ status: 'Accepted' });
    await expect(second).resolves.toEqual({ status: 'Rejected' });
  });

  it('rejects a call with RpcTimeoutError when the clock passes the timeout, then sends the next', async () => {
    const first = peer.call('ClearCache', {}, { timeoutMs: 5_000 });
    const second = peer.call('ClearCache', {});
    const call1 = await raw.next();
    hub.clock.advanceMs(4_999);
    expect(await raw.heartbeatRoundTrip()).toEqual([]);
    hub.clock.advanceMs(1);
    await expect(first).rejects.toBeInstanceOf(RpcTimeoutError);
    const call2 = await raw.next();
    expect(call2[0]).toBe(2);
    raw.send([3, call1[1], { status: 'Accepted' }]); // late answer to the timed-out call: ignored
    raw.send([3, call2[1], { status: 'Accepted' }]);
    await expect(second).resolves.toEqual({ status: 'Accepted' });
  });

  it('uses the default call timeout of 30 s when none is given', async () => {
    let settled = false;
    const call = peer.call('ClearCache', {});
    call.catch(() => undefined).finally(() => (settled = true));
    await raw.next();
    hub.clock.advanceMs(29_999);
    await raw.heartbeatRoundTrip();
    expect(settled).toBe(false);
    hub.clock.advanceMs(1);
    await expect(call).rejects.toBeInstanceOf(RpcTimeoutError);
  });

  it('rejects the pending and the queued calls when the socket closes', async () => {
    const first = peer.call('ClearCache', {});
    const second = peer.call('ClearCache', {});
    await raw.next();
    const outcomes = Promise.allSettled([first, second]);
    await raw.close();
    const [a, b] = await outcomes;
    expect(a).toMatchObject({ status: 'rejected', reason: expect.any(RpcClosedError) });
    expect(b).toMatchObject({ status: 'rejected', reason: expect.any(RpcClosedError) });
  });

  it('rejects calls made after the connection closed', async () => {
    peer.close();
    await expect(peer.call('ClearCache', {})).rejects.toBeInstanceOf(RpcClosedError);
  });

  it('emits close with the code and reason the other side sent', async () => {
    const seen = new Promise<[number, string]>((resolve) => peer.on('close', (code, reason) => resolve([code, reason])));
    raw.socket.close(4000, 'bye');
    await expect(seen).resolves.toEqual([4000, 'bye']);
  });

  it('aborts the signal of a running handler when the socket closes', async () => {
    const signal = new Promise<AbortSignal>((resolve) =>
      peer.handle('DataTransfer', (ctx: CallContext) => {
        resolve(ctx.signal);
        return new Promise(() => undefined);
      }),
    );
    raw.send([2, 'dt-1', 'DataTransfer', { vendorId: 'x' }]);
    const handlerSignal = await signal;
    expect(handlerSignal.aborted).toBe(false);
    const closed = new Promise((resolve) => peer.on('close', resolve));
    await raw.close();
    await closed;
    expect(handlerSignal.aborted).toBe(true);
  });

  it('refuses an invalid outgoing payload before sending anything', async () => {
    const error = await peer.call('BootNotification', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(version === '2.1' ? OccurrenceConstraintViolationError : OccurenceConstraintViolationError);
    expect(await raw.heartbeatRoundTrip()).toEqual([]);
  });

  it('sends an invalid payload when validation is skipped for the call', async () => {
    const call = peer.call('ClearCache', { relayed: true }, { skipValidation: true });
    const [, id, , payload] = await raw.next();
    expect(payload).toEqual({ relayed: true });
    raw.send([3, id, { anything: 1 }]);
    await expect(call).resolves.toEqual({ anything: 1 });
  });

  it('rejects a result that breaks the response schema with the mapped error', async () => {
    const call = peer.call('ClearCache', {});
    const [, id] = await raw.next();
    raw.send([3, id, { status: 'Maybe' }]);
    await expect(call).rejects.toBeInstanceOf(PropertyConstraintViolationError);
  });

  it('rejects a call with the RpcError matching the CALLERROR code', async () => {
    const call = peer.call('ClearCache', {});
    const [, id] = await raw.next();
    raw.send([4, id, 'NotSupported', 'no cache here', { hint: 1 }]);
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotSupportedError);
    expect(error).toMatchObject({ code: 'NotSupported', description: 'no cache here', details: { hint: 1 } });
  });

  it('rejects a call whose result is not a JSON object with a format error', async () => {
    const call = peer.call('ClearCache', {});
    const [, id] = await raw.next();
    raw.send([3, id, 'Accepted']);
    await expect(call).rejects.toBeInstanceOf(FormatViolationError);
    expect(await raw.heartbeatRoundTrip()).toEqual([]);
  });

  it('stops waiting for a call whose abort signal fires, and sends the next', async () => {
    const ac = new AbortController();
    const first = peer.call('ClearCache', {}, { signal: ac.signal });
    const second = peer.call('ClearCache', {});
    await raw.next();
    ac.abort(new Error('caller gave up'));
    await expect(first).rejects.toThrow('caller gave up');
    const [, id2] = await raw.next();
    raw.send([3, id2, { status: 'Accepted' }]);
    await expect(second).resolves.toEqual({ status: 'Accepted' });
  });
});

describe('RpcPeer error classes for incoming CALLERRORs', () => {
  it('keeps the 1.6 spelling FormationViolation as its own class', async () => {
    const hub = await startTestHub({ version: '1.6' });
    const raw = await RawClient.connect(hub.url('CP-RAW'), '1.6');
    const peer = await hub.nextPeer();
    const call = peer.call('ClearCache', {});
    const [, id] = await raw.next();
    raw.send([4, id, 'FormationViolation', 'bad', {}]);
    await expect(call).rejects.toBeInstanceOf(FormationViolationError);
    await raw.close();
    await hub.stop();
  });
});

describe('RpcPeer traffic and events', () => {
  let hub: TestHub;
  let raw: RawClient;
  const records: { direction: 'in' | 'out'; action: string; bytes: number }[] = [];

  beforeEach(async () => {
    records.length = 0;
    hub = await startTestHub({
      version: '2.0.1',
      traffic: { record: (direction, action, bytes) => records.push({ direction, action, bytes }) },
    });
    raw = await RawClient.connect(hub.url('CP-RAW'), '2.0.1');
  });

  afterEach(async () => {
    await raw.close();
    await hub.stop();
  });

  it('counts the bytes of each frame per direction and action', async () => {
    const frame = JSON.stringify([2, 'hb-x', 'Heartbeat', {}]);
    raw.send(frame);
    const answer = await raw.next();
    expect(records).toEqual([
      { direction: 'in', action: 'Heartbeat', bytes: Buffer.byteLength(frame) },
      { direction: 'out', action: 'Heartbeat', bytes: Buffer.byteLength(JSON.stringify(answer)) },
    ]);
  });

  it('counts an answer to an outgoing call under the action of that call', async () => {
    const peer = await hub.nextPeer();
    const call = peer.call('ClearCache', {});
    const [, id] = await raw.next();
    raw.send([3, id, { status: 'Accepted' }]);
    await call;
    expect(records.map((r) => `${r.direction}:${r.action}`)).toEqual(['out:ClearCache', 'in:ClearCache']);
  });

  it('reports a bad frame through the badFrame event', async () => {
    const peer = await hub.nextPeer();
    const seen = new Promise((resolve) => peer.on('badFrame', resolve));
    raw.send('nope');
    await expect(seen).resolves.toMatchObject({ code: 'RpcFrameworkError', messageId: '-1', answered: true });
  });

  it('reports each answered incoming call through the callIn event', async () => {
    const peer = await hub.nextPeer();
    const seen = new Promise((resolve) => peer.on('callIn', resolve));
    raw.send([2, 'c1', 'MakeCoffee', {}]);
    await expect(seen).resolves.toMatchObject({ action: 'MakeCoffee', messageId: 'c1', errorCode: 'NotImplemented' });
  });
});

describe('RpcPeer OCPP 2.1 message types', () => {
  let hub: TestHub;
  let raw: RawClient;

  beforeEach(async () => {
    hub = await startTestHub({ version: '2.1' });
    raw = await RawClient.connect(hub.url('CP-RAW'), '2.1');
  });

  afterEach(async () => {
    await raw.close();
    await hub.stop();
  });

  const stream = { id: 1, pending: 0, basetime: '2026-01-05T08:00:00.000Z', data: [{ t: 0, v: '230.1' }] };

  it('dispatches a SEND to its handler and never answers it', async () => {
    const peer = await hub.nextPeer();
    const received = new Promise((resolve) => peer.handle('NotifyPeriodicEventStream', (ctx) => resolve(ctx.payload)));
    raw.send([6, 's1', 'NotifyPeriodicEventStream', stream]);
    await expect(received).resolves.toEqual(stream);
    expect(await raw.heartbeatRoundTrip()).toEqual([]);
  });

  it('sends a SEND frame that expects no answer', async () => {
    const peer = await hub.nextPeer();
    peer.send('NotifyPeriodicEventStream', stream);
    const [type, , action, payload] = await raw.next();
    expect([type, action, payload]).toEqual([6, 'NotifyPeriodicEventStream', stream]);
  });

  it('accepts a CALLRESULTERROR without answering it', async () => {
    raw.send([5, 'r1', 'FormatViolation', 'your result was bad', {}]);
    expect(await raw.heartbeatRoundTrip()).toEqual([]);
  });

  it('answers an invalid CALLRESULT with a CALLRESULTERROR', async () => {
    const peer = await hub.nextPeer();
    const call = peer.call('ClearCache', {});
    const [, id] = await raw.next();
    raw.send([3, id, { status: 'Maybe' }]);
    await expect(call).rejects.toBeInstanceOf(PropertyConstraintViolationError);
    expect(await raw.next()).toEqual([5, id, 'PropertyConstraintViolation', expect.any(String), expect.any(Object)]);
  });
});
