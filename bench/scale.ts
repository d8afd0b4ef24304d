/**
 * W2 "scale of one box" at N = 1,000 (the Foundation benchmark). The real hub runs as a child
 * process; the baseline is a bare `ws` server that answers every CALL at once, driven the same
 * way in the same run. Half the chargers speak OCPP 1.6, half 2.0.1.
 *
 * Per server: RSS idle and with N connected (memory per connection), the time to connect, boot
 * and start a transaction on all N (100 at a time), messages/s at saturation (every charger sends
 * 20 messages, one in flight each), server CPU time per message, round-trip p50/p99 at light load
 * (one charger at a time), and a reconnect storm (all N drop and reconnect at once; time until
 * all are booted).
 */
import { createPrng } from '../src/sim/prng.js';
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { Fleet } from './fleet.js';
import { tmpdir } from 'node:os';
import { cpuTime, rssKiB } from './proc-stats.js';
import { fsyncLatenciesMs } from './fsync-probe.js';
import { sleepMs } from './server-process.js';
import { BENCH_ID_TAG, startEchoTarget, startHubTarget, type ScaleTarget } from './scale-target.js';
import { percentile } from './stats.js';
import { watchGeneratorLoop, type GeneratorLoop } from './generator-loop.js';
import { closeGcWindow, GC_WINDOW_NODE_ARGS, gcWindowRows, openGcWindow, type GcWindow } from './gc-window.js';
import { writeSlowFile } from './slow-messages.js';

const SETTINGS = {
  /** Chargers connected at once; BENCH_SCALE_N overrides (for a quick try). */
  stations: Number(process.env['BENCH_SCALE_N'] ?? 1000),
  messagesPerStation: 20,
  connectConcurrency: 100,
  latencyWarmup: 20,
  latencySamples: 200,
  callTimeoutMs: 30_000,
  /** Quiet time before reading RSS, so that start-up work and timers settle. */
  settleMs: 1500,
  seed: 2026,
  fsyncSamples: 200,
  /** Steady traffic: every charger sends a meter message every 10 s, for this long. */
  steadyS: Number(process.env['BENCH_SCALE_STEADY_S'] ?? 30),
  steadyIntervalS: 10,
  /** BENCH_SCALE_DECLARED=1: the stations are declared in the site config with an EVSE each. */
  declared: process.env['BENCH_SCALE_DECLARED'] === '1',
  /** BENCH_SCALE_SKIP_ECHO=1: the hub only (e.g. while profiling it); the baseline reads NaN. */
  skipEcho: process.env['BENCH_SCALE_SKIP_ECHO'] === '1',
  /** BENCH_SCALE_GC_WINDOW=1: the hub's collections (and with GC_WINDOW_ALLOC=<file> its allocation) in the steady traffic (bench/gc-window.ts). */
  gcWindow: process.env['BENCH_SCALE_GC_WINDOW'] === '1',
  /**
   * BENCH_SCALE_SLOW_FILE=<file>: writes the hub's steady messages there (send time, round trip)
   * with its window's long turns and clock offsets, for bench/slow-messages.ts.
   */
  slowFile: process.env['BENCH_SCALE_SLOW_FILE'],
};

/** How the hub runs (bench/scale-target.ts: BENCH_HUB_RUNTIME=tsx runs the sources). */
const HUB_COMMAND = process.env['BENCH_HUB_RUNTIME'] === 'tsx' ? 'node --import tsx src/main.ts' : 'node dist/src/main.js, built by npm run build';

