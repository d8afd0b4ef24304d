import { describe, expect, it } from 'vitest';
import { validatePayload } from '../../../../src/ocpp/schema-validator.js';
import {
  assign,
  buildDeviceModel,
  EMPTY_MAPPING,
  getBaseReport,
  getVariables,
  initialHubState,
  setVariables,
  withConnector,
  connectorKey,
  type HubDeviceInfo,
} from '../../../../src/upstream/hub-mode/index.js';

const hub: HubDeviceInfo = { model: 'Switchyard hub', vendorName: 'Switchyard', firmwareVersion: '0.1.0', identity: 'site-1', heartbeatIntervalS: 300, itemsPerMessage: 5 };

function aModel() {
  const { mapping } = assign(EMPTY_MAPPING, [
    { stationId: 'cp1', evseId: 1, connectorId: 1 },
    { stationId: 'cs2', evseId: 1, connectorId: 1 },
  ]);
  const state = withConnector(initialHubState(mapping), connectorKey('cs2', 1, 1), { status: 'Occupied' });
  return buildDeviceModel({ hub, state, evses: { 1: { maxPowerW: 11_000, supplyPhases: 3, powerW: 0 }, 2: { maxPowerW: 22_000, powerW: 7_400 } } });
}

describe('hub device model', () => {
  it('answers GetVariables per EVSE component, with unknown component and variable statuses', () => {
    const req = {
      getVariableData: [
        { component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'AvailabilityState' } },
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'SupplyPhases' } },
        { component: { name: 'EVSE', evse: { id: 9 } }, variable: { name: 'AvailabilityState' } },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NoSuchThing' } },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeType: 'MaxSet' },
      ],
    };
    const conf = getVariables(aModel(), req);
    expect(validatePayload('2.0.1', 'GetVariables', 'conf', conf)).toBeUndefined();
    expect(conf.getVariableResult.map((r) => (r as { attributeStatus: string }).attributeStatus)).toEqual([
      'Accepted',
      'Accepted',
      'UnknownComponent',
      'UnknownVariable',
      'NotSupportedAttributeType',
    ]);
    expect(conf.getVariableResult[0]).toMatchObject({ attributeValue: 'Occupied' });
  });

  it('accepts a valid HeartbeatInterval and rejects read-only and invalid values', () => {
    const { payload, changes } = setVariables(aModel(), {
      setVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '600' },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: 'soon' },
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attributeValue: '1' },
      ],
    });
    expect(validatePayload('2.0.1', 'SetVariables', 'conf', payload)).toBeUndefined();
    expect(payload.setVariableResult.map((r) => (r as { attributeStatus: string }).attributeStatus)).toEqual(['Accepted', 'Rejected', 'Rejected']);
    expect(changes).toEqual([{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, value: '600' }]);
  });

  it('splits a full base report into NotifyReports that validate, tbc on all but the last', () => {
    const model = aModel();
    const { payload, reports } = getBaseReport(model, { requestId: 4, reportBase: 'FullInventory' }, Date.UTC(2026, 0, 1), hub.itemsPerMessage);
    expect(payload).toEqual({ status: 'Accepted' });
    expect(reports.length).toBe(Math.ceil(model.entries.length / 5));
    for (const [i, r] of reports.entries()) {
      expect(validatePayload('2.0.1', 'NotifyReport', 'req', r)).toBeUndefined();
      expect(validatePayload('2.1', 'NotifyReport', 'req', r)).toBeUndefined();
      expect(r).toMatchObject({ requestId: 4, seqNo: i });
      expect('tbc' in r).toBe(i < reports.length - 1);
    }
  });

  it('reports only writable variables for ConfigurationInventory', () => {
    const { reports } = getBaseReport(aModel(), { requestId: 1, reportBase: 'ConfigurationInventory' }, 0, 50);
    expect(reports).toHaveLength(1);
    expect(JSON.stringify(reports)).toContain('HeartbeatInterval');
    expect(JSON.stringify(reports)).not.toContain('VendorName');
  });
});
