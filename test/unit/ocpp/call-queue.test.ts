import { describe, expect, it } from 'vitest';
import { CallQueue, type QueuedCall } from '../../../src/ocpp/call-queue.js';
import { RpcClosedError, RpcTimeoutError } from '../../../src/ocpp/errors.js';
import { FakeClock } from '../../../src/util/fake-clock.js';

function setup(opts: { sendOk?: boolean } = {}) {
  const clock = new FakeClock();
  const sent: QueuedCall[] = [];
  const settled: { action: string; error: unknown; durationMs: number }[] = [];
  const queue = new CallQueue({
    clock,
    send: (call) => {
      sent.push(call);
      return opts.sendOk ?? true;
    },
    onSettled: (call, error, durationMs) => settled.push({ action: call.action, error, durationMs }),
  });
  const enqueue = (action: string, timeoutMs = 1_000, signal?: AbortSignal) =>
    queue.enqueue(action, {}, { timeoutMs, skipValidation: false, signal });
  return { clock, sent, settled, queue, enqueue };
}

describe('CallQueue', () => {
  it('sends only the first call until it is answered, then the next', async () => {
    const { sent, queue, enqueue } = setup();
    const a = enqueue('A');
    const b = enqueue('B');
    expect(sent.map((c) => c.action)).toEqual(['A']);
    queue.resolve(sent[0]!, { ok: 1 });
    expect(sent.map((c) => c.action)).toEqual(['A', 'B']);
    queue.resolve(sent[1]!, { ok: 2 });
    await expect(a).resolves.toEqual({ ok: 1 });
    await expect(b).resolves.toEqual({ ok: 2 });
  });

  it('gives every call its own message id', () => {
    const { sent, queue, enqueue } = setup();
    void enqueue('A');
    void enqueue('B');
    queue.resolve(sent[0]!, {});
    expect(sent[0]!.messageId).not.toBe(sent[1]!.messageId);
  });

  it('times a call out on the clock and moves on to the next', async () => {
    const { clock, sent, settled, enqueue } = setup();
    const a = enqueue('A', 500);
    void enqueue('B');
    clock.advanceMs(499);
    expect(sent).toHaveLength(1);
    clock.advanceMs(1);
    await expect(a).rejects.toBeInstanceOf(RpcTimeoutError);
    expect(sent.map((c) => c.action)).toEqual(['A', 'B']);
    expect(settled[0]).toMatchObject({ action: 'A', durationMs: 500 });
  });

  it('ignores an answer for a call that is no longer in flight', async () => {
    const { clock, sent, queue, enqueue } = setup();
    const a = enqueue('A', 500);
    clock.advanceMs(500);
    await expect(a).rejects.toBeInstanceOf(RpcTimeoutError);
    expect(queue.inFlightWithId(sent[0]!.messageId)).toBeUndefined();
    expect(() => queue.resolve(sent[0]!, {})).not.toThrow();
  });

  it('rejects the call in flight and the waiting ones on close, and later calls at once', async () => {
    const { queue, enqueue, clock } = setup();
    const outcomes = Promise.allSettled([enqueue('A'), enqueue('B')]);
    queue.close();
    const [a, b] = await outcomes;
    expect(a).toMatchObject({ status: 'rejected', reason: expect.any(RpcClosedError) });
    expect(b).toMatchObject({ status: 'rejected', reason: expect.any(RpcClosedError) });
    // Only the one in flight may have reached the peer; the waiting one provably did not.
    expect(a).toMatchObject({ reason: { neverSent: false } });
    expect(b).toMatchObject({ reason: { neverSent: true } });
    await expect(enqueue('C')).rejects.toMatchObject({ neverSent: true });
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects a call whose send throws and sends the next one, also from a timeout', async () => {
    const clock = new FakeClock();
    const sent: string[] = [];
    const queue = new CallQueue({
      clock,
      send: (call) => {
        if (call.action === 'Bad') throw new RangeError('Maximum call stack size exceeded');
        sent.push(call.action);
        return true;
      },
    });
    const opts = { timeoutMs: 500, skipValidation: false, signal: undefined };
    const first = queue.enqueue('First', {}, opts);
    const bad = queue.enqueue('Bad', {}, opts);
    const last = queue.enqueue('Last', {}, opts);
    // The first call times out on a timer; the queue then tries Bad (which throws) and goes on.
    expect(() => clock.advanceMs(500)).not.toThrow();
    await expect(first).rejects.toBeInstanceOf(RpcTimeoutError);
    await expect(bad).rejects.toBeInstanceOf(RangeError);
    expect(sent).toEqual(['First', 'Last']);
    queue.close();
    await expect(last).rejects.toBeInstanceOf(RpcClosedError);
  });

  it('rejects a call that cannot be put on the wire', async () => {
    const { enqueue } = setup({ sendOk: false });
    await expect(enqueue('A')).rejects.toBeInstanceOf(RpcClosedError);
  });

  it('drops a waiting call whose signal aborts without ever sending it', async () => {
    const { sent, queue, enqueue } = setup();
    void enqueue('A');
    const ac = new AbortController();
    const b = enqueue('B', 1_000, ac.signal);
    ac.abort(new Error('gone'));
    await expect(b).rejects.toThrow('gone');
    queue.resolve(sent[0]!, {});
    expect(sent.map((c) => c.action)).toEqual(['A']);
  });
});
