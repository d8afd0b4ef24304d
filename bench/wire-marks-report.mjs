/**
 * Decomposes the forwarded calls of a proxy-latency run from the marks `bench/wire-marks.mjs`
 * left in a directory (segments: bench/wire-marks-calls.mjs): per kind, each segment's p50 / p99
 * / max for the hub and the bare relay of the same run; which segment holds the slowest 1 %;
 * the slowest calls through the hub with what the hub and the benchmark process did meanwhile
 * (timers, collections, SQL over 50 µs, fsyncs). With a scheduler trace of the same run in
 * `<dir>/sched.txt` (`perf record -e sched:sched_switch -e sched:sched_wakeup -a -k CLOCK_MONOTONIC`,
 * then `perf script -F time,cpu,tid,event,trace --ns`), it also says for every segment over 1 ms
 * whether the receiving thread was woken late or woken at once and then waited for a CPU, and
 * behind which thread.
 * Usage: node bench/wire-marks-report.mjs <dir> [calls per kind, 1000] [slowest listed, 20] [skip, 0]
 * The last calls of each kind are the rotating measurement's (proxy-latency.ts); skip leaves that
 * many of each kind off the end: for the back-to-back one, its calls and its warm-up round's
 * (1500 with BENCH_PROXY_CALLS=1000 and the default 500 warm-up calls).
 */
import process from 'node:process';
import fs from 'node:fs';
import { loadMarks, measuredCalls, ms, percentile, SEGMENTS } from './wire-marks-calls.mjs';
import { schedTally } from './wire-marks-sched.mjs';

const say = (line) => process.stdout.write(`${line}\n`);
const [dir, nArg, slowArg, skipArg] = process.argv.slice(2);
const N = Number(nArg ?? 1000);
const SLOW = Number(slowArg ?? 20);
const SKIP = Number(skipArg ?? 0);
const { hub, relay, bench } = loadMarks(dir);
const hubCalls = measuredCalls(hub, bench, N, SKIP);

function table(name, byKind) {
  say(`\n## ${name}: segment p50 / p99 / max, ms`);
  say(`| kind | n | ${SEGMENTS.map((s) => s[0]).join(' | ')} |`);
  for (const [k, cs] of Object.entries(byKind)) {
    const cells = SEGMENTS.map(([, a, b]) => {
      const xs = cs.map((c) => c.t[b] - c.t[a]);
      return `${ms(percentile(xs, 50))} / ${ms(percentile(xs, 99))} / ${ms(Math.max(...xs))}`;
    });
    say(`| ${k} | ${cs.length} | ${cells.join(' | ')} |`);
  }
}

table('hub', hubCalls);
if (relay) table('relay', measuredCalls(relay, bench, N, SKIP));

const slowestFirst = (cs) => [...cs].sort((x, y) => y.t.s5 - y.t.s0 - (x.t.s5 - x.t.s0));
say('\n## hub, slowest 1 % of each kind: mean excess of each segment over its p50, ms');
for (const [k, cs] of Object.entries(hubCalls)) {
  const p50 = Object.fromEntries(SEGMENTS.map(([n, a, b]) => [n, percentile(cs.map((c) => c.t[b] - c.t[a]), 50)]));
  const slow = slowestFirst(cs).slice(0, Math.max(1, Math.round(cs.length / 100)));
  say(`${k}: ${SEGMENTS.map(([n, a, b]) => `${n} ${ms(slow.reduce((s, c) => s + (c.t[b] - c.t[a] - p50[n]), 0) / slow.length)}`).join(', ')}`);
}

const describe = (r) => {
  switch (r[1]) {
    case 'gc':
      return `gc(kind ${r[2]}, ${ms(r[3])})`;
    case 'timer':
      return `timer(${r[2]} ${r[3]} ${r[4]}ms, ran ${ms(r[5])})`;
    case 'sql':
    case 'auto':
      return `${r[1]}(${r[2].replace(/\s+/g, ' ').slice(0, 30)}, ${ms(r[3])})`;
    case 'fsync1':
      return `fsync done(${ms(r[2])})`;
    default:
      return r[1];
  }
};
const eventsIn = (p, from, to) => p.rows.filter((r) => r[0] >= from && r[0] <= to && r[1] !== 'r' && r[1] !== 'w').map((r) => `${ms(r[0] - from)}:${describe(r)}`);

say(`\n## the ${SLOW} slowest calls through the hub, segments (ms), then what the hub and the benchmark process did from 2 ms before (ms from then)`);
for (const c of slowestFirst(Object.values(hubCalls).flat()).slice(0, SLOW)) {
  say(`${c.action}: ${SEGMENTS.map(([n, a, b]) => `${n} ${ms(c.t[b] - c.t[a])}`).join(' ')}`);
  say(`   hub:   ${eventsIn(hub, c.t.s0 - 2e6, c.t.s5).join(' ')}`);
  say(`   bench: ${eventsIn(bench, c.t.s0 - 2e6, c.t.s5).join(' ')}`);
}

if (fs.existsSync(`${dir}/sched.txt`)) {
  say('\n## segments over 1 ms through the hub, by what the receiving thread went through (scheduler trace)');
  const tally = schedTally(fs.readFileSync(`${dir}/sched.txt`, 'utf8'), Object.values(hubCalls).flat(), { hub, bench }, 1e6);
  for (const [k, v] of tally) say(`${v}\t${k}`);
}
