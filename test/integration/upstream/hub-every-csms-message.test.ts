import { describe, expect, it } from 'vitest';
import { useBlocksSite } from './hub-blocks-site.js';

const { hubSite, site } = useBlocksSite();

/** A minimal schema-valid request of every CSMS-initiated OCPP 2.0.1 message. */
const EVERY_CSMS_MESSAGE: Record<string, Record<string, unknown>> = {
  CancelReservation: { reservationId: 1 },
  CertificateSigned: { certificateChain: 'PEM' },
  ChangeAvailability: { operationalStatus: 'Operative' },
  ClearCache: {},
  ClearChargingProfile: {},
  ClearDisplayMessage: { id: 1 },
  ClearVariableMonitoring: { id: [1] },
  CostUpdated: { totalCost: 1, transactionId: 'T' },
  CustomerInformation: { requestId: 1, report: false, clear: false, customerIdentifier: 'C1' },
  DataTransfer: { vendorId: 'com.acme' },
  DeleteCertificate: { certificateHashData: { hashAlgorithm: 'SHA256', issuerNameHash: 'a', issuerKeyHash: 'b', serialNumber: 'c' } },
  GetBaseReport: { requestId: 1, reportBase: 'SummaryInventory' },
  GetChargingProfiles: { requestId: 1, chargingProfile: { chargingProfilePurpose: 'TxDefaultProfile' } },
  GetCompositeSchedule: { duration: 60, evseId: 1 },
  GetDisplayMessages: { requestId: 1 },
  GetInstalledCertificateIds: {},
  GetLocalListVersion: {},
  GetLog: { log: { remoteLocation: 'ftp://x/' }, logType: 'DiagnosticsLog', requestId: 1 },
  GetMonitoringReport: { requestId: 1 },
  GetTransactionStatus: {},
  GetVariables: { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] },
  InstallCertificate: { certificateType: 'V2GRootCertificate', certificate: 'PEM' },
  PublishFirmware: { location: 'http://127.0.0.1:1/fw.bin', checksum: '0'.repeat(32), requestId: 1 },
  RequestStartTransaction: { remoteStartId: 1, idToken: { idToken: 'A', type: 'Central' } },
  RequestStopTransaction: { transactionId: 'T' },
  ReserveNow: { id: 1, expiryDateTime: '2030-01-01T00:00:00.000Z', idToken: { idToken: 'A', type: 'Central' } },
  Reset: { type: 'OnIdle' },
  SendLocalList: { versionNumber: 1, updateType: 'Full' },
  SetChargingProfile: {
    evseId: 0,
    chargingProfile: { id: 1, stackLevel: 0, chargingProfilePurpose: 'ChargingStationMaxProfile', chargingProfileKind: 'Absolute', chargingSchedule: [{ id: 1, startSchedule: '2026-01-01T00:00:00.000Z', chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 32 }] }] },
  },
  SetDisplayMessage: { message: { id: 1, priority: 'NormalCycle', message: { format: 'UTF8', content: 'hi' } } },
  SetMonitoringBase: { monitoringBase: 'All' },
  SetMonitoringLevel: { severity: 5 },
  SetNetworkProfile: { configurationSlot: 1, connectionData: { ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: 'wss://c/', messageTimeout: 30, securityProfile: 2, ocppInterface: 'Wired0' } },
  SetVariableMonitoring: { setMonitoringData: [{ value: 1, type: 'Delta', severity: 5, component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'Power' } }] },
  SetVariables: { setVariableData: [{ attributeValue: '300', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] },
  TriggerMessage: { requestedMessage: 'Heartbeat' },
  UnlockConnector: { evseId: 1, connectorId: 1 },
  UnpublishFirmware: { checksum: '0'.repeat(32) },
  UpdateFirmware: { requestId: 1, firmware: { location: 'http://127.0.0.1:1/fw.bin', retrieveDateTime: '2026-01-01T00:00:00.000Z' } },
};

describe('hub mode answers every CSMS message', () => {
  it('answers every CSMS-initiated 2.0.1 message without NotSupported', async () => {
    await site();
    const refused: string[] = [];
    for (const [action, payload] of Object.entries(EVERY_CSMS_MESSAGE)) {
      try {
        await hubSite.server.call(action, payload);
      } catch (err) {
        refused.push(`${action}: ${(err as { rpcErrorCode?: string }).rpcErrorCode ?? String(err)}`);
      }
    }
    expect(refused).toEqual([]);
    await expect(hubSite.server.call('GetReport', { requestId: 1 })).resolves.toMatchObject({ status: 'Accepted' });
  });
});
