/**
 * W2: the latency the hub adds to a forwarded call in proxy mode, across processes, on an idle
 * hub. The hub runs as its own process (the CLI, as in the scale benchmark) in proxy mode
 * towards a counting CSMS in this process; one OCPP 1.6 charger goes straight to the CSMS
 * (the baseline, same run) and one through the hub, alternately, one call at a time: a
 * MeterValues (billing data: stored in the outbox before the charger is answered) and an
 * Authorize (relayed live, the CSMS's answer is final); then the same with one OCPP 2.0.1
 * charger each way and a TransactionEvent (Updated). W1's latency bench measures the 1.6 part
 * with the hub in the benchmark's own process.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { systemClock } from '../src/util/clock.js';
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { startHubTarget, startRelayTarget } from './scale-target.js';
import { contextSwitches, cpuTime, mainThreadStats, scheduledMs } from './proc-stats.js';
import { percentile } from './stats.js';
import { W1Csms } from './w1-csms.js';
import { measureLatency } from './w1-latency.js';
import { measureTxEventLatency } from './proxy-latency-201.js';

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
};

/**
 * An idle Node process that samples its own event-loop delay the way the hub's /metrics does
 * (monitorEventLoopDelay, 10 ms resolution) until told to stop: what the machine's scheduler
 * alone does to a process's p99 meanwhile, the baseline for the hub's figure.
 */
