/**
 * OCPP 2.0.1 / 2.1 charger -> the hub's upstream link: the same messages, with the charger's
 * EVSE ids remapped to upstream ones. Transaction ids and seqNos stay the charger's (the charger
 * numbers its own events, so a resent event keeps its (transactionId, seqNo) and the CSMS can
 * see it is a duplicate). Only when another station's open transaction already uses the same
 * id upstream does the hub prefix it with the upstream EVSE (`E<evse>-<id>`, cut to 36).
 * Periodic samples of 2.x chargers are not batched (that would need new seqNos).
 */
import type { OcppVersion } from '../../ocpp/versions.js';
import type { ChargerAnswerPlan } from './charger-answers.js';
import { upstreamEvsesOfStation, type EvseMappingEntry } from './evse-mapping.js';
import {
  EVENT_ID_MAP_MAX,
  connectorKey,
  txKey,
  withConnector,
  withTransaction,
  withoutTransaction,
  type HubState,
  type HubTransaction,
} from './hub-state.js';
import type { StepResult } from './from-16.js';
import { mapConnector, mapEvse, type Mapped, type StepOutput } from './translation.js';
import { clip, type EventData2x, type EvseRef2x, type TransactionEventReq } from './wire-2x.js';

export interface Step2xContext {
  stationId: string;
  version: OcppVersion;
  receivedMs: number;
  offline: boolean;
}

function passThrough(ctx: Step2xContext, action: string, confIndex: number): ChargerAnswerPlan {
  return { kind: 'passThrough', action, version: ctx.version, confIndex, fallback: {} };
}

function mapEvseRef(state: HubState, stationId: string, evse: EvseRef2x): Mapped | undefined {
  return evse.connectorId !== undefined ? mapConnector(state, { stationId, evseId: evse.id, connectorId: evse.connectorId }) : mapEvse(state, stationId, evse.id);
}

function upstreamRef(entry: EvseMappingEntry, withConnector: boolean): EvseRef2x {
  return withConnector ? { id: entry.upstreamEvseId, connectorId: entry.upstreamConnectorId } : { id: entry.upstreamEvseId };
}

function upstreamTransactionId(state: HubState, stationId: string, chargerId: string, upstreamEvseId: number | undefined): string {
  const clash = Object.values(state.transactions).some((t) => t.transactionId === chargerId && t.stationId !== stationId);
  return clash ? clip(`E${upstreamEvseId ?? 0}-${chargerId}`, 36) : chargerId;
}

export function transactionEvent2x(state: HubState, ctx: Step2xContext, p: TransactionEventReq, out: StepOutput): StepResult {
  const key = txKey(ctx.stationId, p.transactionInfo.transactionId);
  let next = state;
  let tx: HubTransaction | undefined = next.transactions[key];
  let evse: EvseRef2x | undefined;
  if (p.evse) {
    const mapped = mapEvseRef(next, ctx.stationId, p.evse);
    if (mapped) {
      next = out.mapped(mapped);
      evse = upstreamRef(mapped.entry, p.evse.connectorId !== undefined);
      if (!tx) {
        tx = {
          transactionId: upstreamTransactionId(next, ctx.stationId, p.transactionInfo.transactionId, mapped.entry.upstreamEvseId),
          stationId: ctx.stationId,
          chargerTransactionId: p.transactionInfo.transactionId,
          legacy: false,
          evseId: mapped.entry.evseId,
          connectorId: mapped.entry.connectorId,
          upstreamEvseId: mapped.entry.upstreamEvseId,
          upstreamConnectorId: mapped.entry.upstreamConnectorId,
          nextSeqNo: p.seqNo,
          ...(p.idToken ? { idToken: p.idToken } : {}),
          startedMs: Date.parse(p.timestamp),
        };
      }
    } else {
      out.note(`TransactionEvent names EVSE ${p.evse.id} that cannot be mapped: sent without evse`);
    }
  }
  const transactionId = tx?.transactionId ?? upstreamTransactionId(next, ctx.stationId, p.transactionInfo.transactionId, undefined);
  if (!tx) out.note(`TransactionEvent for transaction ${p.transactionInfo.transactionId} with no known EVSE`);
  const { evse: _e, ...rest } = p;
  const event: TransactionEventReq = {
    ...rest,
    ...(ctx.offline ? { offline: true } : {}),
    transactionInfo: { ...p.transactionInfo, transactionId },
    ...(evse ? { evse } : {}),
  };
  out.send({ action: 'TransactionEvent', payload: event, kind: 'billing' });
  if (tx) {
    const updated: HubTransaction = {
      ...tx,
      nextSeqNo: Math.max(tx.nextSeqNo, p.seqNo + 1),
      ...(p.transactionInfo.chargingState ? { chargingState: p.transactionInfo.chargingState } : {}),
    };
    next = p.eventType === 'Ended' ? withoutTransaction(next, updated) : withTransaction(next, updated);
  }
  return { state: next, answer: passThrough(ctx, 'TransactionEvent', out.upstream.length - 1) };
}

