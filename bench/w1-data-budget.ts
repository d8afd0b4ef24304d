/**
 * W1: a month of upstream traffic for a 20-EVSE site (all OCPP 1.6), counted on the CSMS's side
 * of real loopback sockets (bytes both ways plus 81 bytes per frame):
 *   (a) direct: each charger with its own uncompressed link (the baseline);
 *   (b) the real hub in proxy mode (one link per station), as configured by default;
 *   (c) the real hub in hub mode, plain: one 2.0.1 link for the site; two single levers on it;
 *   (d) the real hub in hub mode with every saving (deflate, batched samples, sparse ping);
 *   (e) the real hub in proxy mode with compression.
 * The month is time-compressed: `BENCH_W1_DAYS` simulated days (default 1; 7 gives every EVSE its reboot)
 * on a FakeClock in 60 s steps, scaled linearly to 30 days (`BENCH_W1_SETUPS=c,d15` runs only
 * those real-hub set-ups). Also: the latency the hub adds to a forwarded call in proxy and in
 * hub mode, against a direct connection to the same CSMS.
 */
import { FakeClock } from '../src/util/fake-clock.js';
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { percentile } from './stats.js';
import { W1Csms, type WireTotals } from './w1-csms.js';
import { playStream } from './w1-drive.js';
import { ChargerFleet } from './w1-fleet.js';
import { measureLatency, type LatencyResult } from './w1-latency.js';
import { RealHubSite, SITE_IDENTITY, type UpstreamSettings } from './w1-real-hub.js';
import { streamCounts, w1Stream, W1_EVSES, type W1Event, type W1Stream } from './w1-workload.js';

/** Below each WebSocket frame: a TLS record (29 bytes) and TCP/IP headers (52 bytes). */
const PER_FRAME_OVERHEAD_BYTES = 81;
const MONTH_DAYS = 30;
const STEP_MS = 60_000;
const BUDGET_PER_CHARGER_MB = 25;
/** (d): one WebSocket ping for the site every 240 s, inside the 5-minute idle timeouts of common mobile-carrier NATs. */
const SAVING_PING_INTERVAL_S = 240;
const SAVING_DEFLATE_THRESHOLD_BYTES = 32;
const LATENCY_CALLS = 300;

interface Measured {
  label: string;
  wire: WireTotals;
  /** Per 30 days, bytes: wire + 81 per frame. */
  monthBytes: number;
  frames: number;
  seconds: number;
  extra?: string;
}

function diff(after: WireTotals, before: WireTotals): WireTotals {
  const framesByAction: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.framesByAction)) framesByAction[k] = v - (before.framesByAction[k] ?? 0);
  return {
    bytes: after.bytes - before.bytes,
    frames: after.frames - before.frames,
    dataFrames: after.dataFrames - before.dataFrames,
    controlFrames: after.controlFrames - before.controlFrames,
    framesByAction,
    connections: after.connections - before.connections,
    deflateConnections: after.deflateConnections,
  };
}

function measured(label: string, wire: WireTotals, days: number, seconds: number, extra?: string): Measured {
  const scale = MONTH_DAYS / days;
  return {
    label,
    wire,
    monthBytes: (wire.bytes + PER_FRAME_OVERHEAD_BYTES * wire.frames) * scale,
    frames: wire.frames * scale,
    seconds,
    ...(extra ? { extra } : {}),
  };
}

const startOf = (stream: W1Stream) => new FakeClock(stream.startMs - STEP_MS);

async function runDirect(stream: W1Stream, progress: (l: string) => void): Promise<Measured> {
  const t0 = performance.now();
  const clock = startOf(stream);
  const csms = new W1Csms({ perMessageDeflate: false });
  csms.nowMs = () => clock.nowMs();
  await csms.open;
  const fleet = new ChargerFleet({ url: csms.url, csms, clock, chargerPingIntervalS: 60, settleMs: 0 });
  try {
    await fleet.bootAll();
    const before = csms.totals();
    await playStream(stream, clock, fleet, STEP_MS, progress);
    const wire = diff(csms.totals(), before);
    return measured('(a) direct, 20 links, no compression', wire, stream.days, (performance.now() - t0) / 1000);
  } finally {
    await fleet.closeAll();
    await csms.close();
  }
}

interface Setup {
  id: string;
  label: string;
  upstream: UpstreamSettings;
  /** Measure the latency the hub adds after the month, on this hub. */
  latency?: boolean;
}

interface RealHubRun {
  result: Measured;
  latency?: LatencyResult;
}

