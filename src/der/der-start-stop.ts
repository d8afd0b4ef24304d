import { controlsInForce, outranks, type DerControlState } from './der-control-store.js';
import type { DerControl, NotifyDerStartStopRequest } from './der-control-types.js';

const MAX_IDS = 24;

/**
 * NotifyDERStartStop payloads for scheduled controls that started or stopped being in force
 * since `previousIds` (the ids in force at the last call). A starting control lists the controls
 * of its type it supersedes now (the type's default and valid scheduled controls it outranks).
 * Defaults do not start or stop. Pure: returns the ids in force now for the next call.
 */
export function derStartStopEvents(
  previousIds: readonly string[],
  state: DerControlState,
  nowMs: number,
): { events: NotifyDerStartStopRequest[]; inForceIds: string[] } {
  const timestamp = new Date(nowMs).toISOString();
  const inForce = Object.values(controlsInForce(state, nowMs)).filter((c): c is DerControl => c !== undefined && !c.isDefault);
  const inForceIds = inForce.map((c) => c.controlId).sort();
  const before = new Set(previousIds);
  const now = new Set(inForceIds);
  const events: NotifyDerStartStopRequest[] = [];
  for (const id of [...before].sort()) if (!now.has(id)) events.push({ controlId: id, started: false, timestamp });
  for (const c of inForce) {
    if (before.has(c.controlId)) continue;
    const superseded = state.controls
      .filter((o) => o !== c && o.controlType === c.controlType && (o.isDefault || (windowHolds(o, nowMs) && outranks(c, o))))
      .map((o) => o.controlId)
      .slice(0, MAX_IDS);
    events.push(superseded.length > 0
      ? { controlId: c.controlId, started: true, timestamp, supersededIds: superseded }
      : { controlId: c.controlId, started: true, timestamp });
  }
  return { events, inForceIds };
}

function windowHolds(c: DerControl, nowMs: number): boolean {
  return c.startMs !== undefined && c.durationS !== undefined && c.startMs <= nowMs && nowMs < c.startMs + c.durationS * 1000;
}
