/**
 * Outbox compaction during a CSMS outage: ~3,000 queued transaction messages (W1's per-sample
 * content: energy register, power, 3 currents, 3 voltages, SoC every 60 s) for 10 EVSEs, in the
 * two stored forms (hub mode: 2.x TransactionEvents; proxy mode: 1.6 Start/MeterValues/Stop in
 * envelopes). Reports rows and stored bytes before (the baseline) and after the compaction the
 * bound triggers, and how long the check and the compaction took. A real SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore, type Store } from '../src/store/store.js';
import { systemClock } from '../src/util/clock.js';
import { silentLogger } from '../src/util/logger.js';
import { OutboxBound } from '../src/upstream/outbox-bound.js';
import { PLAIN_CODEC, type OutboxPayloadCodec } from '../src/upstream/outbox-compaction.js';
import { PROXY_CODEC } from '../src/upstream/proxy/proxy-outbox.js';
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';

const EVSES = 10;
const SAMPLES_PER_EVSE = 300;
const T0_MS = Date.UTC(2026, 0, 1);

function sampled2x(i: number): unknown[] {
  const phases = ['L1', 'L2', 'L3'];
  return [
    { value: 1000 + i * 183, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } },
    { value: 11000, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } },
    ...phases.map((phase) => ({ value: 16, measurand: 'Current.Import', phase, unitOfMeasure: { unit: 'A' } })),
    ...phases.map((phase) => ({ value: 230, measurand: 'Voltage', phase: `${phase}-N`, unitOfMeasure: { unit: 'V' } })),
    { value: 20 + (i % 80), measurand: 'SoC', unitOfMeasure: { unit: 'Percent' } },
  ];
}

function sampled16(i: number): unknown[] {
  return sampled2x(i).map((s) => {
    const { value, unitOfMeasure, ...rest } = s as { value: number; unitOfMeasure: { unit: string } };
    return { ...rest, value: String(value), unit: unitOfMeasure.unit, context: 'Sample.Periodic' };
  });
}

const at = (i: number): string => new Date(T0_MS + i * 60_000).toISOString();

/** Hub mode: per EVSE a Started, SAMPLES_PER_EVSE periodic Updated, an Ended, interleaved as they arrive. */
function fillHub(store: Store): void {
  const link = 'SITE';
  for (let evse = 1; evse <= EVSES; evse++) {
    store.outbox.append(link, 'TransactionEvent', { eventType: 'Started', timestamp: at(0), triggerReason: 'Authorized', seqNo: 0, offline: true, transactionInfo: { transactionId: `TX-${evse}`, chargingState: 'Charging' }, evse: { id: evse, connectorId: 1 }, idToken: { idToken: `TAG${evse}`, type: 'ISO14443' }, meterValue: [{ timestamp: at(0), sampledValue: [{ value: 1000, context: 'Transaction.Begin', measurand: 'Energy.Active.Import.Register' }] }] }, { kind: 'billing' });
  }
  for (let i = 1; i <= SAMPLES_PER_EVSE; i++) {
    for (let evse = 1; evse <= EVSES; evse++) {
      store.outbox.append(link, 'TransactionEvent', { eventType: 'Updated', timestamp: at(i), triggerReason: 'MeterValuePeriodic', seqNo: i, offline: true, transactionInfo: { transactionId: `TX-${evse}` }, evse: { id: evse, connectorId: 1 }, meterValue: [{ timestamp: at(i), sampledValue: sampled2x(i) }] }, { kind: 'billing' });
    }
  }
  for (let evse = 1; evse <= EVSES; evse++) {
    store.outbox.append(link, 'TransactionEvent', { eventType: 'Ended', timestamp: at(SAMPLES_PER_EVSE + 1), triggerReason: 'EVDeparted', seqNo: SAMPLES_PER_EVSE + 1, offline: true, transactionInfo: { transactionId: `TX-${evse}`, stoppedReason: 'EVDisconnected' }, evse: { id: evse, connectorId: 1 }, meterValue: [{ timestamp: at(SAMPLES_PER_EVSE + 1), sampledValue: [{ value: 56000, context: 'Transaction.End', measurand: 'Energy.Active.Import.Register' }] }] }, { kind: 'billing' });
  }
}

