import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { GenericError, RpcClosedError, RpcTimeoutError } from '../../../src/ocpp/errors.js';
import { OutboxPump, type PumpLink } from '../../../src/upstream/outbox-pump.js';
import { UpstreamUnavailableError, type LinkState } from '../../../src/upstream/upstream-link.js';

/** A link whose answers the test decides, one call at a time. */
class ScriptedLink implements PumpLink {
  state: LinkState = 'backoff';
  readonly sent: Array<{ action: string; payload: unknown }> = [];
  answer: (action: string, payload: unknown) => Promise<unknown> = () => Promise.resolve({});
  private readonly listeners: Array<(s: LinkState, p: LinkState) => void> = [];

  call(action: string, payload: unknown): Promise<unknown> {
    this.sent.push({ action, payload });
    return this.answer(action, payload);
  }

  onState(listener: (s: LinkState, p: LinkState) => void): () => void {
    this.listeners.push(listener);
    return () => undefined;
  }

  set(state: LinkState): void {
    const previous = this.state;
    this.state = state;
    for (const l of this.listeners) l(state, previous);
  }
}

let store: Store;
let link: ScriptedLink;
let pump: OutboxPump;
const delivered: unknown[] = [];
const rejected: string[] = [];
const clock = new FakeClock();

beforeEach(() => {
  store = openStore({ path: ':memory:', clock });
  link = new ScriptedLink();
  delivered.length = 0;
  rejected.length = 0;
  pump = new OutboxPump({
    linkName: 'CP1',
    link,
    outbox: store.outbox,
    atomically: (fn) => store.db.transaction(fn)(),
    clock,
    log: silentLogger(),
    retryDelayMs: 1000,
    prepare: (entry, mode) => ({ action: entry.action, payload: { ...(entry.payload as object), mode } }),
    onDelivered: (_e, result) => void delivered.push(result),
    onRejected: (e, err) => void rejected.push(`${e.seq}:${err.code}`),
  });
});

afterEach(() => {
  pump.stop();
  store.close();
});

function queue(n: number): void {
  for (let i = 1; i <= n; i++) store.outbox.append('CP1', 'TransactionEvent', { seqNo: i }, { kind: 'billing' });
}

