import { describe, expect, it } from 'vitest';
import { reportWorthDeciding, REPORT_CHANGE_A } from '../../../src/evse/report-relevance.js';
import type { EvseLiveState } from '../../../src/energy/site-model.js';
import type { DrawSample } from '../../../src/energy/draw/draw-at.js';
import { LiveEvseState } from '../../../src/evse/live-evse-state.js';
import type { TransactionEvent } from '../../../src/model/types.js';

const FOLLOW_MS = 30_000;

function state(samples: DrawSample[], over: Partial<EvseLiveState> = {}): EvseLiveState {
  return { key: 'S/1', active: true, controllable: true, transactionId: 'T1', samples, ...over };
}
const at = (timeMs: number, currentA: number[]): DrawSample => ({ timeMs, currentA });

describe('whether a charger report asks for a decision', () => {
  const first = at(10_000, [16, 16, 16]);

  it('asks at a transaction that starts, changes or ends', () => {
    expect(reportWorthDeciding(undefined, state([]), [], FOLLOW_MS)).toBe(true);
    expect(reportWorthDeciding(state([first]), state([first], { transactionId: 'T2' }), [], FOLLOW_MS)).toBe(true);
    expect(reportWorthDeciding(state([first]), state([], { active: false }), [], FOLLOW_MS)).toBe(true);
  });

  it('asks at the first current report only while an offer is recent enough to be followed', () => {
    expect(reportWorthDeciding(state([]), state([first]), [], FOLLOW_MS)).toBe(false);
    expect(reportWorthDeciding(state([]), state([first]), [{ fromMs: first.timeMs - FOLLOW_MS, limitA: 16 }], FOLLOW_MS)).toBe(true);
    expect(reportWorthDeciding(state([]), state([first]), [{ fromMs: first.timeMs - FOLLOW_MS - 1, limitA: 16 }], FOLLOW_MS)).toBe(false);
  });

  it('does not ask for the same current again, nor for a message without a current report', () => {
    const same = at(20_000, [16.2, 15.9, 16.4]);
    expect(reportWorthDeciding(state([first]), state([first, same]), [], FOLLOW_MS)).toBe(false);
    expect(reportWorthDeciding(state([first]), state([first]), [], FOLLOW_MS)).toBe(false);
  });

  it('asks when a phase moved by the threshold or the phases reported changed', () => {
    expect(reportWorthDeciding(state([first]), state([first, at(20_000, [16, 16 - REPORT_CHANGE_A, 16])]), [], FOLLOW_MS)).toBe(true);
    expect(reportWorthDeciding(state([first]), state([first, at(20_000, [16, 16, 20])]), [], FOLLOW_MS)).toBe(true);
    expect(reportWorthDeciding(state([first]), state([first, at(20_000, [16])]), [], FOLLOW_MS)).toBe(true);
  });

  it('asks while an offer is recent enough for the report to show whether the EV followed it', () => {
    const next = at(20_000, [16, 16, 16]);
    // Sent after the previous report, or at most followS before it: the report may show the EV following it.
    expect(reportWorthDeciding(state([first]), state([first, next]), [{ fromMs: 15_000, limitA: 10 }], FOLLOW_MS)).toBe(true);
    expect(reportWorthDeciding(state([first]), state([first, next]), [{ fromMs: first.timeMs - FOLLOW_MS, limitA: 10 }], FOLLOW_MS)).toBe(true);
    // Sent longer before the previous report: that report already showed what the EV does with it.
    expect(reportWorthDeciding(state([first]), state([first, next]), [{ fromMs: first.timeMs - FOLLOW_MS - 1, limitA: 10 }], FOLLOW_MS)).toBe(false);
  });

  it('judges what LiveEvseState keeps from the wire: a repeated reading asks nothing, a new one does', () => {
    const live = new LiveEvseState();
    const ev = (seqNo: number, timeMs: number, a: number): TransactionEvent => ({
      stationId: 'S', transactionId: 'T1', seqNo, eventType: seqNo === 0 ? 'Started' : 'Updated', timeMs, evseId: 1, triggerReason: 'MeterValuePeriodic',
      meterValues: [{ timeMs, sampledValues: ['L1', 'L2', 'L3'].map((phase) => ({ value: a, measurand: 'Current.Import', phase })) }],
    }) as TransactionEvent;
    const step = (e: TransactionEvent) => {
      const before = live.get('S/1');
      live.onTransactionEvent(e, e.timeMs);
      return reportWorthDeciding(before, live.get('S/1'), [], FOLLOW_MS);
    };
    expect(step(ev(0, 0, 16))).toBe(true);
    expect(step(ev(1, 10_000, 16))).toBe(false);
    expect(step(ev(2, 20_000, 16.1))).toBe(false);
    expect(step(ev(3, 30_000, 8))).toBe(true);
    expect(live.get('S/1')?.samples?.length).toBe(4);
  });
});