interface Figures {
  rssIdleKiB: number;
  rssConnectedKiB: number;
  rssAfterStormKiB: number;
  /** At the end of the steady traffic (all connected, booted and sending). */
  rssSteadyKiB: number;
  heapSteady: { used: number; total: number; external: number } | undefined;
  connectS: number;
  messages: number;
  saturationS: number;
  serverCpuMs: number;
  serverSystemCpuMs: number;
  clientCpuMs: number;
  rtt16: number[];
  rtt201: number[];
  stormS: number;
  /** Chargers that connected and booted in the storm (the others gave up after their connect attempts). */
  stormBooted: number;
  stormRetries: number;
  connectedAfterStorm: number | undefined;
  errors: number;
  errorDetails: string[];
  serverCalls: number;
  startS: number;
  steadyRtts: number[];
  steadySent: number;
  steadySkipped: number;
  steadyCpuPct: number;
  steadyLoopP99Ms: number | undefined;
  steadyLoopMaxMs: number | undefined;
  /** The load generator's own event-loop delay and collections in the steady traffic. */
  steadyGenerator: GeneratorLoop | undefined;
  /** Median and slowest of API_SAMPLES GETs, one after the other. */
  apiSiteMs: number | undefined;
  apiHealthMs: number | undefined;
  apiSiteMaxMs: number | undefined;
  apiHealthMaxMs: number | undefined;
  /** The hub's V8 heap and external memory with all connected, MiB. */
  heapConnected: { used: number; total: number; external: number } | undefined;
  /** The hub's decisions (count, total wall time s) while connecting, in the steady phase and in the storm. */
  control: { connect: ControlDelta; steady: ControlDelta; storm: ControlDelta } | undefined;
  /** The hub's collections during the steady traffic (BENCH_SCALE_GC_WINDOW=1). */
  steadyGc: GcWindow | undefined;
}

interface ControlDelta {
  decisions: number;
  decisionS: number;
}

const NO_STATS: ControlDelta = { decisions: Number.NaN, decisionS: Number.NaN };

/** The target's decision counters now (NaN when it has none or does not answer). */
async function controlNow(target: ScaleTarget): Promise<ControlDelta> {
  return (await target.controlStats?.().catch(() => undefined)) ?? NO_STATS;
}

function delta(a: ControlDelta, b: ControlDelta): ControlDelta {
  return { decisions: b.decisions - a.decisions, decisionS: b.decisionS - a.decisionS };
}

/** GETs of each API path with all stations connected (median and maximum reported). */
const API_SAMPLES = 5;

/** API_SAMPLES timings of one path, one after the other; undefined for a server without an API. */
async function apiTimes(target: ScaleTarget, path: string): Promise<number[] | undefined> {
  if (!target.apiGetMs) return undefined;
  const out: number[] = [];
  for (let i = 0; i < API_SAMPLES; i++) out.push(await orNaN(target.apiGetMs(path)) ?? Number.NaN);
  return out;
}