export function statusNotification2x(
  state: HubState,
  ctx: Step2xContext,
  p: { timestamp: string; connectorStatus: string; evseId: number; connectorId: number },
  out: StepOutput,
): StepResult {
  const answer: ChargerAnswerPlan = { kind: 'fixed', payload: {} };
  const mapped = mapConnector(state, { stationId: ctx.stationId, evseId: p.evseId, connectorId: p.connectorId });
  if (!mapped) {
    out.note(`StatusNotification for EVSE ${p.evseId} connector ${p.connectorId} cannot be mapped: not sent`);
    return { state, answer };
  }
  let next = out.mapped(mapped);
  const key = connectorKey(ctx.stationId, p.evseId, p.connectorId);
  const memo = next.connectors[key] ?? {};
  if (memo.status !== p.connectorStatus || memo.forceNext) {
    out.send({
      action: 'StatusNotification',
      payload: { timestamp: p.timestamp, connectorStatus: p.connectorStatus, evseId: mapped.entry.upstreamEvseId, connectorId: mapped.entry.upstreamConnectorId },
      kind: 'periodic',
    });
  }
  const { forceNext: _f, ...kept } = memo;
  next = withConnector(next, key, { ...kept, status: p.connectorStatus });
  return { state: next, answer };
}

export function meterValues2x(state: HubState, ctx: Step2xContext, p: { evseId: number; meterValue: unknown[] }, out: StepOutput): StepResult {
  const answer: ChargerAnswerPlan = { kind: 'fixed', payload: {} };
  if (p.evseId === 0) {
    out.note('MeterValues of EVSE 0 (the charger as a whole) have no upstream EVSE: not sent');
    return { state, answer };
  }
  const mapped = mapEvse(state, ctx.stationId, p.evseId);
  if (!mapped) {
    out.note(`MeterValues for EVSE ${p.evseId} cannot be mapped: not sent`);
    return { state, answer };
  }
  out.send({ action: 'MeterValues', payload: { evseId: mapped.entry.upstreamEvseId, meterValue: p.meterValue }, kind: 'periodic' });
  return { state: out.mapped(mapped), answer };
}

interface NotifyEvent2x {
  generatedAt: string;
  tbc?: boolean;
  seqNo: number;
  eventData: EventData2x[];
}

/**
 * NotifyEvent: every event gets a new upstream eventId (chargers number their events
 * independently), `cause` follows when the cause is known, a component's EVSE is remapped, and
 * an event on a charger-wide component (no EVSE) is sent once per upstream EVSE of that charger
 * so the EVSE is always named.
 */
export function notifyEvent2x(state: HubState, ctx: Step2xContext, p: NotifyEvent2x, out: StepOutput): StepResult {
  let next = state;
  const eventData: EventData2x[] = [];
  const ids = [...next.eventIds];
  let nextEventId = next.nextEventId;
  for (const e of p.eventData) {
    const targets: (EvseRef2x | undefined)[] = [];
    if (e.component.evse) {
      const mapped = mapEvseRef(next, ctx.stationId, e.component.evse);
      if (mapped) {
        next = out.mapped(mapped);
        targets.push(upstreamRef(mapped.entry, e.component.evse.connectorId !== undefined));
      } else {
        targets.push(undefined);
      }
    } else {
      const evses = upstreamEvsesOfStation(next.mapping, ctx.stationId);
      targets.push(...(evses.length > 0 ? evses.map((id) => ({ id })) : [undefined]));
    }
    const cause = e.cause === undefined ? undefined : ids.find((m) => m.stationId === ctx.stationId && m.chargerEventId === e.cause)?.eventId;
    const tx = e.transactionId === undefined ? undefined : next.transactions[txKey(ctx.stationId, e.transactionId)];
    for (const [i, evse] of targets.entries()) {
      const eventId = nextEventId++;
      if (i === 0) ids.push({ stationId: ctx.stationId, chargerEventId: e.eventId, eventId });
      const { cause: _c, component, ...rest } = e;
      const { evse: _e, ...componentRest } = component;
      eventData.push({
        ...rest,
        eventId,
        ...(cause !== undefined ? { cause } : {}),
        ...(tx ? { transactionId: tx.transactionId } : {}),
        component: { ...componentRest, ...(evse ? { evse } : {}) },
      });
    }
  }
  out.send({ action: 'NotifyEvent', payload: { generatedAt: p.generatedAt, ...(p.tbc !== undefined ? { tbc: p.tbc } : {}), seqNo: p.seqNo, eventData }, kind: 'other' });
  next = { ...next, nextEventId, eventIds: ids.slice(-EVENT_ID_MAP_MAX) };
  return { state: next, answer: { kind: 'fixed', payload: {} } };
}

/**
 * SecurityEventNotification has no EVSE field: the EVSEs of the charger are named at the start
 * of techInfo ("EVSE 3,4: ..."), cut to the schema's 255 characters.
 */
export function securityEvent2x(state: HubState, ctx: Step2xContext, p: { type: string; timestamp: string; techInfo?: string }, out: StepOutput): StepResult {
  const evses = upstreamEvsesOfStation(state.mapping, ctx.stationId);
  const who = evses.length > 0 ? `EVSE ${evses.join(',')}` : `station ${ctx.stationId}`;
  const techInfo = clip(p.techInfo ? `${who}: ${p.techInfo}` : who, 255);
  out.send({ action: 'SecurityEventNotification', payload: { type: p.type, timestamp: p.timestamp, techInfo }, kind: 'billing' });
  return { state, answer: { kind: 'fixed', payload: {} } };
}

/** Authorize, DataTransfer, LogStatusNotification, FirmwareStatusNotification: sent as they are. */
export function passThrough2x(state: HubState, ctx: Step2xContext, action: string, payload: object, out: StepOutput): StepResult {
  const live = action === 'Authorize' || action === 'DataTransfer';
  out.send({ action, payload, kind: 'other', ...(live ? { live: true as const } : {}) });
  return { state, answer: passThrough(ctx, action, out.upstream.length - 1) };
}
