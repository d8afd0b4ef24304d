/**
 * Hub mode: a downstream charger's connection as the CSMS sees it. The CSMS talks to one
 * station; when a charger behind it goes away, its EVSEs cannot do anything the CSMS asks, so
 * the hub says so at once: a StatusNotification Unavailable per connector it had reported
 * otherwise, and one NotifyEvent (component EVSE, variable AvailabilityState, trigger Delta,
 * techInfo naming the charger) for its EVSEs. The device model reads the same connector memos,
 * so GetVariables agrees. When the charger is back, each connector returns to the status the
 * charger last reported (the charger's own StatusNotifications then take over as usual). Pure.
 */
import { entriesOfStation } from './evse-mapping.js';
import { connectorKey, withConnector, type HubState } from './hub-state.js';
import { clip, isoTime, type EventData2x, type UpstreamMessage } from './wire-2x.js';

export interface PresenceStep {
  state: HubState;
  upstream: UpstreamMessage[];
}

function statusMessage(timestamp: string, connectorStatus: string, evseId: number, connectorId: number): UpstreamMessage {
  return { action: 'StatusNotification', payload: { timestamp, connectorStatus, evseId, connectorId }, kind: 'periodic' };
}

function availabilityEvents(state: HubState, evseIds: readonly number[], value: (evseId: number) => string, techInfo: string, nowMs: number): EventData2x[] {
  return evseIds.map((id, i) => ({
    eventId: state.nextEventId + i,
    timestamp: isoTime(nowMs),
    trigger: 'Delta',
    actualValue: value(id),
    techInfo: clip(techInfo, 500),
    component: { name: 'EVSE', evse: { id } },
    variable: { name: 'AvailabilityState' },
    eventNotificationType: 'HardWiredNotification',
  }));
}

/** What the CSMS is told when `stationId` disconnects from the hub. */
export function chargerAway(state: HubState, stationId: string, nowMs: number): PresenceStep {
  const timestamp = isoTime(nowMs);
  const upstream: UpstreamMessage[] = [];
  const evses = new Set<number>();
  let next = state;
  for (const e of entriesOfStation(state.mapping, stationId)) {
    const key = connectorKey(e.stationId, e.evseId, e.connectorId);
    const memo = next.connectors[key] ?? {};
    if (memo.away) continue;
    if (memo.status !== 'Unavailable') {
      upstream.push(statusMessage(timestamp, 'Unavailable', e.upstreamEvseId, e.upstreamConnectorId));
      evses.add(e.upstreamEvseId);
    }
    next = withConnector(next, key, { ...memo, away: true, ...(memo.status !== undefined ? { beforeAway: memo.status } : {}), status: 'Unavailable' });
  }
  if (evses.size === 0) return { state: next, upstream };
  const ids = [...evses].sort((a, b) => a - b);
  const eventData = availabilityEvents(next, ids, () => 'Unavailable', `charger ${stationId} disconnected from the hub`, nowMs);
  upstream.push({ action: 'NotifyEvent', payload: { generatedAt: timestamp, seqNo: 0, eventData }, kind: 'other' });
  return { state: { ...next, nextEventId: next.nextEventId + eventData.length }, upstream };
}

/** What the CSMS is told when `stationId` connects again. */
export function chargerBack(state: HubState, stationId: string, nowMs: number): PresenceStep {
  const timestamp = isoTime(nowMs);
  const upstream: UpstreamMessage[] = [];
  const restored = new Map<number, string[]>();
  let next = state;
  for (const e of entriesOfStation(state.mapping, stationId)) {
    const key = connectorKey(e.stationId, e.evseId, e.connectorId);
    const memo = next.connectors[key];
    if (!memo?.away) continue;
    const { away: _a, beforeAway, ...kept } = memo;
    if (beforeAway !== undefined && beforeAway !== 'Unavailable') {
      upstream.push(statusMessage(timestamp, beforeAway, e.upstreamEvseId, e.upstreamConnectorId));
      restored.set(e.upstreamEvseId, [...(restored.get(e.upstreamEvseId) ?? []), beforeAway]);
      next = withConnector(next, key, { ...kept, status: beforeAway });
    } else next = withConnector(next, key, kept);
  }
  if (restored.size === 0) return { state: next, upstream };
  const ids = [...restored.keys()].sort((a, b) => a - b);
  const value = (id: number): string => {
    const statuses = restored.get(id) ?? [];
    return ['Occupied', 'Available', 'Reserved', 'Faulted'].find((s) => statuses.includes(s)) ?? 'Unavailable';
  };
  const eventData = availabilityEvents(next, ids, value, `charger ${stationId} connected to the hub again`, nowMs);
  upstream.push({ action: 'NotifyEvent', payload: { generatedAt: timestamp, seqNo: 0, eventData }, kind: 'other' });
  return { state: { ...next, nextEventId: next.nextEventId + eventData.length }, upstream };
}