describe('outbox pump', () => {
  it('sends nothing before the row it comes from is committed', async () => {
    let commit: () => void = () => undefined;
    const committed = new Promise<void>((resolve) => (commit = resolve));
    const waiting = new OutboxPump({ linkName: 'CP2', link, outbox: store.outbox, atomically: (fn) => store.db.transaction(fn)(), clock, log: silentLogger(), retryDelayMs: 1000, prepare: (e) => ({ action: e.action, payload: e.payload }), committed: () => committed });
    store.outbox.append('CP2', 'TransactionEvent', { seqNo: 0 }, { kind: 'billing' });
    link.set('connected');
    // A whole event-loop turn: without the barrier the entry would be on the wire by now.
    await new Promise((resolve) => setImmediate(resolve));
    expect(link.sent.filter((c) => (c.payload as { seqNo: number }).seqNo === 0)).toEqual([]);
    commit();
    await waiting.whenIdle();
    expect(link.sent.filter((c) => (c.payload as { seqNo: number }).seqNo === 0)).toHaveLength(1);
    expect(store.outbox.count('CP2')).toBe(0);
    waiting.stop();
  });

  it('calls beforeSend before the wait for the commit, so its note is durable before the entry leaves', async () => {
    const order: string[] = [];
    const noting = new OutboxPump({
      linkName: 'CP3', link, outbox: store.outbox, atomically: (fn) => store.db.transaction(fn)(), clock, log: silentLogger(), retryDelayMs: 1000,
      prepare: (e) => ({ action: e.action, payload: e.payload }),
      beforeSend: () => void order.push('note'),
      committed: () => {
        order.push('commit');
        return Promise.resolve();
      },
    });
    link.answer = () => {
      order.push('send');
      return Promise.resolve({});
    };
    store.outbox.append('CP3', 'StartTransaction', { n: 1 }, { kind: 'billing' });
    link.set('connected');
    await noting.whenIdle();
    expect(order).toEqual(['note', 'commit', 'send']);
    noting.stop();
  });

  it('takes beforeSend’s note back when the call never left (link down, or closed while it waited its turn), not when the answer was lost', async () => {
    let undone = 0;
    const noting = new OutboxPump({
      linkName: 'CP4',
      link,
      outbox: store.outbox,
      atomically: (fn) => store.db.transaction(fn)(),
      clock,
      log: silentLogger(),
      retryDelayMs: 1000,
      prepare: (e) => ({ action: e.action, payload: e.payload }),
      beforeSend: () => () => void undone++,
    });
    link.answer = () => Promise.reject(new UpstreamUnavailableError('CP4', 'StartTransaction', 'backoff'));
    store.outbox.append('CP4', 'StartTransaction', { n: 1 }, { kind: 'billing' });
    link.set('connected');
    await noting.whenIdle();
    expect(undone).toBe(1);
    link.answer = (action) => Promise.reject(new RpcClosedError(action, true));
    clock.advanceMs(1000);
    await noting.whenIdle();
    expect(undone).toBe(2);
    link.answer = (action) => Promise.reject(new RpcTimeoutError(action, 30_000));
    clock.advanceMs(1000);
    await noting.whenIdle();
    link.answer = (action) => Promise.reject(new RpcClosedError(action));
    clock.advanceMs(1000);
    await noting.whenIdle();
    expect(link.sent.filter((c) => c.action === 'StartTransaction')).toHaveLength(4);
    expect(undone).toBe(2);
    noting.stop();
  });

  it('replays a link’s queue in order once the link connects, acking each entry after its answer', async () => {
    queue(3);
    link.set('connected');
    await pump.whenIdle();
    expect(link.sent.map((s) => s.payload)).toEqual([1, 2, 3].map((seqNo) => ({ seqNo, mode: 'replay' })));
    expect(store.outbox.count('CP1')).toBe(0);
  });

  it('keeps an entry whose answer never came and retries it later, in order', async () => {
    queue(2);
    let fail = true;
    link.answer = (action) => (fail ? Promise.reject(new RpcTimeoutError(action, 30_000)) : Promise.resolve({}));
    link.set('connected');
    await pump.whenIdle();
    expect(store.outbox.count('CP1')).toBe(2);
    fail = false;
    clock.advanceMs(1000);
    await pump.whenIdle();
    expect(link.sent.map((s) => (s.payload as { seqNo: number }).seqNo)).toEqual([1, 1, 2]);
    expect(store.outbox.count('CP1')).toBe(0);
  });

  it('settles an entry without sending it when prepare says so: its apply and its removal commit together', async () => {
    const settled: number[] = [];
    const settling = new OutboxPump({
      linkName: 'CP3',
      link,
      outbox: store.outbox,
      atomically: (fn) => store.db.transaction(fn)(),
      clock,
      log: silentLogger(),
      retryDelayMs: 1000,
      prepare: (e) => ((e.payload as { seqNo: number }).seqNo === 1 ? { settle: 'kept elsewhere', apply: () => void settled.push(store.outbox.count('CP3')) } : { action: e.action, payload: e.payload }),
    });
    store.outbox.append('CP3', 'MeterValues', { seqNo: 1 }, { kind: 'billing' });
    store.outbox.append('CP3', 'MeterValues', { seqNo: 2 }, { kind: 'billing' });
    link.set('connected');
    await settling.whenIdle();
    settling.stop();
    // apply ran while the row was still there (same transaction as its removal); only the other one left.
    expect(settled).toEqual([2]);
    expect(link.sent.filter((c) => c.action === 'MeterValues').map((c) => c.payload)).toEqual([{ seqNo: 2 }]);
    expect(store.outbox.count('CP3')).toBe(0);
  });

  it('keeps an entry whose settle apply throws (nothing moved, nothing removed)', async () => {
    const failing = new OutboxPump({
      linkName: 'CP4',
      link,
      outbox: store.outbox,
      atomically: (fn) => store.db.transaction(fn)(),
      clock,
      log: silentLogger(),
      retryDelayMs: 1000,
      prepare: () => ({
        settle: 'kept elsewhere',
        apply: () => {
          store.stationState.set('CP4', 'moved', true);
          throw new Error('disk full');
        },
      }),
    });
    store.outbox.append('CP4', 'MeterValues', { seqNo: 1 }, { kind: 'billing' });
    link.set('connected');
    await failing.whenIdle();
    failing.stop();
    expect(store.outbox.count('CP4')).toBe(1);
    expect(store.stationState.get('CP4', 'moved')).toBeUndefined();
  });

  it('drops an entry the CSMS refuses with a CALLERROR and goes on with the next', async () => {
    queue(2);
    link.answer = (_a, payload) => ((payload as { seqNo: number }).seqNo === 1 ? Promise.reject(new GenericError('no')) : Promise.resolve({ ok: 2 }));
    link.set('connected');
    await pump.whenIdle();
    expect(rejected).toHaveLength(1);
    expect(delivered).toEqual([{ ok: 2 }]);
    expect(store.outbox.count('CP1')).toBe(0);
  });

  it('sends a new entry live only when nothing is queued before it', async () => {
    queue(1);
    const later = store.outbox.append('CP1', 'TransactionEvent', { seqNo: 2 }, { kind: 'billing' });
    link.state = 'connected';
    await expect(pump.tryLive(later)).resolves.toEqual({ kind: 'local' });
    await pump.whenIdle();
    const fresh = store.outbox.append('CP1', 'TransactionEvent', { seqNo: 3 }, { kind: 'billing' });
    link.answer = () => Promise.resolve({ idTokenInfo: { status: 'Accepted' } });
    await expect(pump.tryLive(fresh)).resolves.toEqual({ kind: 'delivered', result: { idTokenInfo: { status: 'Accepted' } }, beforeDurable: false });
    expect(link.sent.map((s) => s.payload)).toEqual([
      { seqNo: 1, mode: 'replay' },
      { seqNo: 2, mode: 'replay' },
      { seqNo: 3, mode: 'live' },
    ]);
  });

  it('answers locally at once while the link is down', async () => {
    const entry = store.outbox.append('CP1', 'TransactionEvent', { seqNo: 1 }, { kind: 'billing' });
    await expect(pump.tryLive(entry)).resolves.toEqual({ kind: 'local' });
    expect(link.sent).toEqual([]);
    expect(store.outbox.count('CP1')).toBe(1);
  });
});

