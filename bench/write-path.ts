/**
 * The write path of a meter message, against the size of the database.
 *
 * Meter messages (half OCPP 1.6 MeterValues with a transactionId, half 2.0.1 TransactionEvent
 * Updated; W1's samplers: energy register, power, current and voltage per phase, SoC) are fed
 * through the hub's own handlers (`registerV16Handlers` / `registerV2xHandlers` on a
 * StationService over a real SQLite file, synchronous=FULL, WAL), i.e. retry recognition,
 * adapters, the transaction repository and the group commit, without the WebSocket layer.
 * The database is first filled with SIZE meter messages through the same path (sessions of
 * 180 messages per station, synchronous=OFF, large transactions: the fill's speed is not the
 * point), then MESSAGES more are measured in group commits of PER_TURN messages, as the hub
 * commits one event-loop turn. Baseline in the same run and file: a bare INSERT of each
 * message's raw frame text into a one-column table, same batching, same fsyncs.
 *
 * Reported per message: CPU (user + system of this process) and wall time in µs, rows added
 * (all tables), bytes the file grows by (used pages, after a checkpoint; averaged over the fill).
 * Environment: WRITE_PATH_SIZES (comma list, default 0,100000,300000), WRITE_PATH_MESSAGES
 * (default 2000), WRITE_PATH_STATIONS (default 200).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallHandler } from '../src/ocpp/rpc-types.js';
import { registerV16Handlers } from '../src/evse/handlers/v16-handlers.js';
import { registerV2xHandlers } from '../src/evse/handlers/v2x-handlers.js';
import { StationService } from '../src/evse/station-service.js';
import { openStore, type Store } from '../src/store/store.js';
import { FakeClock } from '../src/util/fake-clock.js';
import { silentLogger } from '../src/util/logger.js';
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';

const SIZES = (process.env['WRITE_PATH_SIZES'] ?? '0,100000,300000').split(',').map((s) => Number(s.trim()));
const MESSAGES = Number(process.env['WRITE_PATH_MESSAGES'] ?? 2000);
const STATIONS = Number(process.env['WRITE_PATH_STATIONS'] ?? 200);
const PER_TURN = 10;
const SESSION_MESSAGES = 180;
const FILL_CHUNK = 5_000;
const START_MS = Date.UTC(2026, 0, 5);

type Handlers = Map<string, CallHandler>;

interface Station {
  id: string;
  version: '1.6' | '2.0.1';
  handlers: Handlers;
  /** 1.6: the hub's integer id; 2.0.1: the station's own id. */
  transactionId?: string;
  seqNo: number;
  messagesInSession: number;
  registerWh: number;
  sessions: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
let messageId = 0;

async function call(st: Station, action: string, payload: unknown): Promise<unknown> {
  const handler = st.handlers.get(action);
  if (!handler) throw new Error(`no handler for ${action}`);
  return handler({ action, payload, messageId: String(++messageId), signal: new AbortController().signal });
}

/** W1's samplers in the station's wire form (1.6: values as strings and `unit`; 2.0.1: numbers and `unitOfMeasure`). */
function samples(version: Station['version'], registerWh: number, timeMs: number): object[] {
  const v16 = version === '1.6';
  const sv = (value: number, decimals: number, measurand: string, unit: string, at: { phase?: string; location?: string } = {}) => ({
    value: v16 ? value.toFixed(decimals) : value,
    context: 'Sample.Periodic',
    measurand,
    ...(at.phase ? { phase: at.phase } : {}),
    location: at.location ?? 'Outlet',
    ...(v16 ? { unit } : { unitOfMeasure: { unit } }),
  });
  return [
    {
      timestamp: iso(timeMs),
      sampledValue: [
        sv(registerWh, 0, 'Energy.Active.Import.Register', 'Wh'),
        sv(11_040, 1, 'Power.Active.Import', 'W'),
        ...['L1', 'L2', 'L3'].map((phase) => sv(16, 1, 'Current.Import', 'A', { phase })),
        ...['L1-N', 'L2-N', 'L3-N'].map((phase) => sv(230, 1, 'Voltage', 'V', { phase })),
        sv(57, 0, 'SoC', 'Percent', { location: 'EV' }),
      ],
    },
  ];
}

