/**
 * For bench/wire-marks-report.mjs: reads a scheduler trace (`perf script -F time,cpu,tid,event,trace
 * --ns` of sched_switch and sched_wakeup, recorded with -k CLOCK_MONOTONIC) and sorts every
 * segment of a forwarded call over a threshold by what the thread that had to act next went
 * through: woken late (it slept: for the hub, an fsync on the event loop or waiting for the
 * pool's), woken at once but left waiting for a CPU (and behind which thread), or neither.
 * Helper threads are told apart by thread id: a process's threads other than its main thread.
 */

/** Which process's main thread acts at the end of each segment. */
const ACTOR = { toFwd: 'hub', fwd: 'hub', toCsms: 'bench', toBack: 'hub', back: 'hub', toSta: 'bench' };
const SEGMENT_ENDS = { toFwd: ['s0', 'h1'], fwd: ['h1', 'h2'], toCsms: ['h2', 'c1'], toBack: ['c2', 'h3'], back: ['h3', 'h4'], toSta: ['h4', 's5'] };

export function schedTally(text, calls, procs, thresholdNs) {
  const events = parse(text);
  const firstAtOrAfter = (t) => {
    let a = 0;
    let b = events.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (events[m].t < t) a = m + 1;
      else b = m;
    }
    return a;
  };
  // A thread of another process started after the hub (tids rise) would count as the hub's: the
  // hub's and the benchmark's threads are all created before the measured window.
  // The hub's thread-pool threads are the ones that sleep in disk I/O again and again (its
  // fsyncs); V8's threads do so only now and then (unmapping memory).
  const sleepsInIo = new Map();
  for (const e of events) if (e.kind === 'switch' && e.state === 'D' && e.prev > procs.hub.pid && e.prev < procs.hub.pid + 16) sleepsInIo.set(e.prev, (sleepsInIo.get(e.prev) ?? 0) + 1);
  const hubPool = new Set([...sleepsInIo].filter(([, n]) => n >= 100).map(([tid]) => tid));
  const owner = (tid) => {
    if (tid === procs.hub.pid) return 'the hub main thread';
    if (hubPool.has(tid)) return 'a hub thread-pool thread (its fsync done)';
    if (tid === procs.bench.pid) return 'the benchmark main thread';
    if (tid === 0) return 'nothing (idle)';
    if (tid > procs.hub.pid && tid < procs.hub.pid + 16) return 'a hub V8 helper thread (compiler, collector)';
    if (tid > procs.bench.pid && tid < procs.bench.pid + 16) return 'a benchmark helper thread (V8, libuv)';
    return 'another process';
  };
  /** Who ran the longest on each CPU in [a, b]. */
  const busiestOther = (a, b, exceptTid) => {
    const running = [undefined, undefined];
    for (let i = firstAtOrAfter(a) - 1; i >= 0 && running.some((r) => r === undefined); i--) {
      const e = events[i];
      if (e.kind === 'switch' && running[e.cpu] === undefined) running[e.cpu] = e.next;
    }
    const ran = new Map();
    const since = [a, a];
    const add = (cpu, until) => {
      const tid = running[cpu];
      if (tid !== undefined && tid !== exceptTid && tid !== 0) ran.set(tid, (ran.get(tid) ?? 0) + until - since[cpu]);
      since[cpu] = until;
    };
    for (let i = firstAtOrAfter(a); i < events.length && events[i].t <= b; i++) {
      const e = events[i];
      if (e.kind !== 'switch' || e.cpu > 1) continue;
      add(e.cpu, e.t);
      running[e.cpu] = e.next;
    }
    add(0, b);
    add(1, b);
    const top = [...ran].sort((x, y) => y[1] - x[1])[0];
    return top ? owner(top[0]) : 'nothing (idle)';
  };
  const tally = new Map();
  const count = (k) => tally.set(k, (tally.get(k) ?? 0) + 1);
  for (const c of calls) {
    for (const [seg, [from, to]] of Object.entries(SEGMENT_ENDS)) {
      const x = c.t[from];
      const y = c.t[to];
      if (y - x < thresholdNs) continue;
      const actor = ACTOR[seg] === 'hub' ? procs.hub.pid : procs.bench.pid;
      let woken;
      let switchedIn;
      let sleptInIo = false;
      for (let i = firstAtOrAfter(x); i < events.length && events[i].t <= y; i++) {
        const e = events[i];
        if (e.kind === 'wakeup' && e.tid === actor) woken = e;
        if (e.kind === 'switch' && e.next === actor) switchedIn = e;
        if (e.kind === 'switch' && e.prev === actor && e.state === 'D') sleptInIo = true;
      }
      const name = `${seg} (${ACTOR[seg]} acts)`;
      if (woken && switchedIn && switchedIn.t >= woken.t && switchedIn.t - woken.t > (y - x) / 2) {
        count(`${name}: woken at once, then waited for a CPU behind ${busiestOther(woken.t, switchedIn.t, actor)}`);
      } else if (sleptInIo) {
        count(`${name}: its main thread slept in disk I/O (D state) on the way`);
      } else if (woken && woken.t - x > (y - x) / 2) {
        count(`${name}: woken late, by ${owner(woken.waker)}`);
      } else {
        count(`${name}: neither (running, or preempted: ${busiestOther(x, y, actor)} ran most)`);
      }
    }
  }
  return [...tally].sort((a, b) => b[1] - a[1]);
}

function parse(text) {
  const events = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:(\w+):\s+(.*)$/.exec(line);
    if (!m) continue;
    const t = Math.round(parseFloat(m[3]) * 1e9);
    const cpu = Number(m[2]);
    if (m[4] === 'sched_switch') {
      const s = /prev_pid=(\d+) .*prev_state=(\S+) ==> next_comm=.* next_pid=(\d+)/.exec(m[5]);
      if (s) events.push({ t, cpu, kind: 'switch', prev: Number(s[1]), state: s[2], next: Number(s[3]) });
    } else if (m[4] === 'sched_wakeup') {
      const s = / pid=(\d+) /.exec(m[5]);
      if (s) events.push({ t, cpu, kind: 'wakeup', tid: Number(s[1]), waker: Number(m[1]) });
    }
  }
  return events.sort((a, b) => a.t - b.t);
}