async function measure(target: ScaleTarget, progress: (line: string) => void): Promise<Figures> {
  const pid = target.proc.pid;
  const fleet = new Fleet({
    url: target.url,
    size: SETTINGS.stations,
    checkBootStatus: target.answersBoot,
    idTag: BENCH_ID_TAG,
    callTimeoutMs: SETTINGS.callTimeoutMs,
    prng: createPrng(SETTINGS.seed),
  });
  try {
    await sleepMs(SETTINGS.settleMs);
    const rssIdleKiB = rssKiB(pid);

    const c0 = await controlNow(target);
    progress(`${target.label}: connecting ${fleet.size} chargers`);
    let t0 = performance.now();
    await fleet.connectAll(SETTINGS.connectConcurrency);
    const connectS = (performance.now() - t0) / 1000;
    await sleepMs(SETTINGS.settleMs);
    const rssConnectedKiB = rssKiB(pid);
    const heapConnected = await target.heapMiB?.().catch(() => undefined);
    const c1 = await controlNow(target);

    const apiSiteAll = await apiTimes(target, '/api/site');
    const apiHealthAll = await apiTimes(target, '/api/health');
    const apiSiteMs = apiSiteAll && percentile(apiSiteAll, 50);
    const apiHealthMs = apiHealthAll && percentile(apiHealthAll, 50);
    const apiSiteMaxMs = apiSiteAll && Math.max(...apiSiteAll);
    const apiHealthMaxMs = apiHealthAll && Math.max(...apiHealthAll);

    const rate = fleet.size / SETTINGS.steadyIntervalS;
    progress(`${target.label}: steady traffic, ${rate} msg/s for ${SETTINGS.steadyS} s`);
    await orNaN(target.eventLoopP99Ms?.());
    const c2 = await controlNow(target);
    const steadyCpu0 = cpuTime(pid);
    const t1 = performance.now();
    const gcWindow = SETTINGS.gcWindow && target.label.startsWith('hub');
    if (gcWindow) openGcWindow(target.proc);
    const stopGenerator = watchGeneratorLoop();
    const steady = await fleet.steady(rate, SETTINGS.steadyS * 1000);
    const steadyGenerator = stopGenerator();
    const steadyCpu1 = cpuTime(pid);
    const steadyGc = gcWindow ? await closeGcWindow(target.proc) : undefined;
    if (SETTINGS.slowFile && target.label.startsWith('hub')) writeSlowFile(SETTINGS.slowFile, { sentAtMs: steady.sentAtMs, rttMs: steady.rtts, ...(steadyGc ? { gcWindow: steadyGc } : {}) });
    const steadyCpuPct = (100 * (steadyCpu1.userMs + steadyCpu1.systemMs - steadyCpu0.userMs - steadyCpu0.systemMs)) / (performance.now() - t1);
    const rssSteadyKiB = rssKiB(pid);
    const steadyLoop = await target.eventLoopLagMs?.().catch(() => ({ p99: Number.NaN, max: Number.NaN }));
    const steadyLoopP99Ms = steadyLoop?.p99;
    const steadyLoopMaxMs = steadyLoop?.max;
    const c3 = await controlNow(target);
    const heapSteady = await target.heapMiB?.().catch(() => undefined);

    progress(`${target.label}: ${fleet.size} x ${SETTINGS.messagesPerStation} messages at saturation`);
    const cpu0 = cpuTime(pid);
    const client0 = process.cpuUsage();
    t0 = performance.now();
    const messages = await fleet.sendAll(SETTINGS.messagesPerStation);
    const saturationS = (performance.now() - t0) / 1000;
    const cpu1 = cpuTime(pid);
    const serverSystemCpuMs = cpu1.systemMs - cpu0.systemMs;
    const serverCpuMs = cpu1.userMs - cpu0.userMs + serverSystemCpuMs;
    const clientUsage = process.cpuUsage(client0);
    const clientCpuMs = (clientUsage.user + clientUsage.system) / 1000;

    progress(`${target.label}: round trips at light load`);
    const s16 = fleet.stationOf('1.6');
    const s201 = fleet.stationOf('2.0.1');
    await fleet.probe(s16, SETTINGS.latencyWarmup);
    await fleet.probe(s201, SETTINGS.latencyWarmup);
    const rtt16 = await fleet.probe(s16, SETTINGS.latencySamples);
    const rtt201 = await fleet.probe(s201, SETTINGS.latencySamples);

    progress(`${target.label}: reconnect storm`);
    const retriesBefore = fleet.retries;
    const c4 = await controlNow(target);
    fleet.dropAll();
    t0 = performance.now();
    const stormBooted = await fleet.reconnectAll();
    const stormS = (performance.now() - t0) / 1000;
    const connectedAfterStorm = await settledCount(target, fleet.size);
    await sleepMs(SETTINGS.settleMs);
    const rssAfterStormKiB = rssKiB(pid);
    const c5 = await controlNow(target);

    return {
      rssIdleKiB,
      rssConnectedKiB,
      rssAfterStormKiB,
      rssSteadyKiB,
      heapSteady,
      connectS,
      messages,
      saturationS,
      serverCpuMs,
      serverSystemCpuMs,
      clientCpuMs,
      rtt16,
      rtt201,
      stormS,
      stormBooted,
      stormRetries: fleet.retries - retriesBefore,
      connectedAfterStorm,
      errors: fleet.errors.total,
      errorDetails: fleet.errors.describe(),
      serverCalls: fleet.serverCalls,
      startS: target.startS,
      steadyRtts: steady.rtts,
      steadySent: steady.sent,
      steadySkipped: steady.skipped,
      steadyCpuPct,
      steadyLoopP99Ms,
      steadyLoopMaxMs,
      steadyGenerator,
      apiSiteMs,
      apiHealthMs,
      apiSiteMaxMs,
      apiHealthMaxMs,
      heapConnected,
      control: { connect: delta(c0, c1), steady: delta(c2, c3), storm: delta(c4, c5) },
      steadyGc,
    };
  } finally {
    fleet.dropAll();
  }
}

