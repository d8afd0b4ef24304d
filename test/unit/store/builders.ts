import type { ChargingProfile } from '../../../src/energy/charging-profile.js';
import type { MeterValue, TransactionEvent } from '../../../src/model/types.js';

const T0_MS = Date.UTC(2026, 0, 5, 8, 0, 0);

export function aTransactionEvent(overrides: Partial<TransactionEvent> = {}): TransactionEvent {
  return {
    stationId: 'CP-1',
    transactionId: 'tx-1',
    eventType: 'Updated',
    seqNo: 1,
    timeMs: T0_MS + 60_000,
    triggerReason: 'MeterValuePeriodic',
    evseId: 1,
    connectorId: 1,
    meterValues: [],
    ...overrides,
  };
}

/** One meter value holding the energy register (Wh unless a unit is given). */
export function anEnergyReading(timeMs: number, value: number, extra: { context?: string; unit?: string } = {}): MeterValue {
  return {
    timeMs,
    sampledValues: [{ value, measurand: 'Energy.Active.Import.Register', unit: extra.unit ?? 'Wh', context: extra.context }],
  };
}

export function aChargingProfile(overrides: Partial<ChargingProfile> = {}): ChargingProfile {
  return {
    id: 1,
    stackLevel: 0,
    purpose: 'TxDefaultProfile',
    kind: 'Absolute',
    evseId: 1,
    schedules: [{ rateUnit: 'A', startScheduleMs: T0_MS, periods: [{ startPeriodS: 0, limit: 16 }] }],
    ...overrides,
  };
}

export { T0_MS };
