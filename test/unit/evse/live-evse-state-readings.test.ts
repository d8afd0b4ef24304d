import { describe, expect, it } from 'vitest';
import { LiveEvseState } from '../../../src/evse/live-evse-state.js';
import type { TransactionEvent } from '../../../src/model/types.js';

const currents = (seqNo: number, values: number[]): TransactionEvent => ({
  stationId: 'CP',
  transactionId: 'tx',
  eventType: seqNo === 0 ? 'Started' : 'Updated',
  seqNo,
  timeMs: seqNo * 1000,
  triggerReason: 'MeterValuePeriodic',
  evseId: 1,
  meterValues: [{ timeMs: seqNo * 1000, sampledValues: values.map((value, i) => ({ value, measurand: 'Current.Import', phase: `L${i + 1}`, unit: 'A' })) }],
});

describe('the draw the controller sees of an EVSE', () => {
  it('takes no import current below zero: a report of only such values leaves the last draw as it was', () => {
    const live = new LiveEvseState();
    live.onTransactionEvent(currents(0, [10, 11, 12]));
    live.onTransactionEvent(currents(1, [-5, -5, -5]));
    expect(live.get('CP/1')?.measuredCurrentA).toEqual([10, 11, 12]);
  });

  it('reads a phase reported below zero as unreported (0) next to the valid phases', () => {
    const live = new LiveEvseState();
    live.onTransactionEvent(currents(0, [16, -3, 15]));
    expect(live.get('CP/1')?.measuredCurrentA).toEqual([16, 0, 15]);
  });
});
