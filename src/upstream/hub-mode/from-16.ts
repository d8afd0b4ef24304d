/** OCPP 1.6 charger -> the hub's 2.x upstream link. */
import type { MeterValue16, StartTransaction16, StatusNotification16, StopTransaction16 } from '../../ocpp/adapters/v16.js';
import { batchingOn, batchDue, flushBatch, holdSamples } from './batching.js';
import type { ChargerAnswerPlan } from './charger-answers.js';
import { upstreamEvsesOfStation } from './evse-mapping.js';
import { errorEventData } from './error-events.js';
import {
  connectorKey,
  openTransactionOn,
  txKey,
  withConnector,
  withTransaction,
  withoutTransaction,
  type HubModeConfig,
  type HubState,
  type HubTransaction,
} from './hub-state.js';
import { idTagOf2x, idTokenOf16 } from './id-tokens.js';
import { meterValuesOf16, registerReading, timestampOf, triggerReasonOfContext } from './meter-values.js';
import { mapConnector, type StepOutput } from './translation.js';
import { clip, type EventData2x, type IdToken2x, type NotifyEventReq, type TransactionEventReq } from './wire-2x.js';
import { CHARGING_STATE_OF_16, STATUS_16_TO_2X, STOP_REASON_16_TO_2X } from '../../ocpp/adapters/v16.js';

export interface Step16Context {
  stationId: string;
  receivedMs: number;
  offline: boolean;
  /** 1.6 StartTransaction: the integer id the hub answers with (else the state's counter). */
  chargerTransactionId?: number;
  config: HubModeConfig;
}

export interface StepResult {
  state: HubState;
  answer: ChargerAnswerPlan;
}

/** 1.6 StopTransaction reason -> the Ended event's triggerReason. */
function endedTriggerReason(reason: string | undefined, hasIdTag: boolean): string {
  switch (reason ?? 'Local') {
    case 'Remote':
      return 'RemoteStop';
    case 'EVDisconnected':
      return 'EVCommunicationLost';
    case 'DeAuthorized':
      return 'Deauthorized';
    case 'UnlockCommand':
      return 'UnlockCommand';
    case 'HardReset':
    case 'SoftReset':
      return 'ResetCommand';
    case 'EmergencyStop':
    case 'PowerLoss':
    case 'Reboot':
      return 'AbnormalCondition';
    case 'Local':
      return 'StopAuthorized';
    default:
      return hasIdTag ? 'StopAuthorized' : 'AbnormalCondition';
  }
}

/**
 * The upstream transactionId the hub makes for a 1.6 transaction: unique per upstream EVSE and
 * start time, stable when the same StartTransaction is translated again (replay after a crash).
 * At most 36 characters, as 2.x allows.
 */
export function hubTransactionId(upstreamEvseId: number, startedMs: number, chargerTransactionId: number): string {
  return clip(`E${upstreamEvseId}-${Math.max(0, Math.floor(startedMs)).toString(36)}-${chargerTransactionId}`, 36);
}

function transactionEvent(tx: HubTransaction, e: Omit<TransactionEventReq, 'seqNo' | 'transactionInfo'> & { transactionInfo?: Partial<TransactionEventReq['transactionInfo']> }, offline: boolean): TransactionEventReq {
  return {
    ...e,
    seqNo: tx.nextSeqNo,
    ...(offline ? { offline: true } : {}),
    transactionInfo: { transactionId: tx.transactionId, ...e.transactionInfo },
  };
}

/** Sends the transaction's held samples (if any) and returns the transaction after. */
function flushFirst(tx: HubTransaction, out: StepOutput): HubTransaction {
  const flushed = flushBatch(tx);
  if (flushed.message) out.send(flushed.message);
  return flushed.tx;
}

