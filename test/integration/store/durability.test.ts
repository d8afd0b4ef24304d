import { describe, it, expect, afterEach } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../../src/store/store.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/write-events.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Lines to see before pulling the plug: enough that the kill lands mid-stream. */
const KILL_AFTER_LINES = 300;
/** Every wait here ends on an event (lines printed, the exit); this only stops a hung run. */
const CAP_MS = 180_000;

interface Outcome {
  printedSeqNos: number[];
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the writer and SIGKILLs it once it has printed KILL_AFTER_LINES seqNos. */
function runAndKill(dbPath: string, track: (child: ChildProcess) => void): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dbPath], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    let out = '';
    let stderr = '';
    let lines = 0;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      lines += chunk.split('\n').length - 1;
      if (lines >= KILL_AFTER_LINES && child.exitCode === null) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      // Only complete lines count: each was printed after its write returned.
      const complete = out.slice(0, out.lastIndexOf('\n') + 1);
      const printedSeqNos = complete.split('\n').filter(Boolean).map(Number);
      resolve({ printedSeqNos, signal, stderr });
    });
  });
}

describe('store durability', () => {
  let dir: string | undefined;
  let child: ChildProcess | undefined;

  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('every event acknowledged before a SIGKILL is in the database after reopening', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-durability-'));
    const dbPath = path.join(dir, 'hub.db');

    const outcome = await runAndKill(dbPath, (c) => (child = c));
    expect(outcome.stderr).toBe('');
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.printedSeqNos.length).toBeGreaterThanOrEqual(KILL_AFTER_LINES);

    const store = openStore({ path: dbPath });
    try {
      const stored = new Set(store.transactions.events('CP-1', 'tx-durable').map((e) => e.seqNo));
      const missing = outcome.printedSeqNos.filter((seqNo) => !stored.has(seqNo));
      expect(missing).toEqual([]);
      const summary = store.transactions.get('CP-1', 'tx-durable');
      expect(summary?.lastSeqNo).toBeGreaterThanOrEqual(Math.max(...outcome.printedSeqNos));
    } finally {
      store.close();
    }
  }, CAP_MS);
});
