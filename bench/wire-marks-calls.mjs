/**
 * The forwarded calls in the marks `bench/wire-marks.mjs` left in a directory: each process's
 * file, and every call through a forwarder (the hub or the bare relay) matched with the
 * benchmark process's own marks by message id, as eight instants on CLOCK_MONOTONIC (ns):
 *   s0 charger writes the CALL, h1 forwarder reads it, h2 forwarder writes the CALL upstream,
 *   c1 CSMS reads it, c2 CSMS writes its answer, h3 forwarder reads the answer,
 *   h4 forwarder writes the station's answer, s5 charger reads it.
 */
import fs from 'node:fs';

/** Segment name, from, to. */
export const SEGMENTS = [
  ['toFwd', 's0', 'h1'],
  ['fwd', 'h1', 'h2'],
  ['toCsms', 'h2', 'c1'],
  ['csms', 'c1', 'c2'],
  ['toBack', 'c2', 'h3'],
  ['back', 'h3', 'h4'],
  ['toSta', 'h4', 's5'],
  ['total', 's0', 's5'],
];

export const KINDS = ['MV16', 'Authorize', 'TE', 'MV201'];

/** The processes of a run: hub, relay (if it ran) and the benchmark process. */
export function loadMarks(dir) {
  const procs = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')));
  const find = (re) => procs.filter((p) => p.argv.some((a) => re.test(a))).sort((a, b) => b.rows.length - a.rows.length)[0];
  const hub = find(/main\.js$/);
  const bench = find(/bench\/run\.ts$/);
  if (!hub || !bench) throw new Error(`no hub or benchmark marks in ${dir}`);
  for (const p of [hub, bench]) indexFrames(p);
  const relay = find(/relay-server/);
  if (relay) indexFrames(relay);
  return { hub, relay, bench };
}

/** The last `n` calls of each kind through the forwarder `p` (or the `n` before the last `skip`), by kind. */
export function measuredCalls(p, bench, n, skip = 0) {
  const all = callsThrough(p, bench);
  return Object.fromEntries(KINDS.map((k) => [k, all.filter((c) => c.action === k).slice(-n - skip, skip > 0 ? -skip : undefined)]));
}

export function percentile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((q / 100) * s.length) - 1)];
}

export const ms = (ns) => (ns / 1e6).toFixed(2);

function frameOf(head) {
  const m = /^\[(\d),"([^"]+)"(?:,"(\w+)")?/.exec(head);
  if (!m) return undefined;
  let action = m[3];
  if (action === 'MeterValues') action = head.includes('"evseId"') ? 'MV201' : 'MV16';
  // TE: the Updated events measured; a transaction's Started (at a charger's connect) is not one.
  if (action === 'TransactionEvent') action = head.includes('"eventType":"Started"') ? 'TEStarted' : 'TE';
  return { type: Number(m[1]), id: m[2], action };
}

/** Parses each socket row's frame (row.frame) and keeps the first time of each (direction, side, type, id). */
function indexFrames(p) {
  p.firstAt = new Map();
  for (const r of p.rows) {
    if (r[1] !== 'r' && r[1] !== 'w') continue;
    const f = frameOf(r[3]);
    if (!f) continue;
    r.frame = f;
    const key = `${r[1]}:${r[2].startsWith('in:') ? 'in' : 'out'}:${f.type}:${f.id}`;
    if (!p.firstAt.has(key)) p.firstAt.set(key, r[0]);
  }
}

function callsThrough(p, bench) {
  const upstreamCalls = p.rows.filter((r) => r[1] === 'w' && r[2].startsWith('out:') && r.frame?.type === 2);
  const out = [];
  let w = 0;
  for (const r of p.rows) {
    const f = r.frame;
    if (r[1] !== 'r' || !r[2].startsWith('in:') || f?.type !== 2) continue;
    while (w < upstreamCalls.length && (upstreamCalls[w][0] < r[0] || upstreamCalls[w].frame.action !== f.action)) w++;
    if (w >= upstreamCalls.length) break;
    const up = upstreamCalls[w].frame.id;
    const t = {
      s0: bench.firstAt.get(`w:out:2:${f.id}`),
      h1: r[0],
      h2: upstreamCalls[w][0],
      c1: bench.firstAt.get(`r:in:2:${up}`),
      c2: bench.firstAt.get(`w:in:3:${up}`),
      h3: p.firstAt.get(`r:out:3:${up}`),
      h4: p.firstAt.get(`w:in:3:${f.id}`),
      s5: bench.firstAt.get(`r:out:3:${f.id}`),
    };
    if (Object.values(t).some((v) => v === undefined)) continue;
    out.push({ action: f.action, t });
  }
  return out;
}