export function statusNotification16(state: HubState, ctx: Step16Context, p: StatusNotification16, out: StepOutput): StepResult {
  const answer: ChargerAnswerPlan = { kind: 'fixed', payload: {} };
  const timestampMs = Date.parse(timestampOf(p.timestamp, ctx.receivedMs));
  if (p.connectorId === 0) return { state: chargerWideError(state, ctx, p, timestampMs, out), answer };

  const mapped = mapConnector(state, { stationId: ctx.stationId, evseId: p.connectorId, connectorId: 1 });
  if (!mapped) {
    out.note(`StatusNotification for connector ${p.connectorId} cannot be mapped`);
    return { state, answer };
  }
  let next = out.mapped(mapped);
  const { entry } = mapped;
  const key = connectorKey(ctx.stationId, p.connectorId, 1);
  const memo = next.connectors[key] ?? {};
  const status = STATUS_16_TO_2X[p.status] ?? 'Unavailable';

  if (memo.status !== status || memo.forceNext) {
    out.send({
      action: 'StatusNotification',
      payload: { timestamp: timestampOf(p.timestamp, ctx.receivedMs), connectorStatus: status, evseId: entry.upstreamEvseId, connectorId: entry.upstreamConnectorId },
      kind: 'periodic',
    });
  }

  const tx = openTransactionOn(next, ctx.stationId, p.connectorId);
  const chargingState = CHARGING_STATE_OF_16[p.status];
  if (tx && chargingState && chargingState !== tx.chargingState) {
    const flushed = flushFirst(tx, out);
    const event = transactionEvent(
      flushed,
      { eventType: 'Updated', timestamp: timestampOf(p.timestamp, ctx.receivedMs), triggerReason: 'ChargingStateChanged', transactionInfo: { chargingState } },
      ctx.offline,
    );
    out.send({ action: 'TransactionEvent', payload: event, kind: 'billing' });
    next = withTransaction(next, { ...flushed, chargingState, nextSeqNo: flushed.nextSeqNo + 1 });
  }

  let problem = memo.problem;
  const evse = { id: entry.upstreamEvseId, connectorId: entry.upstreamConnectorId };
  const events: EventData2x[] = [];
  if (p.errorCode !== 'NoError' && problem?.errorCode !== p.errorCode) {
    if (problem) events.push(...clearEvents(next, ctx, problem.errorCode, [evse], timestampMs));
    const eventId = next.nextEventId + events.length;
    events.push(errorEventData({ eventId, errorCode: p.errorCode, evse, timestampMs, cleared: false, stationId: ctx.stationId, ...extras(p) }));
    problem = { errorCode: p.errorCode, eventIds: [eventId] };
  } else if (p.errorCode === 'NoError' && problem) {
    events.push(...clearEvents(next, ctx, problem.errorCode, [evse], timestampMs));
    problem = undefined;
  }
  if (events.length > 0) {
    out.send({ action: 'NotifyEvent', payload: notifyEvent(events, ctx.receivedMs), kind: 'other' });
    next = { ...next, nextEventId: next.nextEventId + events.length };
  }

  const { forceNext: _f, problem: _p, ...kept } = memo;
  next = withConnector(next, key, { ...kept, status, detail16: p.status, ...(problem ? { problem } : {}) });
  return { state: next, answer };
}

function extras(p: StatusNotification16): { info?: string; vendorId?: string; vendorErrorCode?: string } {
  return {
    ...(p.info ? { info: p.info } : {}),
    ...(p.vendorId ? { vendorId: p.vendorId } : {}),
    ...(p.vendorErrorCode ? { vendorErrorCode: p.vendorErrorCode } : {}),
  };
}

function clearEvents(state: HubState, ctx: Step16Context, errorCode: string, evses: { id: number; connectorId?: number }[], timestampMs: number): EventData2x[] {
  const targets = evses.length > 0 ? evses : [undefined];
  return targets.map((evse, i) =>
    errorEventData({ eventId: state.nextEventId + i, errorCode, ...(evse ? { evse } : {}), timestampMs, cleared: true, stationId: ctx.stationId }),
  );
}

function notifyEvent(eventData: EventData2x[], receivedMs: number): NotifyEventReq {
  return { generatedAt: new Date(receivedMs).toISOString(), seqNo: 0, eventData };
}

