/**
 * Figures about another process read from Linux /proc: resident memory, CPU time, open file
 * descriptors, and the TCP ports it listens on. Linux only.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Resident set size of a process, in KiB (VmRSS). */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]);
}

/** Open file descriptors of a process (entries of /proc/<pid>/fd). */
export function openFdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

let ticksPerS: number | undefined;

function clockTicksPerS(): number {
  if (ticksPerS === undefined) {
    try {
      ticksPerS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerS = 100;
    }
  }
  return ticksPerS;
}

export interface CpuTime {
  userMs: number;
  systemMs: number;
}

/** User and system CPU time of a process (all its threads) so far, in ms. */
export function cpuTime(pid: number): CpuTime {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which is in parentheses and may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const msPerTick = 1000 / clockTicksPerS();
  return { userMs: Number(fields[11]) * msPerTick, systemMs: Number(fields[12]) * msPerTick };
}

/**
 * Time the process's threads have run so far, ms, from the scheduler's own accounting
 * (/proc/<pid>/task/<tid>/schedstat, nanoseconds): exact, where /proc/<pid>/stat's user and
 * system times are sampled at each clock tick and lean towards whatever runs when a timer
 * fires. Threads that ended are not counted.
 */
export function scheduledMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended while we looked
    }
  }
  return ns / 1e6;
}

/**
 * Context switches of all the process's threads so far (voluntary: it slept, e.g. the event
 * loop waiting for a socket or the thread pool; involuntary: the scheduler took the CPU away).
 * Every sleep and wake-up costs system CPU, more so in a virtual machine.
 */
export function contextSwitches(pid: number): { voluntary: number; involuntary: number } {
  let voluntary = 0;
  let involuntary = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    } catch {
      continue; // the thread ended while we looked
    }
    voluntary += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    involuntary += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return { voluntary, involuntary };
}

export interface MainThreadStats {
  /** CPU time of the main thread (the event loop), ms. */
  ranMs: number;
  /** Time the main thread was runnable but waited for a CPU, ms (schedstat's run delay). */
  waitedMs: number;
  /** Times the scheduler took the CPU away from the main thread. */
  involuntary: number;
  /** CPU time of every other thread (V8's compiler and collector helpers, the libuv pool), ms. */
  othersRanMs: number;
}

/**
 * The main thread's share of a process's scheduling, from /proc/<pid>/task/<tid>/schedstat
 * (run time, run-queue wait, nanoseconds) and its status: how long the event loop waited for a
 * CPU while it had work, and how much the process's other threads ran meanwhile. (All Node
 * threads are named "node"; the main thread's id is the process id.)
 */
export function mainThreadStats(pid: number): MainThreadStats {
  const out: MainThreadStats = { ranMs: 0, waitedMs: 0, involuntary: 0, othersRanMs: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [ranNs = 0, waitedNs = 0] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      if (Number(tid) !== pid) {
        out.othersRanMs += ranNs / 1e6;
        continue;
      }
      out.ranMs = ranNs / 1e6;
      out.waitedMs = waitedNs / 1e6;
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      out.involuntary = Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      // the thread ended while we looked
    }
  }
  return out;
}

/** TCP ports (IPv4 and IPv6) on which the process has a listening socket. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      // the descriptor closed while we looked
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const local = f[1];
      const state = f[3];
      const inode = f[9];
      if (!local || state !== '0A' || !inode || !inodes.has(inode)) continue; // 0A = LISTEN
      ports.add(parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
    }
  }
  return [...ports];
}
