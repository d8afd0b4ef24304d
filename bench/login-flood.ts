/**
 * Wrong station passwords against API responsiveness (issue: no lockout, scrypt on the main
 * thread). A hub runs as a child process; the bench probes GET /api/health over keep-alive HTTP
 * every 50 ms and reports its p50/p99 latency: quiet (the in-run baseline), under 25 wrong
 * passwords a second from one address (the per-address wait applies), and under 25 a second
 * spread over 250 loopback addresses (each stays below the free failures, so every try is hashed:
 * this shows hashing off the main thread alone).
 *
 * `SWITCHYARD_HUB_DIR=<checkout>` runs another checkout's hub (e.g. an older commit exported to a
 * folder that links this node_modules) for a before/after comparison.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { WebSocket } from 'ws';
import type { Benchmark, BenchResult } from './bench-types.js';
import { percentile } from './stats.js';
import { repoRoot, sleepMs } from './server-process.js';
import { hashPassword } from '../src/evse/password.js';

const PHASE_MS = 20_000;
const TRIES_PER_S = 25;
const PROBE_EVERY_MS = 50;
const OCPP_PORT = 19_321;
const API_PORT = 19_322;

function probe(agent: Agent): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: API_PORT, path: '/api/health', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - t0));
    }).on('error', reject);
  });
}

/** Probes the API for one phase while `attack` (if any) runs; returns latencies, ms. */
async function phase(agent: Agent, attack?: (i: number) => void): Promise<{ latencies: number[]; tries: number }> {
  const latencies: number[] = [];
  let tries = 0;
  const timer = attack
    ? setInterval(() => {
        attack(tries);
        tries += 1;
      }, 1000 / TRIES_PER_S)
    : undefined;
  const end = performance.now() + PHASE_MS;
  while (performance.now() < end) {
    latencies.push(await probe(agent));
    await sleepMs(PROBE_EVERY_MS);
  }
  clearInterval(timer);
  return { latencies, tries };
}

function wrongLogin(statuses: Map<number, number>, localAddress: string): void {
  const auth = Buffer.from('CP1:not-the-password').toString('base64');
  const ws = new WebSocket(`ws://127.0.0.1:${OCPP_PORT}/ocpp/CP1`, ['ocpp1.6'], { headers: { authorization: `Basic ${auth}` }, localAddress });
  ws.on('unexpected-response', (_req, res) => {
    statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
    res.resume();
    ws.terminate();
  });
  ws.on('error', () => undefined);
}

async function run(progress: (line: string) => void): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-login-flood-'));
  const hubDir = process.env.SWITCHYARD_HUB_DIR ?? repoRoot;
  writeFileSync(
    join(dir, 'site.yaml'),
    `server: { host: 127.0.0.1, port: ${OCPP_PORT} }\napi: { host: 127.0.0.1, port: ${API_PORT} }\ndata: { dir: ${dir} }\nstations:\n  - { id: CP1, passwordHash: '${hashPassword('the-right-password')}' }\n`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', join(dir, 'site.yaml'), '--json-logs', '--log-level', 'error'], { cwd: hubDir, stdio: 'ignore' });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; ; i++) {
      try {
        await probe(agent);
        break;
      } catch {
        if (i > 1200) throw new Error('the hub did not start');
        await sleepMs(100);
      }
    }
    progress(`hub from ${hubDir} up; ${PHASE_MS / 1000} s per phase`);
    const quiet = await phase(agent);
    progress(`quiet p50 ${percentile(quiet.latencies, 50).toFixed(2)} ms`);
    const oneStatuses = new Map<number, number>();
    const one = await phase(agent, () => wrongLogin(oneStatuses, '127.0.0.1'));
    progress(`one address p50 ${percentile(one.latencies, 50).toFixed(2)} ms; answers ${JSON.stringify([...oneStatuses])}`);
    const manyStatuses = new Map<number, number>();
    const many = await phase(agent, (i) => wrongLogin(manyStatuses, `127.0.1.${2 + (i % 250)}`));
    progress(`250 addresses p50 ${percentile(many.latencies, 50).toFixed(2)} ms; answers ${JSON.stringify([...manyStatuses])}`);
    const base = { label: 'quiet', value: percentile(quiet.latencies, 50) };
    const baseP99 = { label: 'quiet', value: percentile(quiet.latencies, 99) };
    return {
      rows: [
        { metric: 'API p50, 25 wrong passwords/s from one address', value: percentile(one.latencies, 50), unit: 'ms', baseline: base, digits: 2 },
        { metric: 'API p99, 25 wrong passwords/s from one address', value: percentile(one.latencies, 99), unit: 'ms', baseline: baseP99, digits: 2 },
        { metric: 'API p50, 25 wrong passwords/s from 250 addresses', value: percentile(many.latencies, 50), unit: 'ms', baseline: base, digits: 2 },
        { metric: 'API p99, 25 wrong passwords/s from 250 addresses', value: percentile(many.latencies, 99), unit: 'ms', baseline: baseP99, digits: 2 },
      ],
      notes: [
        `hub from ${hubDir}; ${quiet.latencies.length}/${one.latencies.length}/${many.latencies.length} probes per phase`,
        `answers to the wrong logins, one address: ${JSON.stringify(Object.fromEntries(oneStatuses))}; 250 addresses: ${JSON.stringify(Object.fromEntries(manyStatuses))}`,
      ],
    };
  } finally {
    agent.destroy();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  name: 'login-flood',
  workload: 'abuse',
  title: 'API latency under 25 wrong station passwords per second (one address, 250 addresses) vs quiet',
  run,
};
