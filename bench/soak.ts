/**
 * Soak (issue item "Soak"): a 24-hour site, time-compressed. The hub runs as a child process
 * (the real CLI on a real SQLite file) in proxy mode and in hub mode, towards a strict CSMS
 * (ocpp-rpc, official schemas) that drops every simulated hour; the hub is SIGKILLed every few
 * simulated hours and restarted on the same data directory; chargers (ocpp-rpc, strict, OCPP 1.6
 * and 2.0.1) charge sessions, reconnect now and then, and retry what was not answered. Samples
 * the hub's RSS, open file descriptors, database and WAL size and outbox depth over time; at the
 * end counts what reached the CSMS: nothing lost, nothing duplicated, one start and one end per
 * transaction, no seqNo gap.
 *
 * What is compressed: a child process cannot take a FakeClock, so simulated time is real time
 * scaled (one simulated hour = SOAK_HOUR_S real seconds, default 6) that stands still while the
 * killed hub starts again (bench/soak-clock.ts; start-up with tsx takes seconds on a busy
 * machine). Compressed: session lengths (1-3 h), meter interval (5 simulated minutes), idle
 * gaps, the CSMS's hourly drop (an outage of 6 simulated minutes), the kill cadence, charger
 * reconnects, and the retention periods (2 simulated hours, pruned every half simulated hour).
 * Not compressed: the hub's upstream reconnect backoff (0.2-0.5 s real, i.e. a few simulated
 * minutes), its call timeouts, heartbeat interval, and timestamps in the messages (wall clock).
 *
 * Settings (environment): SOAK_HOURS (24), SOAK_HOUR_S (6), SOAK_KILL_EVERY_H (3),
 * SOAK_CHARGERS (6, half 1.6 and half 2.0.1), SOAK_MODES (proxy,hub), SOAK_SEED (15).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnHub, type HubProcess } from '../test/helpers/hub-process.js';
import { StrictCsms } from '../test/integration/upstream/strict-csms.js';
import { DB_FILE_NAME } from '../src/config/data-dir.js';
import { createPrng } from '../src/sim/prng.js';
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { repoRoot } from './server-process.js';
import { SoakCharger, type SoakVersion } from './soak-charger.js';
import { SoakClock } from './soak-clock.js';
import { auditSoak, energyValuesOf, type SoakAudit } from './soak-audit.js';
import { formatSample, outboxDepthOf, sampleHub, summarise, type SeriesSummary, type SoakSample } from './soak-samples.js';

type Mode = 'proxy' | 'hub';

interface Settings {
  hours: number;
  hourMs: number;
  killEveryH: number;
  chargers: number;
  modes: Mode[];
  seed: number;
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: expected a positive number, found ${JSON.stringify(raw)}`);
  return n;
}

function settings(): Settings {
  const modes = (process.env['SOAK_MODES'] ?? 'proxy,hub').split(',').map((m) => m.trim());
  for (const m of modes) if (m !== 'proxy' && m !== 'hub') throw new Error(`SOAK_MODES: expected proxy and/or hub, found ${JSON.stringify(m)}`);
  return {
    hours: envNumber('SOAK_HOURS', 24),
    hourMs: envNumber('SOAK_HOUR_S', 6) * 1000,
    killEveryH: envNumber('SOAK_KILL_EVERY_H', 3),
    chargers: Math.max(2, Math.round(envNumber('SOAK_CHARGERS', 6))),
    modes: modes as Mode[],
    seed: envNumber('SOAK_SEED', 15),
  };
}

const SITE_IDENTITY = 'SOAK-SITE';
/** The CSMS's outage each simulated hour, as a fraction of an hour (6 simulated minutes). */
const OUTAGE_H = 0.1;
/** Retention of everything, simulated hours. */
const KEEP_H = 2;
/** Longest real wait for the outbox to drain at the end, ms. */
const DRAIN_LIMIT_MS = 120_000;

function chargerList(n: number): Array<{ id: string; version: SoakVersion }> {
  return Array.from({ length: n }, (_, i) => (i % 2 === 0 ? { id: `SOAK16-${i / 2 + 1}`, version: '1.6' } : { id: `SOAK201-${(i + 1) / 2}`, version: '2.0.1' }));
}

