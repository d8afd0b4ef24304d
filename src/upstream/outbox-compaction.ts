/**
 * Compaction of one link's outbox (pure): consecutive periodic meter readings of the same
 * transaction are merged into one message, losslessly. OCPP lets one message carry many
 * readings, each with its own timestamp:
 * - 2.x TransactionEvent Updated (triggerReason MeterValuePeriodic): meterValue is an array;
 * - 1.6 MeterValues (same connector and transaction): meterValue is an array;
 * - 2.x MeterValues (same EVSE): meterValue is an array.
 * The merged message sits at the position of the run's first row; the others are removed.
 * A run is broken by any other message of the same transaction (or connector), so no reading
 * moves across a Started/Ended/Start/Stop or a non-periodic event of its transaction. Nothing
 * is dropped: every reading of every removed row is in the merged one.
 *
 * seqNo: the merged 2.x TransactionEvent keeps the first row's seqNo; the plan names the numbers
 * of the removed rows (`absorbed`), which the caller records with the compaction so that the
 * numbers given at send time (upstream-seq-nos.ts) leave them out and the CSMS sees a continuous
 * sequence.
 *
 * Status notifications that a later one of the same connector supersedes are the only thing
 * that may be dropped, and only when `dropSupersededStatuses` is set (after merging was not
 * enough): they are not billing data.
 */
import type { OutboxEntry } from '../store/outbox-repo.js';
import { arrayField, fields, numberField, stringField } from './wire-fields.js';
import type { AbsorbedSeqNos } from './upstream-seq-nos.js';

/** How a mode stores payloads in the outbox (proxy wraps them in an envelope, hub does not). */
export interface OutboxPayloadCodec {
  /** The wire payload inside a stored row, plus whatever else the row holds (compared, kept). */
  unwrap(stored: unknown): { payload: unknown; extra: unknown };
  wrap(payload: unknown, extra: unknown): unknown;
}

export const PLAIN_CODEC: OutboxPayloadCodec = {
  unwrap: (stored) => ({ payload: stored, extra: undefined }),
  wrap: (payload) => payload,
};

export interface CompactionOptions {
  /** Rows never touched (e.g. the one in flight). */
  skipSeqs?: ReadonlySet<number>;
  /** At most this many meterValue entries in one merged message. */
  maxMeterValuesPerMessage: number;
  dropSupersededStatuses?: boolean;
}

export interface CompactionPlan {
  rewrite: Array<{ seq: number; payload: unknown }>;
  remove: number[];
  /** Rows merged into an earlier row (their readings are kept). */
  merged: number;
  /** Superseded status notifications dropped. */
  statusesDropped: number;
  /** Per merged 2.x TransactionEvent: the removed rows' seqNos (after its own, up to the last removed). */
  absorbed: AbsorbedSeqNos[];
}

interface Classified {
  /** Rows with the same key may merge. */
  mergeKey?: string;
  /** Rows with the same scope keep their order: any non-merging row of the scope ends the run. */
  scope?: string;
  /** Status notifications: connector key (the last one per connector is kept). */
  statusKey?: string;
}

interface Run {
  seq: number;
  payload: Record<string, unknown>;
  extra: unknown;
  meterValues: unknown[];
  merged: boolean;
  /** 2.x TransactionEvent runs: the transaction, the first row's seqNo and the highest merged in. */
  seqNos?: { transactionId: string; first: number; last: number };
}