/** 1.6 connectorId 0: the charger itself. No 2.x StatusNotification; errors name each of its EVSEs. */
function chargerWideError(state: HubState, ctx: Step16Context, p: StatusNotification16, timestampMs: number, out: StepOutput): HubState {
  const key = connectorKey(ctx.stationId, 0, 0);
  const memo = state.connectors[key] ?? {};
  const evses = upstreamEvsesOfStation(state.mapping, ctx.stationId).map((id) => ({ id }));
  let problem = memo.problem;
  const events: EventData2x[] = [];
  if (p.errorCode !== 'NoError' && problem?.errorCode !== p.errorCode) {
    if (problem) events.push(...clearEvents(state, ctx, problem.errorCode, evses, timestampMs));
    const targets = evses.length > 0 ? evses : [undefined];
    const base = state.nextEventId + events.length;
    events.push(
      ...targets.map((evse, i) =>
        errorEventData({ eventId: base + i, errorCode: p.errorCode, ...(evse ? { evse } : {}), timestampMs, cleared: false, stationId: ctx.stationId, ...extras(p) }),
      ),
    );
    problem = { errorCode: p.errorCode, eventIds: targets.map((_, i) => base + i) };
  } else if (p.errorCode === 'NoError' && problem) {
    events.push(...clearEvents(state, ctx, problem.errorCode, evses, timestampMs));
    problem = undefined;
  }
  let next = state;
  if (events.length > 0) {
    out.send({ action: 'NotifyEvent', payload: notifyEvent(events, ctx.receivedMs), kind: 'other' });
    next = { ...next, nextEventId: next.nextEventId + events.length };
  }
  const { problem: _p, ...kept } = memo;
  return withConnector(next, key, { ...kept, detail16: p.status, ...(problem ? { problem } : {}) });
}

/** A 1.6 idTag as the 2.x idToken upstream (the configured rules; the CSMS's own tokens keep their type). */
function tokenOf(state: HubState, ctx: Step16Context, idTag: string): IdToken2x {
  return idTokenOf16(idTag, ctx.config.idTokenRules, state.csmsTokens);
}

export function authorize16(state: HubState, ctx: Step16Context, p: { idTag: string }, out: StepOutput): StepResult {
  out.send({ action: 'Authorize', payload: { idToken: tokenOf(state, ctx, p.idTag) }, kind: 'other', live: true });
  return { state, answer: { kind: 'authorize16', confIndex: out.upstream.length - 1 } };
}

export function startTransaction16(state: HubState, ctx: Step16Context, p: StartTransaction16, out: StepOutput): StepResult {
  const timestamp = timestampOf(p.timestamp, ctx.receivedMs);
  const startedMs = Date.parse(timestamp);
  const existing = openTransactionOn(state, ctx.stationId, p.connectorId);
  if (existing && existing.idToken?.idToken === p.idTag && existing.startedMs === startedMs) {
    out.note(`StartTransaction repeated for transaction ${existing.chargerTransactionId}: answered again, not sent twice`);
    return { state, answer: { kind: 'startTransaction16', transactionId: Number(existing.chargerTransactionId) } };
  }
  const mapped = mapConnector(state, { stationId: ctx.stationId, evseId: p.connectorId, connectorId: 1 });
  const chargerTransactionId = ctx.chargerTransactionId ?? state.nextChargerTransactionId;
  let next: HubState = { ...state, nextChargerTransactionId: Math.max(state.nextChargerTransactionId, chargerTransactionId + 1) };
  if (!mapped) {
    out.note(`StartTransaction on connector ${p.connectorId} cannot be mapped: not sent upstream`);
    return { state: next, answer: { kind: 'startTransaction16', transactionId: chargerTransactionId } };
  }
  next = { ...out.mapped(mapped), nextChargerTransactionId: next.nextChargerTransactionId };
  if (existing) out.note(`StartTransaction on connector ${p.connectorId} while transaction ${existing.chargerTransactionId} is open there`);

  const { entry } = mapped;
  const remote = next.remoteStarts.find(
    (r) => r.stationId === ctx.stationId && (r.evseId === undefined || r.evseId === p.connectorId) && idTagOf2x(r.idToken) === p.idTag && r.expiresAtMs >= ctx.receivedMs,
  );
  const detail = next.connectors[connectorKey(ctx.stationId, p.connectorId, 1)]?.detail16;
  const chargingState = (detail && CHARGING_STATE_OF_16[detail]) ?? 'Charging';
  const idToken = remote ? remote.idToken : tokenOf(next, ctx, p.idTag);
  const tx: HubTransaction = {
    transactionId: hubTransactionId(entry.upstreamEvseId, startedMs, chargerTransactionId),
    stationId: ctx.stationId,
    chargerTransactionId: String(chargerTransactionId),
    legacy: true,
    evseId: p.connectorId,
    connectorId: 1,
    upstreamEvseId: entry.upstreamEvseId,
    upstreamConnectorId: entry.upstreamConnectorId,
    nextSeqNo: 0,
    idToken,
    chargingState,
    startedMs,
  };
  const event = transactionEvent(
    tx,
    {
      eventType: 'Started',
      timestamp,
      triggerReason: remote ? 'RemoteStart' : 'Authorized',
      ...(p.reservationId !== undefined ? { reservationId: p.reservationId } : {}),
      transactionInfo: { chargingState, ...(remote ? { remoteStartId: remote.remoteStartId } : {}) },
      evse: { id: entry.upstreamEvseId, connectorId: entry.upstreamConnectorId },
      idToken,
      meterValue: [registerReading(p.meterStart, timestamp, 'Transaction.Begin')],
    },
    ctx.offline,
  );
  out.send({ action: 'TransactionEvent', payload: event, kind: 'billing' });
  next = withTransaction(next, { ...tx, nextSeqNo: 1 });
  if (remote) next = { ...next, remoteStarts: next.remoteStarts.filter((r) => r !== remote) };
  return { state: next, answer: { kind: 'startTransaction16', transactionId: chargerTransactionId, confIndex: out.upstream.length - 1 } };
}

