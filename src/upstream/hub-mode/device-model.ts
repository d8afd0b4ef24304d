/**
 * The hub's own OCPP 2.x device model, as the one charging station the CSMS sees in hub mode:
 * the ChargingStation, one `EVSE` component per mapped upstream EVSE (and a `Connector` per
 * mapped connector), and the controllers the hub itself implements. Answers GetVariables,
 * SetVariables and GetBaseReport (+ the NotifyReport payloads) per the 2.0.1 schemas. Pure:
 * the model is built from data, and a SetVariables returns the changes for the caller to apply.
 */
import { connectorKey, type HubState } from './hub-state.js';
import { controllerEntries, type HubSettings } from './device-model-ctrlrs.js';
import { clip, isoTime, type ComponentRef, type VariableRef } from './wire-2x.js';

export interface HubDeviceInfo {
  model: string;
  vendorName: string;
  firmwareVersion?: string;
  serialNumber?: string;
  /** The station identity the hub uses upstream. */
  identity: string;
  heartbeatIntervalS: number;
  /** Most report entries per NotifyReport, and most items per Get/SetVariables. */
  itemsPerMessage: number;
  /** What the hub's controllers report (device-model-ctrlrs.ts); absent: only the basics. */
  settings?: HubSettings;
}

/** What the hub knows about an upstream EVSE beyond its status. */
export interface EvseFacts {
  maxPowerW?: number;
  supplyPhases?: number;
  /** Present power in W (charging positive). */
  powerW?: number;
}

export type DataType = 'string' | 'decimal' | 'integer' | 'dateTime' | 'boolean' | 'OptionList' | 'SequenceList' | 'MemberList';

export interface VariableEntry {
  component: ComponentRef;
  variable: VariableRef;
  /** The Actual attribute value. */
  value: string;
  mutability: 'ReadOnly' | 'ReadWrite';
  dataType: DataType;
  unit?: string;
  maxLimit?: number;
  minLimit?: number;
  valuesList?: string;
}

export interface DeviceModel {
  entries: VariableEntry[];
}

const AVAILABILITY_VALUES = 'Available,Occupied,Reserved,Unavailable,Faulted';

/** An EVSE's AvailabilityState from its connectors' last statuses. */
function evseAvailability(statuses: (string | undefined)[]): string {
  for (const s of ['Occupied', 'Available', 'Reserved', 'Faulted']) if (statuses.includes(s)) return s;
  return 'Unavailable';
}

