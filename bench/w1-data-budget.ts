/**
 * W1: a month of upstream traffic for a 20-EVSE site (all OCPP 1.6), in four set-ups, each
 * counted on the CSMS's side of real loopback sockets (bytes both ways plus 81 bytes per frame):
 *   (a) direct: each charger with its own uncompressed link (the baseline);
 *   (b) proxy: the real hub in proxy mode (one link per station), as configured by default;
 *   (c) hub plain and (d) hub with every saving: one 2.0.1 link for the site, made by the pure
 *       hub-mode translation over a real `ws` link (see w1-hub-link.ts).
 * The month is time-compressed: `BENCH_W1_DAYS` simulated days (default 7, one reboot per EVSE)
 * on a FakeClock in 60 s steps, scaled linearly to 30 days. Also: the latency the hub adds to a
 * forwarded call in proxy mode against a direct connection to the same CSMS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { siteConfigSchema } from '../src/config/schema.js';
import { startHub } from '../src/hub.js';
import { FakeClock } from '../src/util/fake-clock.js';
import { silentLogger } from '../src/util/logger.js';
import { DEFAULT_HUB_MODE_CONFIG } from '../src/upstream/hub-mode/index.js';
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { percentile } from './stats.js';
import { W1Csms, type WireTotals } from './w1-csms.js';
import { playStream } from './w1-drive.js';
import { ChargerFleet } from './w1-fleet.js';
import { HubLinkSite } from './w1-hub-link.js';
import { WireClient } from './w1-wire-client.js';
import { streamCounts, w1Stream, W1_EVSES, type W1Stream } from './w1-workload.js';
import { chargerAnswer16 } from './w1-payloads.js';

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

interface ProxyRun {
  result: Measured;
  latency: LatencyResult;
}

async function runProxy(stream: W1Stream, progress: (l: string) => void): Promise<ProxyRun> {
  const t0 = performance.now();
  const clock = startOf(stream);
  const csms = new W1Csms({ perMessageDeflate: false });
  csms.nowMs = () => clock.nowMs();
  await csms.open;
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-w1-'));
  const config = siteConfigSchema.parse({
    server: { host: '127.0.0.1', port: 0, admitUnknownStations: true, pingIntervalS: 0 },
    api: { port: 0 },
    data: { dir },
    upstream: { mode: 'proxy', url: csms.url },
  });
  const hub = await startHub({ config, configPath: join(dir, 'site.yaml'), log: silentLogger(), clock });
  const fleet = new ChargerFleet({ url: hub.ocppUrl, csms, clock, chargerPingIntervalS: 0, settleMs: 1 });
  try {
    await fleet.bootAll();
    const before = csms.totals();
    await playStream(stream, clock, fleet, STEP_MS, progress);
    const wire = diff(csms.totals(), before);
    const extra = `upstream connections opened during the run: ${wire.connections}`;
    const result = measured('(b) proxy mode (real hub), 20 links, defaults: no compression, ping 60 s', wire, stream.days, (performance.now() - t0) / 1000, extra);
    progress('latency: direct vs through the hub in proxy mode');
    const latency = await measureLatency(csms.url, hub.ocppUrl, clock);
    return { result, latency };
  } finally {
    await fleet.closeAll();
    await hub.stop();
    await csms.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface HubVariant {
  label: string;
  batchWindowS: number;
  deflate: boolean;
  pingIntervalS: number;
  heartbeat: 'fixed' | 'idle';
}

async function runHub(stream: W1Stream, v: HubVariant, progress: (l: string) => void): Promise<Measured> {
  const t0 = performance.now();
  const clock = startOf(stream);
  const deflate = v.deflate ? { threshold: SAVING_DEFLATE_THRESHOLD_BYTES, serverNoContextTakeover: false, clientNoContextTakeover: false } : false;
  const csms = new W1Csms({ perMessageDeflate: deflate });
  csms.nowMs = () => clock.nowMs();
  await csms.open;
  const site = new HubLinkSite({
    csms,
    clock,
    config: { ...DEFAULT_HUB_MODE_CONFIG, batchWindowS: v.batchWindowS },
    perMessageDeflate: deflate,
    pingIntervalS: v.pingIntervalS,
    heartbeat: v.heartbeat,
  });
  try {
    await site.bootAll();
    const before = csms.totals();
    await playStream(stream, clock, site, STEP_MS, progress);
    const wire = diff(csms.totals(), before);
    const sent = Object.entries(site.sent)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    const negotiated = `permessage-deflate negotiated on ${wire.deflateConnections} of 1 connection`;
    return measured(v.label, wire, stream.days, (performance.now() - t0) / 1000, `${negotiated}; upstream CALLs in ${stream.days} days: ${sent}`);
  } finally {
    await site.close();
    await csms.close();
  }
}

interface LatencyResult {
  meterDirect: number[];
  meterProxy: number[];
  authDirect: number[];
  authProxy: number[];
}

/**
 * One charger straight to the CSMS and one through the hub (proxy mode), each with an open
 * transaction; alternately a MeterValues (written to the outbox, then relayed) and an Authorize
 * (relayed live) on each, one at a time. Round trip on the charger's side, performance.now().
 */
