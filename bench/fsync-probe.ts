/**
 * How long one small write plus fdatasync takes in a directory: the floor under the latency of
 * a store that makes every commit durable before it answers.
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Durations in ms of `count` appends of 200 bytes, each followed by fdatasync. */
export function fsyncLatenciesMs(parentDir: string, count: number): number[] {
  const dir = mkdtempSync(join(parentDir, 'switchyard-fsync-'));
  const fd = openSync(join(dir, 'probe'), 'a');
  const chunk = Buffer.alloc(200, 120);
  const out: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      writeSync(fd, chunk);
      fdatasyncSync(fd);
      out.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