/** The month through the real hub (proxy or hub mode), counted at the CSMS. */
async function runRealHub(stream: W1Stream, setup: Setup, progress: (l: string) => void): Promise<RealHubRun> {
  const t0 = performance.now();
  const clock = startOf(stream);
  const { upstream } = setup;
  const deflate = upstream.compression ? { threshold: upstream.compressionThresholdBytes, serverNoContextTakeover: false, clientNoContextTakeover: false } : false;
  const csms = new W1Csms({ perMessageDeflate: deflate });
  csms.nowMs = () => clock.nowMs();
  await csms.open;
  const site = await RealHubSite.start({ csms, clock, upstream });
  const hubMode = upstream.mode === 'hub';
  const fleet = new ChargerFleet({
    url: site.hub.ocppUrl,
    csms,
    clock,
    chargerPingIntervalS: 0,
    settleMs: 1,
    afterStep: async () => {
      await site.drain();
      await site.settle();
    },
    ...(hubMode ? { csmsEvent: (e: Extract<W1Event, { kind: 'csms' }>) => site.csmsEvent(e) } : {}),
  });
  try {
    await fleet.bootAll();
    await site.drain();
    const before = csms.totals();
    await playStream(stream, clock, fleet, STEP_MS, progress);
    await site.drain();
    const wire = diff(csms.totals(), before);
    const negotiated = upstream.compression ? `; permessage-deflate negotiated on ${wire.deflateConnections} of ${wire.connections + (hubMode ? 1 : W1_EVSES)} connections` : '';
    const calls = hubMode ? `; upstream data frames by action in ${stream.days} days: ${JSON.stringify(wire.framesByAction)}` : '';
    const settled = `waited ${(site.settleWaitMs / 1000).toFixed(1)} s real time for the links to go quiet after each step (gave up ${site.settleGaveUp} times)`;
    const extra = `upstream connections opened during the run: ${wire.connections}${negotiated}; ${settled}${calls}`;
    const result = measured(setup.label, wire, stream.days, (performance.now() - t0) / 1000, extra);
    if (!setup.latency) return { result };
    progress(`latency: direct vs through the hub in ${upstream.mode} mode`);
    const latency = await measureLatency({
      csms,
      hubUrl: site.hub.ocppUrl,
      clock,
      calls: LATENCY_CALLS,
      viaArrival: (identity) => (hubMode ? { identity: SITE_IDENTITY, action: 'TransactionEvent' } : { identity, action: 'MeterValues' }),
    });
    return { result, latency };
  } finally {
    await fleet.closeAll();
    await site.stop();
    await csms.close();
  }
}

const MB = 1_000_000;

interface Scenario {
  id: string;
  measured: Measured;
}

function rowsOf(a: Measured, others: readonly Scenario[], latencies: readonly { mode: string; latency: LatencyResult }[]): BenchRow[] {
  const rows: BenchRow[] = [];
  const base = { label: '(a) direct', value: a.monthBytes / MB };
  rows.push({ metric: `${a.label}: site, MB per 30 days`, value: a.monthBytes / MB, unit: 'MB', digits: 1 });
  for (const { measured: m } of others) rows.push({ metric: `${m.label}: site, MB per 30 days`, value: m.monthBytes / MB, unit: 'MB', baseline: base, digits: 1 });
  const byId = (id: string) => others.find((o) => o.id === id)?.measured;
  const d15 = byId('d15');
  const d5 = byId('d5');
  if (d15) rows.push({ metric: 'headline: (a) direct / (d15) hub mode, every saving, 15 min batches', value: a.monthBytes / d15.monthBytes, unit: 'x', digits: 1 });
  if (d5) rows.push({ metric: 'ratio (a) direct / (d5) hub mode, every saving, 5 min batches', value: a.monthBytes / d5.monthBytes, unit: 'x', digits: 1 });
  for (const [name, m] of [['d5', d5], ['d15', d15]] as const) {
    if (!m) continue;
    rows.push({
      metric: `(${name}) per charger, MB per 30 days (OCPP2.lite budget ${BUDGET_PER_CHARGER_MB} MB)`,
      value: m.monthBytes / MB / W1_EVSES,
      unit: 'MB',
      baseline: { label: '(a) direct per charger', value: a.monthBytes / MB / W1_EVSES },
      digits: 2,
    });
  }
  for (const { mode, latency } of latencies) {
    const kinds = [
      ['MeterValues, charger round trip', latency.viaHub.meterRoundTripMs, latency.direct.meterRoundTripMs],
      ['MeterValues, charger sends -> CSMS receives', latency.viaHub.meterToCsmsMs, latency.direct.meterToCsmsMs],
      ['Authorize, charger round trip', latency.viaHub.authorizeRoundTripMs, latency.direct.authorizeRoundTripMs],
    ] as const;
    for (const [what, via, direct] of kinds) {
      for (const q of [50, 99]) {
        rows.push({
          metric: `p${q}, ${what}, via hub in ${mode} mode`,
          value: percentile(via, q),
          unit: 'ms',
          baseline: { label: 'direct to the same CSMS', value: percentile(direct, q) },
          digits: 2,
        });
      }
    }
  }
  return rows;
}

function fmtMB(bytes: number): string {
  return `${(bytes / MB).toFixed(2)} MB`;
}

const DEFLATE = { compression: true, compressionThresholdBytes: SAVING_DEFLATE_THRESHOLD_BYTES } as const;
const PLAIN = { compression: false, compressionThresholdBytes: SAVING_DEFLATE_THRESHOLD_BYTES } as const;