/** Proxy mode: 10 stations (one link each), 1.6 Start, MeterValues, Stop. */
function fillProxy(store: Store): void {
  for (let evse = 1; evse <= EVSES; evse++) {
    store.outbox.append(`CP${evse}`, 'StartTransaction', { payload: { connectorId: 1, idTag: `TAG${evse}`, meterStart: 1000, timestamp: at(0) }, hubTransactionId: evse }, { kind: 'billing' });
  }
  for (let i = 1; i <= SAMPLES_PER_EVSE; i++) {
    for (let evse = 1; evse <= EVSES; evse++) {
      store.outbox.append(`CP${evse}`, 'MeterValues', { payload: { connectorId: 1, transactionId: evse, meterValue: [{ timestamp: at(i), sampledValue: sampled16(i) }] } }, { kind: 'periodic' });
    }
  }
  for (let evse = 1; evse <= EVSES; evse++) {
    store.outbox.append(`CP${evse}`, 'StopTransaction', { payload: { transactionId: evse, meterStop: 56000, timestamp: at(SAMPLES_PER_EVSE + 1), reason: 'EVDisconnected' } }, { kind: 'billing' });
  }
}

function measure(label: string, fill: (store: Store) => void, codec: OutboxPayloadCodec): { rows: BenchRow[]; note: string } {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-outbox-'));
  const store = openStore({ path: join(dir, 'hub.db'), clock: systemClock() });
  try {
    fill(store);
    const before = store.outbox.stats();
    // A bound just below what is held: the check must compact.
    const bound = new OutboxBound({ outbox: store.outbox, maxBytes: before.payloadBytes, maxRows: 1_000_000, freeBytes: () => undefined, codec, busySeqs: () => new Set(), log: silentLogger() });
    const t0 = performance.now();
    const view = bound.check();
    const checkMs = performance.now() - t0;
    const t1 = performance.now();
    store.outbox.stats();
    const statsMs = performance.now() - t1;
    return {
      rows: [
        { metric: `${label}: rows after compaction`, value: view.rows, unit: 'rows', baseline: { label: 'queued', value: before.rows }, digits: 0 },
        { metric: `${label}: stored bytes after compaction`, value: view.payloadBytes / 1000, unit: 'kB', baseline: { label: 'queued', value: before.payloadBytes / 1000 } },
        { metric: `${label}: check + compaction`, value: checkMs, unit: 'ms' },
        { metric: `${label}: size check alone`, value: statsMs, unit: 'ms', digits: 2 },
      ],
      note: `${label}: ${before.rows} rows / ${before.payloadBytes} B queued -> ${view.rows} rows / ${view.payloadBytes} B (${view.rowsMerged} rows merged, 0 dropped; pressure ${view.pressure})`,
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  name: 'outbox',
  workload: 'W1 outage',
  title: 'outbox compaction: rows and bytes of ~3,000 queued transaction messages before and after',
  run(progress): Promise<BenchResult> {
    progress('hub mode (2.x TransactionEvents)');
    const hub = measure('hub', fillHub, PLAIN_CODEC);
    progress('proxy mode (1.6 MeterValues)');
    const proxy = measure('proxy 1.6', fillProxy, PROXY_CODEC);
    return Promise.resolve({
      rows: [...hub.rows, ...proxy.rows],
      notes: [
        `${EVSES} EVSEs x ${SAMPLES_PER_EVSE} periodic samples (9 sampled values each) + Start/Stop per EVSE; at most 120 readings per merged message.`,
        hub.note,
        proxy.note,
      ],
    });
  },
};