export function buildDeviceModel(input: { hub: HubDeviceInfo; state: HubState; evses?: Record<number, EvseFacts> }): DeviceModel {
  const { hub, state } = input;
  const entries: VariableEntry[] = [];
  const ro = (component: ComponentRef, name: string, value: string, dataType: DataType, extra: Partial<VariableEntry> = {}): void => {
    entries.push({ component, variable: { name }, value, mutability: 'ReadOnly', dataType, ...extra });
  };
  const station: ComponentRef = { name: 'ChargingStation' };
  ro(station, 'Model', clip(hub.model, 2500), 'string');
  ro(station, 'VendorName', hub.vendorName, 'string');
  if (hub.serialNumber) ro(station, 'SerialNumber', hub.serialNumber, 'string');

  const evseIds = [...new Set(state.mapping.entries.map((e) => e.upstreamEvseId))].sort((a, b) => a - b);
  const evseStatuses: string[] = [];
  let totalPowerW = 0;
  let totalMaxW = 0;
  let maxPhases = 0;
  for (const id of evseIds) {
    const connectors = state.mapping.entries.filter((e) => e.upstreamEvseId === id).sort((a, b) => a.upstreamConnectorId - b.upstreamConnectorId);
    const memos = connectors.map((c) => state.connectors[connectorKey(c.stationId, c.evseId, c.connectorId)]);
    const statuses = memos.map((m) => m?.status);
    const availability = evseAvailability(statuses);
    evseStatuses.push(availability);
    const facts = input.evses?.[id] ?? {};
    const evse: ComponentRef = { name: 'EVSE', evse: { id } };
    const reachable = !memos.every((m) => m?.away);
    ro(evse, 'AvailabilityState', availability, 'OptionList', { valuesList: AVAILABILITY_VALUES });
    ro(evse, 'Available', String(reachable), 'boolean');
    ro(evse, 'Power', String(facts.powerW ?? 0), 'decimal', { unit: 'W', ...(facts.maxPowerW !== undefined ? { maxLimit: facts.maxPowerW } : {}) });
    if (facts.supplyPhases !== undefined) ro(evse, 'SupplyPhases', String(facts.supplyPhases), 'integer');
    totalPowerW += facts.powerW ?? 0;
    totalMaxW += facts.maxPowerW ?? 0;
    maxPhases = Math.max(maxPhases, facts.supplyPhases ?? 0);
    for (const [i, c] of connectors.entries()) {
      const connector: ComponentRef = { name: 'Connector', evse: { id, connectorId: c.upstreamConnectorId } };
      ro(connector, 'AvailabilityState', statuses[i] ?? 'Unavailable', 'OptionList', { valuesList: AVAILABILITY_VALUES });
      ro(connector, 'Available', String(!memos[i]?.away), 'boolean');
      if (facts.supplyPhases !== undefined) ro(connector, 'SupplyPhases', String(facts.supplyPhases), 'integer');
    }
  }
  ro(station, 'AvailabilityState', evseStatuses.length === 0 ? 'Unavailable' : evseAvailability(evseStatuses), 'OptionList', { valuesList: AVAILABILITY_VALUES });
  ro(station, 'Available', 'true', 'boolean');
  ro(station, 'Power', String(totalPowerW), 'decimal', { unit: 'W', ...(totalMaxW > 0 ? { maxLimit: totalMaxW } : {}) });
  if (maxPhases > 0) ro(station, 'SupplyPhases', String(maxPhases), 'integer');

  const comm: ComponentRef = { name: 'OCPPCommCtrlr' };
  entries.push({ component: comm, variable: { name: 'HeartbeatInterval' }, value: String(hub.heartbeatIntervalS), mutability: 'ReadWrite', dataType: 'integer', unit: 's', minLimit: 1 });
  const deviceData: ComponentRef = { name: 'DeviceDataCtrlr' };
  for (const instance of ['GetReport', 'GetVariables', 'SetVariables']) {
    entries.push({ component: deviceData, variable: { name: 'ItemsPerMessage', instance }, value: String(hub.itemsPerMessage), mutability: 'ReadOnly', dataType: 'integer' });
  }
  ro({ name: 'SecurityCtrlr' }, 'Identity', hub.identity, 'string');
  if (hub.firmwareVersion) ro({ name: 'Controller' }, 'FirmwareVersion', hub.firmwareVersion, 'string');
  if (hub.settings) entries.push(...controllerEntries(hub.settings));
  return { entries };
}

function sameComponent(a: ComponentRef, b: ComponentRef): boolean {
  return a.name === b.name && (a.instance ?? '') === (b.instance ?? '') && a.evse?.id === b.evse?.id && a.evse?.connectorId === b.evse?.connectorId;
}

function find(model: DeviceModel, component: ComponentRef, variable: VariableRef): { known: boolean; entry?: VariableEntry } {
  const ofComponent = model.entries.filter((e) => sameComponent(e.component, component));
  if (ofComponent.length === 0) return { known: false };
  return { known: true, entry: ofComponent.find((e) => e.variable.name === variable.name && (e.variable.instance ?? '') === (variable.instance ?? '')) };
}

interface VariableRequest {
  component: ComponentRef;
  variable: VariableRef;
  attributeType?: string;
}

export function getVariables(model: DeviceModel, req: { getVariableData: VariableRequest[] }): { getVariableResult: object[] } {
  return {
    getVariableResult: req.getVariableData.map((d) => {
      const base = { component: d.component, variable: d.variable, ...(d.attributeType ? { attributeType: d.attributeType } : {}) };
      const { known, entry } = find(model, d.component, d.variable);
      if (!known) return { ...base, attributeStatus: 'UnknownComponent' };
      if (!entry) return { ...base, attributeStatus: 'UnknownVariable' };
      if ((d.attributeType ?? 'Actual') !== 'Actual') return { ...base, attributeStatus: 'NotSupportedAttributeType' };
      return { ...base, attributeStatus: 'Accepted', attributeValue: entry.value };
    }),
  };
}

export interface VariableChange {
  component: ComponentRef;
  variable: VariableRef;
  value: string;
}