async function measureLatency(csmsUrl: string, hubUrl: string, clock: FakeClock): Promise<LatencyResult> {
  const make = (url: string, identity: string) =>
    new WireClient({ url, identity, protocol: 'ocpp1.6', perMessageDeflate: false, answer: (a) => chargerAnswer16(a, clock.nowMs()) });
  const direct = make(csmsUrl, 'W1-LAT-DIRECT');
  const proxied = make(hubUrl, 'W1-LAT-PROXY');
  const result: LatencyResult = { meterDirect: [], meterProxy: [], authDirect: [], authProxy: [] };
  const txIds = new Map<WireClient, number>();
  for (const c of [direct, proxied]) {
    await c.connect();
    await c.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'AC22-1' });
    const started = await c.call('StartTransaction', { connectorId: 1, idTag: '04A1LAT', meterStart: 0, timestamp: new Date(clock.nowMs()).toISOString() });
    txIds.set(c, typeof started === 'object' && started !== null && 'transactionId' in started ? Number(started.transactionId) : 1);
  }
  const timed = async (c: WireClient, action: string, payload: object, into: number[]) => {
    const t = performance.now();
    await c.call(action, payload);
    into.push(performance.now() - t);
  };
  for (let i = 0; i < LATENCY_CALLS; i++) {
    const timestamp = new Date(clock.nowMs()).toISOString();
    const meter = (c: WireClient) => ({
      connectorId: 1,
      transactionId: txIds.get(c) ?? 1,
      meterValue: [{ timestamp, sampledValue: [{ value: String(i * 10), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' }] }],
    });
    const order = i % 2 === 0 ? [direct, proxied] : [proxied, direct];
    for (const c of order) {
      await timed(c, 'MeterValues', meter(c), c === direct ? result.meterDirect : result.meterProxy);
      await timed(c, 'Authorize', { idTag: '04A1LAT' }, c === direct ? result.authDirect : result.authProxy);
    }
  }
  await direct.close();
  await proxied.close();
  return result;
}

const MB = 1_000_000;

function rowsOf(a: Measured, others: Measured[], latency: LatencyResult | undefined): BenchRow[] {
  const rows: BenchRow[] = [];
  const base = { label: '(a) direct', value: a.monthBytes / MB };
  rows.push({ metric: `${a.label}: site, MB per 30 days`, value: a.monthBytes / MB, unit: 'MB', digits: 1 });
  for (const m of others) rows.push({ metric: `${m.label}: site, MB per 30 days`, value: m.monthBytes / MB, unit: 'MB', baseline: base, digits: 1 });
  const best = others[others.length - 1];
  const d5 = others[others.length - 2];
  if (best && d5) {
    rows.push({ metric: 'headline: (a) direct / (d15) every saving, 15 min batches', value: a.monthBytes / best.monthBytes, unit: 'x', digits: 1 });
    rows.push({ metric: 'ratio (a) direct / (d5) every saving, 5 min batches', value: a.monthBytes / d5.monthBytes, unit: 'x', digits: 1 });
    rows.push({
      metric: `(d5) per charger, MB per 30 days (OCPP2.lite budget ${BUDGET_PER_CHARGER_MB} MB)`,
      value: d5.monthBytes / MB / W1_EVSES,
      unit: 'MB',
      baseline: { label: '(a) direct per charger', value: a.monthBytes / MB / W1_EVSES },
      digits: 2,
    });
    rows.push({
      metric: `(d15) per charger, MB per 30 days (OCPP2.lite budget ${BUDGET_PER_CHARGER_MB} MB)`,
      value: best.monthBytes / MB / W1_EVSES,
      unit: 'MB',
      baseline: { label: '(a) direct per charger', value: a.monthBytes / MB / W1_EVSES },
      digits: 2,
    });
  }
  if (latency) {
    for (const [what, d, p] of [
      ['MeterValues (outbox, then relayed)', latency.meterDirect, latency.meterProxy],
      ['Authorize (relayed live)', latency.authDirect, latency.authProxy],
    ] as const) {
      for (const q of [50, 99]) {
        rows.push({
          metric: `round trip p${q}, ${what}, via hub in proxy mode`,
          value: percentile(p, q),
          unit: 'ms',
          baseline: { label: 'direct to the same CSMS', value: percentile(d, q) },
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

export const benchmark: Benchmark = {
  name: 'w1',
  workload: 'W1',
  title: 'a month of upstream traffic for a 20-EVSE site: direct vs proxy vs hub vs hub with every saving',
  async run(progress): Promise<BenchResult> {
    const days = Number(process.env.BENCH_W1_DAYS ?? 7);
    if (!Number.isInteger(days) || days < 1 || days > 30) throw new Error(`BENCH_W1_DAYS must be a whole number of days from 1 to 30, got ${process.env.BENCH_W1_DAYS}`);
    const stream = w1Stream(Date.UTC(2026, 0, 5), days);
    const counts = streamCounts(stream);
    progress(`stream: ${stream.events.length} events in ${days} days: ${JSON.stringify(counts)}`);

    progress('(a) direct');
    const a = await runDirect(stream, progress);
    progress(`(a) ${fmtMB(a.monthBytes)} per month, ${a.seconds.toFixed(0)} s`);
    progress('(b) proxy (real hub)');
    const b = await runProxy(stream, progress);
    progress(`(b) ${fmtMB(b.result.monthBytes)} per month, ${b.result.seconds.toFixed(0)} s`);
    const variants: HubVariant[] = [
      { label: '(c) hub mode plain: one 2.0.1 link, no compression, no batching, ping 60 s, heartbeat every 300 s', batchWindowS: 0, deflate: false, pingIntervalS: 60, heartbeat: 'fixed' },
      { label: '(c+z) hub, deflate only (threshold 32 B, context takeover), otherwise as (c)', batchWindowS: 0, deflate: true, pingIntervalS: 60, heartbeat: 'fixed' },
      { label: '(c+b) hub, 15 min batches only, otherwise as (c)', batchWindowS: 900, deflate: false, pingIntervalS: 60, heartbeat: 'fixed' },
      { label: `(d5) hub, every saving, 5 min batches: deflate (threshold ${SAVING_DEFLATE_THRESHOLD_BYTES} B, context takeover), ping ${SAVING_PING_INTERVAL_S} s, heartbeat only when idle`, batchWindowS: 300, deflate: true, pingIntervalS: SAVING_PING_INTERVAL_S, heartbeat: 'idle' },
      { label: `(d15) hub, every saving, 15 min batches: deflate (threshold ${SAVING_DEFLATE_THRESHOLD_BYTES} B, context takeover), ping ${SAVING_PING_INTERVAL_S} s, heartbeat only when idle`, batchWindowS: 900, deflate: true, pingIntervalS: SAVING_PING_INTERVAL_S, heartbeat: 'idle' },
    ];
    const hubs: Measured[] = [];
    for (const v of variants) {
      progress(v.label.slice(0, 40));
      const m = await runHub(stream, v, progress);
      progress(`${v.label.split(' ')[0] ?? ''} ${fmtMB(m.monthBytes)} per month, ${m.seconds.toFixed(0)} s`);
      hubs.push(m);
    }
    const all = [a, b.result, ...hubs];
    const notes = [
      `Simulated ${days} days (FakeClock, 60 s steps; every event over real loopback sockets), scaled x${(MONTH_DAYS / days).toFixed(3)} to 30 days. Stream: ${JSON.stringify(counts)}.`,
      `Counted on the CSMS's side: TCP bytes both ways (WebSocket headers and masks, compressed payloads as compressed, HTTP upgrades of reconnects) + ${PER_FRAME_OVERHEAD_BYTES} bytes per frame (data, ping, pong, close). The initial connect and boot of every link is not counted.`,
      ...all.map(
        (m) =>
          `${m.label}: ${fmtMB(m.monthBytes)}/month = ${fmtMB((m.wire.bytes * MONTH_DAYS) / days)} wire + ${fmtMB((m.wire.frames * PER_FRAME_OVERHEAD_BYTES * MONTH_DAYS) / days)} frame overhead; ${Math.round(m.frames).toLocaleString('en-US')} frames/month (${Math.round((m.wire.controlFrames * MONTH_DAYS) / days).toLocaleString('en-US')} control); ran ${m.seconds.toFixed(0)} s${m.extra ? `; ${m.extra}` : ''}`,
      ),
      '(c)/(d): hub mode is not wired into the hub yet; these run the pure hub-mode translation (fromCharger + flushDueBatches) and send its output on one real ws link (ws permessage-deflate when on).',
    ];
    return { rows: rowsOf(a, all.slice(1), b.latency), notes };
  },
};
