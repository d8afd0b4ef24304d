/**
 * How the hub answers the downstream charger for a message it translated. Some answers depend
 * on the CSMS's answer (Authorize, StartTransaction); with store-and-forward the hub may have to
 * answer before the CSMS does (link down): then it passes a local authorization decision.
 */
import type { OcppVersion } from '../../ocpp/versions.js';
import { validatePayload } from '../../ocpp/schema-validator.js';
import { idTagInfoOf, type AuthorizationStatus16, type IdTagInfo16 } from './id-tokens.js';
import type { IdTokenInfo2x } from './wire-2x.js';

export type ChargerAnswerPlan =
  /** The answer does not depend on the CSMS. */
  | { kind: 'fixed'; payload: object }
  /** Not translated: the hub answers as in standalone mode (BootNotification, Heartbeat, ...). */
  | { kind: 'local' }
  /** 1.6 Authorize.conf from the CSMS's Authorize response (upstream[confIndex]). */
  | { kind: 'authorize16'; confIndex: number }
  /** 1.6 StartTransaction.conf: the hub's integer id, idTagInfo from the TransactionEvent response. */
  | { kind: 'startTransaction16'; transactionId: number; confIndex?: number }
  /** 1.6 StopTransaction.conf: idTagInfo when the charger sent an idTag. */
  | { kind: 'stopTransaction16'; withIdTagInfo: boolean; confIndex?: number }
  /** 1.6 DataTransfer.conf from the CSMS's DataTransfer response. */
  | { kind: 'dataTransfer16'; confIndex: number }
  /** 2.x charger: the CSMS's response, fitted to the charger's version. */
  | { kind: 'passThrough'; action: string; version: OcppVersion; confIndex?: number; fallback: object };

export interface AnswerInput {
  /** The CSMS's response to upstream[plan.confIndex]; undefined when there is none (link down, error). */
  upstreamConf?: unknown;
  /** The hub's own decision for an identifier, used when there is no upstream answer. */
  localStatus?: AuthorizationStatus16;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function idTokenInfoIn(conf: unknown): IdTokenInfo2x | undefined {
  if (!isRecord(conf)) return undefined;
  const info = conf.idTokenInfo;
  if (!isRecord(info) || typeof info.status !== 'string') return undefined;
  const group = info.groupIdToken;
  return {
    status: info.status,
    ...(typeof info.cacheExpiryDateTime === 'string' ? { cacheExpiryDateTime: info.cacheExpiryDateTime } : {}),
    ...(isRecord(group) && typeof group.idToken === 'string' && typeof group.type === 'string'
      ? { groupIdToken: { idToken: group.idToken, type: group.type } }
      : {}),
  };
}

/** The 2.x answer when the CSMS gave none (or one the charger's version cannot take). */
function localAnswer2x(action: string, input: AnswerInput, fallback: object): object {
  switch (action) {
    case 'Authorize':
      return { idTokenInfo: { status: input.localStatus ?? 'Invalid' } };
    case 'TransactionEvent':
      return input.localStatus ? { idTokenInfo: { status: input.localStatus } } : {};
    case 'DataTransfer':
      return { status: 'UnknownVendorId' };
    default:
      return fallback;
  }
}

function localIdTagInfo(input: AnswerInput): IdTagInfo16 {
  return { status: input.localStatus ?? 'Invalid' };
}

/**
 * The payload to answer the charger with. Without an upstream answer: the local status (default
 * Invalid for Authorize; a StartTransaction/StopTransaction without the CSMS's word takes the
 * local status, default Accepted, since the transaction is already recorded and queued).
 */
export function answerCharger(plan: ChargerAnswerPlan, input: AnswerInput = {}): object | undefined {
  switch (plan.kind) {
    case 'fixed':
      return plan.payload;
    case 'local':
      return undefined;
    case 'authorize16': {
      const info = idTokenInfoIn(input.upstreamConf);
      return { idTagInfo: info ? idTagInfoOf(info) : localIdTagInfo(input) };
    }
    case 'startTransaction16': {
      const info = idTokenInfoIn(input.upstreamConf);
      return { transactionId: plan.transactionId, idTagInfo: info ? idTagInfoOf(info) : { status: input.localStatus ?? 'Accepted' } };
    }
    case 'stopTransaction16': {
      if (!plan.withIdTagInfo) return {};
      const info = idTokenInfoIn(input.upstreamConf);
      return { idTagInfo: info ? idTagInfoOf(info) : { status: input.localStatus ?? 'Accepted' } };
    }
    case 'dataTransfer16': {
      const conf = input.upstreamConf;
      if (!isRecord(conf) || typeof conf.status !== 'string') return { status: 'UnknownVendorId' };
      const data = conf.data;
      return {
        status: conf.status,
        ...(data === undefined ? {} : { data: typeof data === 'string' ? data : JSON.stringify(data) }),
      };
    }
    case 'passThrough': {
      const conf = input.upstreamConf;
      if (isRecord(conf) && validatePayload(plan.version, plan.action, 'conf', conf) === undefined) return conf;
      return localAnswer2x(plan.action, input, plan.fallback);
    }
  }
}