/** What the server reports as connected once old sessions are gone (waits up to 5 s). */
async function settledCount(target: ScaleTarget, expected: number): Promise<number | undefined> {
  const ask = target.stationsConnected;
  if (!ask) return undefined;
  // A hub too busy to answer its API counts as "unknown", not as a failed run.
  const count = () => ask().catch(() => Number.NaN);
  let n = await count();
  for (let i = 0; i < 50 && n !== expected; i++) {
    await sleepMs(100);
    n = await count();
  }
  return n;
}

/** An API timing, or NaN when the server did not answer (in time). */
function orNaN(p: Promise<number> | undefined): Promise<number | undefined> {
  return p ? p.catch(() => Number.NaN) : Promise.resolve(undefined);
}

function rows(hub: Figures, echo: Figures, fsyncMs: number[]): BenchRow[] {
  const n = SETTINGS.stations;
  const b = (value: number) => ({ label: 'bare ws echo', value });
  const mib = (kib: number) => kib / 1024;
  const perConnKiB = (f: Figures) => (f.rssConnectedKiB - f.rssIdleKiB) / n;
  const rate = (f: Figures) => f.messages / f.saturationS;
  const cpuPerMsgUs = (f: Figures) => (f.serverCpuMs * 1000) / f.messages;
  const cpuPct = (f: Figures, ms: number) => (100 * ms) / (f.saturationS * 1000);
  return [
    { metric: 'server RSS, idle', value: mib(hub.rssIdleKiB), unit: 'MiB', baseline: b(mib(echo.rssIdleKiB)) },
    { metric: `server RSS, ${n} connected`, value: mib(hub.rssConnectedKiB), unit: 'MiB', baseline: b(mib(echo.rssConnectedKiB)) },
    { metric: 'memory per connection', value: perConnKiB(hub), unit: 'KiB', baseline: b(perConnKiB(echo)) },
    { metric: `RSS with ${n} connected / N`, value: hub.rssConnectedKiB / n, unit: 'KiB', baseline: b(echo.rssConnectedKiB / n) },
    ...(['connect', 'steady', 'storm'] as const).map((phase) => ({
      metric: `control decisions while ${phase === 'connect' ? 'connecting' : phase === 'steady' ? 'in steady traffic' : 'in the reconnect storm'} (count; their total wall time)`,
      value: hub.control?.[phase].decisions ?? Number.NaN,
      unit: `(${(hub.control?.[phase].decisionS ?? Number.NaN).toFixed(2)} s)`,
      digits: 0,
    })),
    { metric: `V8 heap used / total with ${n} connected`, value: hub.heapConnected?.used ?? Number.NaN, unit: `MiB (total ${(hub.heapConnected?.total ?? Number.NaN).toFixed(1)} MiB, external ${(hub.heapConnected?.external ?? Number.NaN).toFixed(1)} MiB)` },
    { metric: `RSS at the end of the steady traffic / N`, value: hub.rssSteadyKiB / n, unit: 'KiB', baseline: b(echo.rssSteadyKiB / n) },
    { metric: `V8 heap used / total at the end of the steady traffic`, value: hub.heapSteady?.used ?? Number.NaN, unit: `MiB (total ${(hub.heapSteady?.total ?? Number.NaN).toFixed(1)} MiB, external ${(hub.heapSteady?.external ?? Number.NaN).toFixed(1)} MiB)` },
    { metric: 'start until listening', value: hub.startS, unit: 's', baseline: b(echo.startS), digits: 2 },
    { metric: `connect+boot+start ${n} (100 at a time)`, value: hub.connectS, unit: 's', baseline: b(echo.connectS), digits: 2 },
    { metric: `steady ${n / SETTINGS.steadyIntervalS} msg/s: round trip p50`, value: percentile(hub.steadyRtts, 50), unit: 'ms', baseline: b(percentile(echo.steadyRtts, 50)), digits: 2 },
    { metric: `steady ${n / SETTINGS.steadyIntervalS} msg/s: round trip p99`, value: percentile(hub.steadyRtts, 99), unit: 'ms', baseline: b(percentile(echo.steadyRtts, 99)), digits: 2 },
    ...slicedP99Rows(hub.steadyRtts),
    { metric: `steady ${n / SETTINGS.steadyIntervalS} msg/s: messages answered`, value: hub.steadyRtts.length, unit: 'count', baseline: b(echo.steadyRtts.length), digits: 0 },
    { metric: `steady ${n / SETTINGS.steadyIntervalS} msg/s: server CPU`, value: hub.steadyCpuPct, unit: '% core', baseline: b(echo.steadyCpuPct), digits: 0 },
    { metric: `steady ${n / SETTINGS.steadyIntervalS} msg/s: hub event-loop delay p99 / max (10 ms interval included)`, value: hub.steadyLoopP99Ms ?? Number.NaN, unit: `ms (max ${(hub.steadyLoopMaxMs ?? Number.NaN).toFixed(1)} ms)`, digits: 1 },
    { metric: `steady ${n / SETTINGS.steadyIntervalS} msg/s: load generator event-loop delay p99 / max (10 ms interval included)`, value: hub.steadyGenerator?.loopP99Ms ?? Number.NaN, unit: `ms (max ${(hub.steadyGenerator?.loopMaxMs ?? Number.NaN).toFixed(1)} ms)`, digits: 1 },
    { metric: `steady ${n / SETTINGS.steadyIntervalS} msg/s: load generator GC pauses, total / longest`, value: hub.steadyGenerator?.gcTotalMs ?? Number.NaN, unit: `ms (longest ${(hub.steadyGenerator?.gcMaxMs ?? Number.NaN).toFixed(1)} ms, ${hub.steadyGenerator?.gcCount ?? 0} pauses, ${hub.steadyGenerator?.gcMajorCount ?? 0} mark-compacts)`, digits: 1 },
    ...(hub.steadyGc ? gcWindowRows(hub.steadyGc, hub.steadySent) : []),
    { metric: `GET /api/site, all connected (median of ${API_SAMPLES})`, value: hub.apiSiteMs ?? Number.NaN, unit: 'ms', digits: 1 },
    { metric: `GET /api/site, all connected (slowest of ${API_SAMPLES})`, value: hub.apiSiteMaxMs ?? Number.NaN, unit: 'ms', digits: 1 },
    { metric: `GET /api/health, all connected (median of ${API_SAMPLES})`, value: hub.apiHealthMs ?? Number.NaN, unit: 'ms', digits: 1 },
    { metric: `GET /api/health, all connected (slowest of ${API_SAMPLES})`, value: hub.apiHealthMaxMs ?? Number.NaN, unit: 'ms', digits: 1 },
    { metric: `messages/s at saturation (${n} x ${SETTINGS.messagesPerStation})`, value: rate(hub), unit: 'msg/s', baseline: b(rate(echo)), digits: 0 },
    { metric: 'server CPU per message', value: cpuPerMsgUs(hub), unit: 'us', baseline: b(cpuPerMsgUs(echo)), digits: 0 },
    { metric: 'server system (kernel) CPU per message', value: (hub.serverSystemCpuMs * 1000) / hub.messages, unit: 'us', baseline: b((echo.serverSystemCpuMs * 1000) / echo.messages), digits: 0 },
    { metric: 'server CPU during saturation', value: cpuPct(hub, hub.serverCpuMs), unit: '% core', baseline: b(cpuPct(echo, echo.serverCpuMs)), digits: 0 },
    { metric: 'load generator CPU during saturation', value: cpuPct(hub, hub.clientCpuMs), unit: '% core', baseline: b(cpuPct(echo, echo.clientCpuMs)), digits: 0 },
    { metric: 'round trip p50, 1.6 MeterValues', value: percentile(hub.rtt16, 50), unit: 'ms', baseline: b(percentile(echo.rtt16, 50)), digits: 2 },
    { metric: 'round trip p99, 1.6 MeterValues', value: percentile(hub.rtt16, 99), unit: 'ms', baseline: b(percentile(echo.rtt16, 99)), digits: 2 },
    { metric: 'round trip p50, 2.0.1 TransactionEvent', value: percentile(hub.rtt201, 50), unit: 'ms', baseline: b(percentile(echo.rtt201, 50)), digits: 2 },
    { metric: 'round trip p99, 2.0.1 TransactionEvent', value: percentile(hub.rtt201, 99), unit: 'ms', baseline: b(percentile(echo.rtt201, 99)), digits: 2 },
    {
      // Not "all booted" when some chargers gave up: the time is then until the last one booted or gave up.
      metric: hub.stormBooted === n ? `reconnect storm: all ${n} booted` : `reconnect storm: ${hub.stormBooted} of ${n} booted, the rest gave up (time until the last booted or gave up)`,
      value: hub.stormS, unit: 's', baseline: b(echo.stormS), digits: 2,
    },
    { metric: 'server RSS after the storm', value: mib(hub.rssAfterStormKiB), unit: 'MiB', baseline: b(mib(echo.rssAfterStormKiB)) },
    { metric: 'write + fdatasync in the temp dir, p50', value: percentile(fsyncMs, 50), unit: 'ms', digits: 2 },
    { metric: 'write + fdatasync in the temp dir, p99', value: percentile(fsyncMs, 99), unit: 'ms', digits: 2 },
    { metric: 'errors (non-CALLRESULT, timeouts, failed connects)', value: hub.errors, unit: 'count', baseline: b(echo.errors), digits: 0 },
  ];
}

