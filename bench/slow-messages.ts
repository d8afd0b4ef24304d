/**
 * Which of the hub's long turns the slowest steady messages of `scale` met.
 *
 * `BENCH_SCALE_SLOW_FILE=<file>` makes `scale` write each steady message's send time and round
 * trip, and (with BENCH_SCALE_GC_WINDOW=1 GC_WINDOW_TURNS=1) the hub's long turns in the same
 * window, with the clock offsets that place them on one timeline. Then
 *
 *   npx tsx bench/slow-messages.ts <file> [<hub CPU profile from GC_WINDOW_CPU>]
 *
 * prints how many of the messages over the p99 were in flight across a long turn (a gap of the
 * hub's 1 ms timer over 5 ms), how they cluster in time (200 ms bins), and for each of the worst
 * clusters the hub's gaps, GC pauses and control decisions there and, with a profile, what the hub's main thread ran
 * around it.
 * The profiler itself stops the hub for a few hundred ms when the window opens: leave the first
 * cluster of a profiled run out.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { GcWindow } from './gc-window.js';
import { percentile } from './stats.js';

export interface SlowFile {
  /** Epoch ms at which each answered message was sent, in the order of rttMs. */
  sentAtMs: number[];
  rttMs: number[];
  gcWindow?: GcWindow;
}

export function writeSlowFile(path: string, data: SlowFile): void {
  writeFileSync(path, JSON.stringify(data));
}

const BIN_MS = 200;
const GAP_MS = 5;

/** What ran, by the first of these frames found in a sample's stack (else "other"). */
const KINDS: ReadonlyArray<[string, string]> = [
  ['(garbage collector)', 'GC'],
  ['control/controller', 'control decision'],
  ['history/power-sampler', 'power-history sample'],
  ['history/bucket-write-queue', 'power-history write'],
  ['hub-dashboard-reads', 'dashboard facts'],
  ['evse/keepalive', 'keep-alive pings'],
  ['commitWith', 'group commit'],
  ['answerResult', 'answers sent'],
  ['onCall', 'messages handled'],
  ['onStreamRead', 'socket reads'],
  ['bench/gc-window', 'profiler start'],
];

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** [epoch ms, sample ms, kind or undefined when idle] per sample of the profile. */
function samplesOf(profile: CpuProfile, monotonicToEpochMs: number): Array<[number, number, string | undefined]> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const kindOf = new Map<number, string | undefined>();
  const kind = (id: number): string | undefined => {
    if (kindOf.has(id)) return kindOf.get(id);
    const frames: string[] = [];
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const f = byId.get(x)?.callFrame;
      if (f) frames.push(`${f.functionName} ${f.url}`);
    }
    const idle = frames[0]?.startsWith('(idle)') === true;
    const k = idle ? undefined : (KINDS.find(([frame]) => frames.some((f) => f.includes(frame)))?.[1] ?? 'other');
    kindOf.set(id, k);
    return k;
  };
  let t = profile.startTime;
  return profile.samples.map((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    return [monotonicToEpochMs + t / 1000, dt / 1000, kind(id)];
  });
}

