import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DrawSample } from '../../../src/energy/draw/draw-at.js';
import type { EvseLiveState } from '../../../src/energy/site-model.js';
import { LiveEvseState } from '../../../src/evse/live-evse-state.js';
import type { SampledValue, TransactionEvent } from '../../../src/model/types.js';

/**
 * The live state as it was built before it was made to allocate less (a copy of the samples at
 * every event, spread optional fields, the currents through two temporary arrays): the reference.
 */
function referenceNext(prev: EvseLiveState | undefined, ev: TransactionEvent, receivedMs: number | undefined): EvseLiveState {
  const PHASE_INDEX: Record<string, number> = { L1: 0, L2: 1, L3: 2, 'L1-N': 0, 'L2-N': 1, 'L3-N': 2 };
  const latest = ev.meterValues[ev.meterValues.length - 1];
  let reported: number[] | undefined;
  if (latest) {
    const out: number[] = [];
    for (const s of latest.sampledValues) {
      if (s.measurand !== 'Current.Import' || s.phase === undefined || !(s.value >= 0)) continue;
      const i = PHASE_INDEX[s.phase];
      if (i !== undefined) out[i] = s.value;
    }
    if (out.length > 0) reported = [0, 1, 2].slice(0, out.length).map((i) => out[i] ?? 0);
  }
  const sameTx = prev?.transactionId === ev.transactionId;
  const measured = reported ?? (sameTx ? prev?.measuredCurrentA : undefined);
  const startedMs = sameTx ? prev?.transactionStartedMs : ev.timeMs;
  const samples: DrawSample[] = sameTx ? [...(prev?.samples ?? [])] : [];
  if (reported) {
    const atMs = receivedMs ?? ev.meterValues[ev.meterValues.length - 1]?.timeMs ?? ev.timeMs;
    samples.push({ timeMs: Math.max(atMs, samples[samples.length - 1]?.timeMs ?? -Infinity), currentA: reported });
    if (samples.length > 60) samples.splice(0, samples.length - 60);
  }
  return {
    key: `${ev.stationId}/${ev.evseId}`,
    active: true,
    controllable: true,
    transactionId: ev.transactionId,
    ...(startedMs !== undefined ? { transactionStartedMs: startedMs } : {}),
    ...(measured ? { measuredCurrentA: measured } : {}),
    ...(samples.length > 0 ? { samples } : {}),
  };
}

const sampledValue: fc.Arbitrary<SampledValue> = fc.record(
  {
    value: fc.oneof(fc.integer({ min: -5, max: 40 }), fc.constant(Number.NaN)),
    measurand: fc.constantFrom('Current.Import', 'Power.Active.Import', 'Energy.Active.Import.Register'),
    phase: fc.constantFrom('L1', 'L2', 'L3', 'L1-N', 'L3-N', 'N', 'L1-L2'),
  },
  { requiredKeys: ['value'] },
);

const event: fc.Arbitrary<{ ev: TransactionEvent; receivedMs: number | undefined }> = fc.record({
  ev: fc.record({
    stationId: fc.constant('CP'),
    transactionId: fc.constantFrom('t1', 't2'),
    eventType: fc.constant('Updated' as const),
    seqNo: fc.nat(),
    timeMs: fc.integer({ min: 0, max: 10_000 }),
    triggerReason: fc.constant('MeterValuePeriodic'),
    evseId: fc.constant(1),
    meterValues: fc.array(fc.record({ timeMs: fc.integer({ min: 0, max: 10_000 }), sampledValues: fc.array(sampledValue, { maxLength: 6 }) }), { maxLength: 2 }),
  }),
  receivedMs: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
});

describe('LiveEvseState keeps what it kept before it allocated less', () => {
  it('gives the same state as the reference after every event of a random sequence (samples capped at 60)', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 90 }), (events) => {
        const live = new LiveEvseState();
        let expected: EvseLiveState | undefined;
        for (const { ev, receivedMs } of events) {
          expected = referenceNext(expected, ev, receivedMs);
          live.onTransactionEvent(ev, receivedMs);
          expect(live.get('CP/1')).toStrictEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the last 60 reports, as the reference, over 75 events that each report a current', () => {
    const live = new LiveEvseState();
    let expected: EvseLiveState | undefined;
    for (let seqNo = 0; seqNo < 75; seqNo++) {
      const ev: TransactionEvent = {
        stationId: 'CP', transactionId: 't', eventType: 'Updated', seqNo, timeMs: seqNo * 10, triggerReason: 'MeterValuePeriodic', evseId: 1,
        meterValues: [{ timeMs: seqNo * 10, sampledValues: [{ value: seqNo % 17, measurand: 'Current.Import', phase: 'L2' }] }],
      };
      expected = referenceNext(expected, ev, undefined);
      live.onTransactionEvent(ev);
      expect(live.get('CP/1')).toStrictEqual(expected);
    }
    expect(live.get('CP/1')?.samples).toHaveLength(60);
  });

  it('never changes a state it handed out: a later report makes a new state with its own samples', () => {
    const live = new LiveEvseState();
    const report = (seqNo: number, a: number): TransactionEvent => ({
      stationId: 'CP', transactionId: 't', eventType: 'Updated', seqNo, timeMs: seqNo, triggerReason: 'MeterValuePeriodic', evseId: 1,
      meterValues: [{ timeMs: seqNo, sampledValues: [{ value: a, measurand: 'Current.Import', phase: 'L1' }] }],
    });
    live.onTransactionEvent(report(1, 10));
    const first = live.get('CP/1');
    const firstSamples = first?.samples;
    live.onTransactionEvent(report(2, 12));
    expect(first?.samples).toBe(firstSamples);
    expect(firstSamples).toEqual([{ timeMs: 1, currentA: [10] }]);
    expect(live.get('CP/1')?.samples).toEqual([{ timeMs: 1, currentA: [10] }, { timeMs: 2, currentA: [12] }]);
  });
});
