/**
 * W2: the latency the hub adds to a forwarded call in proxy mode, across processes, on an idle
 * hub. The hub runs as its own process (the CLI, as in the scale benchmark) in proxy mode
 * towards a counting CSMS in this process; one OCPP 1.6 charger goes straight to the CSMS
 * (the baseline, same run) and one through the hub, alternately, one call at a time: a
 * MeterValues (billing data: stored in the outbox before the charger is answered) and an
 * Authorize (relayed live, the CSMS's answer is final); then the same with one OCPP 2.0.1
 * charger each way and a TransactionEvent (Updated). W1's latency bench measures the 1.6 part
 * with the hub in the benchmark's own process.
 * Then the same four kinds once more with each kind's calls rotating over several chargers per
 * side (BENCH_PROXY_CHARGERS_PER_KIND), each connected and in its own transaction: one charger's
 * consecutive messages are then tens of ms apart (real chargers: 10-60 s) instead of ~2 ms, so a
 * transaction message no longer meets its own previous message's fsync (at most one unsynced
 * answer per station). The back-to-back figure stays the first and the default measurement.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { systemClock } from '../src/util/clock.js';
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { startHubTarget, startRelayTarget } from './scale-target.js';
import { contextSwitches, cpuTime, mainThreadStats, scheduledMs } from './proc-stats.js';
import { percentile } from './stats.js';
import { W1Csms } from './w1-csms.js';
import { measureLatency, type LatencyResult } from './w1-latency.js';
import { measureTxEventLatency, type TxEventSamples } from './proxy-latency-201.js';

const SETTINGS = {
  /**
   * Calls of each kind per warm-up round, and rounds (each the whole measured sequence). After 2
   * rounds V8 was still compiling the hub's code for the first time (TurboFan jobs of 1-6 ms on
   * its helper threads all through the measured window); after 6 it has mostly settled, as a hub
   * that has run for a while has.
   */
  warmupCalls: Number(process.env['BENCH_PROXY_WARMUP_CALLS'] ?? 500),
  warmupRounds: Number(process.env['BENCH_PROXY_WARMUP_ROUNDS'] ?? 6),
  calls: Number(process.env['BENCH_PROXY_CALLS'] ?? 300),
  /** The CSMS answers after this delay (both paths): a CSMS farther away than loopback. */
  csmsDelayMs: Number(process.env['BENCH_PROXY_CSMS_DELAY_MS'] ?? 0),
  /** The baseline relay spins this long per forwarded frame (a forwarder with CPU work and nothing else). */
  relayBusyUsPerFrame: Number(process.env['BENCH_PROXY_RELAY_BUSY_US'] ?? 0),
  /**
   * The second measurement: each kind's calls rotate over this many chargers per side. 8 gave
   * 9-15 ms between one charger's messages on this machine, 16 about twice that.
   */
  chargersPerKind: Number(process.env['BENCH_PROXY_CHARGERS_PER_KIND'] ?? 16),
  /** BENCH_PROXY_201_FIRST=1: each sequence measures the 2.0.1 pair before the 1.6 one (does the kind measured first fare worse?). */
  first201: process.env['BENCH_PROXY_201_FIRST'] === '1',
  /** Unmeasured calls of each kind between the loop metric's scrape and the measured window. */
  settleCalls: Number(process.env['BENCH_PROXY_SETTLE_CALLS'] ?? 100),
};

/** One measured sequence: 1.6 MeterValues + Authorize, then 2.0.1 TransactionEvent + MeterValues. */
interface Sequence {
  latency: LatencyResult;
  tx201: { viaHub: TxEventSamples; direct: TxEventSamples };
}

async function measureSequence(csms: W1Csms, url: string, calls: number, prefix: string, chargers = 1): Promise<Sequence> {
  const clock = systemClock();
  const viaArrival = (identity: string) => ({ identity, action: 'MeterValues' });
  const measure16 = () => measureLatency({ csms, hubUrl: url, clock, calls, viaArrival, chargers });
  const measure201 = () => measureTxEventLatency({ csms, hubUrl: url, clock, calls, prefix, chargers });
  if (SETTINGS.first201) {
    const tx201 = await measure201();
    return { latency: await measure16(), tx201 };
  }
  const latency = await measure16();
  return { latency, tx201: await measure201() };
}

