/**
 * One station pipelining CALLs against another station's answers (issue: one station pipelining
 * 100,000 CALLs delayed others by seconds). A hub runs as a child process with two stations; the
 * well-behaved one sends a Heartbeat, waits for its answer, pauses 50 ms, and so on, and the bench
 * reports its round-trip time: quiet (the in-run baseline) and while the other station writes
 * `BENCH_PIPELINE_N` (20,000) Heartbeats at once. `SWITCHYARD_HUB_DIR` runs another checkout's hub.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { WebSocket } from 'ws';
import type { Benchmark, BenchResult } from './bench-types.js';
import { percentile } from './stats.js';
import { repoRoot, sleepMs } from './server-process.js';

const OCPP_PORT = 19_331;
const API_PORT = 19_332;
const QUIET_MS = 10_000;
const BOOT = { chargePointVendor: 'Bench', chargePointModel: 'B1' };

/** A raw 1.6 station: `call` sends one CALL and resolves with the answer frame. */
async function station(id: string): Promise<{ ws: WebSocket; call(action: string, payload: unknown): Promise<unknown[]> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${OCPP_PORT}/ocpp/${id}`, ['ocpp1.6']);
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  const waiting = new Map<string, (frame: unknown[]) => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as unknown[];
    waiting.get(String(frame[1]))?.(frame);
    waiting.delete(String(frame[1]));
  });
  let n = 0;
  return {
    ws,
    call: (action, payload) =>
      new Promise((resolve) => {
        const id = `${action}-${n++}`;
        waiting.set(id, resolve);
        ws.send(JSON.stringify([2, id, action, payload]));
      }),
  };
}

async function rtts(good: Awaited<ReturnType<typeof station>>, until: () => boolean): Promise<number[]> {
  const out: number[] = [];
  while (!until()) {
    const t0 = performance.now();
    await good.call('Heartbeat', {});
    out.push(performance.now() - t0);
    await sleepMs(50);
  }
  return out;
}

async function run(progress: (line: string) => void): Promise<BenchResult> {
  const n = Number(process.env.BENCH_PIPELINE_N ?? 20_000);
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-pipeline-flood-'));
  const hubDir = process.env.SWITCHYARD_HUB_DIR ?? repoRoot;
  writeFileSync(
    join(dir, 'site.yaml'),
    `server: { host: 127.0.0.1, port: ${OCPP_PORT} }\napi: { host: 127.0.0.1, port: ${API_PORT} }\ndata: { dir: ${dir} }\nstations:\n  - { id: GOOD, securityProfile: 0 }\n  - { id: FLOOD, securityProfile: 0 }\n`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', join(dir, 'site.yaml'), '--json-logs', '--log-level', 'error'], { cwd: hubDir, stdio: 'ignore' });
  try {
    let good: Awaited<ReturnType<typeof station>> | undefined;
    for (let i = 0; !good; i++) {
      try {
        good = await station('GOOD');
      } catch {
        if (i > 1200) throw new Error('the hub did not start');
        await sleepMs(100);
      }
    }
    await good.call('BootNotification', BOOT);
    const flood = await station('FLOOD');
    await flood.call('BootNotification', BOOT);
    progress(`hub from ${hubDir} up`);
    const quietEnd = performance.now() + QUIET_MS;
    const quiet = await rtts(good, () => performance.now() > quietEnd);
    progress(`quiet p50 ${percentile(quiet, 50).toFixed(2)} ms`);
    let answered = 0;
    const kinds = new Map<string, number>();
    const t0 = performance.now();
    let floodDoneMs = 0;
    flood.ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as unknown[];
      const kind = frame[0] === 3 ? 'result' : String(frame[2]);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      answered += 1;
      if (answered === n) floodDoneMs = performance.now() - t0;
    });
    const frames = Array.from({ length: n }, (_, i) => JSON.stringify([2, `p${i}`, 'Heartbeat', {}]));
    for (const f of frames) flood.ws.send(f);
    const during = await rtts(good, () => answered >= n || performance.now() - t0 > 60_000);
    progress(`during flood p50 ${percentile(during, 50).toFixed(2)} ms, max ${Math.max(...during).toFixed(1)} ms; flood answers ${JSON.stringify(Object.fromEntries(kinds))}`);
    good.ws.close();
    flood.ws.close();
    return {
      rows: [
        { metric: `other station's Heartbeat RTT p50 while one pipelines ${n}`, value: percentile(during, 50), unit: 'ms', baseline: { label: 'quiet', value: percentile(quiet, 50) }, digits: 2 },
        { metric: `other station's Heartbeat RTT max while one pipelines ${n}`, value: Math.max(...during), unit: 'ms', baseline: { label: 'quiet', value: Math.max(...quiet) }, digits: 1 },
        { metric: `time until all ${n} pipelined CALLs were answered`, value: floodDoneMs / 1000, unit: 's', digits: 2 },
      ],
      notes: [`hub from ${hubDir}; ${quiet.length} quiet and ${during.length} flood round trips`, `answers to the pipelining station: ${JSON.stringify(Object.fromEntries(kinds))} (of ${n}; ${answered} answered)`],
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  name: 'pipeline-flood',
  workload: 'abuse',
  title: "another station's round trip while one station pipelines thousands of CALLs, vs quiet",
  run,
};
