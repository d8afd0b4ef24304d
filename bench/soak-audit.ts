/**
 * What the CSMS received against what the chargers were answered: pure counting, no I/O.
 *
 * Every reading of the soak site has its own energy register value, so a reading is found at
 * the CSMS by value whatever the mode made of its message (1.6 Start/MeterValues/Stop relayed,
 * or a TransactionEvent of the site in hub mode). A 2.x TransactionEvent sent again with the
 * same transactionId and seqNo is a repeat the CSMS drops by OCPP's key: counted apart, not as
 * a duplicate; so is a 1.6 StopTransaction received again, identical, for a transaction id the
 * CSMS already saw stopped (a 1.6 transaction ends once; its id is the CSMS's own). A duplicate
 * is a reading in two messages the CSMS cannot tell apart (for 1.6, a StartTransaction received
 * twice is a second transaction at the CSMS; a MeterValues received twice is two readings). A
 * reading in a 1.6 StopTransaction's transactionData is the transaction's set of readings, which
 * a CSMS expects to overlap its MeterValues (StopTxnSampledData): it counts as received, and as a
 * restatement, not a duplicate. `duplicatedStrict` counts every copy anyway (transactionData
 * and repeated Stops included), so both readings of "duplicate" are on record.
 */
import type { Received } from '../test/integration/upstream/strict-csms.js';
import type { AnsweredReading } from './soak-charger.js';

export interface SoakAudit {
  /** Readings the hub answered to a charger. */
  answered: number;
  /** Of those, found at the CSMS in no message. */
  lost: number;
  /** Readings found in more than one message the CSMS cannot tell apart (extra copies). */
  duplicated: number;
  /** Extra copies of readings counted over every message (transactionData and repeated 1.6 Stops included). */
  duplicatedStrict: number;
  /** Readings that reached the CSMS in a 1.6 Stop's transactionData and also in a MeterValues. */
  restatedAlsoReceived: number;
  /** Readings that reached the CSMS only in a 1.6 Stop's transactionData. */
  restatedOnly: number;
  /** 1.6 StopTransactions received again, identical, for a transaction id already stopped. */
  stopRepeats16: number;
  /** 2.x TransactionEvents received again with a transactionId + seqNo already received. */
  repeatsByKey: number;
  /** Transactions the CSMS saw (1.6 by its own transaction id, 2.x by transactionId). */
  transactions: number;
  /** Transactions with other than exactly one start (Start / Started). */
  badStarts: number;
  /** Transactions with other than exactly one end (Stop / Ended): open at the CSMS, or ended twice. */
  badEnds: number;
  /** 2.x transactions whose seqNos, as received, are not 0..n without a gap. */
  seqNoGaps: number;
  /** Lines that say which readings or transactions are wrong (at most a few). */
  findings: string[];
}

const MAX_FINDINGS = 8;

interface Tx {
  starts: number;
  ends: number;
  seqNos: Set<number>;
}

/**
 * Audits the CSMS's calls. `csmsTransactionIdOf16` gives the transaction id the CSMS handed out
 * for its k-th answered StartTransaction (k counted over all identities, from 0).
 */
