import { describe, expect, it } from 'vitest';
import { LiveEvseState } from '../../../src/evse/live-evse-state.js';
import type { TransactionEvent } from '../../../src/model/types.js';

const event = (stationId: string, eventType: TransactionEvent['eventType'], seqNo: number): TransactionEvent => ({
  stationId,
  transactionId: `tx-${stationId}`,
  eventType,
  seqNo,
  timeMs: seqNo * 1000,
  triggerReason: 'MeterValuePeriodic',
  evseId: 1,
  meterValues: [],
});

describe('the controllability a live state is built with', () => {
  it('is true without a source, and what the source says at the time the state is built with one', () => {
    const live = new LiveEvseState();
    live.onTransactionEvent(event('A', 'Started', 0));
    expect(live.get('A/1')?.controllable).toBe(true);
    const uncontrollable = new Set(['A/1']);
    live.readControllability((key) => !uncontrollable.has(key));
    // The kept state is not changed: the next one built says it.
    expect(live.get('A/1')?.controllable).toBe(true);
    live.onTransactionEvent(event('A', 'Updated', 1));
    live.onTransactionEvent(event('B', 'Started', 0));
    live.restore('C/1', 'tx-C', 0);
    expect([live.get('A/1')?.controllable, live.get('B/1')?.controllable, live.get('C/1')?.controllable]).toEqual([false, true, true]);
    uncontrollable.clear();
    live.onTransactionEvent(event('A', 'Ended', 2));
    expect(live.get('A/1')).toEqual({ key: 'A/1', active: false, controllable: true });
  });
});