/** Per kind, p50 and p99 through the forwarder and added by it (hub, and the bare relay as its baseline). */
function addedRows(hub: Sequence, relay: Sequence, suffix: string): BenchRow[] {
  const { latency: hl, tx201: ht } = hub;
  const { latency: rl, tx201: rt } = relay;
  const kinds = [
    ['MeterValues, charger round trip', hl.viaHub.meterRoundTripMs, hl.direct.meterRoundTripMs, rl.viaHub.meterRoundTripMs, rl.direct.meterRoundTripMs],
    ['MeterValues, charger sends -> CSMS receives', hl.viaHub.meterToCsmsMs, hl.direct.meterToCsmsMs, rl.viaHub.meterToCsmsMs, rl.direct.meterToCsmsMs],
    ['Authorize, charger round trip', hl.viaHub.authorizeRoundTripMs, hl.direct.authorizeRoundTripMs, rl.viaHub.authorizeRoundTripMs, rl.direct.authorizeRoundTripMs],
    ['2.0.1 TransactionEvent Updated, charger round trip', ht.viaHub.roundTripMs, ht.direct.roundTripMs, rt.viaHub.roundTripMs, rt.direct.roundTripMs],
    ['2.0.1 TransactionEvent Updated, charger sends -> CSMS receives', ht.viaHub.toCsmsMs, ht.direct.toCsmsMs, rt.viaHub.toCsmsMs, rt.direct.toCsmsMs],
    ['2.0.1 MeterValues outside a transaction, charger round trip', ht.viaHub.meterRoundTripMs, ht.direct.meterRoundTripMs, rt.viaHub.meterRoundTripMs, rt.direct.meterRoundTripMs],
  ] as const;
  const rows: BenchRow[] = [];
  for (const [what, via, direct, viaRelay, directRelay] of kinds) {
    for (const q of [50, 99]) {
      const hubAdded = percentile(via, q) - percentile(direct, q);
      const relayAdded = percentile(viaRelay, q) - percentile(directRelay, q);
      rows.push({ metric: `p${q}, ${what}, via hub${suffix}`, value: percentile(via, q), unit: 'ms', baseline: { label: 'direct', value: percentile(direct, q) }, digits: 2 });
      rows.push({ metric: `p${q} added by the hub, ${what}${suffix}`, value: hubAdded, unit: 'ms', baseline: { label: 'added by a bare ws relay process', value: relayAdded }, digits: 2 });
    }
  }
  return rows;
}

/** How far apart one charger's consecutive transaction messages were through the hub: p50 and min. */
function gapRows(hub: Sequence, suffix: string): BenchRow[] {
  const kinds = [
    ['1.6 MeterValues', hub.latency.viaHub.meterGapMs],
    ['2.0.1 TransactionEvents', hub.tx201.viaHub.eventGapMs],
  ] as const;
  return kinds.flatMap(([what, gapsMs]) => [
    { metric: `one charger's consecutive ${what}, sent to sent, p50${suffix}`, value: percentile(gapsMs, 50), unit: 'ms', digits: 1 },
    { metric: `one charger's consecutive ${what}, sent to sent, min${suffix}`, value: Math.min(...gapsMs), unit: 'ms', digits: 1 },
  ]);
}

/**
 * An idle Node process that samples its own event-loop delay the way the hub's /metrics does
 * (monitorEventLoopDelay, 10 ms resolution) until told to stop: what the machine's scheduler
 * alone does to a process's p99 meanwhile, the baseline for the hub's figure.
 */
function idleLoopProbe(): { ready: Promise<void>; stop: () => Promise<number> } {
  const script = [
    "const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 });",
    'h.enable();',
    "process.stdout.write('ready ');",
    "process.stdin.on('data', () => { h.disable(); process.stdout.write(String(h.percentile(99) / 1e6)); process.exit(0); });",
  ].join(' ');
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready ')) markReady();
  });
  const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    ready,
    async stop() {
      child.stdin.write('x');
      await ended;
      return Number(out.slice('ready '.length));
    },
  };
}

