import { describe, it, expect } from 'vitest';
import { RemoteControl, type RemoteControlDeps, type StationLink } from '../../../src/api/remote-control.js';
import { ApiError, type ApiErrorCode } from '../../../src/api/errors.js';
import type { TransactionSummary } from '../../../src/model/types.js';
import type { OcppVersion } from '../../../src/ocpp/versions.js';

interface Sent {
  action: string;
  payload: unknown;
}

function fakeLink(version: OcppVersion, answer: (action: string) => unknown = () => ({ status: 'Accepted' })): StationLink & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    version,
    sent,
    call: async (action, payload) => {
      sent.push({ action, payload });
      const a = answer(action);
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

const activeTx = (transactionId: string): TransactionSummary => ({ stationId: 'CP1', transactionId, evseId: 1, connectorId: 1, startedMs: 0, lastSeqNo: 0, status: 'Active' });

function remote(link: StationLink | undefined, over: Partial<RemoteControlDeps> = {}): RemoteControl {
  return new RemoteControl({ standalone: true, knownStation: (id) => id === 'CP1', link: () => link, activeTransaction: () => undefined, ...over });
}

async function codeOf(p: Promise<unknown>): Promise<ApiErrorCode | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    if (err instanceof ApiError) return err.code;
    throw err;
  }
}

describe('remote control of transactions', () => {
  it('sends RemoteStartTransaction with connectorId and idTag to an OCPP 1.6 station', async () => {
    const link = fakeLink('1.6');
    expect(await remote(link).start('CP1', 2, 'TAG')).toEqual({ status: 'Accepted', stationId: 'CP1', evseId: 2 });
    expect(link.sent).toEqual([{ action: 'RemoteStartTransaction', payload: { connectorId: 2, idTag: 'TAG' } }]);
  });

  it('sends RequestStartTransaction with a fresh remoteStartId to an OCPP 2.x station', async () => {
    const link = fakeLink('2.0.1');
    const r = remote(link);
    const first = await r.start('CP1', 1, 'TAG');
    const second = await r.start('CP1', 1, 'TAG');
    expect(link.sent[0]).toEqual({ action: 'RequestStartTransaction', payload: { evseId: 1, remoteStartId: first.remoteStartId, idToken: { idToken: 'TAG', type: 'Central' } } });
    expect(second.remoteStartId).toBe((first.remoteStartId ?? 0) + 1);
  });

  it('stops the EVSE active transaction with its integer id on OCPP 1.6 and its string id on 2.x', async () => {
    const l16 = fakeLink('1.6');
    await remote(l16, { activeTransaction: () => activeTx('42') }).stop('CP1', 1);
    expect(l16.sent).toEqual([{ action: 'RemoteStopTransaction', payload: { transactionId: 42 } }]);
    const l2 = fakeLink('2.1');
    expect(await remote(l2, { activeTransaction: () => activeTx('tx-a') }).stop('CP1', 1)).toMatchObject({ transactionId: 'tx-a' });
    expect(l2.sent).toEqual([{ action: 'RequestStopTransaction', payload: { transactionId: 'tx-a' } }]);
  });

  it('refuses outside standalone mode, for unknown and for disconnected stations', async () => {
    expect(await codeOf(remote(fakeLink('1.6'), { standalone: false }).start('CP1', 1, 'T'))).toBe('NOT_STANDALONE');
    expect(await codeOf(remote(fakeLink('1.6')).start('NOPE', 1, 'T'))).toBe('NOT_FOUND');
    expect(await codeOf(remote(undefined).start('CP1', 1, 'T'))).toBe('STATION_NOT_CONNECTED');
  });

  it('reports a Rejected answer, a failed call, and a stop without a transaction as distinct codes', async () => {
    expect(await codeOf(remote(fakeLink('1.6', () => ({ status: 'Rejected' }))).start('CP1', 1, 'T'))).toBe('STATION_REJECTED');
    expect(await codeOf(remote(fakeLink('2.0.1', () => new Error('timed out'))).start('CP1', 1, 'T'))).toBe('STATION_CALL_FAILED');
    expect(await codeOf(remote(fakeLink('2.0.1')).stop('CP1', 1))).toBe('NO_ACTIVE_TRANSACTION');
  });

  it('refuses an id token longer than an OCPP 1.6 idTag before sending anything', async () => {
    const link = fakeLink('1.6');
    expect(await codeOf(remote(link).start('CP1', 1, 'X'.repeat(21)))).toBe('BAD_REQUEST');
    expect(link.sent).toEqual([]);
  });
});

describe('remote control against a station that never answers', () => {
  it('fails a second request at once while the first waits, and the first after the time box', async () => {
    const { FakeClock } = await import('../../../src/util/fake-clock.js');
    const clock = new FakeClock();
    const silent: StationLink = {
      version: '2.0.1',
      call: (_action, _payload, signal) => new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error))),
    };
    const rc = remote(silent, { clock, callTimeoutMs: 15_000 });
    const first = codeOf(rc.start('CP1', 1, 'TAG'));
    clock.advanceMs(5_000);
    expect(await codeOf(rc.start('CP1', 1, 'TAG'))).toBe('STATION_BUSY');
    clock.advanceMs(10_000);
    expect(await first).toBe('STATION_TIMEOUT');
    // The station is free again: the next request goes out (and waits for its own time box).
    const third = codeOf(rc.start('CP1', 1, 'TAG'));
    clock.advanceMs(15_000);
    expect(await third).toBe('STATION_TIMEOUT');
  });

  it('keeps requests to other stations independent', async () => {
    const { FakeClock } = await import('../../../src/util/fake-clock.js');
    const clock = new FakeClock();
    const silent: StationLink = { version: '2.0.1', call: () => new Promise(() => undefined) };
    const answering = fakeLink('2.0.1');
    const rc = new RemoteControl({
      standalone: true,
      knownStation: () => true,
      link: (id) => (id === 'SILENT' ? silent : answering),
      activeTransaction: () => undefined,
      clock,
      callTimeoutMs: 15_000,
    });
    void rc.start('SILENT', 1, 'TAG').catch(() => undefined);
    expect(await rc.start('CP2', 1, 'TAG')).toMatchObject({ status: 'Accepted', stationId: 'CP2' });
  });
});
