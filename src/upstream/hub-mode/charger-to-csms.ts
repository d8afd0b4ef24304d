/**
 * Hub mode, charger -> CSMS: what a downstream charger sends becomes what the hub sends on its
 * one upstream link (OCPP 2.0.1 or 2.1, the site as one station). Pure: the state goes in and
 * the next state comes out with the messages to send, the mapping entries made on the way, and
 * how to answer the charger.
 *
 * Usage by the link, per downstream CALL:
 *   const r = fromCharger(state, config, { stationId, version, action, payload, receivedMs }, { offline });
 *   in ONE SQLite transaction: repo.saveAdded(r.mappingAdded); outbox.append(each queued r.upstream); store r.state
 *   then answer the charger with answerCharger(r.answer, { upstreamConf, localStatus })
 *   (upstreamConf = the CSMS's response to r.upstream[r.answer.confIndex] when the link is up).
 */
import type { MeterValue16, StartTransaction16, StatusNotification16, StopTransaction16 } from '../../ocpp/adapters/v16.js';
import type { OcppVersion } from '../../ocpp/versions.js';
import type { ChargerAnswerPlan } from './charger-answers.js';
import type { EvseMappingEntry } from './evse-mapping.js';
import {
  authorize16,
  dataTransfer16,
  diagnosticsStatus16,
  firmwareStatus16,
  meterValues16,
  startTransaction16,
  statusNotification16,
  stopTransaction16,
  type Step16Context,
  type StepResult,
} from './from-16.js';
import { meterValues2x, notifyEvent2x, passThrough2x, securityEvent2x, statusNotification2x, transactionEvent2x, type Step2xContext } from './from-2x.js';
import type { HubModeConfig, HubState } from './hub-state.js';
import { StepOutput } from './translation.js';
import { noteNotified } from './trigger.js';
import type { TransactionEventReq, UpstreamMessage } from './wire-2x.js';

/** A CALL a downstream charger made, already validated against its version's schema. */
export interface ChargerMessage {
  stationId: string;
  version: OcppVersion;
  action: string;
  payload: unknown;
  /** Clock time it arrived; stands in for missing or unparsable timestamps. */
  receivedMs: number;
}

export interface FromChargerOptions {
  /** The upstream link is down: transaction events are marked offline. */
  offline?: boolean;
  /** 1.6 StartTransaction: the integer transaction id the hub answers with (e.g. from the store). */
  chargerTransactionId?: number;
}

export interface FromChargerResult {
  state: HubState;
  /** In order. Messages with `live` are not worth queueing when the link is down. */
  upstream: UpstreamMessage[];
  answer: ChargerAnswerPlan;
  /** Mapping entries made on the way: persist them (EvseMappingRepo.saveAdded). */
  mappingAdded: EvseMappingEntry[];
  /** What was not sent and why, for the log. */
  notes: string[];
}

/** Downstream actions the hub answers itself and never sends upstream in hub mode. */
export const ANSWERED_LOCALLY = new Set(['BootNotification', 'Heartbeat']);

export function fromCharger(state: HubState, config: HubModeConfig, msg: ChargerMessage, options: FromChargerOptions = {}): FromChargerResult {
  const out = new StepOutput();
  const step = msg.version === '1.6' ? step16(state, config, msg, options, out) : step2x(state, msg, options, out);
  return { state: noteNotified(step.state, out.upstream), upstream: out.upstream, answer: step.answer, mappingAdded: out.mappingAdded, notes: out.notes };
}

function step16(state: HubState, config: HubModeConfig, msg: ChargerMessage, options: FromChargerOptions, out: StepOutput): StepResult {
  const ctx: Step16Context = {
    stationId: msg.stationId,
    receivedMs: msg.receivedMs,
    offline: options.offline ?? false,
    config,
    ...(options.chargerTransactionId !== undefined ? { chargerTransactionId: options.chargerTransactionId } : {}),
  };
  switch (msg.action) {
    case 'StatusNotification':
      return statusNotification16(state, ctx, msg.payload as StatusNotification16, out);
    case 'Authorize':
      return authorize16(state, ctx, msg.payload as { idTag: string }, out);
    case 'StartTransaction':
      return startTransaction16(state, ctx, msg.payload as StartTransaction16, out);
    case 'MeterValues':
      return meterValues16(state, ctx, msg.payload as { connectorId: number; transactionId?: number; meterValue: MeterValue16[] }, out);
    case 'StopTransaction':
      return stopTransaction16(state, ctx, msg.payload as StopTransaction16, out);
    case 'DiagnosticsStatusNotification':
      return diagnosticsStatus16(state, msg.payload as { status: string }, out);
    case 'FirmwareStatusNotification':
      return firmwareStatus16(state, msg.payload as { status: string }, out);
    case 'DataTransfer':
      return dataTransfer16(state, msg.payload as { vendorId: string; messageId?: string; data?: string }, out);
    default:
      if (!ANSWERED_LOCALLY.has(msg.action)) out.note(`${msg.action} from a 1.6 charger is answered by the hub, not sent upstream`);
      return { state, answer: { kind: 'local' } };
  }
}

function step2x(state: HubState, msg: ChargerMessage, options: FromChargerOptions, out: StepOutput): StepResult {
  const ctx: Step2xContext = { stationId: msg.stationId, version: msg.version, receivedMs: msg.receivedMs, offline: options.offline ?? false };
  switch (msg.action) {
    case 'TransactionEvent':
      return transactionEvent2x(state, ctx, msg.payload as TransactionEventReq, out);
    case 'StatusNotification':
      return statusNotification2x(state, ctx, msg.payload as { timestamp: string; connectorStatus: string; evseId: number; connectorId: number }, out);
    case 'MeterValues':
      return meterValues2x(state, ctx, msg.payload as { evseId: number; meterValue: unknown[] }, out);
    case 'NotifyEvent':
      return notifyEvent2x(state, ctx, msg.payload as Parameters<typeof notifyEvent2x>[2], out);
    case 'SecurityEventNotification':
      return securityEvent2x(state, ctx, msg.payload as { type: string; timestamp: string; techInfo?: string }, out);
    case 'Authorize':
    case 'DataTransfer':
    case 'LogStatusNotification':
    case 'FirmwareStatusNotification':
      return passThrough2x(state, ctx, msg.action, msg.payload as object, out);
    default:
      if (!ANSWERED_LOCALLY.has(msg.action)) out.note(`${msg.action} from a ${msg.version} charger is answered by the hub, not sent upstream`);
      return { state, answer: { kind: 'local' } };
  }
}