export function auditSoak(received: readonly Received[], answered: readonly AnsweredReading[], csmsTransactionIdOf16: (k: number) => number): SoakAudit {
  const findings: string[] = [];
  const note = (line: string): void => {
    if (findings.length < MAX_FINDINGS) findings.push(line);
  };
  const seenKeys = new Set<string>();
  const messagesWith = new Map<number, number>();
  const strictWith = new Map<number, number>();
  const restated = new Set<number>();
  const stops16 = new Map<string, string>();
  let stopRepeats16 = 0;
  const txs = new Map<string, Tx>();
  const tx = (key: string): Tx => {
    let t = txs.get(key);
    if (!t) txs.set(key, (t = { starts: 0, ends: 0, seqNos: new Set() }));
    return t;
  };
  let repeatsByKey = 0;
  let starts16 = 0;
  for (const call of received) {
    const p = call.params;
    if (call.method === 'TransactionEvent') {
      const transactionId = String((p['transactionInfo'] as { transactionId?: unknown } | undefined)?.transactionId);
      const seqNo = Number(p['seqNo']);
      const key = `${call.identity}|${transactionId}|${seqNo}`;
      if (seenKeys.has(key)) {
        repeatsByKey++;
        continue;
      }
      seenKeys.add(key);
      const t = tx(`${call.identity}|${transactionId}`);
      t.seqNos.add(seqNo);
      if (p['eventType'] === 'Started') t.starts++;
      if (p['eventType'] === 'Ended') t.ends++;
    } else if (call.method === 'StartTransaction') {
      tx(`${call.identity}|${csmsTransactionIdOf16(starts16++)}`).starts++;
    } else if (call.method === 'StopTransaction') {
      const key = `${call.identity}|${String(p['transactionId'])}`;
      const content = JSON.stringify(p);
      if (stops16.get(key) === content) {
        stopRepeats16++;
        for (const value of energyValuesOf(call)) strictWith.set(value, (strictWith.get(value) ?? 0) + 1);
        continue;
      }
      stops16.set(key, content);
      tx(key).ends++;
    } else if (call.method !== 'MeterValues') {
      continue;
    }
    for (const value of energyValuesOf(call)) strictWith.set(value, (strictWith.get(value) ?? 0) + 1);
    const inData = energyValuesOf(call, { transactionData: 'only' });
    for (const value of inData) restated.add(value);
    for (const value of energyValuesOf(call, { transactionData: 'without' })) messagesWith.set(value, (messagesWith.get(value) ?? 0) + 1);
  }

  let lost = 0;
  let duplicated = 0;
  let duplicatedStrict = 0;
  let restatedAlsoReceived = 0;
  let restatedOnly = 0;
  for (const r of answered) {
    const n = messagesWith.get(r.valueWh) ?? 0;
    const inData = restated.has(r.valueWh);
    if (inData && n > 0) restatedAlsoReceived++;
    if (inData && n === 0) restatedOnly++;
    duplicatedStrict += Math.max(0, (strictWith.get(r.valueWh) ?? 0) - 1);
    if (n === 0 && !inData) {
      lost++;
      note(`lost: ${r.chargerId} transaction ${r.transactionKey} ${r.action} ${r.valueWh} Wh`);
    } else if (n > 1) {
      duplicated += n - 1;
      note(`duplicated x${n}: ${r.chargerId} transaction ${r.transactionKey} ${r.action} ${r.valueWh} Wh`);
    }
    if (inData) note(`restated in the Stop's transactionData${n > 0 ? ' (also received as a MeterValues)' : ' (only there)'}: ${r.chargerId} transaction ${r.transactionKey} ${r.valueWh} Wh`);
  }

  let badStarts = 0;
  let badEnds = 0;
  let seqNoGaps = 0;
  for (const [key, t] of txs) {
    if (t.starts !== 1) {
      badStarts++;
      note(`transaction ${key}: ${t.starts} starts`);
    }
    if (t.ends !== 1) {
      badEnds++;
      note(`transaction ${key}: ${t.ends} ends`);
    }
    if (t.seqNos.size > 0 && Math.max(...t.seqNos) !== t.seqNos.size - 1) {
      seqNoGaps++;
      note(`transaction ${key}: seqNos ${[...t.seqNos].sort((a, b) => a - b).join(',')}`);
    }
  }
  return { answered: answered.length, lost, duplicated, duplicatedStrict, restatedAlsoReceived, restatedOnly, stopRepeats16, repeatsByKey, transactions: txs.size, badStarts, badEnds, seqNoGaps, findings };
}

/**
 * The distinct energy register values a transaction message carries (1.6 meterStart/meterStop
 * and sampled values, 2.x sampled values); a 1.6 Stop's transactionData included, left out, or
 * alone.
 */
export function energyValuesOf(call: Received, opts: { transactionData?: 'with' | 'without' | 'only' } = {}): Set<number> {
  const p = call.params;
  const values = new Set<number>();
  const data = opts.transactionData ?? 'with';
  if (data !== 'only') {
    for (const field of ['meterStart', 'meterStop']) {
      if (typeof p[field] === 'number') values.add(p[field]);
    }
  }
  const meterValues = [...(data === 'only' ? [] : asArray(p['meterValue'])), ...(data === 'without' ? [] : asArray(p['transactionData']))];
  for (const mv of meterValues) {
    for (const sv of asArray((mv as { sampledValue?: unknown }).sampledValue)) {
      const s = sv as { value?: unknown; measurand?: unknown };
      if (s.measurand !== undefined && s.measurand !== 'Energy.Active.Import.Register') continue;
      const v = Number(s.value);
      if (Number.isFinite(v)) values.add(v);
    }
  }
  return values;
}

function asArray(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}