function notes(hub: Figures, echo: Figures): string[] {
  const out = [
    `${SETTINGS.stations} chargers (half OCPP 1.6, half 2.0.1) over loopback; load generator and servers share the machine.`,
    SETTINGS.declared
      ? `Hub: the CLI (${HUB_COMMAND}), all ${SETTINGS.stations} stations declared in the site config with one 3-phase EVSE each (rows of 50 under one main), security profile 0, logs at warn, SQLite in a temp dir; server.limits.maxConnections N + 100, maxPendingPerAddress 200 (the fleet uses one address).`
      : `Hub: the CLI (${HUB_COMMAND}), admitUnknownStations on (no password hashing per connection), logs at warn, SQLite in a temp dir; server.limits.maxConnections N + 100, maxPendingPerAddress 200 (the fleet uses one address).`,
    `Saturation: ${hub.messages} messages to the hub, ${echo.messages} to the echo server; 9 of 10 are meter samples (9 sampled values), 1 a Heartbeat.`,
    `Steady: every charger sends a meter message every ${SETTINGS.steadyIntervalS} s (${SETTINGS.stations / SETTINGS.steadyIntervalS} msg/s in all) for ${SETTINGS.steadyS} s; sent hub ${hub.steadySent} (skipped, previous call still open: ${hub.steadySkipped}), echo ${echo.steadySent} (${echo.steadySkipped}).`,
    `Round trips: ${SETTINGS.latencySamples} sequential calls per version after ${SETTINGS.latencyWarmup} warm-up calls, with all ${SETTINGS.stations} chargers connected and idle.`,
    `Reconnect storm: retried connections hub ${hub.stormRetries}, echo ${echo.stormRetries}; stations the hub's API reports connected afterwards: ${hub.connectedAfterStorm ?? 'n/a'}.`,
  ];
  if (hub.serverCalls + echo.serverCalls > 0) out.push(`CALLs from the servers to the chargers (answered NotImplemented): hub ${hub.serverCalls}, echo ${echo.serverCalls}.`);
  for (const d of hub.errorDetails) out.push(`hub error: ${d}`);
  for (const d of echo.errorDetails) out.push(`echo error: ${d}`);
  return out;
}