/** The plan that merges the link's rows (entries oldest first, all of one link). */
export function planCompaction(entries: readonly OutboxEntry[], codec: OutboxPayloadCodec, options: CompactionOptions): CompactionPlan {
  const plan: CompactionPlan = { rewrite: [], remove: [], merged: 0, statusesDropped: 0, absorbed: [] };
  const runs = new Map<string, Run>();
  const runOfScope = new Map<string, string>();
  const lastStatus = new Map<string, number>();
  const closeScope = (scope: string): void => {
    const key = runOfScope.get(scope);
    if (key === undefined) return;
    runOfScope.delete(scope);
    const run = runs.get(key);
    runs.delete(key);
    if (!run?.merged) return;
    plan.rewrite.push({ seq: run.seq, payload: codec.wrap({ ...run.payload, meterValue: run.meterValues }, run.extra) });
    if (run.seqNos && run.seqNos.last > run.seqNos.first) plan.absorbed.push({ transactionId: run.seqNos.transactionId, after: run.seqNos.first, upTo: run.seqNos.last });
  };

  for (const entry of entries) {
    const { payload, extra } = codec.unwrap(entry.payload);
    const c = classify(entry.action, payload);
    if (c.statusKey !== undefined) {
      const previous = lastStatus.get(c.statusKey);
      if (options.dropSupersededStatuses && previous !== undefined && !options.skipSeqs?.has(previous)) {
        plan.remove.push(previous);
        plan.statusesDropped++;
      }
      lastStatus.set(c.statusKey, entry.seq);
      continue;
    }
    if (c.scope === undefined) continue;
    const skip = options.skipSeqs?.has(entry.seq) === true;
    const openKey = runOfScope.get(c.scope);
    if (skip || c.mergeKey === undefined || (openKey !== undefined && openKey !== c.mergeKey)) closeScope(c.scope);
    if (skip || c.mergeKey === undefined) continue;
    const values = arrayField(payload, 'meterValue');
    const run = runs.get(c.mergeKey);
    if (run && sameExtra(run.extra, extra) && run.meterValues.length + values.length <= options.maxMeterValuesPerMessage) {
      run.meterValues.push(...values);
      run.payload = mergedHeader(run.payload, fields(payload));
      run.merged = true;
      const seqNo = numberField(payload, 'seqNo');
      if (run.seqNos && seqNo !== undefined) run.seqNos.last = Math.max(run.seqNos.last, seqNo);
      plan.remove.push(entry.seq);
      plan.merged++;
      continue;
    }
    if (run) closeScope(c.scope);
    runs.set(c.mergeKey, { seq: entry.seq, payload: { ...fields(payload) }, extra, meterValues: [...values], merged: false, ...transactionSeqNos(entry.action, payload) });
    runOfScope.set(c.scope, c.mergeKey);
  }
  for (const scope of [...runOfScope.keys()]) closeScope(scope);
  plan.remove.sort((a, b) => a - b);
  return plan;
}

/** The merged message's fields: the first row's, with the latest timestamp and offline if any was. */
function mergedHeader(first: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  return {
    ...first,
    ...(typeof next['timestamp'] === 'string' ? { timestamp: next['timestamp'] } : {}),
    ...(first['offline'] === true || next['offline'] === true ? { offline: true } : {}),
  };
}

function transactionSeqNos(action: string, payload: unknown): Pick<Run, 'seqNos'> {
  if (action !== 'TransactionEvent') return {};
  const transactionId = stringField(fields(payload)['transactionInfo'], 'transactionId');
  const seqNo = numberField(payload, 'seqNo');
  return transactionId === undefined || seqNo === undefined ? {} : { seqNos: { transactionId, first: seqNo, last: seqNo } };
}

function sameExtra(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function classify(action: string, payload: unknown): Classified {
  const p = fields(payload);
  switch (action) {
    case 'TransactionEvent': {
      const transactionId = stringField(p['transactionInfo'], 'transactionId');
      if (transactionId === undefined) return {};
      const scope = `tx:${transactionId}`;
      const periodic = p['eventType'] === 'Updated' && p['triggerReason'] === 'MeterValuePeriodic' && arrayField(p, 'meterValue').length > 0;
      if (!periodic) return { scope };
      // Everything but the readings, the seqNo, the time and the offline flag must match.
      const { meterValue: _m, seqNo: _s, timestamp: _t, offline: _o, ...rest } = p;
      return { scope, mergeKey: `te:${transactionId}:${JSON.stringify(rest)}` };
    }
    case 'MeterValues': {
      const connectorId = numberField(p, 'connectorId');
      const evseId = numberField(p, 'evseId');
      const transactionId = numberField(p, 'transactionId');
      if (arrayField(p, 'meterValue').length === 0) return {};
      if (connectorId !== undefined) {
        const scope = transactionId !== undefined ? `tx:${transactionId}` : `c:${connectorId}`;
        return { scope, mergeKey: `mv16:${connectorId}:${transactionId ?? '-'}` };
      }
      if (evseId !== undefined) return { scope: `evse:${evseId}`, mergeKey: `mv2:${evseId}` };
      return {};
    }
    case 'StartTransaction':
      return { scope: `c:${numberField(p, 'connectorId') ?? 0}` };
    case 'StopTransaction':
      return { scope: `tx:${numberField(p, 'transactionId') ?? 0}` };
    case 'StatusNotification': {
      // 1.6 names the connector only; 2.x the EVSE and connector.
      const evse = numberField(p, 'evseId');
      const connector = numberField(p, 'connectorId');
      return { statusKey: `${evse ?? '-'}:${connector ?? '-'}` };
    }
    default:
      return {};
  }
}
