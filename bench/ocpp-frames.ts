/**
 * Hand-written OCPP payloads for the benchmark chargers, valid against the official schemas of
 * their version (the hub validates strictly and would answer a bad one with a CALLERROR).
 * Meter samples carry what the workloads document lists: energy register, power, current and
 * voltage per phase, and SoC.
 */
import type { BenchVersion } from './bench-station.js';

export interface OcppCall {
  action: string;
  payload: Record<string, unknown>;
}

export interface MeterSample {
  energyWh: number;
  powerW: number;
  currentA: number;
  voltageV: number;
  socPercent: number;
  /** Phases the EV draws on (the first ones); the others report 0 A. Default 3. */
  phases?: 1 | 2 | 3;
}

function phaseCurrentA(s: MeterSample, i: number): number {
  return i < (s.phases ?? 3) ? s.currentA : 0;
}

const PHASES = ['L1', 'L2', 'L3'] as const;

export function bootCall(version: BenchVersion): OcppCall {
  return version === '1.6'
    ? { action: 'BootNotification', payload: { chargePointVendor: 'Switchyard', chargePointModel: 'Bench' } }
    : { action: 'BootNotification', payload: { reason: 'PowerUp', chargingStation: { vendorName: 'Switchyard', model: 'Bench' } } };
}

export function heartbeatCall(): OcppCall {
  return { action: 'Heartbeat', payload: {} };
}

export function startCall(version: BenchVersion, transactionId: string, idTag: string, atMs: number): OcppCall {
  const timestamp = new Date(atMs).toISOString();
  if (version === '1.6') {
    return { action: 'StartTransaction', payload: { connectorId: 1, idTag, meterStart: 0, timestamp } };
  }
  return {
    action: 'TransactionEvent',
    payload: {
      eventType: 'Started',
      timestamp,
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId, chargingState: 'Charging' },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: idTag, type: 'ISO14443' },
    },
  };
}

function sampledValues16(s: MeterSample): Array<Record<string, string>> {
  const periodic = { context: 'Sample.Periodic' };
  return [
    { ...periodic, value: String(s.energyWh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
    { ...periodic, value: String(s.powerW), measurand: 'Power.Active.Import', unit: 'W' },
    ...PHASES.map((phase, i) => ({ ...periodic, value: phaseCurrentA(s, i).toFixed(1), measurand: 'Current.Import', phase, unit: 'A' })),
    ...PHASES.map((phase) => ({ ...periodic, value: s.voltageV.toFixed(1), measurand: 'Voltage', phase: `${phase}-N`, unit: 'V' })),
    { ...periodic, value: String(s.socPercent), measurand: 'SoC', location: 'EV', unit: 'Percent' },
  ];
}

function sampledValues2x(s: MeterSample): Array<Record<string, unknown>> {
  const periodic = { context: 'Sample.Periodic' };
  return [
    { ...periodic, value: s.energyWh, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } },
    { ...periodic, value: s.powerW, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
    ...PHASES.map((phase, i) => ({ ...periodic, value: phaseCurrentA(s, i), measurand: 'Current.Import', phase, unitOfMeasure: { unit: 'A' } })),
    ...PHASES.map((phase) => ({ ...periodic, value: s.voltageV, measurand: 'Voltage', phase: `${phase}-N`, unitOfMeasure: { unit: 'V' } })),
    { ...periodic, value: s.socPercent, measurand: 'SoC', location: 'EV', unitOfMeasure: { unit: 'Percent' } },
  ];
}

/** A periodic sample during a transaction: MeterValues (1.6) or TransactionEvent Updated (2.0.1). */
export function meterCall(version: BenchVersion, transactionId: string, seqNo: number, atMs: number, sample: MeterSample): OcppCall {
  const timestamp = new Date(atMs).toISOString();
  if (version === '1.6') {
    return {
      action: 'MeterValues',
      payload: { connectorId: 1, transactionId: Number(transactionId), meterValue: [{ timestamp, sampledValue: sampledValues16(sample) }] },
    };
  }
  return {
    action: 'TransactionEvent',
    payload: {
      eventType: 'Updated',
      timestamp,
      triggerReason: 'MeterValuePeriodic',
      seqNo,
      transactionInfo: { transactionId, chargingState: 'Charging' },
      meterValue: [{ timestamp, sampledValue: sampledValues2x(sample) }],
    },
  };
}
