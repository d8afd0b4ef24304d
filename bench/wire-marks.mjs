/**
 * Timing marks for proxy-latency, loaded into every process of a run with
 * `NODE_OPTIONS="--import ./bench/wire-marks.mjs"` and `BENCH_WIRE_MARKS_DIR=<dir>` (children
 * inherit both; without the directory this file does nothing). It touches no project code: it
 * wraps Node's socket reads and writes (every WebSocket data frame's first bytes, unmasked, with
 * process.hrtime on CLOCK_MONOTONIC, comparable across processes), the event loop's timers,
 * fdatasync calls and their completion, better-sqlite3 statements slower than 50 µs, and the
 * collector's pauses. Each process writes `<pid>.json` into the directory when it exits or gets
 * SIGTERM. `bench/wire-marks-report.ts` matches the calls and decomposes them.
 */
import process from 'node:process';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { Buffer } from 'node:buffer';
import net from 'node:net';
import fs from 'node:fs';
import timers from 'node:timers';
import { PerformanceObserver, performance } from 'node:perf_hooks';

const dir = process.env.BENCH_WIRE_MARKS_DIR;
if (dir) install(dir);

function install(outDir) {
  const now = () => Number(process.hrtime.bigint());
  const offsetNs = now() - performance.now() * 1e6; // performance.now() -> hrtime ns
  /** [tNs, kind, detail...] rows. */
  const rows = [];
  const head = (buf) => {
    // One WebSocket frame's first payload bytes (text frames only), unmasked.
    if (buf.length < 2) return undefined;
    const opcode = buf[0] & 0x0f;
    if (opcode !== 1) return undefined;
    const masked = (buf[1] & 0x80) !== 0;
    let len = buf[1] & 0x7f;
    let at = 2;
    if (len === 126) at = 4;
    else if (len === 127) at = 10;
    const key = masked ? buf.subarray(at, at + 4) : undefined;
    if (masked) at += 4;
    const n = Math.min(160, buf.length - at);
    if (n <= 0) return undefined;
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = key ? buf[at + i] ^ key[i & 3] : buf[at + i];
    return out.toString('latin1');
  };
  const role = (s) => `${s.server ? 'in' : 'out'}:${s.localPort}:${s.remotePort}`;
  const origEmit = net.Socket.prototype.emit;
  net.Socket.prototype.emit = function (ev, a) {
    if (ev === 'data') {
      const t = now();
      const h = Buffer.isBuffer(a) ? head(a) : undefined;
      if (h !== undefined) rows.push([t, 'r', role(this), h]);
    }
    return origEmit.apply(this, arguments);
  };
  const origWrite = net.Socket.prototype._writeGeneric;
  net.Socket.prototype._writeGeneric = function (writev, data) {
    const t = now();
    let buf;
    if (writev) buf = Buffer.concat(data.slice(0, 2).map((c) => (Buffer.isBuffer(c.chunk) ? c.chunk : Buffer.from(String(c.chunk)))));
    else buf = Buffer.isBuffer(data) ? data : undefined;
    const h = buf ? head(buf) : undefined;
    if (h !== undefined) rows.push([t, 'w', role(this), h]);
    return origWrite.apply(this, arguments);
  };
  // Timers: every callback that runs, with its duration and the function's name.
  const wrapTimer = (orig, kind) =>
    function (fn, ...rest) {
      if (typeof fn !== 'function') return orig.call(this, fn, ...rest);
      const delay = rest[0];
      const wrapped = function () {
        const t = now();
        try {
          return fn.apply(this, arguments);
        } finally {
          rows.push([t, 'timer', kind, fn.name || '?', Number(delay) || 0, now() - t]);
        }
      };
      return orig.call(this, wrapped, ...rest);
    };
  for (const [name, kind] of [['setTimeout', 'T'], ['setInterval', 'I'], ['setImmediate', 'M']]) {
    const g = globalThis[name];
    globalThis[name] = wrapTimer(g, kind);
    timers[name] = globalThis[name];
  }
  const origSync = fs.fdatasync;
  fs.fdatasync = function (fd, cb) {
    const t = now();
    rows.push([t, 'fsync0']);
    return origSync.call(this, fd, (err) => {
      rows.push([now(), 'fsync1', now() - t]);
      cb(err);
    });
  };
  syncBuiltinESMExports();
  // better-sqlite3 statements (the hub's COMMITs and writes): those over 50 µs.
  try {
    const req = createRequire(`${process.cwd()}/package.json`);
    const Database = req('better-sqlite3');
    const origPrepare = Database.prototype.prepare;
    let patched = false;
    Database.prototype.prepare = function () {
      const stmt = origPrepare.apply(this, arguments);
      if (!patched) {
        patched = true;
        const proto = Object.getPrototypeOf(stmt);
        for (const m of ['run', 'get', 'all', 'pluck']) {
          if (m === 'pluck') continue;
          const orig = proto[m];
          proto[m] = function () {
            const t = now();
            const auto = m === 'run' && !this.database.inTransaction;
            try {
              return orig.apply(this, arguments);
            } finally {
              const d = now() - t;
              // 'auto': a write outside any transaction (it commits by itself, with the connection's synchronous setting)
              if (auto || d > 50_000) rows.push([t, auto ? 'auto' : 'sql', this.source.slice(0, 60), d]);
            }
          };
        }
      }
      return stmt;
    };
    // db.exec: the group commit's BEGIN and COMMIT (a COMMIT may run SQLite's automatic checkpoint).
    const origExec = Database.prototype.exec;
    Database.prototype.exec = function (source) {
      const t = now();
      try {
        return origExec.apply(this, arguments);
      } finally {
        const d = now() - t;
        if (d > 50_000) rows.push([t, 'sql', `exec ${String(source).slice(0, 55)}`, d]);
      }
    };
  } catch {
    // not a process with better-sqlite3
  }
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) rows.push([Math.round(offsetNs + e.startTime * 1e6), 'gc', e.detail?.kind ?? 0, Math.round(e.duration * 1e6)]);
  }).observe({ entryTypes: ['gc'] });
  let written = false;
  const flush = () => {
    if (written) return;
    written = true;
    fs.writeFileSync(`${outDir}/${process.pid}.json`, JSON.stringify({ pid: process.pid, argv: process.argv.slice(1), rows }));
  };
  process.on('exit', flush);
  process.on('SIGTERM', () => {
    flush();
    if (process.listenerCount('SIGTERM') === 1) process.exit(0);
  });
}