export function meterValues16(
  state: HubState,
  ctx: Step16Context,
  p: { connectorId: number; transactionId?: number; meterValue: MeterValue16[] },
  out: StepOutput,
): StepResult {
  const answer: ChargerAnswerPlan = { kind: 'fixed', payload: {} };
  const values = meterValuesOf16(p.meterValue, ctx.receivedMs);
  if (values.length === 0) {
    out.note('MeterValues with nothing 2.x can carry (signed, non-numeric or 1.6-only measurands): not sent');
    return { state, answer };
  }
  const asked = triggeredHere(state, ctx, p);
  if (asked) state = asked.state;
  const tx = p.transactionId === undefined ? undefined : state.transactions[txKey(ctx.stationId, String(p.transactionId))];
  if (tx && asked?.requestedMessage !== 'MeterValues') {
    const trigger = asked ? 'Trigger' : triggerReasonOfContext(p.meterValue[0]?.sampledValue[0]?.context);
    if (trigger === 'MeterValuePeriodic' && batchingOn(ctx.config)) {
      let held = holdSamples(tx, values, ctx.receivedMs, ctx.offline);
      if (batchDue(held, ctx.config, ctx.receivedMs)) held = flushFirst(held, out);
      return { state: withTransaction(state, held), answer };
    }
    const flushed = flushFirst(tx, out);
    const event = transactionEvent(flushed, { eventType: 'Updated', timestamp: values[values.length - 1]?.timestamp ?? timestampOf(undefined, ctx.receivedMs), triggerReason: trigger, meterValue: values }, ctx.offline);
    out.send({ action: 'TransactionEvent', payload: event, kind: 'billing' });
    return { state: withTransaction(state, { ...flushed, nextSeqNo: flushed.nextSeqNo + 1 }), answer };
  }
  if (p.transactionId !== undefined && !tx) out.note(`MeterValues for unknown transaction ${p.transactionId}: sent as MeterValues`);
  if (p.connectorId === 0) {
    out.note('MeterValues of connector 0 (the charger as a whole) have no upstream EVSE: not sent');
    return { state, answer };
  }
  const mapped = mapConnector(state, { stationId: ctx.stationId, evseId: p.connectorId, connectorId: 1 });
  if (!mapped) {
    out.note(`MeterValues for connector ${p.connectorId} cannot be mapped: not sent`);
    return { state, answer };
  }
  out.send({ action: 'MeterValues', payload: { evseId: mapped.entry.upstreamEvseId, meterValue: values }, kind: 'periodic' });
  return { state: out.mapped(mapped), answer };
}

/**
 * The CSMS asked this connector for MeterValues or a TransactionEvent (TriggerMessage) and this
 * MeterValues is the answer: its samples are not marked periodic (context Trigger, or none), and
 * the request is fresh. Returns what was asked and the state with the request used up.
 */