export const benchmark: Benchmark = {
  name: 'proxy-latency',
  workload: 'W2',
  title: 'latency added by the hub in proxy mode (hub in its own process) vs direct to the same CSMS',
  async run(progress): Promise<BenchResult> {
    const csms = new W1Csms({ perMessageDeflate: false, answerDelayMs: SETTINGS.csmsDelayMs });
    await csms.open;
    const hub = await startHubTarget(0, [
      `upstream: { mode: proxy, url: '${csms.url}', pingIntervalS: 0 }`,
    ]);
    const rotating = SETTINGS.chargersPerKind;
    try {
      // Warm-up: the measured sequence itself (1.6, then 2.0.1, on fresh connections), whole
      // rounds of it. A warm-up of one kind only left the next kind's first calls to reshape and
      // recompile the shared code (socket streams, records, the outbox) while being measured.
      for (let round = 1; round <= SETTINGS.warmupRounds; round++) {
        progress(`warming up: round ${round} of ${SETTINGS.warmupRounds}, ${SETTINGS.warmupCalls} calls of each kind`);
        await measureSequence(csms, hub.url, SETTINGS.warmupCalls, `W2-LAT-201-WARM${round}`);
      }
      progress(`${SETTINGS.calls} calls of each kind, alternating direct and through the hub, one charger per kind and side`);
      // The idle probe is a Node process of its own: started, and its start-up over, before the
      // measured calls (a process starting up takes a vCPU for tens of ms).
      const idleProbe = idleLoopProbe();
      await idleProbe.ready;
      await hub.eventLoopP99Ms?.(); // the metric resets at every scrape: from here on
      // The scrape leaves the hub with its garbage (the whole /metrics text): a short unmeasured
      // sequence takes what follows it (measured first, Authorize's added p99 was 1.7-2.9 ms after
      // the scrape and 0.8-1.4 ms without it, 4 pairs).
      await measureSequence(csms, hub.url, SETTINGS.settleCalls, 'W2-LAT-201-SETTLE');
      const cpu0 = cpuTime(hub.proc.pid);
      const switches0 = contextSwitches(hub.proc.pid);
      const ran0 = scheduledMs(hub.proc.pid);
      const main0 = mainThreadStats(hub.proc.pid);
      const backToBack = await measureSequence(csms, hub.url, SETTINGS.calls, 'W2-LAT-201');
      const cpu1 = cpuTime(hub.proc.pid);
      const switches1 = contextSwitches(hub.proc.pid);
      const ran1 = scheduledMs(hub.proc.pid);
      const main1 = mainThreadStats(hub.proc.pid);
      const loopP99Ms = (await hub.eventLoopP99Ms?.()) ?? Number.NaN;
      const idleLoopP99Ms = await idleProbe.stop();
      // One warm-up round with as many chargers first: as with the back-to-back charger, the
      // measured 1.6 chargers reconnect as stations the hub knows, the 2.0.1 ones are new (a known
      // 2.0.1 identity would repeat its seqNos, which the hub answers as retries without relaying).
      progress(`the same calls rotating over ${rotating} chargers per kind and side (one warm-up round first)`);
      await measureSequence(csms, hub.url, SETTINGS.warmupCalls, 'W2-LAT-201-ROTWARM', rotating);
      const spaced = await measureSequence(csms, hub.url, SETTINGS.calls, 'W2-LAT-201-ROT', rotating);
      // The floor of any forwarder in its own process here: the same calls through a bare ws relay,
      // after the hub (stopped first: its links use the same identities at the CSMS).
      await hub.stop();
      progress('the same calls through a bare ws relay process');
      const relay = await startRelayTarget(csms.url, SETTINGS.relayBusyUsPerFrame);
      let relayed: { backToBack: Sequence; spaced: Sequence };
      try {
        for (let round = 1; round <= SETTINGS.warmupRounds; round++) await measureSequence(csms, relay.url, SETTINGS.warmupCalls, `W2-LAT-201R-WARM${round}`);
        const relayBackToBack = await measureSequence(csms, relay.url, SETTINGS.calls, 'W2-LAT-201R');
        await measureSequence(csms, relay.url, SETTINGS.warmupCalls, 'W2-LAT-201R-ROTWARM', rotating);
        relayed = { backToBack: relayBackToBack, spaced: await measureSequence(csms, relay.url, SETTINGS.calls, 'W2-LAT-201R-ROT', rotating) };
      } finally {
        await relay.stop();
      }
      // Through the hub: 1.6 MeterValues + Authorize, 2.0.1 TransactionEvent + MeterValues, per
      // round (and the measured 2.0.1 pair's connect, boot and Started: a few calls more).
      const callsThroughHub = 4 * SETTINGS.calls;
      const rows: BenchRow[] = [
        { metric: 'hub CPU (user + system, all threads; sampled at clock ticks) per call through it', value: (cpu1.userMs + cpu1.systemMs - cpu0.userMs - cpu0.systemMs) / callsThroughHub, unit: 'ms', digits: 3 },
        { metric: 'hub CPU per call through it, as the scheduler counts it (schedstat: exact, all threads)', value: (ran1 - ran0) / callsThroughHub, unit: 'ms', digits: 3 },
        { metric: 'hub CPU per call: user', value: (cpu1.userMs - cpu0.userMs) / callsThroughHub, unit: 'ms', digits: 3 },
        { metric: 'hub CPU per call: system', value: (cpu1.systemMs - cpu0.systemMs) / callsThroughHub, unit: 'ms', digits: 3 },
        { metric: 'hub context switches per call (all threads; voluntary: a sleep and a wake-up)', value: (switches1.voluntary - switches0.voluntary) / callsThroughHub, unit: '', digits: 2 },
        { metric: 'hub context switches per call, involuntary', value: (switches1.involuntary - switches0.involuntary) / callsThroughHub, unit: '', digits: 2 },
        { metric: "hub main thread: time it waited for a CPU while runnable, per call (schedstat run delay; 1.6 and 2.0.1 phases)", value: (main1.waitedMs - main0.waitedMs) / callsThroughHub, unit: 'ms', digits: 3 },
        { metric: 'hub main thread: CPU taken away by the scheduler (involuntary switches) per call', value: (main1.involuntary - main0.involuntary) / callsThroughHub, unit: '', digits: 2 },
        { metric: "hub's other threads (V8 compiler and collector helpers, libuv pool): CPU per call", value: (main1.othersRanMs - main0.othersRanMs) / callsThroughHub, unit: 'ms', digits: 3 },
        { metric: 'hub event-loop delay p99 while measuring (10 ms sampling interval included)', value: loopP99Ms, unit: 'ms', baseline: { label: 'an idle node process meanwhile', value: idleLoopP99Ms }, digits: 2 },
      ];
      const suffix = `, rotating over ${rotating} chargers`;
      rows.push(...gapRows(backToBack, ''), ...addedRows(backToBack, relayed.backToBack, ''));
      rows.push(...gapRows(spaced, suffix), ...addedRows(spaced, relayed.spaced, suffix));
      return {
        rows,
        notes: [
          `${SETTINGS.calls} calls of each kind after ${SETTINGS.warmupRounds} warm-up round(s) of the whole sequence with ${SETTINGS.warmupCalls} calls of each kind (BENCH_PROXY_WARMUP_ROUNDS, BENCH_PROXY_WARMUP_CALLS; the relay gets the same warm-up); each charger has one open transaction; the hub has no other station (the 2.0.1 warm-up pairs stay connected, idle).`,
          `Hub: the compiled CLI in proxy mode, admitUnknownStations on, logs at warn, SQLite (synchronous=FULL) in a temp dir under ${tmpdir()} (TMPDIR chooses it: a tmpfs there takes the disk's fsync out of the figures); the CSMS and both chargers run in the benchmark process.`,
          `The CSMS answers after ${SETTINGS.csmsDelayMs} ms (BENCH_PROXY_CSMS_DELAY_MS; 0: at once, on loopback).`,
          `The relay spins ${SETTINGS.relayBusyUsPerFrame} µs on the CPU per forwarded frame (BENCH_PROXY_RELAY_BUSY_US; 0: a bare relay).`,
          `Between the scrape that starts the hub's loop-delay window and the measured calls: ${SETTINGS.settleCalls} unmeasured calls of each kind (BENCH_PROXY_SETTLE_CALLS; the scrape's own aftermath fell on the first measured calls).`,
          `Order in each sequence: ${SETTINGS.first201 ? '2.0.1 pair first, then 1.6 (BENCH_PROXY_201_FIRST=1)' : '1.6 first, then the 2.0.1 pair (BENCH_PROXY_201_FIRST=1 swaps them)'}.`,
          '"Added" is the difference of the percentiles (via hub minus direct), not a percentile of differences.',
          `Then the same calls once more with each kind's calls rotating over ${rotating} chargers per side (BENCH_PROXY_CHARGERS_PER_KIND), each connected, booted and in its own transaction, after one warm-up round of ${SETTINGS.warmupCalls} calls of each kind with as many chargers (the 1.6 ones the same identities, as in the back-to-back measurement); the hub's CPU, switches and event-loop rows above cover the back-to-back measurement only.`,
          `The baseline of "added": the same calls through a bare ws relay in its own process (bench/relay-server.ts: frames forwarded verbatim, no parsing or storage), measured after the hub in the same run against its own direct calls: the floor of any forwarder in its own Node process on this machine.`,
        ],
      };
    } finally {
      await hub.stop();
      await csms.close();
    }
  },
};