function idleLoopProbe(): { stop: () => Promise<number> } {
  const script = [
    "const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 });",
    'h.enable();',
    "process.stdin.on('data', () => { h.disable(); process.stdout.write(String(h.percentile(99) / 1e6)); process.exit(0); });",
  ].join(' ');
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      child.stdin.write('x');
      await ended;
      return Number(out);
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
    try {
      const clock = systemClock();
      const viaArrival = (identity: string) => ({ identity, action: 'MeterValues' });
      // Warm-up: the measured sequence itself (1.6, then 2.0.1, on fresh connections), whole
      // rounds of it. A warm-up of one kind only left the next kind's first calls to reshape and
      // recompile the shared code (socket streams, records, the outbox) while being measured.
      for (let round = 1; round <= SETTINGS.warmupRounds; round++) {
        progress(`warming up: round ${round} of ${SETTINGS.warmupRounds}, ${SETTINGS.warmupCalls} calls of each kind`);
        await measureLatency({ csms, hubUrl: hub.url, clock, calls: SETTINGS.warmupCalls, viaArrival });
        await measureTxEventLatency({ csms, hubUrl: hub.url, clock, calls: SETTINGS.warmupCalls, prefix: `W2-LAT-201-WARM${round}` });
      }
      progress(`${SETTINGS.calls} calls of each kind, alternating direct and through the hub`);
      await hub.eventLoopP99Ms?.(); // the metric resets at every scrape: from here on
      const idleProbe = idleLoopProbe();
      const cpu0 = cpuTime(hub.proc.pid);
      const switches0 = contextSwitches(hub.proc.pid);
      const ran0 = scheduledMs(hub.proc.pid);
      const main0 = mainThreadStats(hub.proc.pid);
      const latency = await measureLatency({ csms, hubUrl: hub.url, clock, calls: SETTINGS.calls, viaArrival });
      progress(`2.0.1: ${SETTINGS.calls} TransactionEvents each way`);
      const tx201 = await measureTxEventLatency({ csms, hubUrl: hub.url, clock, calls: SETTINGS.calls, prefix: 'W2-LAT-201' });
      const cpu1 = cpuTime(hub.proc.pid);
      const switches1 = contextSwitches(hub.proc.pid);
      const ran1 = scheduledMs(hub.proc.pid);
      const main1 = mainThreadStats(hub.proc.pid);
      const loopP99Ms = (await hub.eventLoopP99Ms?.()) ?? Number.NaN;
      const idleLoopP99Ms = await idleProbe.stop();
      // The floor of any forwarder in its own process here: the same calls through a bare ws relay,
      // after the hub (stopped first: its links use the same identities at the CSMS).
      await hub.stop();
      progress('the same calls through a bare ws relay process');
      const relay = await startRelayTarget(csms.url, SETTINGS.relayBusyUsPerFrame);
      let relayed: { latency: Awaited<ReturnType<typeof measureLatency>>; tx201: Awaited<ReturnType<typeof measureTxEventLatency>> };
      try {
        for (let round = 1; round <= SETTINGS.warmupRounds; round++) {
          await measureLatency({ csms, hubUrl: relay.url, clock, calls: SETTINGS.warmupCalls, viaArrival });
          await measureTxEventLatency({ csms, hubUrl: relay.url, clock, calls: SETTINGS.warmupCalls, prefix: `W2-LAT-201R-WARM${round}` });
        }
        relayed = {
          latency: await measureLatency({ csms, hubUrl: relay.url, clock, calls: SETTINGS.calls, viaArrival }),
          tx201: await measureTxEventLatency({ csms, hubUrl: relay.url, clock, calls: SETTINGS.calls, prefix: 'W2-LAT-201R' }),
        };
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
      const { latency: rl, tx201: rt } = relayed;
      const kinds = [
        ['MeterValues, charger round trip', latency.viaHub.meterRoundTripMs, latency.direct.meterRoundTripMs, rl.viaHub.meterRoundTripMs, rl.direct.meterRoundTripMs],
        ['MeterValues, charger sends -> CSMS receives', latency.viaHub.meterToCsmsMs, latency.direct.meterToCsmsMs, rl.viaHub.meterToCsmsMs, rl.direct.meterToCsmsMs],
        ['Authorize, charger round trip', latency.viaHub.authorizeRoundTripMs, latency.direct.authorizeRoundTripMs, rl.viaHub.authorizeRoundTripMs, rl.direct.authorizeRoundTripMs],
        ['2.0.1 TransactionEvent Updated, charger round trip', tx201.viaHub.roundTripMs, tx201.direct.roundTripMs, rt.viaHub.roundTripMs, rt.direct.roundTripMs],
        ['2.0.1 TransactionEvent Updated, charger sends -> CSMS receives', tx201.viaHub.toCsmsMs, tx201.direct.toCsmsMs, rt.viaHub.toCsmsMs, rt.direct.toCsmsMs],
        ['2.0.1 MeterValues outside a transaction, charger round trip', tx201.viaHub.meterRoundTripMs, tx201.direct.meterRoundTripMs, rt.viaHub.meterRoundTripMs, rt.direct.meterRoundTripMs],
      ] as const;
      for (const [what, via, direct, viaRelay, directRelay] of kinds) {
        for (const q of [50, 99]) {
          const hubAdded = percentile(via, q) - percentile(direct, q);
          const relayAdded = percentile(viaRelay, q) - percentile(directRelay, q);
          rows.push({ metric: `p${q}, ${what}, via hub`, value: percentile(via, q), unit: 'ms', baseline: { label: 'direct', value: percentile(direct, q) }, digits: 2 });
          rows.push({ metric: `p${q} added by the hub, ${what}`, value: hubAdded, unit: 'ms', baseline: { label: 'added by a bare ws relay process', value: relayAdded }, digits: 2 });
        }
      }
      return {
        rows,
        notes: [
          `${SETTINGS.calls} calls of each kind after ${SETTINGS.warmupRounds} warm-up round(s) of the whole sequence with ${SETTINGS.warmupCalls} calls of each kind (BENCH_PROXY_WARMUP_ROUNDS, BENCH_PROXY_WARMUP_CALLS; the relay gets the same warm-up); each charger has one open transaction; the hub has no other station (the 2.0.1 warm-up pairs stay connected, idle).`,
          `Hub: the compiled CLI in proxy mode, admitUnknownStations on, logs at warn, SQLite (synchronous=FULL) in a temp dir under ${tmpdir()} (TMPDIR chooses it: a tmpfs there takes the disk's fsync out of the figures); the CSMS and both chargers run in the benchmark process.`,
          `The CSMS answers after ${SETTINGS.csmsDelayMs} ms (BENCH_PROXY_CSMS_DELAY_MS; 0: at once, on loopback).`,
          `The relay spins ${SETTINGS.relayBusyUsPerFrame} µs on the CPU per forwarded frame (BENCH_PROXY_RELAY_BUSY_US; 0: a bare relay).`,
          '"Added" is the difference of the percentiles (via hub minus direct), not a percentile of differences.',
          `The baseline of "added": the same calls through a bare ws relay in its own process (bench/relay-server.ts: frames forwarded verbatim, no parsing or storage), measured after the hub in the same run against its own direct calls: the floor of any forwarder in its own Node process on this machine.`,
        ],
      };
    } finally {
      await hub.stop();
      await csms.close();
    }
  },
};
