import { createHash, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { makeCa } from '../../helpers/test-pki.js';
import { transactionEvents, txIdOf } from './hub-site.js';
import { Inbox, bootedCharger, wellBehaved } from './hub-blocks-helpers.js';
import { useBlocksSite } from './hub-blocks-site.js';

const { hubSite, site, upstream, framesIn } = useBlocksSite();

const idToken = { idToken: 'AABBCCDD', type: 'ISO14443' };

describe('hub mode functional blocks (strict CSMS, strict 1.6 and 2.0.1 chargers)', () => {
  it('keeps the site local list, distributes it to each charger in its version, and clears every cache', async () => {
    const s = await site();
    const list = [
      { idToken, idTokenInfo: { status: 'Accepted' } },
      { idToken: { idToken: 'X'.repeat(30), type: 'eMAID' }, idTokenInfo: { status: 'Blocked' } },
    ];
    await expect(hubSite.server.call('SendLocalList', { versionNumber: 3, updateType: 'Full', localAuthorizationList: list })).resolves.toEqual({ status: 'Accepted' });
    await s.in16.until(() => s.in16.of('SendLocalList').length === 1);
    await s.in201.until(() => s.in201.of('SendLocalList').length === 1);
    // 1.6: idTag/idTagInfo; the 30-character token does not fit a 1.6 idTag.
    expect(s.in16.of('SendLocalList')).toEqual([{ listVersion: 3, updateType: 'Full', localAuthorizationList: [{ idTag: 'AABBCCDD', idTagInfo: { status: 'Accepted' } }] }]);
    expect(s.in201.of('SendLocalList')).toEqual([{ versionNumber: 3, updateType: 'Full', localAuthorizationList: list }]);
    await expect(hubSite.server.call('GetLocalListVersion', {})).resolves.toEqual({ versionNumber: 3 });
    await expect(hubSite.server.call('SendLocalList', { versionNumber: 2, updateType: 'Differential', localAuthorizationList: [list[0]] })).resolves.toMatchObject({ status: 'VersionMismatch' });
    // A differential update that removes one token: the chargers get the whole new list.
    await expect(hubSite.server.call('SendLocalList', { versionNumber: 4, updateType: 'Differential', localAuthorizationList: [{ idToken: list[1]?.idToken }] })).resolves.toEqual({ status: 'Accepted' });
    await s.in201.until(() => s.in201.of('SendLocalList').length === 2);
    expect(s.in201.of('SendLocalList')[1]).toEqual({ versionNumber: 4, updateType: 'Full', localAuthorizationList: [list[0]] });
    expect(hubSite.h.hub.store.authorizations.lookup('AABBCCDD', hubSite.clock.nowMs())).toBe('Accepted');
    expect(hubSite.h.hub.store.authorizations.get('X'.repeat(30))).toBeUndefined();

    // A charger that comes back with another list version gets the site list again.
    await s.c16.close({ force: true });
    const again16 = new Inbox();
    hubSite.clients.push(await bootedCharger(hubSite.h, 'CP16', '1.6', again16));
    await again16.until(() => again16.of('SendLocalList').length === 1);
    expect(again16.calls.map(([a]) => a)).toEqual(['GetLocalListVersion', 'SendLocalList']);
    expect(again16.of('SendLocalList')[0]).toMatchObject({ listVersion: 4, updateType: 'Full' });

    hubSite.h.hub.store.authorizations.cache('OLD1', 'Accepted', hubSite.clock.nowMs());
    await expect(hubSite.server.call('ClearCache', {})).resolves.toEqual({ status: 'Accepted' });
    expect(again16.of('ClearCache')).toEqual([{}]);
    expect(s.in201.of('ClearCache')).toEqual([{}]);
    expect(hubSite.h.hub.store.authorizations.cached('OLD1')).toBeUndefined();
  });

  it('answers ClearCache Rejected when a charger keeps its cache', async () => {
    await site(wellBehaved('1.6'), (action, p) => (action === 'ClearCache' ? { status: 'Rejected' } : wellBehaved('2.0.1')(action, p)));
    await expect(hubSite.server.call('ClearCache', {})).resolves.toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'Refused' } });
  });

  it('reserves on the charger of the EVSE, cancels there, and reports a 1.6 reservation that expired unused', async () => {
    const s = await site();
    // Shorter than the upstream call timeout (30 s): advancing the fake clock past it would time out calls in flight.
    const expiry = new Date(hubSite.clock.nowMs() + 20_000).toISOString();
    await expect(hubSite.server.call('ReserveNow', { id: 7, expiryDateTime: expiry, idToken, evseId: 1 })).resolves.toEqual({ status: 'Accepted' });
    expect(s.in16.of('ReserveNow')).toEqual([{ connectorId: 1, expiryDate: expiry, idTag: 'AABBCCDD', reservationId: 7 }]);
    await expect(hubSite.server.call('ReserveNow', { id: 8, expiryDateTime: expiry, idToken, evseId: 2 })).resolves.toEqual({ status: 'Accepted' });
    expect(s.in201.of('ReserveNow')).toEqual([{ id: 8, expiryDateTime: expiry, idToken, evseId: 1 }]);
    await expect(hubSite.server.call('ReserveNow', { id: 9, expiryDateTime: expiry, idToken, evseId: 5 })).resolves.toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } });

    await expect(hubSite.server.call('CancelReservation', { reservationId: 8 })).resolves.toEqual({ status: 'Accepted' });
    expect(s.in201.of('CancelReservation')).toEqual([{ reservationId: 8 }]);
    expect(s.in16.of('CancelReservation')).toEqual([]);
    await expect(hubSite.server.call('CancelReservation', { reservationId: 99 })).resolves.toMatchObject({ status: 'Rejected' });

    // A 2.x charger's own ReservationStatusUpdate goes up as it is.
    await expect(hubSite.server.call('ReserveNow', { id: 10, expiryDateTime: expiry, idToken, evseId: 2 })).resolves.toEqual({ status: 'Accepted' });
    await s.c201.call('ReservationStatusUpdate', { reservationId: 10, reservationUpdateStatus: 'Removed' });
    // The 1.6 charger has no ReservationStatusUpdate: the hub reports the expiry.
    hubSite.clock.advanceMs(21_000);
    await hubSite.csms.until(() => upstream('ReservationStatusUpdate').length === 2);
    expect(upstream('ReservationStatusUpdate')).toEqual([
      { reservationId: 10, reservationUpdateStatus: 'Removed' },
      { reservationId: 7, reservationUpdateStatus: 'Expired' },
    ]);
  });

  it('collects the chargers’ logs for one GetLog and reports one upload status stream after the answer', async () => {
    let release16: () => void = () => undefined;
    const answered201 = new Promise<void>((resolve) => (release16 = resolve));
    const peers: { c201?: RPCClient } = {};
    let uploading: Promise<unknown> = Promise.resolve();
    const s = await site(
      async (action, p) => {
        if (action === 'GetDiagnostics') await answered201; // the 1.6 charger answers last
        return wellBehaved('1.6')(action, p);
      },
      (action, p) => {
        if (action === 'GetLog' && (p as { requestId?: number }).requestId === 5) {
          // Starts uploading right after its answer, while the hub still waits for the 1.6 charger.
          setImmediate(() => {
            uploading = peers.c201?.call('LogStatusNotification', { status: 'Uploading', requestId: 5 }).then(() => release16()) ?? uploading;
          });
        }
        return wellBehaved('2.0.1')(action, p);
      },
    );
    peers.c201 = s.c201;
    const frames = framesIn();
    const request = { log: { remoteLocation: 'ftp://logs.example.com/site1/', oldestTimestamp: '2026-12-01T00:00:00.000Z' }, logType: 'DiagnosticsLog', requestId: 5 };
    await expect(hubSite.server.call('GetLog', request)).resolves.toEqual({ status: 'Accepted' });
    expect(s.in16.of('GetDiagnostics')).toEqual([{ location: 'ftp://logs.example.com/site1/', startTime: '2026-12-01T00:00:00.000Z' }]);
    expect(s.in201.of('GetLog')).toEqual([request]);

    await s.c16.call('DiagnosticsStatusNotification', { status: 'Uploading' });
    await s.c16.call('DiagnosticsStatusNotification', { status: 'Uploaded' });
    await s.c201.call('LogStatusNotification', { status: 'Uploaded', requestId: 5 });
    await hubSite.csms.until(() => upstream('LogStatusNotification').length === 2);
    await uploading; // the charger's own call is answered too (never left pending at the end)
    // The answer (the only CALLRESULT) reached the CSMS before the first LogStatusNotification.
    const answerAt = frames.findIndex((f) => f[0] === 3);
    const firstNote = frames.findIndex((f) => f[0] === 2 && f[2] === 'LogStatusNotification');
    expect(answerAt).toBeGreaterThanOrEqual(0);
    expect(firstNote).toBeGreaterThan(answerAt);
    expect(upstream('LogStatusNotification')).toEqual([
      { status: 'Uploading', requestId: 5 },
      { status: 'Uploaded', requestId: 5 },
    ]);
    // A security log: a 1.6 charger has none, so only the 2.x charger is asked.
    await expect(hubSite.server.call('GetLog', { ...request, logType: 'SecurityLog', requestId: 6 })).resolves.toEqual({ status: 'Accepted', filename: 'cp201.log' });
    expect(s.in16.of('GetDiagnostics')).toHaveLength(1);
  });
  it('places monitors on 2.x chargers under hub-made ids, refuses them on 1.6, and streams one monitoring report', async () => {
    const s = await site();
    const data = (evseId: number) => ({ value: 80, type: 'UpperThreshold', severity: 4, component: { name: 'EVSE', evse: { id: evseId } }, variable: { name: 'Power' } });
    const r = (await hubSite.server.call('SetVariableMonitoring', { setMonitoringData: [data(2), data(1), { ...data(2), component: { name: 'OCPPCommCtrlr' } }] })) as { setMonitoringResult: Record<string, unknown>[] };
    expect(r.setMonitoringResult).toEqual([
      { id: 1, status: 'Accepted', type: 'UpperThreshold', severity: 4, component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'Power' } },
      expect.objectContaining({ status: 'Rejected', statusInfo: expect.objectContaining({ reasonCode: 'UnsupportedRequest' }) }),
      expect.objectContaining({ status: 'Rejected', statusInfo: expect.objectContaining({ reasonCode: 'NoEvse' }) }),
    ]);
    expect(s.in201.of('SetVariableMonitoring')).toEqual([{ setMonitoringData: [data(1)] }]);
    expect(s.in16.calls.filter(([a]) => a !== 'StatusNotification')).toEqual([]);

    await expect(hubSite.server.call('SetMonitoringBase', { monitoringBase: 'All' })).resolves.toEqual({ status: 'Accepted' });
    await expect(hubSite.server.call('SetMonitoringLevel', { severity: 5 })).resolves.toEqual({ status: 'Accepted' });
    expect(s.in201.of('SetMonitoringLevel')).toEqual([{ severity: 5 }]);

    await expect(hubSite.server.call('GetMonitoringReport', { requestId: 21, componentVariable: [{ component: { name: 'EVSE', evse: { id: 2 } } }] })).resolves.toEqual({ status: 'Accepted' });
    expect(s.in201.of('GetMonitoringReport')).toEqual([{ requestId: 21, componentVariable: [{ component: { name: 'EVSE', evse: { id: 1 } } }] }]);
    const monitor = (id: number) => ({ component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, variableMonitoring: [{ id, transaction: false, value: 80, type: 'UpperThreshold', severity: 4 }] });
    const at = new Date().toISOString();
    await s.c201.call('NotifyMonitoringReport', { requestId: 21, seqNo: 0, tbc: true, generatedAt: at, monitor: [monitor(100)] });
    await s.c201.call('NotifyMonitoringReport', { requestId: 21, seqNo: 1, generatedAt: at, monitor: [monitor(555)] });
    await hubSite.csms.until(() => upstream('NotifyMonitoringReport').length === 2);
    expect(upstream('NotifyMonitoringReport')).toEqual([
      { requestId: 21, seqNo: 0, tbc: true, generatedAt: at, monitor: [{ ...monitor(1), component: { name: 'EVSE', evse: { id: 2 } } }] },
      { requestId: 21, seqNo: 1, generatedAt: at, monitor: [{ ...monitor(2), component: { name: 'EVSE', evse: { id: 2 } } }] },
    ]);

    await expect(hubSite.server.call('ClearVariableMonitoring', { id: [1, 77] })).resolves.toEqual({ clearMonitoringResult: [{ id: 1, status: 'Accepted' }, { id: 77, status: 'NotFound' }] });
    expect(s.in201.of('ClearVariableMonitoring')).toEqual([{ id: [100] }]);

    // A charger that accepts and never reports: after 10 minutes the CSMS gets a closing message.
    await expect(hubSite.server.call('GetMonitoringReport', { requestId: 22 })).resolves.toEqual({ status: 'Accepted' });
    hubSite.clock.advanceMs(10 * 60_000);
    await hubSite.csms.until(() => upstream('NotifyMonitoringReport').length === 3);
    expect(upstream('NotifyMonitoringReport')[2]).toEqual({ requestId: 22, seqNo: 0, generatedAt: expect.any(String) });
  });

  it('shows display messages on 2.x chargers, reports them once, and refuses a 1.6 EVSE', async () => {
    const s = await site();
    const message = { id: 4, priority: 'NormalCycle', message: { format: 'UTF8', content: 'Welcome' } };
    await expect(hubSite.server.call('SetDisplayMessage', { message })).resolves.toEqual({ status: 'Accepted' });
    expect(s.in201.of('SetDisplayMessage')).toEqual([{ message }]);
    await expect(hubSite.server.call('SetDisplayMessage', { message: { ...message, id: 5, display: { name: 'Display', evse: { id: 1 } } } })).resolves.toMatchObject({ status: 'Rejected' });
    expect(s.in16.calls.filter(([a]) => a !== 'StatusNotification')).toEqual([]);

    await expect(hubSite.server.call('GetDisplayMessages', { requestId: 8 })).resolves.toEqual({ status: 'Accepted' });
    await s.c201.call('NotifyDisplayMessages', { requestId: 8, messageInfo: [{ ...message, display: { name: 'Display', evse: { id: 1 } } }] });
    await hubSite.csms.until(() => upstream('NotifyDisplayMessages').length === 1);
    expect(upstream('NotifyDisplayMessages')).toEqual([{ requestId: 8, messageInfo: [{ ...message, display: { name: 'Display', evse: { id: 2 } } }] }]);

    await expect(hubSite.server.call('ClearDisplayMessage', { id: 4 })).resolves.toEqual({ status: 'Accepted' });
    expect(s.in201.of('ClearDisplayMessage')).toEqual([{ id: 4 }]);
  });

  it('installs certificates in the hub and on 2.x chargers, lists and deletes them, and routes ISO 15118 signing', async () => {
    const s = await site();
    const ca = await makeCa('V2G Root Test');
    await expect(hubSite.server.call('InstallCertificate', { certificateType: 'V2GRootCertificate', certificate: ca.cert })).resolves.toEqual({ status: 'Accepted' });
    expect(s.in201.of('InstallCertificate')).toEqual([{ certificateType: 'V2GRootCertificate', certificate: ca.cert }]);
    await expect(hubSite.server.call('InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: 'not a certificate' })).resolves.toMatchObject({ status: 'Rejected' });

    const ids = (await hubSite.server.call('GetInstalledCertificateIds', { certificateType: ['V2GRootCertificate'] })) as { status: string; certificateHashDataChain: { certificateHashData: Record<string, string> }[] };
    const x509 = new X509Certificate(ca.cert);
    const spki = x509.publicKey.export({ type: 'spki', format: 'der' });
    const hash = ids.certificateHashDataChain[0]?.certificateHashData ?? {};
    expect(ids.status).toBe('Accepted');
    expect(hash).toMatchObject({ hashAlgorithm: 'SHA256', serialNumber: x509.serialNumber.toLowerCase().replace(/^(00)+(?=..)/, '') });
    // (the serial as DER bytes without leading zero bytes: a random serial may start with 0x0X)
    // P-256: the public key bits are the last 65 bytes of the SubjectPublicKeyInfo.
    expect(hash.issuerKeyHash).toBe(createHash('sha256').update(spki.subarray(spki.length - 65)).digest('hex'));
    await expect(hubSite.server.call('DeleteCertificate', { certificateHashData: hash })).resolves.toEqual({ status: 'Accepted' });
    await expect(hubSite.server.call('GetInstalledCertificateIds', {})).resolves.toEqual({ status: 'NotFound' });

    await expect(s.c201.call('SignCertificate', { csr: 'CSR-FROM-CP201', certificateType: 'V2GCertificate' })).resolves.toEqual({ status: 'Accepted' });
    expect(upstream('SignCertificate')).toEqual([{ csr: 'CSR-FROM-CP201', certificateType: 'V2GCertificate' }]);
    await expect(s.c201.call('GetCertificateStatus', { ocspRequestData: { hashAlgorithm: 'SHA256', issuerNameHash: 'a', issuerKeyHash: 'b', serialNumber: 'c', responderURL: 'http://ocsp.example.com' } })).resolves.toEqual({ status: 'Accepted', ocspResult: 'T0NTUA==' });
    await expect(hubSite.server.call('CertificateSigned', { certificateChain: ca.cert, certificateType: 'V2GCertificate' })).resolves.toEqual({ status: 'Accepted' });
    expect(s.in201.of('CertificateSigned')).toEqual([{ certificateChain: ca.cert, certificateType: 'V2GCertificate' }]);
    await expect(hubSite.server.call('CertificateSigned', { certificateChain: ca.cert, certificateType: 'V2GCertificate' })).resolves.toMatchObject({ status: 'Rejected' });
  });

  it('answers CustomerInformation with the hub’s part first, then the chargers’, as one stream', async () => {
    const s = await site();
    hubSite.h.hub.store.authorizations.cache('AABBCCDD', 'Accepted', hubSite.clock.nowMs());
    await expect(hubSite.server.call('CustomerInformation', { requestId: 30, report: true, clear: true, idToken })).resolves.toEqual({ status: 'Accepted' });
    expect(s.in201.of('CustomerInformation')).toEqual([{ requestId: 30, report: true, clear: true, idToken }]);
    expect(s.in16.of('ClearCache')).toEqual([{}]);
    expect(hubSite.h.hub.store.authorizations.cached('AABBCCDD')).toBeUndefined();
    await s.c201.call('NotifyCustomerInformation', { data: 'cp201: 2 sessions', seqNo: 0, generatedAt: new Date().toISOString(), requestId: 30 });
    await hubSite.csms.until(() => upstream('NotifyCustomerInformation').length === 2);
    const notes = upstream('NotifyCustomerInformation');
    expect(notes.map((n) => [n.seqNo, n.tbc, n.requestId])).toEqual([
      [0, true, 30],
      [1, undefined, 30],
    ]);
    expect(String(notes[0]?.data)).toContain('authorization cache: Accepted');
    expect(notes[1]?.data).toBe('cp201: 2 sessions');
    await expect(hubSite.server.call('CustomerInformation', { requestId: 31, report: true, clear: false })).resolves.toEqual({ status: 'Invalid' });
  });

  it('routes DataTransfer by configured route, by the EVSE in the data, and refuses what it cannot route', async () => {
    const s = await site();
    await expect(hubSite.server.call('DataTransfer', { vendorId: 'com.acme', messageId: 'meter', data: { x: 1 } })).resolves.toEqual({ status: 'Accepted', data: 'ok meter' });
    expect(s.in201.of('DataTransfer')).toEqual([{ vendorId: 'com.acme', messageId: 'meter', data: { x: 1 } }]);
    await expect(hubSite.server.call('DataTransfer', { vendorId: 'com.other', messageId: 'led', data: { evseId: 1, color: 'red' } })).resolves.toEqual({ status: 'Accepted', data: 'ok led' });
    expect(s.in16.of('DataTransfer')).toEqual([{ vendorId: 'com.other', messageId: 'led', data: JSON.stringify({ evseId: 1, color: 'red' }) }]);
    await expect(hubSite.server.call('DataTransfer', { vendorId: 'com.other', data: 'plain' })).resolves.toMatchObject({ status: 'UnknownVendorId' });
  });

  it('answers GetTransactionStatus from the hub’s queue, and passes CostUpdated to the charger running the transaction', async () => {
    const s = await site();
    await s.c201.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: new Date().toISOString(),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: 'TX-201' },
      evse: { id: 1, connectorId: 1 },
      idToken,
    });
    await hubSite.csms.until(() => transactionEvents(hubSite.csms).length === 1);
    const txId = txIdOf(transactionEvents(hubSite.csms)[0] ?? { identity: '', method: '', params: {} });
    await expect(hubSite.server.call('GetTransactionStatus', { transactionId: txId })).resolves.toEqual({ ongoingIndicator: true, messagesInQueue: false });
    await expect(hubSite.server.call('GetTransactionStatus', { transactionId: 'NOPE' })).resolves.toEqual({ ongoingIndicator: false, messagesInQueue: false });
    await expect(hubSite.server.call('GetTransactionStatus', {})).resolves.toEqual({ messagesInQueue: false });
    await expect(hubSite.server.call('CostUpdated', { totalCost: 3.5, transactionId: txId })).resolves.toEqual({});
    expect(s.in201.of('CostUpdated')).toEqual([{ totalCost: 3.5, transactionId: 'TX-201' }]);
  });

  it('keeps a network profile for the hub and refuses one it cannot use', async () => {
    const profile = { ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: 'wss://csms.example.com/ocpp', messageTimeout: 30, securityProfile: 2, ocppInterface: 'Wired0' };
    await expect(hubSite.server.call('SetNetworkProfile', { configurationSlot: 2, connectionData: profile })).resolves.toEqual({ status: 'Accepted' });
    await expect(hubSite.server.call('SetNetworkProfile', { configurationSlot: 3, connectionData: { ...profile, ocppTransport: 'SOAP' } })).resolves.toMatchObject({ status: 'Rejected' });
  });
});