async function start(st: Station, nowMs: number): Promise<void> {
  st.messagesInSession = 0;
  st.sessions++;
  if (st.version === '1.6') {
    const answer = (await call(st, 'StartTransaction', { connectorId: 1, idTag: 'TAG-1', meterStart: st.registerWh, timestamp: iso(nowMs) })) as { transactionId: number };
    st.transactionId = String(answer.transactionId);
  } else {
    st.transactionId = `${st.id}-tx-${st.sessions}`;
    st.seqNo = 0;
    await call(st, 'TransactionEvent', {
      eventType: 'Started',
      timestamp: iso(nowMs),
      triggerReason: 'Authorized',
      seqNo: st.seqNo++,
      transactionInfo: { transactionId: st.transactionId, chargingState: 'Charging' },
      idToken: { idToken: 'TAG-2', type: 'ISO14443' },
      evse: { id: 1, connectorId: 1 },
      meterValue: [{ timestamp: iso(nowMs), sampledValue: [{ value: st.registerWh, context: 'Transaction.Begin', measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }] }],
    });
  }
}

async function stop(st: Station, nowMs: number): Promise<void> {
  if (st.version === '1.6') {
    await call(st, 'StopTransaction', { transactionId: Number(st.transactionId), meterStop: st.registerWh, timestamp: iso(nowMs), reason: 'EVDisconnected' });
  } else {
    await call(st, 'TransactionEvent', {
      eventType: 'Ended',
      timestamp: iso(nowMs),
      triggerReason: 'EVCommunicationLost',
      seqNo: st.seqNo++,
      transactionInfo: { transactionId: st.transactionId, stoppedReason: 'EVDisconnected' },
      evse: { id: 1, connectorId: 1 },
      meterValue: [{ timestamp: iso(nowMs), sampledValue: [{ value: st.registerWh, context: 'Transaction.End', measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }] }],
    });
  }
  st.transactionId = undefined;
}

/** One meter message of a running transaction; returns its frame as it would be on the wire. */
async function meter(st: Station, nowMs: number): Promise<string> {
  st.registerWh += 184; // 11 kW for 60 s
  st.messagesInSession++;
  if (st.version === '1.6') {
    const payload = { connectorId: 1, transactionId: Number(st.transactionId), meterValue: samples(st.version, st.registerWh, nowMs) };
    await call(st, 'MeterValues', payload);
    return JSON.stringify([2, String(messageId), 'MeterValues', payload]);
  }
  const payload = {
    eventType: 'Updated',
    timestamp: iso(nowMs),
    triggerReason: 'MeterValuePeriodic',
    seqNo: st.seqNo++,
    transactionInfo: { transactionId: st.transactionId, chargingState: 'Charging' },
    evse: { id: 1, connectorId: 1 },
    meterValue: samples(st.version, st.registerWh, nowMs),
  };
  await call(st, 'TransactionEvent', payload);
  return JSON.stringify([2, String(messageId), 'TransactionEvent', payload]);
}

function usedBytes(store: Store): number {
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const pages = store.db.pragma('page_count', { simple: true }) as number;
  const free = store.db.pragma('freelist_count', { simple: true }) as number;
  const size = store.db.pragma('page_size', { simple: true }) as number;
  return (pages - free) * size;
}