/** Figures of a server that was not run (every figure NaN, no samples). */
function notMeasured(): Figures {
  const nan = Number.NaN;
  return {
    rssIdleKiB: nan, rssConnectedKiB: nan, rssAfterStormKiB: nan, rssSteadyKiB: nan, heapSteady: undefined, connectS: nan, messages: nan, saturationS: nan,
    serverCpuMs: nan, serverSystemCpuMs: nan, clientCpuMs: nan, rtt16: [], rtt201: [], stormS: nan, stormBooted: 0, stormRetries: 0,
    connectedAfterStorm: undefined, errors: 0, errorDetails: [], serverCalls: 0, startS: nan, steadyRtts: [], steadySent: 0,
    steadySkipped: 0, steadyCpuPct: nan, steadyLoopP99Ms: undefined, steadyLoopMaxMs: undefined, steadyGenerator: undefined, apiSiteMs: undefined, apiHealthMs: undefined, apiSiteMaxMs: undefined, apiHealthMaxMs: undefined, heapConnected: undefined, control: undefined, steadyGc: undefined,
  };
}

async function onTarget(start: () => Promise<ScaleTarget>, progress: (line: string) => void): Promise<Figures> {
  const target = await start();
  try {
    return await measure(target, progress);
  } finally {
    await target.stop();
  }
}