/** The real-hub set-ups, in the order they run. */
const SETUPS: Setup[] = [
  { id: 'b', label: '(b) proxy mode, 20 links, defaults: no compression, ping 60 s', upstream: { mode: 'proxy', ...PLAIN, pingIntervalS: 60 }, latency: true },
  {
    id: 'c',
    label: '(c) hub mode plain: one 2.0.1 link, no compression, no batching, ping 60 s',
    upstream: { mode: 'hub', ...PLAIN, pingIntervalS: 60, batchWindowS: 0 },
    latency: true,
  },
  { id: 'c+z', label: `(c+z) hub mode, deflate only (threshold ${SAVING_DEFLATE_THRESHOLD_BYTES} B, context takeover), otherwise as (c)`, upstream: { mode: 'hub', ...DEFLATE, pingIntervalS: 60, batchWindowS: 0 } },
  { id: 'c+b', label: '(c+b) hub mode, 15 min batches only, otherwise as (c)', upstream: { mode: 'hub', ...PLAIN, pingIntervalS: 60, batchWindowS: 900 } },
  {
    id: 'd5',
    label: `(d5) hub mode, every saving, 5 min batches: deflate (threshold ${SAVING_DEFLATE_THRESHOLD_BYTES} B, context takeover), ping ${SAVING_PING_INTERVAL_S} s`,
    upstream: { mode: 'hub', ...DEFLATE, pingIntervalS: SAVING_PING_INTERVAL_S, batchWindowS: 300 },
  },
  {
    id: 'd15',
    label: `(d15) hub mode, every saving, 15 min batches: deflate (threshold ${SAVING_DEFLATE_THRESHOLD_BYTES} B, context takeover), ping ${SAVING_PING_INTERVAL_S} s`,
    upstream: { mode: 'hub', ...DEFLATE, pingIntervalS: SAVING_PING_INTERVAL_S, batchWindowS: 900 },
  },
  { id: 'e', label: `(e) proxy mode with compression: 20 links, deflate (threshold ${SAVING_DEFLATE_THRESHOLD_BYTES} B, context takeover), ping 60 s`, upstream: { mode: 'proxy', ...DEFLATE, pingIntervalS: 60 } },
];

export const benchmark: Benchmark = {
  name: 'w1',
  workload: 'W1',
  title: 'a month of upstream traffic for a 20-EVSE site: direct vs the real hub in proxy and hub mode, plain and with every saving',
  async run(progress): Promise<BenchResult> {
    const days = Number(process.env.BENCH_W1_DAYS ?? 1);
    if (!Number.isInteger(days) || days < 1 || days > 30) throw new Error(`BENCH_W1_DAYS must be a whole number of days from 1 to 30, got ${process.env.BENCH_W1_DAYS}`);
    const only = process.env.BENCH_W1_SETUPS?.split(',').map((x) => x.trim());
    const stream = w1Stream(Date.UTC(2026, 0, 5), days);
    const counts = streamCounts(stream);
    progress(`stream: ${stream.events.length} events in ${days} days: ${JSON.stringify(counts)}`);

    progress('(a) direct');
    const a = await runDirect(stream, progress);
    progress(`(a) ${fmtMB(a.monthBytes)} per month, ${a.seconds.toFixed(0)} s`);
    const others: Scenario[] = [];
    const latencies: { mode: string; latency: LatencyResult }[] = [];
    for (const setup of SETUPS.filter((x) => !only || only.includes(x.id))) {
      progress(setup.label.slice(0, 60));
      const run = await runRealHub(stream, setup, progress);
      progress(`(${setup.id}) ${fmtMB(run.result.monthBytes)} per month, ${run.result.seconds.toFixed(0)} s`);
      others.push({ id: setup.id, measured: run.result });
      if (run.latency) latencies.push({ mode: setup.upstream.mode, latency: run.latency });
    }
    const all = [a, ...others.map((o) => o.measured)];
    const notes = [
      `Simulated ${days} days (FakeClock, 60 s steps; every event over real loopback sockets), scaled x${(MONTH_DAYS / days).toFixed(3)} to 30 days. Stream: ${JSON.stringify(counts)}.`,
      `Counted on the CSMS's side: TCP bytes both ways (WebSocket headers and masks, compressed payloads as compressed, HTTP upgrades of reconnects) + ${PER_FRAME_OVERHEAD_BYTES} bytes per frame (data, ping, pong, close). The initial connect and boot of every link is not counted.`,
      '(b)-(e) run the real hub (startHub, SQLite outbox, on the same FakeClock); in hub mode its site heartbeat goes only after 300 s without traffic (the hub has no fixed-interval heartbeat).',
      ...all.map(
        (m) =>
          `${m.label}: ${fmtMB(m.monthBytes)}/month = ${fmtMB((m.wire.bytes * MONTH_DAYS) / days)} wire + ${fmtMB((m.wire.frames * PER_FRAME_OVERHEAD_BYTES * MONTH_DAYS) / days)} frame overhead; ${Math.round(m.frames).toLocaleString('en-US')} frames/month (${Math.round((m.wire.controlFrames * MONTH_DAYS) / days).toLocaleString('en-US')} control); ran ${m.seconds.toFixed(0)} s${m.extra ? `; ${m.extra}` : ''}`,
      ),
    ];
    return { rows: rowsOf(a, others, latencies), notes };
  },
};