function totalRows(store: Store): number {
  const tables = store.db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'bare_frames'")
    .all();
  return tables.reduce((n, t) => n + (store.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM "${t.name}"`).get()?.n ?? 0), 0);
}

function indexCount(store: Store): string {
  const rows = store.db
    .prepare<[], { tbl: string; n: number }>("SELECT tbl_name AS tbl, COUNT(*) AS n FROM sqlite_master WHERE type = 'index' GROUP BY tbl_name")
    .all();
  return rows.map((r) => `${r.tbl} ${r.n}`).join(', ');
}

interface PerWrite {
  cpuUs: number;
  wallUs: number;
  /** Bytes the database grows by (used pages, after a checkpoint). */
  bytes: number;
}

/** `count` writes in group commits of PER_TURN (one fsync each); CPU, wall time and bytes per write. */
async function measureWrites(store: Store, count: number, write: (i: number) => Promise<void> | undefined): Promise<PerWrite> {
  const bytesBefore = usedBytes(store);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; ) {
    store.batch.begin();
    for (const end = Math.min(i + PER_TURN, count); i < end; i++) {
      const pending = write(i);
      if (pending) await pending;
    }
    store.batch.commit();
  }
  const wallNs = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / count, wallUs: wallNs / 1000 / count, bytes: (usedBytes(store) - bytesBefore) / count };
}

interface Measured {
  size: number;
  cpuUs: number;
  wallUs: number;
  rows: number;
  bytes: number;
  bareCpuUs: number;
  bareWallUs: number;
  bareBytes: number;
  fillBytesPerMessage?: number;
}

export const benchmark: Benchmark = {
  name: 'write-path',
  workload: 'W2',
  title: 'cost of one meter message on the store path (µs, rows, bytes) at several database sizes, against a bare INSERT of the frame',
  async run(progress): Promise<BenchResult> {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-write-path-'));
    const path = join(dir, 'switchyard.db');
    const clock = new FakeClock(START_MS);
    const store = openStore({ path, clock });
    const service = new StationService({ store, clock, log: silentLogger(), stations: new Map(), heartbeatIntervalS: 300, unknownIdTokens: 'Accepted' });
    store.db.exec('CREATE TABLE IF NOT EXISTS bare_frames (id INTEGER PRIMARY KEY, frame TEXT NOT NULL)');
    const insertBare = store.db.prepare<[string]>('INSERT INTO bare_frames (frame) VALUES (?)');
    const stations: Station[] = [];
    for (let i = 0; i < STATIONS; i++) {
      const version = i % 2 === 0 ? '1.6' : '2.0.1';
      const handlers: Handlers = new Map();
      const peer = { handle: (action: string, fn: CallHandler) => void handlers.set(action, fn) };
      const id = `WP-${String(i).padStart(4, '0')}`;
      if (version === '1.6') registerV16Handlers(peer, { stationId: id, service, clock });
      else registerV2xHandlers(peer, { stationId: id, service, clock }, '2.0.1');
      stations.push({ id, version, handlers, seqNo: 0, messagesInSession: 0, registerWh: 1_000_000 + i * 1000, sessions: 0 });
    }
    let stored = 0;
    let next = 0;
    const measured: Measured[] = [];
    const startBytes = usedBytes(store);
    try {
      for (const size of [...SIZES].sort((a, b) => a - b)) {
        // Fill up to `size` meter messages through the same path (no fsync, big transactions).
        store.db.pragma('synchronous = OFF');
        const fillFrom = stored;
        const bytesBeforeFill = usedBytes(store);
        while (stored < size) {
          store.db.exec('BEGIN IMMEDIATE');
          for (let k = 0; k < FILL_CHUNK && stored < size; k++) {
            const st = stations[next++ % STATIONS]!;
            clock.advanceMs(60_000 / STATIONS);
            if (st.transactionId === undefined) await start(st, clock.nowMs());
            await meter(st, clock.nowMs());
            stored++;
            if (st.messagesInSession >= SESSION_MESSAGES) await stop(st, clock.nowMs());
          }
          store.db.exec('COMMIT');
          if (stored % 100_000 === 0) progress(`filled ${stored.toLocaleString('en-US')} meter messages`);
        }
        const fillBytesPerMessage = stored > fillFrom ? (usedBytes(store) - bytesBeforeFill) / (stored - fillFrom) : undefined;
        store.db.pragma('synchronous = FULL');
        // Every station in a transaction with room left, so that only meter messages are measured.
        for (const st of stations) {
          if (st.transactionId !== undefined && st.messagesInSession + MESSAGES / STATIONS + 1 >= SESSION_MESSAGES) await stop(st, clock.nowMs());
          if (st.transactionId === undefined) await start(st, clock.nowMs());
        }
        const rowsBefore = totalRows(store);
        const frames: string[] = [];
        const hub = await measureWrites(store, MESSAGES, async () => {
          clock.advanceMs(60_000 / STATIONS);
          frames.push(await meter(stations[next++ % STATIONS]!, clock.nowMs()));
        });
        stored += MESSAGES;
        const rows = (totalRows(store) - rowsBefore) / MESSAGES;

        // Baseline: the same frames, a bare INSERT each, same group commits.
        const bare = await measureWrites(store, frames.length, (i) => {
          insertBare.run(frames[i]!);
          return undefined;
        });
        store.db.exec('DELETE FROM bare_frames');
        const m: Measured = {
          size,
          cpuUs: hub.cpuUs,
          wallUs: hub.wallUs,
          rows,
          bytes: hub.bytes,
          bareCpuUs: bare.cpuUs,
          bareWallUs: bare.wallUs,
          bareBytes: bare.bytes,
          fillBytesPerMessage,
        };
        measured.push(m);
        progress(
          `at ${size.toLocaleString('en-US')} stored: ${m.cpuUs.toFixed(0)} µs CPU, ${m.wallUs.toFixed(0)} µs wall, ${rows.toFixed(2)} rows, ${m.bytes.toFixed(0)} B per message` +
            ` (bare INSERT ${m.bareCpuUs.toFixed(0)} µs CPU, ${m.bareWallUs.toFixed(0)} µs wall, ${m.bareBytes.toFixed(0)} B)`,
        );
      }
      const rowsOut: BenchRow[] = [];
      for (const m of measured) {
        const at = `${m.size.toLocaleString('en-US')} stored`;
        rowsOut.push({ metric: `CPU per meter message, ${at}`, value: m.cpuUs, unit: 'µs', baseline: { label: 'bare INSERT of the frame', value: m.bareCpuUs }, digits: 0 });
        rowsOut.push({ metric: `wall time per meter message (${PER_TURN} per fsync), ${at}`, value: m.wallUs, unit: 'µs', baseline: { label: 'bare INSERT of the frame', value: m.bareWallUs }, digits: 0 });
        rowsOut.push({ metric: `rows per meter message, ${at}`, value: m.rows, unit: 'rows', baseline: { label: 'bare INSERT', value: 1 }, digits: 2 });
        rowsOut.push({ metric: `bytes stored per meter message, ${at}`, value: m.bytes, unit: 'B', baseline: { label: 'bare INSERT of the frame', value: m.bareBytes }, digits: 0 });
      }
      const fills = measured.filter((m) => m.fillBytesPerMessage !== undefined && m.size >= 10_000);
      const biggest = fills.at(-1);
      if (biggest?.fillBytesPerMessage !== undefined) {
        rowsOut.push({ metric: `bytes stored per meter message over the fill to ${biggest.size.toLocaleString('en-US')}`, value: biggest.fillBytesPerMessage, unit: 'B', digits: 0 });
      }
      const finalBytes = usedBytes(store);
      return {
        rows: rowsOut,
        notes: [
          `${STATIONS} stations (half 1.6 MeterValues, half 2.0.1 TransactionEvent Updated), 9 sampled values per message, sessions of ${SESSION_MESSAGES} messages; ${MESSAGES} messages measured per size in group commits of ${PER_TURN} (synchronous=FULL, one fsync each)`,
          `database at the end: ${(finalBytes / 1e6).toFixed(0)} MB used (${((finalBytes - startBytes) / 1e6).toFixed(0)} MB written by the run); indexes per table: ${indexCount(store)}`,
          'CPU is user + system time of this process (the fsync wait is not CPU); wall includes the fsyncs, so it depends on the disk and the machine load',
        ],
      };
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