export function report(data: SlowFile, profile?: CpuProfile): string[] {
  const lines: string[] = [];
  const p99 = percentile(data.rttMs, 99);
  const slow = data.sentAtMs.map((at, i) => [at, data.rttMs[i] ?? 0] as const).filter(([, rtt]) => rtt > p99);
  // Not a spread: a long window's messages would pass more arguments than a call takes.
  const t0 = data.sentAtMs.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const w = data.gcWindow;
  const gaps = w?.turns && w.t0EpochMs !== undefined ? w.turns.gaps.map(([at, ms]) => [(w.t0EpochMs ?? 0) + at, ms] as const).filter(([, ms]) => ms > GAP_MS) : undefined;
  lines.push(`${data.rttMs.length} messages, p99 ${p99.toFixed(2)} ms; ${slow.length} over it`);
  if (gaps) {
    const across = slow.filter(([at, rtt]) => gaps.some(([g, ms]) => g < at + rtt && g + ms > at)).length;
    lines.push(`in flight across a hub turn over ${GAP_MS} ms: ${across} of ${slow.length} (${((100 * across) / Math.max(1, slow.length)).toFixed(0)} %); the hub had ${gaps.length} such turns, ${gaps.reduce((a, [, ms]) => a + ms, 0).toFixed(0)} ms in all`);
  } else {
    lines.push('no long turns in the file (run with BENCH_SCALE_GC_WINDOW=1 GC_WINDOW_TURNS=1)');
  }
  const bins = new Map<number, number[]>();
  for (const [at, rtt] of slow) {
    const b = Math.floor((at - t0) / BIN_MS);
    const bin = bins.get(b);
    if (bin) bin.push(rtt);
    else bins.set(b, [rtt]);
  }
  const worst = [...bins].sort((a, b) => b[1].length - a[1].length);
  const inTop = worst.slice(0, 5).reduce((a, [, r]) => a + r.length, 0);
  lines.push(`in ${bins.size} bins of ${BIN_MS} ms; the 5 fullest hold ${inTop}`);
  const samples = profile && w?.monotonicToEpochMs !== undefined ? samplesOf(profile, w.monotonicToEpochMs) : undefined;
  for (const [b, rtts] of worst.slice(0, 10)) {
    const from = t0 + b * BIN_MS;
    let line = `  ${((b * BIN_MS) / 1000).toFixed(1)} s: ${rtts.length} slow (max ${Math.max(...rtts).toFixed(1)} ms)`;
    if (gaps) {
      const near = gaps.filter(([g]) => g >= from - BIN_MS && g < from + 2 * BIN_MS);
      line += `; hub turns ${near.map(([, ms]) => ms.toFixed(0)).join(' ') || 'none'} ms`;
    }
    if (w?.gcStartsMs && w.t0EpochMs !== undefined) {
      // The collections' main-thread pauses around the bin (from the hub's own 'gc' entries).
      const pauses = new Map<string, number>();
      w.gcs.forEach(([kind, ms], i) => {
        const at = (w.t0EpochMs ?? 0) + (w.gcStartsMs?.[i] ?? Number.NaN);
        if (at >= from - BIN_MS && at < from + 2 * BIN_MS) pauses.set(kind, (pauses.get(kind) ?? 0) + ms);
      });
      line += `; GC pauses ${[...pauses].map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(', ') || 'none'} ms`;
    }
    const decided = (w?.decisions ?? []).filter(([at]) => (w?.t0EpochMs ?? 0) + at >= from - BIN_MS && (w?.t0EpochMs ?? 0) + at < from + 2 * BIN_MS);
    if (decided.length > 0) line += `; decisions ended (CPU ms): ${decided.map(([, ms, why]) => `${ms.toFixed(0)} (${why})`).join(', ')}`;
    if (samples) {
      // What the main thread ran from a bin before to a bin after (the turns that held these messages).
      const busy = new Map<string, number>();
      for (const [at, ms, kind] of samples) if (kind && at >= from - BIN_MS && at < from + 2 * BIN_MS) busy.set(kind, (busy.get(kind) ?? 0) + ms);
      line += `; ran: ${[...busy].sort((a, c) => c[1] - a[1]).slice(0, 5).map(([k, ms]) => `${k} ${ms.toFixed(0)}`).join(', ')} ms`;
    }
    lines.push(line);
  }
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, profileFile] = process.argv.slice(2);
  if (!file) {
    console.error('usage: tsx bench/slow-messages.ts <BENCH_SCALE_SLOW_FILE> [<GC_WINDOW_CPU profile>]');
    process.exit(2);
  }
  const data = JSON.parse(readFileSync(file, 'utf8')) as SlowFile;
  const profile = profileFile ? (JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile) : undefined;
  for (const line of report(data, profile)) console.log(line);
}
