/**
 * W1: the latency the hub adds to a forwarded call. One OCPP 1.6 charger straight to the CSMS
 * and one through the hub, each with an open transaction; alternately a MeterValues and an
 * Authorize on each, one at a time. Measured with performance.now(): the charger's round trip,
 * and for MeterValues also the time from the charger sending it to the CSMS receiving what
 * carries it (MeterValues from the charger's link in proxy mode, the site's TransactionEvent in
 * hub mode), so that a message the hub answers itself before relaying it is not undercounted.
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
}

export async function measureLatency(opts: LatencyOptions): Promise<LatencyResult> {
  const { csms, clock } = opts;
  const make = (url: string, identity: string) =>
    new WireClient({ url, identity, protocol: 'ocpp1.6', perMessageDeflate: false, answer: (a) => chargerAnswer16(a, clock.nowMs()) });
  const direct = { client: make(csms.url, 'W1-LAT-DIRECT'), arrival: { identity: 'W1-LAT-DIRECT', action: 'MeterValues' }, samples: empty(), txId: 0 };
  const via = { client: make(opts.hubUrl, 'W1-LAT-HUB'), arrival: opts.viaArrival('W1-LAT-HUB'), samples: empty(), txId: 0 };
  for (const side of [direct, via]) {
    await side.client.connect();
    await side.client.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'AC22-1' });
    const started = await side.client.call('StartTransaction', { connectorId: 1, idTag: '04A1LAT', meterStart: 0, timestamp: new Date(clock.nowMs()).toISOString() });
    side.txId = numberIn(started, 'transactionId');
  }
  try {
    for (let i = 0; i < opts.calls; i++) {
      const timestamp = new Date(clock.nowMs()).toISOString();
      for (const side of i % 2 === 0 ? [direct, via] : [via, direct]) {
        const meter = {
          connectorId: 1,
          transactionId: side.txId,
          meterValue: [{ timestamp, sampledValue: [{ value: String(i * 10), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' }] }],
        };
        const arrived = csms.whenCall(side.arrival.identity, side.arrival.action);
        const t0 = performance.now();
        await side.client.call('MeterValues', meter);
        side.samples.meterRoundTripMs.push(performance.now() - t0);
        side.samples.meterToCsmsMs.push((await arrived) - t0);
        const t1 = performance.now();
        await side.client.call('Authorize', { idTag: '04A1LAT' });
        side.samples.authorizeRoundTripMs.push(performance.now() - t1);
      }
    }
  } finally {
    await direct.client.close();
    await via.client.close();
  }
  return { viaHub: via.samples, direct: direct.samples };
}

function empty(): LatencySamples {
  return { meterRoundTripMs: [], meterToCsmsMs: [], authorizeRoundTripMs: [] };
}