function triggeredHere(state: HubState, ctx: Step16Context, p: { connectorId: number; meterValue: MeterValue16[] }): { state: HubState; requestedMessage: string } | undefined {
  const key = connectorKey(ctx.stationId, p.connectorId, 1);
  const memo = state.connectors[key];
  const asked = memo?.trigger;
  if (!memo || !asked || asked.untilMs < ctx.receivedMs) return undefined;
  const contexts = p.meterValue.flatMap((mv) => mv.sampledValue.map((v) => v.context));
  if (!contexts.every((c) => c === undefined || c === 'Trigger')) return undefined;
  const { trigger: _t, ...kept } = memo;
  return { state: withConnector(state, key, kept), requestedMessage: asked.requestedMessage };
}

export function stopTransaction16(state: HubState, ctx: Step16Context, p: StopTransaction16, out: StepOutput): StepResult {
  const answer: ChargerAnswerPlan = { kind: 'stopTransaction16', withIdTagInfo: p.idTag !== undefined };
  const key = txKey(ctx.stationId, String(p.transactionId));
  const tx = state.transactions[key];
  if (!tx) {
    out.note(
      state.recentlyEnded.includes(key)
        ? `StopTransaction repeated for transaction ${p.transactionId}: already ended upstream`
        : `StopTransaction for unknown transaction ${p.transactionId}: nothing to end upstream`,
    );
    return { state, answer };
  }
  const flushed = flushFirst(tx, out);
  const timestamp = timestampOf(p.timestamp, ctx.receivedMs);
  const event = transactionEvent(
    flushed,
    {
      eventType: 'Ended',
      timestamp,
      triggerReason: endedTriggerReason(p.reason, p.idTag !== undefined),
      transactionInfo: { stoppedReason: STOP_REASON_16_TO_2X[p.reason ?? 'Local'] ?? 'Other' },
      evse: { id: tx.upstreamEvseId, connectorId: tx.upstreamConnectorId },
      ...(p.idTag !== undefined ? { idToken: p.idTag === tx.idToken?.idToken ? tx.idToken : tokenOf(state, ctx, p.idTag) } : {}),
      meterValue: [...meterValuesOf16(p.transactionData ?? [], ctx.receivedMs), registerReading(p.meterStop, timestamp, 'Transaction.End')],
    },
    ctx.offline,
  );
  out.send({ action: 'TransactionEvent', payload: event, kind: 'billing' });
  return { state: withoutTransaction(state, flushed), answer: { ...answer, confIndex: out.upstream.length - 1 } };
}

const DIAGNOSTICS_TO_LOG_STATUS: Record<string, string> = {
  Idle: 'Idle',
  Uploaded: 'Uploaded',
  UploadFailed: 'UploadFailure',
  Uploading: 'Uploading',
};

/** 1.6 DiagnosticsStatusNotification -> 2.x LogStatusNotification (UploadFailed -> UploadFailure). */
export function diagnosticsStatus16(state: HubState, p: { status: string }, out: StepOutput): StepResult {
  out.send({ action: 'LogStatusNotification', payload: { status: DIAGNOSTICS_TO_LOG_STATUS[p.status] ?? 'Idle' }, kind: 'other' });
  return { state, answer: { kind: 'fixed', payload: {} } };
}

/**
 * 1.6 FirmwareStatusNotification -> 2.x: every 1.6 status (Downloaded, DownloadFailed,
 * Downloading, Idle, InstallationFailed, Installing, Installed) has the same name in 2.x.
 */
const FIRMWARE_STATUSES_2X = new Set(['Downloaded', 'DownloadFailed', 'Downloading', 'Idle', 'InstallationFailed', 'Installing', 'Installed']);

export function firmwareStatus16(state: HubState, p: { status: string }, out: StepOutput): StepResult {
  out.send({ action: 'FirmwareStatusNotification', payload: { status: FIRMWARE_STATUSES_2X.has(p.status) ? p.status : 'Idle' }, kind: 'other' });
  return { state, answer: { kind: 'fixed', payload: {} } };
}

export function dataTransfer16(state: HubState, p: { vendorId: string; messageId?: string; data?: string }, out: StepOutput): StepResult {
  out.send({
    action: 'DataTransfer',
    payload: { vendorId: p.vendorId, ...(p.messageId !== undefined ? { messageId: p.messageId } : {}), ...(p.data !== undefined ? { data: p.data } : {}) },
    kind: 'other',
    live: true,
  });
  return { state, answer: { kind: 'dataTransfer16', confIndex: out.upstream.length - 1 } };
}

