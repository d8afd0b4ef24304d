import type { OcppVersion } from '../../ocpp/versions.js';
import type { OutboxEntry, OutboxKind } from '../../store/outbox-repo.js';
import type { PreparedMessage, SendMode } from '../outbox-pump.js';
import type { OutboxPayloadCodec } from '../outbox-compaction.js';
import { arrayField, fields, numberField, stringField } from '../wire-fields.js';
import type { TxIdMap } from './tx-id-map.js';
import type { Restatements } from './restatements.js';

/** What proxy mode stores in an outbox row: the station's payload as received, plus what replay needs. */
export interface ProxyEnvelope {
  payload: unknown;
  /** 1.6 StartTransaction: the id the hub gave the station. */
  hubTransactionId?: number;
  /** Made by the hub (e.g. ending a transaction after a reboot), not by the station. */
  hubMade?: boolean;
  /**
   * 1.6 StartTransaction, StopTransaction, MeterValues: when it first left for the CSMS (written
   * durably before it left; taken back when it provably did not leave). A row that has it and is
   * still in the outbox may be at the CSMS already, and 1.6 has no message key by which the CSMS
   * could recognise a second copy (ProxyStation decides what happens to it).
   */
  sentMs?: number;
  /**
   * 2.x TransactionEvent: the upstream link was connected when the hub recorded it, so the
   * event did not happen offline. The hub may still answer it itself (a message before it was
   * still on its way) and send it on replay, unmarked. Taken back when its live send failed
   * because the link went down.
   */
  recordedOnline?: boolean;
}

export function envelopeOf(stored: unknown): ProxyEnvelope {
  const f = fields(stored);
  const hubTransactionId = numberField(f, 'hubTransactionId');
  const sentMs = numberField(f, 'sentMs');
  return {
    payload: f['payload'],
    ...(hubTransactionId !== undefined ? { hubTransactionId } : {}),
    ...(f['hubMade'] === true ? { hubMade: true } : {}),
    ...(sentMs !== undefined ? { sentMs } : {}),
    ...(f['recordedOnline'] === true ? { recordedOnline: true } : {}),
  };
}

/** Compaction sees the station's payload inside the envelope; the rest of the envelope must match to merge. */
export const PROXY_CODEC: OutboxPayloadCodec = {
  unwrap: (stored) => {
    const { payload, ...extra } = fields(stored);
    return { payload, extra };
  },
  wrap: (payload, extra) => ({ ...fields(extra), payload }),
};

const BILLING_CONTEXTS = new Set(['Transaction.Begin', 'Transaction.End', 'Sample.Clock']);

/**
 * Class of a station message in the outbox (OutboxKind): periodic meter values and statuses,
 * or billing (transaction messages, their begin/end/clock readings, security events). Nothing
 * is dropped by class: compaction merges readings, whatever their class.
 */
export function outboxKindOf(action: string, payload: unknown): OutboxKind {
  switch (action) {
    case 'StartTransaction':
    case 'StopTransaction':
    case 'SecurityEventNotification':
      return 'billing';
    case 'TransactionEvent':
      return stringField(payload, 'eventType') === 'Updated' && stringField(payload, 'triggerReason') === 'MeterValuePeriodic' ? 'periodic' : 'billing';
    case 'MeterValues': {
      const contexts = arrayField(payload, 'meterValue').flatMap((mv) => arrayField(mv, 'sampledValue').map((s) => stringField(s, 'context') ?? 'Sample.Periodic'));
      return contexts.some((c) => BILLING_CONTEXTS.has(c)) ? 'billing' : 'periodic';
    }
    case 'StatusNotification':
      return 'periodic';
    default:
      return 'other';
  }
}

/**
 * The wire message for an outbox row. 1.6: transactionId of Stop/MeterValues rewritten from
 * the hub's id to the CSMS's (a row whose transaction the CSMS never accepted cannot be sent);
 * a StopTransaction carries in `transactionData` the readings kept for it (restatements.ts)
 * that its station's own transactionData does not already hold.
 * 2.x: a TransactionEvent the hub answered itself is marked `offline: true` on replay unless it
 * was recorded while the link was up (recordedOnline: it was only queued behind another); its
 * seqNo is given at send time by the pump (upstream-seq-nos.ts): the station's own unless
 * compaction merged rows, so the CSMS sees a continuous sequence either way.
 */
export function prepareProxyMessage(stationId: string, version: OcppVersion, entry: OutboxEntry, mode: SendMode, txIds: TxIdMap, restated?: Restatements): PreparedMessage {
  const env = envelopeOf(entry.payload);
  const payload = fields(env.payload);
  if (version === '1.6' && (entry.action === 'StopTransaction' || entry.action === 'MeterValues')) {
    const hubId = numberField(payload, 'transactionId');
    if (hubId === undefined) return { action: entry.action, payload };
    const csmsId = txIds.csmsIdOf(stationId, hubId);
    if (csmsId === undefined) return { skip: `the CSMS has no transaction for hub transaction ${hubId}` };
    const extra = entry.action === 'StopTransaction' ? restated?.of(stationId, hubId) ?? [] : [];
    return { action: entry.action, payload: { ...payload, transactionId: csmsId, ...withRestated(payload, extra) } };
  }
  if (entry.action === 'TransactionEvent' && mode === 'replay' && !env.hubMade && !env.recordedOnline) {
    return { action: entry.action, payload: { ...payload, offline: true } };
  }
  return { action: entry.action, payload };
}

/** transactionData of a 1.6 Stop with the kept readings added (those it does not already hold, compared as JSON). */
function withRestated(stop: Record<string, unknown>, restated: readonly unknown[]): { transactionData?: unknown[] } {
  if (restated.length === 0) return {};
  const own = arrayField(stop, 'transactionData');
  const seen = new Set(own.map((mv) => JSON.stringify(mv)));
  const added = restated.filter((mv) => !seen.has(JSON.stringify(mv)));
  return { transactionData: [...added, ...own] };
}