function validValue(entry: VariableEntry, value: string): boolean {
  if (entry.dataType === 'integer' || entry.dataType === 'decimal') {
    if (!(entry.dataType === 'integer' ? /^-?\d+$/ : /^-?\d+(?:\.\d+)?$/).test(value)) return false;
    const n = Number(value);
    return (entry.minLimit === undefined || n >= entry.minLimit) && (entry.maxLimit === undefined || n <= entry.maxLimit);
  }
  if (entry.dataType === 'boolean') return value === 'true' || value === 'false';
  return true;
}

/** Applies nothing itself: returns the answer and the accepted changes (caller applies, then rebuilds). */
export function setVariables(
  model: DeviceModel,
  req: { setVariableData: (VariableRequest & { attributeValue: string })[] },
): { payload: { setVariableResult: object[] }; changes: VariableChange[] } {
  const changes: VariableChange[] = [];
  const setVariableResult = req.setVariableData.map((d) => {
    const base = { component: d.component, variable: d.variable, ...(d.attributeType ? { attributeType: d.attributeType } : {}) };
    const { known, entry } = find(model, d.component, d.variable);
    if (!known) return { ...base, attributeStatus: 'UnknownComponent' };
    if (!entry) return { ...base, attributeStatus: 'UnknownVariable' };
    if ((d.attributeType ?? 'Actual') !== 'Actual') return { ...base, attributeStatus: 'NotSupportedAttributeType' };
    if (entry.mutability === 'ReadOnly') return { ...base, attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'ReadOnly' } };
    if (!validValue(entry, d.attributeValue)) return { ...base, attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'InvalidValue' } };
    changes.push({ component: d.component, variable: d.variable, value: d.attributeValue });
    return { ...base, attributeStatus: 'Accepted' };
  });
  return { payload: { setVariableResult }, changes };
}

function reportDataOf(e: VariableEntry): object {
  return {
    component: e.component,
    variable: e.variable,
    variableAttribute: [{ type: 'Actual', value: e.value, mutability: e.mutability }],
    variableCharacteristics: {
      dataType: e.dataType,
      supportsMonitoring: false,
      ...(e.unit ? { unit: e.unit } : {}),
      ...(e.minLimit !== undefined ? { minLimit: e.minLimit } : {}),
      ...(e.maxLimit !== undefined ? { maxLimit: e.maxLimit } : {}),
      ...(e.valuesList ? { valuesList: e.valuesList } : {}),
    },
  };
}

/** SummaryInventory: availability of every component (what a CSMS shows on a dashboard). */
const SUMMARY_VARIABLES = new Set(['AvailabilityState', 'Available']);

/**
 * GetBaseReport: the answer now, then the NotifyReport payloads to send after it (seqNo 0, 1,
 * ..., tbc on all but the last). ConfigurationInventory = the writable variables;
 * FullInventory = all; SummaryInventory = availability. Nothing to report -> EmptyResultSet.
 */
export function getBaseReport(
  model: DeviceModel,
  req: { requestId: number; reportBase: string },
  nowMs: number,
  itemsPerMessage: number,
): { payload: { status: string }; reports: object[] } {
  const selected = model.entries.filter((e) => {
    if (req.reportBase === 'ConfigurationInventory') return e.mutability !== 'ReadOnly';
    if (req.reportBase === 'SummaryInventory') return SUMMARY_VARIABLES.has(e.variable.name);
    return req.reportBase === 'FullInventory';
  });
  if (!['ConfigurationInventory', 'FullInventory', 'SummaryInventory'].includes(req.reportBase)) return { payload: { status: 'NotSupported' }, reports: [] };
  if (selected.length === 0) return { payload: { status: 'EmptyResultSet' }, reports: [] };
  return { payload: { status: 'Accepted' }, reports: notifyReports(selected, req.requestId, nowMs, itemsPerMessage) };
}

/**
 * The NotifyReport payloads for `selected`, in order: at most `itemsPerMessage` entries each,
 * seqNo 0, 1, ..., tbc on all but the last (as B07/B08 want them, sent after the answer).
 */
export function notifyReports(selected: readonly VariableEntry[], requestId: number, nowMs: number, itemsPerMessage: number): object[] {
  const size = Math.max(1, Math.floor(itemsPerMessage));
  const reports: object[] = [];
  for (let i = 0; i < selected.length; i += size) {
    const last = i + size >= selected.length;
    reports.push({
      requestId,
      generatedAt: isoTime(nowMs),
      seqNo: reports.length,
      ...(last ? {} : { tbc: true }),
      reportData: selected.slice(i, i + size).map(reportDataOf),
    });
  }
  return reports;
}
