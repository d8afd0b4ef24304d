/**
 * W2, proxy mode, OCPP 2.0.1: the latency the hub adds to a forwarded TransactionEvent
 * (Updated, periodic reading; billing data: recorded and in the outbox before the charger is
 * answered). One 2.0.1 charger straight to the CSMS and one through the hub, each with a
 * started transaction, alternately, one call at a time: the charger's round trip and the time
 * from the charger sending it to the CSMS receiving it. After each TransactionEvent the same
 * charger sends a MeterValues (a reading outside a transaction, which proxy mode answers with
 * the CSMS's answer without waiting for its local fsync). With `chargers` > 1 each side has that
 * many chargers, each with its own started transaction, taking the calls in turn (as in
 * w1-latency.ts).
 */
import type { Clock } from '../src/util/clock.js';
import type { W1Csms } from './w1-csms.js';
import { chargerIdentities } from './w1-latency.js';
import { WireClient } from './w1-wire-client.js';

export interface TxEventSamples {
  roundTripMs: number[];
  toCsmsMs: number[];
  /** 2.0.1 MeterValues (outside a transaction): the charger's round trip. */
  meterRoundTripMs: number[];
  /** Time between one charger's consecutive TransactionEvents (sent to sent). */
  eventGapMs: number[];
}

export async function measureTxEventLatency(opts: { csms: W1Csms; hubUrl: string; clock: Clock; calls: number; prefix: string; chargers?: number }): Promise<{ viaHub: TxEventSamples; direct: TxEventSamples }> {
  const { csms, clock } = opts;
  const iso = (): string => new Date(clock.nowMs()).toISOString();
  const make = (url: string, identity: string) => new WireClient({ url, identity, protocol: 'ocpp2.0.1', perMessageDeflate: false, answer: () => ({}) });
  const charger = (url: string, identity: string) => ({ identity, client: make(url, identity), transactionId: `${identity}-TX`, seqNo: 0, lastSentMs: Number.NaN });
  const side = (url: string, base: string) => ({
    chargers: chargerIdentities(base, opts.chargers ?? 1).map((identity) => charger(url, identity)),
    samples: { roundTripMs: [] as number[], toCsmsMs: [] as number[], meterRoundTripMs: [] as number[], eventGapMs: [] as number[] },
  });
  const direct = side(csms.url, `${opts.prefix}-DIRECT`);
  const via = side(opts.hubUrl, `${opts.prefix}-HUB`);
  const event = (s: ReturnType<typeof charger>, eventType: 'Started' | 'Updated', wh: number) => ({
    eventType,
    timestamp: iso(),
    triggerReason: eventType === 'Started' ? 'Authorized' : 'MeterValuePeriodic',
    seqNo: s.seqNo++,
    transactionInfo: { transactionId: s.transactionId },
    evse: { id: 1, connectorId: 1 },
    ...(eventType === 'Started' ? { idToken: { idToken: '04A1LAT', type: 'ISO14443' } } : {}),
    meterValue: [{ timestamp: iso(), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', context: 'Sample.Periodic' }] }],
  });
  for (const s of [...direct.chargers, ...via.chargers]) {
    await s.client.connect();
    await s.client.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'AC22-2' } });
    await s.client.call('TransactionEvent', event(s, 'Started', 0));
  }
  try {
    for (let i = 0; i < opts.calls; i++) {
      for (const { chargers, samples } of i % 2 === 0 ? [direct, via] : [via, direct]) {
        const s = chargers[i % chargers.length];
        if (s === undefined) throw new Error('no charger');
        const payload = event(s, 'Updated', (i + 1) * 10);
        const arrived = csms.whenCall(s.identity, 'TransactionEvent');
        const t0 = performance.now();
        await s.client.call('TransactionEvent', payload);
        samples.roundTripMs.push(performance.now() - t0);
        samples.toCsmsMs.push((await arrived) - t0);
        if (!Number.isNaN(s.lastSentMs)) samples.eventGapMs.push(t0 - s.lastSentMs);
        s.lastSentMs = t0;
        const t1 = performance.now();
        await s.client.call('MeterValues', { evseId: 1, meterValue: [{ timestamp: iso(), sampledValue: [{ value: 230 + (i % 5), measurand: 'Voltage' }] }] });
        samples.meterRoundTripMs.push(performance.now() - t1);
      }
    }
  } finally {
    for (const s of [...direct.chargers, ...via.chargers]) await s.client.close();
  }
  return { viaHub: via.samples, direct: direct.samples };
}
