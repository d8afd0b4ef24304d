/**
 * W1: the latency the hub adds to a forwarded call. One OCPP 1.6 charger straight to the CSMS
 * and one through the hub, each with an open transaction; alternately a MeterValues and an
 * Authorize on each, one at a time. Measured with performance.now(): the charger's round trip,
 * and for MeterValues also the time from the charger sending it to the CSMS receiving what
 * carries it (MeterValues from the charger's link in proxy mode, the site's TransactionEvent in
 * hub mode), so that a message the hub answers itself before relaying it is not undercounted.
 * With `chargers` > 1 each side has that many chargers, each with its own open transaction, and
 * call i goes to charger i mod chargers: one charger's consecutive messages are that many
 * rounds apart instead of back to back.
 */
import type { Clock } from '../src/util/clock.js';
import type { W1Csms } from './w1-csms.js';
import { numberIn } from './w1-fleet.js';
import { chargerAnswer16 } from './w1-payloads.js';
import { WireClient } from './w1-wire-client.js';

export interface LatencySamples {
  meterRoundTripMs: number[];
  meterToCsmsMs: number[];
  authorizeRoundTripMs: number[];
  /** Time between one charger's consecutive MeterValues (sent to sent). */
  meterGapMs: number[];
}

export interface LatencyResult {
  viaHub: LatencySamples;
  direct: LatencySamples;
}

export interface LatencyOptions {
  csms: W1Csms;
  hubUrl: string;
  clock: Clock;
  calls: number;
  /** The identity and action under which the through-hub charger's MeterValues reach the CSMS. */
  viaArrival: (chargerIdentity: string) => { identity: string; action: string };
  /** Chargers per side, taking the calls in turn (default 1: one charger, back to back). */
  chargers?: number;
}

export async function measureLatency(opts: LatencyOptions): Promise<LatencyResult> {
  const { csms, clock } = opts;
  const make = (url: string, identity: string) =>
    new WireClient({ url, identity, protocol: 'ocpp1.6', perMessageDeflate: false, answer: (a) => chargerAnswer16(a, clock.nowMs()) });
  const side = (url: string, base: string, arrival: (identity: string) => { identity: string; action: string }) => ({
    chargers: chargerIdentities(base, opts.chargers ?? 1).map((identity) => ({ client: make(url, identity), arrival: arrival(identity), txId: 0, lastSentMs: Number.NaN })),
    samples: empty(),
  });
  const direct = side(csms.url, 'W1-LAT-DIRECT', (identity) => ({ identity, action: 'MeterValues' }));
  const via = side(opts.hubUrl, 'W1-LAT-HUB', opts.viaArrival);
  for (const charger of [...direct.chargers, ...via.chargers]) {
    await charger.client.connect();
    await charger.client.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'AC22-1' });
    const started = await charger.client.call('StartTransaction', { connectorId: 1, idTag: '04A1LAT', meterStart: 0, timestamp: new Date(clock.nowMs()).toISOString() });
    charger.txId = numberIn(started, 'transactionId');
  }
  try {
    for (let i = 0; i < opts.calls; i++) {
      const timestamp = new Date(clock.nowMs()).toISOString();
      for (const side of i % 2 === 0 ? [direct, via] : [via, direct]) {
        const charger = side.chargers[i % side.chargers.length];
        if (charger === undefined) throw new Error('no charger');
        const meter = {
          connectorId: 1,
          transactionId: charger.txId,
          meterValue: [{ timestamp, sampledValue: [{ value: String(i * 10), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' }] }],
        };
        const arrived = csms.whenCall(charger.arrival.identity, charger.arrival.action);
        const t0 = performance.now();
        await charger.client.call('MeterValues', meter);
        side.samples.meterRoundTripMs.push(performance.now() - t0);
        if (!Number.isNaN(charger.lastSentMs)) side.samples.meterGapMs.push(t0 - charger.lastSentMs);
        charger.lastSentMs = t0;
        side.samples.meterToCsmsMs.push((await arrived) - t0);
        const t1 = performance.now();
        await charger.client.call('Authorize', { idTag: '04A1LAT' });
        side.samples.authorizeRoundTripMs.push(performance.now() - t1);
      }
    }
  } finally {
    for (const charger of [...direct.chargers, ...via.chargers]) await charger.client.close();
  }
  return { viaHub: via.samples, direct: direct.samples };
}

/** One charger keeps the base identity (as before); more are numbered: BASE-R1, BASE-R2, ... */
export function chargerIdentities(base: string, count: number): string[] {
  return count <= 1 ? [base] : Array.from({ length: count }, (_, j) => `${base}-R${j + 1}`);
}

function empty(): LatencySamples {
  return { meterRoundTripMs: [], meterToCsmsMs: [], authorizeRoundTripMs: [], meterGapMs: [] };
}