describe('outbox pump: a live entry sent while its commit runs (tryLive with `recorded`)', () => {
  function overlapping(): { pump: OutboxPump; seqNos: number[] } {
    const seqNos: number[] = [];
    const p = new OutboxPump({
      linkName: 'CP3',
      link,
      outbox: store.outbox,
      atomically: (fn) => store.db.transaction(fn)(),
      clock,
      log: silentLogger(),
      retryDelayMs: 1000,
      prepare: (e) => ({ action: e.action, payload: e.payload }),
      onDelivered: (e) => void seqNos.push(e.seq),
      // Never resolves: only an entry sent without `recorded` waits for it.
      committed: () => new Promise<void>(() => undefined),
    });
    return { pump: p, seqNos };
  }

  it('sends before the commit finished and acks only once it succeeded', async () => {
    const { pump: p, seqNos } = overlapping();
    link.set('connected');
    await p.whenIdle(); // the drain the connect started, over an empty queue
    const entry = store.outbox.append('CP3', 'TransactionEvent', { seqNo: 1 }, { kind: 'billing' });
    let commit: () => void = () => undefined;
    const recorded = new Promise<void>((resolve) => (commit = resolve));
    const outcome = p.tryLive(entry, recorded);
    expect(link.sent.map((c) => c.payload)).toEqual([{ seqNo: 1 }]);
    // The CSMS has answered ({}); a whole turn later the row is still there: the commit has not finished.
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.outbox.count('CP3')).toBe(1);
    commit();
    await expect(outcome).resolves.toEqual({ kind: 'delivered', result: {}, beforeDurable: false });
    expect(store.outbox.count('CP3')).toBe(0);
    expect(seqNos).toEqual([entry.seq]);
    p.stop();
  });

  it('never acks an entry whose commit failed: answered locally, onDelivered not told', async () => {
    const { pump: p, seqNos } = overlapping();
    link.set('connected');
    await p.whenIdle(); // the drain the connect started, over an empty queue
    const entry = store.outbox.append('CP3', 'TransactionEvent', { seqNo: 1 }, { kind: 'billing' });
    const recorded = Promise.reject(new Error('disk full'));
    recorded.catch(() => undefined);
    await expect(p.tryLive(entry, recorded)).resolves.toEqual({ kind: 'local' });
    expect(link.sent).toHaveLength(1);
    // Here the row stays, as nothing rolled it back: the pump did not ack it.
    expect(store.outbox.count('CP3')).toBe(1);
    expect(seqNos).toEqual([]);
    p.stop();
  });

  it('with answerBeforeDurable returns the CSMS answer before the commit, lets the next entry out, and acks once the commit settles', async () => {
    const { pump: p, seqNos } = overlapping();
    link.set('connected');
    await p.whenIdle(); // the drain the connect started, over an empty queue
    const first = store.outbox.append('CP3', 'MeterValues', { n: 1 }, { kind: 'periodic' });
    let commit: () => void = () => undefined;
    const recorded = new Promise<void>((resolve) => (commit = resolve));
    await expect(p.tryLive(first, recorded, { answerBeforeDurable: true })).resolves.toEqual({ kind: 'delivered', result: {}, beforeDurable: true });
    // Not acked yet (its commit has not settled), not sent again, and compaction must leave it alone.
    expect(store.outbox.count('CP3')).toBe(1);
    expect(p.busySeqs).toEqual([first.seq]);
    let idle = false;
    void p.whenIdle().then(() => (idle = true));
    // The next entry goes out behind it: the CSMS answered the first.
    const second = store.outbox.append('CP3', 'MeterValues', { n: 2 }, { kind: 'periodic' });
    await expect(p.tryLive(second, Promise.resolve(), { answerBeforeDurable: true })).resolves.toMatchObject({ kind: 'delivered' });
    expect(link.sent.map((c) => c.payload)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(idle).toBe(false);
    commit();
    await p.whenIdle();
    expect(store.outbox.count('CP3')).toBe(0);
    expect(seqNos.sort()).toEqual([first.seq, second.seq].sort());
    expect(link.sent).toHaveLength(2);
    p.stop();
  });

  it('with answerBeforeDurable counts an entry whose commit failed after the answer as delivered: onDelivered told, nothing sent again', async () => {
    const { pump: p, seqNos } = overlapping();
    link.set('connected');
    await p.whenIdle(); // the drain the connect started, over an empty queue
    const entry = store.outbox.append('CP3', 'MeterValues', { n: 1 }, { kind: 'periodic' });
    let fail: (err: Error) => void = () => undefined;
    const recorded = new Promise<void>((_resolve, reject) => (fail = reject));
    recorded.catch(() => undefined);
    await expect(p.tryLive(entry, recorded, { answerBeforeDurable: true })).resolves.toMatchObject({ kind: 'delivered', beforeDurable: true });
    fail(new Error('disk full'));
    await p.whenIdle();
    // Nothing rolled the row back here; a real failed commit takes it with it. Either way it is gone.
    expect(store.outbox.count('CP3')).toBe(0);
    expect(seqNos).toEqual([entry.seq]);
    expect(link.sent).toHaveLength(1);
    p.stop();
  });

  it('without `recorded` waits for the commit before sending', async () => {
    const { pump: p } = overlapping();
    link.set('connected');
    await p.whenIdle(); // the drain the connect started, over an empty queue
    const entry = store.outbox.append('CP3', 'StartTransaction', { connectorId: 1 }, { kind: 'billing' });
    void p.tryLive(entry);
    await new Promise((resolve) => setImmediate(resolve));
    expect(link.sent).toEqual([]);
    p.stop();
  });
});
