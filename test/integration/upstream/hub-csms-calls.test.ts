import { describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { boot16, boot2x } from '../../helpers/hub-harness.js';
import { t0 } from './proxy-site.js';
import { charger, transactionEvents, txIdOf, useHubSite } from './hub-site.js';

const site = useHubSite();

/** What a well-behaved charger answers to each CSMS call. */
function answers(method: string): Record<string, unknown> {
  if (method === 'UnlockConnector') return { status: 'Unlocked' };
  return { status: 'Accepted' };
}

async function cp(id: string, version: '1.6' | '2.0.1', received: Array<[string, unknown]>): Promise<RPCClient> {
  const c = await charger(site.h, id, version, received, answers);
  site.clients.push(c);
  await c.call('BootNotification', version === '1.6' ? boot16 : boot2x);
  return c;
}

const idToken = { idToken: 'REMOTE7', type: 'Central' };

describe('hub mode, calls from the CSMS', () => {
  it('turns RequestStart/StopTransaction into 1.6 RemoteStart/Stop with the charger’s ids, and the start into a RemoteStart event', async () => {
    const got: Array<[string, unknown]> = [];
    const c = await cp('CP16', '1.6', got);
    await expect(site.server.call('RequestStartTransaction', { evseId: 1, remoteStartId: 42, idToken })).resolves.toEqual({ status: 'Accepted' });
    expect(got).toEqual([['RemoteStartTransaction', { connectorId: 1, idTag: 'REMOTE7' }]]);

    const start = (await c.call('StartTransaction', { connectorId: 1, idTag: 'REMOTE7', meterStart: 0, timestamp: t0() })) as { transactionId: number };
    await site.csms.until(() => transactionEvents(site.csms).length === 1);
    const started = transactionEvents(site.csms)[0];
    expect(started?.params).toMatchObject({ eventType: 'Started', triggerReason: 'RemoteStart', transactionInfo: { remoteStartId: 42 }, idToken });

    await expect(site.server.call('RequestStopTransaction', { transactionId: started ? txIdOf(started) : '' })).resolves.toEqual({ status: 'Accepted' });
    expect(got[1]).toEqual(['RemoteStopTransaction', { transactionId: start.transactionId }]);
    await expect(site.server.call('RequestStopTransaction', { transactionId: 'NO-SUCH-TX' })).resolves.toMatchObject({ status: 'Rejected' });
  });

  it('sends RequestStartTransaction for upstream EVSE 2 to the 2.0.1 charger as its own EVSE 1', async () => {
    const got: Array<[string, unknown]> = [];
    await cp('CP201', '2.0.1', got);
    await expect(site.server.call('RequestStartTransaction', { evseId: 2, remoteStartId: 9, idToken })).resolves.toEqual({ status: 'Accepted' });
    expect(got).toEqual([['RequestStartTransaction', { evseId: 1, remoteStartId: 9, idToken }]]);
  });

  it('sends an EVSE-level Reset to that charger only, and a station-level Reset to every charger', async () => {
    const got16: Array<[string, unknown]> = [];
    const got201: Array<[string, unknown]> = [];
    await cp('CP16', '1.6', got16);
    await cp('CP201', '2.0.1', got201);
    await expect(site.server.call('Reset', { type: 'OnIdle', evseId: 2 })).resolves.toEqual({ status: 'Accepted' });
    expect(got16).toEqual([]);
    expect(got201).toEqual([['Reset', { type: 'OnIdle', evseId: 1 }]]);
    await expect(site.server.call('Reset', { type: 'Immediate' })).resolves.toEqual({ status: 'Accepted' });
    expect(got16).toEqual([['Reset', { type: 'Hard' }]]);
    expect(got201[1]).toEqual(['Reset', { type: 'Immediate' }]);
  });

  it('routes ChangeAvailability, UnlockConnector and TriggerMessage to the charger behind the upstream EVSE', async () => {
    const got16: Array<[string, unknown]> = [];
    const got201: Array<[string, unknown]> = [];
    await cp('CP16', '1.6', got16);
    await cp('CP201', '2.0.1', got201);
    await expect(site.server.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1 } })).resolves.toEqual({ status: 'Accepted' });
    expect(got16).toEqual([['ChangeAvailability', { connectorId: 1, type: 'Inoperative' }]]);
    await expect(site.server.call('UnlockConnector', { evseId: 2, connectorId: 1 })).resolves.toEqual({ status: 'Unlocked' });
    expect(got201).toEqual([['UnlockConnector', { evseId: 1, connectorId: 1 }]]);
    await expect(site.server.call('TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 2, connectorId: 1 } })).resolves.toEqual({ status: 'Accepted' });
    expect(got201[1]).toEqual(['TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } }]);
    expect(got16).toHaveLength(1);
  });

  it('answers at once for a charger that is not connected, and for an EVSE it does not know', async () => {
    await expect(site.server.call('RequestStartTransaction', { evseId: 1, remoteStartId: 1, idToken })).resolves.toMatchObject({ status: 'Rejected' });
    await expect(site.server.call('Reset', { type: 'Immediate', evseId: 2 })).resolves.toMatchObject({ status: 'Rejected' });
    await expect(site.server.call('UnlockConnector', { evseId: 1, connectorId: 1 })).resolves.toMatchObject({ status: 'UnlockFailed' });
    await expect(site.server.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 9 } })).resolves.toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } });
  });

  it('answers a charger that went away mid-call without hanging', async () => {
    const got: Array<[string, unknown]> = [];
    const c = await charger(site.h, 'CP201', '2.0.1', got, () => {
      void c.close({ force: true });
      return new Promise<Record<string, unknown>>(() => undefined);
    });
    site.clients.push(c);
    await c.call('BootNotification', boot2x);
    await expect(site.server.call('Reset', { type: 'Immediate', evseId: 2 })).resolves.toMatchObject({ status: 'Rejected' });
  });

  it('keeps the CSMS’s charging profiles itself instead of forwarding them to the charger', async () => {
    const got: Array<[string, unknown]> = [];
    await cp('CP16', '1.6', got);
    const profile = {
      id: 77,
      stackLevel: 0,
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Absolute',
      chargingSchedule: [{ id: 1, startSchedule: t0(), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] }],
    };
    await expect(site.server.call('SetChargingProfile', { evseId: 1, chargingProfile: profile })).resolves.toEqual({ status: 'Accepted' });
    expect(got.map(([m]) => m)).not.toContain('SetChargingProfile');
  });
});