function siteYaml(mode: Mode, csmsUrl: string, s: Settings): string {
  const keepDays = (KEEP_H * s.hourMs) / 1000 / 86_400;
  const stations = chargerList(s.chargers)
    .map((c) => `  - { id: ${c.id}, securityProfile: 0 }`)
    .join('\n');
  return `data:
  dir: ./data
  retention: { messageLogDays: ${keepDays}, meterSamplesDays: ${keepDays}, transactionEventsDays: ${keepDays}, transactionsDays: ${keepDays}, pruneIntervalS: ${s.hourMs / 2000} }
server: { host: 127.0.0.1, pingIntervalS: 0 }
stations:
${stations}
authorization:
  list: [{ idToken: LOCAL1 }]
upstream:
  mode: ${mode}
  url: ${csmsUrl}
${mode === 'hub' ? `  identity: ${SITE_IDENTITY}\n` : ''}  pingIntervalS: 0
  reconnect: { initialDelayS: 0.2, maxDelayS: 0.5 }
`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface ModeResult {
  mode: Mode;
  samples: SoakSample[];
  series: SeriesSummary[];
  audit: SoakAudit;
  kills: number;
  outages: number;
  restartRealS: number[];
  ghostsInHub: number;
  /** 1.6 messages the hub reported as possibly received twice by the CSMS (message log), by action. */
  reportedPossibleDuplicates: Record<string, number>;
  /** 1.6 MeterValues the hub did not send again after a kill or a lost answer: their readings went with the Stop. */
  reportedRestated: number;
  chargerCalls: number;
  chargerRetries: number;
  reconnects: number;
  reboots: number;
  callErrors: Record<string, number>;
  drainedRealS: number;
  realS: number;
}

async function activeInHub(apiUrl: string): Promise<number> {
  const res = await fetch(`${apiUrl}/api/transactions?status=Active`);
  return ((await res.json()) as { transactions: unknown[] }).transactions.length;
}

/**
 * Adds the hub's message-log rows of one action to `seen` (key: row id and time; value: the
 * reported message's action): `UpstreamPossibleDuplicate` (a 1.6 message the CSMS may hold
 * twice), `UpstreamRestatedInStop` (a 1.6 MeterValues whose readings went with the Stop). Read
 * at every sample: the compressed retention prunes the rows after 2 simulated hours.
 */
function collectLogged(dbPath: string, action: string, seen: Map<string, string>): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    const rows = db.prepare<[string], { id: number; time_ms: number; payload_json: string }>('SELECT id, time_ms, payload_json FROM message_log WHERE action = ?').all(action);
    for (const r of rows) seen.set(`${r.id}@${r.time_ms}`, String((JSON.parse(r.payload_json) as { action?: unknown }).action));
  } catch {
    // not there yet, or busy: the next sample reads it
  } finally {
    db?.close();
  }
}

