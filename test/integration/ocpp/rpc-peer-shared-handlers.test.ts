import { afterEach, describe, expect, it } from 'vitest';
import type { SharedCallHandler } from '../../../src/ocpp/rpc-types.js';
import { RawClient, startTestHub, type TestHub } from './rpc-harness.js';

/** What each peer's shared handlers get with a call: the connection's identity. */
interface Owner {
  identity: string;
}

const TABLE: ReadonlyMap<string, SharedCallHandler<Owner>> = new Map<string, SharedCallHandler<Owner>>([
  ['Authorize', ({ payload }, owner) => ({ idTagInfo: { status: (payload as { idTag: string }).idTag === owner.identity ? 'Accepted' : 'Invalid' } })],
  // The peer's own Heartbeat handler (the harness registers one) wins over this.
  ['Heartbeat', () => ({ currentTime: '1999-01-01T00:00:00.000Z' })],
]);

describe('RpcPeer shared handlers (OCPP 1.6)', () => {
  let hub: TestHub | undefined;
  const clients: RawClient[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    await hub?.stop();
  });

  async function start(withFallback: boolean): Promise<TestHub> {
    hub = await startTestHub({
      version: '1.6',
      setup: (peer) => {
        peer.handleShared(TABLE, { identity: peer.identity });
        if (withFallback) peer.handleAny(({ action }) => ({ status: 'Rejected', data: `fallback ${action}` }));
      },
    });
    return hub;
  }

  async function connect(h: TestHub, identity: string): Promise<RawClient> {
    const c = await RawClient.connect(h.url(identity), '1.6');
    clients.push(c);
    return c;
  }

  it('answers each connection with its own owner from one table', async () => {
    const h = await start(false);
    const a = await connect(h, 'CP-A');
    const b = await connect(h, 'CP-B');
    a.send([2, 'a1', 'Authorize', { idTag: 'CP-A' }]);
    b.send([2, 'b1', 'Authorize', { idTag: 'CP-A' }]);
    expect(await a.next()).toEqual([3, 'a1', { idTagInfo: { status: 'Accepted' } }]);
    expect(await b.next()).toEqual([3, 'b1', { idTagInfo: { status: 'Invalid' } }]);
  });

  it('prefers the peer own handler for an action, and validates the payload before a shared handler runs', async () => {
    const h = await start(false);
    const a = await connect(h, 'CP-A');
    a.send([2, 'h1', 'Heartbeat', {}]);
    const [type, id, payload] = await a.next();
    expect([type, id]).toEqual([3, 'h1']);
    expect(payload).not.toEqual({ currentTime: '1999-01-01T00:00:00.000Z' });
    a.send([2, 'x1', 'Authorize', {}]);
    expect((await a.next()).slice(0, 3)).toEqual([4, 'x1', 'OccurenceConstraintViolation']);
  });

  it('falls back to handleAny for an action outside the table, and answers NotImplemented without one', async () => {
    const withFallback = await start(true);
    const a = await connect(withFallback, 'CP-A');
    a.send([2, 'd1', 'DataTransfer', { vendorId: 'x' }]);
    expect(await a.next()).toEqual([3, 'd1', { status: 'Rejected', data: 'fallback DataTransfer' }]);
    await withFallback.stop();
    for (const c of clients.splice(0)) await c.close();

    const without = await start(false);
    const b = await connect(without, 'CP-B');
    b.send([2, 'd2', 'DataTransfer', { vendorId: 'x' }]);
    expect((await b.next()).slice(0, 3)).toEqual([4, 'd2', 'NotImplemented']);
  });
});
