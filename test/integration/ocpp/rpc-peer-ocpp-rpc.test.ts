import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { NotImplementedError, SecurityError } from '../../../src/ocpp/errors.js';
import type { RpcPeer } from '../../../src/ocpp/rpc-peer.js';
import { bootRequest, startTestHub, strictClient, VERSIONS, type TestHub } from './rpc-harness.js';

describe.each(VERSIONS)('RpcPeer against a strict ocpp-rpc client, OCPP %s', (version) => {
  let hub: TestHub;
  let client: RPCClient;
  let peer: RpcPeer;

  beforeEach(async () => {
    hub = await startTestHub({
      version,
      setup: (p) => {
        p.handle('StatusNotification', () => {
          throw new Error('database exploded at /srv/secret/path');
        });
        p.handle('Authorize', () => {
          throw new SecurityError('not on this site');
        });
      },
    });
    client = strictClient(hub.url('CP-1'), 'CP-1', version);
    await client.connect();
    peer = await hub.nextPeer();
  });

  afterEach(async () => {
    await client.close({ force: true });
    await hub.stop();
  });

  it('answers a BootNotification from the client with a schema-valid result', async () => {
    const result = await client.call('BootNotification', bootRequest[version]);
    expect(result).toMatchObject({ status: 'Accepted', interval: 300 });
  });

  it('answers a Heartbeat from the client with the hub clock time', async () => {
    const result = await client.call('Heartbeat', {});
    expect(result).toEqual({ currentTime: new Date(hub.clock.nowMs()).toISOString() });
  });

  it('knows the station identity from the URL and its version from the options', () => {
    expect(peer.identity).toBe('CP-1');
    expect(peer.version).toBe(version);
  });

  it('calls the client, which handles the call and answers', async () => {
    client.handle('ClearCache', async () => ({ status: 'Accepted' }));
    await expect(peer.call('ClearCache', {})).resolves.toEqual({ status: 'Accepted' });
  });

  it('rejects a hub call with NotImplementedError when the client has no handler', async () => {
    await expect(peer.call('ClearCache', {})).rejects.toBeInstanceOf(NotImplementedError);
  });

  it('answers a failing handler with InternalError without leaking the failure text', async () => {
    const error = await client.call('StatusNotification', statusNotification(version)).catch((e: unknown) => e);
    expect(error).toMatchObject({ rpcErrorCode: 'InternalError' });
    expect(JSON.stringify(error)).not.toContain('secret');
  });

  it('answers a handler that throws an RpcError with that code', async () => {
    const error = await client.call('Authorize', authorize(version)).catch((e: unknown) => e);
    expect(error).toMatchObject({ rpcErrorCode: 'SecurityError' });
  });

  it('stays usable after a handler failure', async () => {
    await client.call('StatusNotification', statusNotification(version)).catch(() => undefined);
    await expect(client.call('Heartbeat', {})).resolves.toHaveProperty('currentTime');
  });
});

function statusNotification(version: string): Record<string, unknown> {
  return version === '1.6'
    ? { connectorId: 1, errorCode: 'NoError', status: 'Available' }
    : { timestamp: '2026-01-05T08:00:00.000Z', connectorStatus: 'Available', evseId: 1, connectorId: 1 };
}

function authorize(version: string): Record<string, unknown> {
  return version === '1.6' ? { idTag: 'TAG-1' } : { idToken: { idToken: 'TAG-1', type: 'ISO14443' } };
}