async function runMode(mode: Mode, s: Settings, progress: (line: string) => void): Promise<ModeResult> {
  const dir = mkdtempSync(join(tmpdir(), `switchyard-soak-${mode}-`));
  const csms = new StrictCsms();
  await csms.start();
  const configPath = join(dir, 'site.yaml');
  writeFileSync(configPath, siteYaml(mode, csms.url, s));
  const dbPath = join(dir, 'data', DB_FILE_NAME);
  const possibleDuplicates = new Map<string, string>();
  const restatedReports = new Map<string, string>();
  const collect = (): void => {
    collectLogged(dbPath, 'UpstreamPossibleDuplicate', possibleDuplicates);
    collectLogged(dbPath, 'UpstreamRestatedInStop', restatedReports);
  };
  const startHub = (): Promise<HubProcess> => spawnHub({ args: ['--config', configPath, '--port', '0', '--api-port', '0'], cwd: repoRoot });

  let hub: HubProcess | undefined = await startHub();
  let current: HubProcess = hub;
  const realStart = Date.now();
  const clock = new SoakClock(s.hourMs);
  const simH = (): number => clock.nowH();
  const at = (h: number): Promise<void> => clock.until(h);
  const samples: SoakSample[] = [];
  const take = async (beforeKill = false): Promise<void> => {
    const h = hub;
    if (!h || h.child.pid === undefined) return;
    collect();
    try {
      samples.push(await sampleHub(h.child.pid, h.apiUrl, dbPath, simH(), beforeKill));
    } catch {
      // the hub went away while we looked: no sample
    }
  };

  const prng = createPrng(s.seed);
  const chargers = chargerList(s.chargers).map(
    (c, i) => new SoakCharger({ ...c, firstWh: (i + 1) * 100_000_000, prng: createPrng(s.seed * 1000 + i), endpoint: () => hub?.url, clock, reconnectDelayMs: 100 }),
  );
  const runs = chargers.map((c) => c.run());
  let kills = 0;
  let outages = 0;
  const restartRealS: number[] = [];
  let done = false;

  const csmsLoop = (async () => {
    for (let h = 1; h < s.hours; h++) {
      await at(h);
      await csms.stop();
      outages++;
      await at(h + OUTAGE_H);
      await csms.start();
    }
  })();
  const killLoop = (async () => {
    for (let h = s.killEveryH - 0.5 + prng.between(0, 0.4); h < s.hours - 0.5; h += s.killEveryH) {
      await at(h);
      await take(true);
      const victim = current;
      hub = undefined;
      await victim.kill();
      kills++;
      // Simulated time stands still while the hub starts again (see SoakClock).
      clock.pause();
      const started = Date.now();
      current = await startHub();
      restartRealS.push((Date.now() - started) / 1000);
      hub = current;
      clock.resume();
    }
  })();
  const sampleLoop = (async () => {
    let lastHour = 0;
    while (!done) {
      await clock.sleepH(0.25, () => done);
      await take();
      const last = samples[samples.length - 1];
      if (last && Math.floor(simH()) > lastHour) {
        lastHour = Math.floor(simH());
        progress(`${mode}: ${formatSample(last)}  kills ${kills}  outages ${outages}`);
      }
    }
  })();

  await at(s.hours);
  for (const c of chargers) c.finish();
  await Promise.all([...runs, csmsLoop, killLoop]);
  const drainStart = Date.now();
  const all = chargers.flatMap((c) => c.answered);
  const values = new Set(all.map((r) => r.valueWh));
  const allArrived = (): boolean => {
    const seen = new Set<number>();
    for (const call of csms.calls) for (const v of callValues(call)) seen.add(v);
    return [...values].every((v) => seen.has(v));
  };
  while (Date.now() - drainStart < DRAIN_LIMIT_MS) {
    const depth = await outboxDepthOf(current.apiUrl).catch(() => -1);
    if (depth === 0 && allArrived()) break;
    await sleep(250);
  }
  const drainedRealS = (Date.now() - drainStart) / 1000;
  done = true;
  await sampleLoop;
  await take();
  const ghostsInHub = await activeInHub(current.apiUrl);
  const audit = auditSoak(csms.calls, all, (k) => 5000 + k);
  await current.stop();
  await csms.stop();
  collect();
  const reportedPossibleDuplicates: Record<string, number> = {};
  for (const action of possibleDuplicates.values()) reportedPossibleDuplicates[action] = (reportedPossibleDuplicates[action] ?? 0) + 1;
  const reportedRestated = restatedReports.size;
  rmSync(dir, { recursive: true, force: true });
  const callErrors: Record<string, number> = {};
  for (const c of chargers) for (const [code, n] of Object.entries(c.stats.callErrors)) callErrors[code] = (callErrors[code] ?? 0) + n;
  return {
    mode,
    samples,
    series: summarise(samples, s.hours),
    audit,
    kills,
    outages,
    restartRealS,
    ghostsInHub,
    reportedPossibleDuplicates,
    reportedRestated,
    chargerCalls: chargers.reduce((a, c) => a + c.stats.calls, 0),
    chargerRetries: chargers.reduce((a, c) => a + c.stats.retries, 0),
    reconnects: chargers.reduce((a, c) => a + c.stats.voluntaryReconnects, 0),
    reboots: chargers.reduce((a, c) => a + c.stats.reboots, 0),
    callErrors,
    drainedRealS,
    realS: (Date.now() - realStart) / 1000,
  };
}

/** The readings a CSMS call carries (the audit's own extraction, used to wait for the drain). */
function callValues(call: Parameters<typeof energyValuesOf>[0]): Set<number> {
  return ['StartTransaction', 'StopTransaction', 'MeterValues', 'TransactionEvent'].includes(call.method) ? energyValuesOf(call) : new Set();
}