export const benchmark: Benchmark = {
  name: 'scale',
  workload: 'W2',
  title: `${SETTINGS.stations} chargers${SETTINGS.declared ? ' (declared)' : ''} on one hub vs a bare ws echo server`,
  async run(progress): Promise<BenchResult> {
    const echo = SETTINGS.skipEcho ? notMeasured() : await onTarget(startEchoTarget, progress);
    const hub = await onTarget(() => startHubTarget(SETTINGS.declared ? SETTINGS.stations : 0, [], SETTINGS.gcWindow ? GC_WINDOW_NODE_ARGS : []), progress);
    progress('fsync latency of the temp dir (where the hub kept its SQLite file)');
    const fsyncMs = fsyncLatenciesMs(tmpdir(), SETTINGS.fsyncSamples);
    return { rows: rows(hub, echo, fsyncMs), notes: notes(hub, echo) };
  },
};

/** Steady windows of 60 s or more: the round trip p99 of each 30 s of it, in answer order (does the tail drift as the database and heap grow?). */
function slicedP99Rows(rtts: readonly number[]): BenchRow[] {
  const slices = Math.floor(SETTINGS.steadyS / 30);
  if (slices < 2 || rtts.length === 0) return [];
  const per = Math.ceil(rtts.length / slices);
  const p99s = Array.from({ length: slices }, (_, i) => percentile(rtts.slice(i * per, (i + 1) * per), 99));
  return [{ metric: 'steady: round trip p99 of each 30 s, first / last (all)', value: p99s[0] ?? Number.NaN, unit: `ms / ${(p99s.at(-1) ?? Number.NaN).toFixed(2)} ms (${p99s.map((x) => x.toFixed(1)).join(', ')})`, digits: 2 }];
}
