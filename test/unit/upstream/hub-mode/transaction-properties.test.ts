import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validatePayload } from '../../../../src/ocpp/schema-validator.js';
import {
  DEFAULT_HUB_MODE_CONFIG,
  EMPTY_MAPPING,
  flushDueBatches,
  fromCharger,
  initialHubState,
  type HubModeConfig,
  type HubState,
  type TransactionEventReq,
  type UpstreamMessage,
} from '../../../../src/upstream/hub-mode/index.js';

const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number): string => new Date(ms).toISOString();

type Op =
  | { kind: 'meter'; context: string; withPower: boolean }
  | { kind: 'status'; status: string }
  | { kind: 'flush' }
  | { kind: 'meterNoTx' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('meter' as const), context: fc.constantFrom('Sample.Periodic', 'Sample.Periodic', 'Sample.Clock', 'Trigger', 'Interruption.Begin'), withPower: fc.boolean() }),
  fc.record({ kind: fc.constant('status' as const), status: fc.constantFrom('Charging', 'SuspendedEV', 'SuspendedEVSE', 'Preparing', 'Finishing') }),
  fc.record({ kind: fc.constant('flush' as const) }),
  fc.record({ kind: fc.constant('meterNoTx' as const) }),
);

const sessionArb = fc.record({
  connectorId: fc.integer({ min: 1, max: 3 }),
  idTag: fc.constantFrom('04A1B2C3', 'USER-1', 'abcdefghij0123456789'),
  ops: fc.array(opArb, { maxLength: 25 }),
  stop: fc.option(fc.constantFrom('Local', 'Remote', 'EVDisconnected', 'HardReset', 'PowerLoss', 'DeAuthorized', 'Other'), { nil: undefined }),
  stopReasonOmitted: fc.boolean(),
  offline: fc.boolean(),
});

/** Runs sessions one after another on one charger; returns every upstream message in order. */
type Session = typeof sessionArb extends fc.Arbitrary<infer S> ? S : never;

function run(sessions: Session[], config: HubModeConfig): UpstreamMessage[] {
  let state: HubState = initialHubState(EMPTY_MAPPING);
  const upstream: UpstreamMessage[] = [];
  let t = T0;
  let txId = 100;
  const send = (action: string, payload: unknown, offline: boolean, chargerTransactionId?: number): void => {
    t += 30_000;
    const r = fromCharger(state, config, { stationId: 'cp1', version: '1.6', action, payload, receivedMs: t }, { offline, ...(chargerTransactionId !== undefined ? { chargerTransactionId } : {}) });
    state = r.state;
    upstream.push(...r.upstream);
  };
  for (const s of sessions) {
    txId += 1;
    send('StartTransaction', { connectorId: s.connectorId, idTag: s.idTag, meterStart: 0, timestamp: iso(t + 30_000) }, s.offline, txId);
    let wh = 0;
    for (const op of s.ops) {
      if (op.kind === 'flush') {
        t += 60_000;
        const r = flushDueBatches(state, config, t);
        state = r.state;
        upstream.push(...r.upstream);
      } else if (op.kind === 'status') {
        send('StatusNotification', { connectorId: s.connectorId, errorCode: 'NoError', status: op.status, timestamp: iso(t + 30_000) }, s.offline);
      } else {
        wh += 250;
        const context = op.kind === 'meter' ? op.context : 'Sample.Periodic';
        const withPower = op.kind === 'meter' && op.withPower;
        const sampledValue = [
          { value: String(wh), context, measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
          ...(withPower ? [{ value: '7.4', context, measurand: 'Power.Active.Import', unit: 'kW', phase: 'L1' }] : []),
        ];
        const payload = { connectorId: s.connectorId, ...(op.kind === 'meter' ? { transactionId: txId } : {}), meterValue: [{ timestamp: iso(t + 30_000), sampledValue }] };
        send('MeterValues', payload, s.offline);
      }
    }
    if (s.stop !== undefined) {
      send('StopTransaction', { transactionId: txId, meterStop: wh, timestamp: iso(t + 30_000), ...(s.stopReasonOmitted ? {} : { reason: s.stop }), idTag: s.idTag }, s.offline);
    }
  }
  const last = flushDueBatches(state, config, t, true);
  upstream.push(...last.upstream);
  return upstream;
}

describe('translated 1.6 transactions (property)', () => {
  it('have seqNo 0,1,2,... with one Started first and at most one Ended last, and validate against 2.0.1 and 2.1', () => {
    fc.assert(
      fc.property(fc.array(sessionArb, { minLength: 1, maxLength: 3 }), fc.constantFrom(0, 60, 300), (sessions, batchWindowS) => {
        const config = { ...DEFAULT_HUB_MODE_CONFIG, batchWindowS };
        const upstream = run(sessions, config);
        const byTx = new Map<string, TransactionEventReq[]>();
        for (const m of upstream) {
          for (const version of ['2.0.1', '2.1'] as const) {
            expect(validatePayload(version, m.action, 'req', m.payload)?.message, JSON.stringify(m)).toBeUndefined();
          }
          if (m.action !== 'TransactionEvent') continue;
          const e = m.payload as TransactionEventReq;
          const list = byTx.get(e.transactionInfo.transactionId) ?? [];
          list.push(e);
          byTx.set(e.transactionInfo.transactionId, list);
        }
        expect(byTx.size).toBe(sessions.length);
        for (const [i, events] of [...byTx.values()].entries()) {
          expect(events.map((e) => e.seqNo)).toEqual(events.map((_, k) => k));
          expect(events[0]?.eventType).toBe('Started');
          expect(events.filter((e) => e.eventType === 'Started')).toHaveLength(1);
          const ended = events.filter((e) => e.eventType === 'Ended');
          expect(ended.length).toBe(sessions[i]?.stop !== undefined ? 1 : 0);
          if (ended.length === 1) expect(events[events.length - 1]?.eventType).toBe('Ended');
        }
      }),
      { numRuns: 150 },
    );
  });

  it('batching loses no sample: every periodic sample appears once upstream', () => {
    fc.assert(
      fc.property(sessionArb, fc.constantFrom(60, 300, 900), (session, batchWindowS) => {
        const upstream = run([session], { ...DEFAULT_HUB_MODE_CONFIG, batchWindowS });
        const sent = upstream
          .filter((m) => m.action === 'TransactionEvent')
          .flatMap((m) => (m.payload as TransactionEventReq).meterValue ?? [])
          .flatMap((mv) => mv.sampledValue)
          .filter((s) => s.context !== 'Transaction.Begin' && s.context !== 'Transaction.End' && s.measurand === 'Energy.Active.Import.Register');
        const expected = session.ops.filter((o) => o.kind === 'meter').length;
        expect(sent).toHaveLength(expected);
      }),
      { numRuns: 100 },
    );
  });
});