function rowsOf(r: ModeResult): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const sr of r.series) {
    rows.push({ metric: `${r.mode}: ${sr.name} last quarter (first quarter = baseline)`, value: sr.lastQuarter, unit: sr.unit, baseline: { label: 'first quarter', value: sr.firstQuarter }, digits: sr.digits });
    rows.push({ metric: `${r.mode}: ${sr.name} slope per simulated hour`, value: sr.slopePerSimH, unit: `${sr.unit}/h`, digits: 3 });
    rows.push({ metric: `${r.mode}: ${sr.name} slope per simulated hour, second half`, value: sr.secondHalfSlopePerSimH, unit: `${sr.unit}/h`, digits: 3 });
  }
  const a = r.audit;
  rows.push({ metric: `${r.mode}: readings answered to chargers`, value: a.answered, unit: 'readings', digits: 0 });
  rows.push({ metric: `${r.mode}: lost at the CSMS`, value: a.lost, unit: 'readings', digits: 0 });
  rows.push({ metric: `${r.mode}: duplicated at the CSMS`, value: a.duplicated, unit: 'copies', digits: 0 });
  rows.push({ metric: `${r.mode}: copies of readings counting every message (1.6 transactionData and repeated Stops included)`, value: a.duplicatedStrict, unit: 'copies', digits: 0 });
  rows.push({ metric: `${r.mode}: readings restated in a 1.6 Stop's transactionData and also received as a MeterValues`, value: a.restatedAlsoReceived, unit: 'readings', digits: 0 });
  rows.push({ metric: `${r.mode}: readings received only in a 1.6 Stop's transactionData`, value: a.restatedOnly, unit: 'readings', digits: 0 });
  rows.push({ metric: `${r.mode}: 1.6 MeterValues the hub did not send again (readings with the Stop)`, value: r.reportedRestated, unit: 'reports', digits: 0 });
  rows.push({ metric: `${r.mode}: 1.6 Stops received again, identical, for a stopped transaction id`, value: a.stopRepeats16, unit: 'messages', digits: 0 });
  for (const action of ['StartTransaction', 'StopTransaction', 'MeterValues']) {
    rows.push({ metric: `${r.mode}: 1.6 ${action} the hub reported as possibly received twice`, value: r.reportedPossibleDuplicates[action] ?? 0, unit: 'reports', digits: 0 });
  }
  rows.push({ metric: `${r.mode}: 2.x repeats with a known transactionId + seqNo`, value: a.repeatsByKey, unit: 'messages', digits: 0 });
  rows.push({ metric: `${r.mode}: transactions at the CSMS`, value: a.transactions, unit: 'transactions', digits: 0 });
  rows.push({ metric: `${r.mode}: transactions without exactly one start / one end`, value: a.badStarts + a.badEnds, unit: 'transactions', digits: 0 });
  rows.push({ metric: `${r.mode}: 2.x transactions with a seqNo gap`, value: a.seqNoGaps, unit: 'transactions', digits: 0 });
  rows.push({ metric: `${r.mode}: transactions left Active in the hub`, value: r.ghostsInHub, unit: 'transactions', digits: 0 });
  rows.push({ metric: `${r.mode}: hub SIGKILLs / CSMS outages`, value: r.kills, unit: `kills / ${r.outages} outages`, digits: 0 });
  return rows;
}

function notesOf(r: ModeResult, s: Settings): string[] {
  const restart = r.restartRealS.length ? `${Math.min(...r.restartRealS).toFixed(1)}-${Math.max(...r.restartRealS).toFixed(1)} s real` : 'none';
  const rssAtKill = r.samples.filter((x) => x.beforeKill).map((x) => x.rssMiB.toFixed(0));
  const notes = [
    `${r.mode}: ${s.hours} simulated h in ${r.realS.toFixed(0)} s real (1 h = ${s.hourMs / 1000} s), ${r.samples.length} samples; ${r.chargerCalls} charger CALLs, ${r.chargerRetries} sent again after a lost connection, ${r.reconnects} voluntary reconnects, ${r.reboots} reboots; hub restart ${restart}; outbox drained ${r.drainedRealS.toFixed(1)} s after the last session`,
    `${r.mode}: RSS just before each kill (MiB): ${rssAtKill.join(', ') || 'none'}; CALLERRORs from the hub: ${JSON.stringify(r.callErrors)}`,
  ];
  for (const sr of r.series) notes.push(`${r.mode}: ${sr.name}: first quarter ${sr.firstQuarter.toFixed(sr.digits)}, last quarter ${sr.lastQuarter.toFixed(sr.digits)}, max ${sr.max.toFixed(sr.digits)} ${sr.unit}, slope ${sr.slopePerSimH.toFixed(3)} ${sr.unit}/simulated h (second half ${sr.secondHalfSlopePerSimH.toFixed(3)})`);
  for (const f of r.audit.findings) notes.push(`${r.mode}: ${f}`);
  return notes;
}

export const benchmark: Benchmark = {
  name: 'soak',
  workload: 'soak',
  title: 'a compressed 24 h site in proxy and hub mode: CSMS drops hourly, hub SIGKILLed every few hours; RSS, fds, DB, outbox over time; lost/duplicated at the CSMS',
  async run(progress): Promise<BenchResult> {
    const s = settings();
    const rows: BenchRow[] = [];
    const notes: string[] = [
      `compressed: sessions, meter interval (5 simulated min), idle gaps, CSMS outages (${OUTAGE_H * 60} simulated min each hour), kills (every ${s.killEveryH} simulated h), reconnects, retention (${KEEP_H} simulated h); simulated time stands still while the hub restarts; real time: the hub's upstream reconnect backoff (0.2-0.5 s), call timeouts, message timestamps`,
    ];
    for (const mode of s.modes) {
      progress(`${mode} mode: ${s.chargers} chargers, ${s.hours} simulated h at ${s.hourMs / 1000} s each`);
      const r = await runMode(mode, s, progress);
      rows.push(...rowsOf(r));
      notes.push(...notesOf(r, s));
    }
    return { rows, notes };
  },
};
