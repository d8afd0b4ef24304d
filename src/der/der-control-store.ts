import { parseSetDerControl } from './der-control-check.js';
import {
  HUB_APPLIED_DER_TYPES,
  type ClearDerControlRequest, type DerControl, type DerControlAnswer, type DerControlType,
  type SetDerControlRequest, type SetDerControlResponse,
} from './der-control-types.js';

/**
 * The accepted DER controls (pure, immutable: every change returns a new state).
 *
 * Superseding rules (OCPP 2.1 DER control; priority 0 is the highest):
 * - one default control per controlType: a new default replaces the old one, whose id is
 *   reported in supersededIds and which is removed;
 * - a Set with an existing controlId replaces that control (an update, not a supersede);
 * - scheduled controls of one type are kept side by side; where windows overlap, the higher
 *   priority (lower value) wins, and on equal priority the later one. A new control lists in
 *   supersededIds the stored ones of its type it overlaps and outranks; they stay stored and
 *   apply again outside the overlap (ReportDERControl shows them with isSuperseded true);
 * - at an instant, the control in force for a type is the best-ranked scheduled control whose
 *   window [startTime, startTime + duration) holds the instant, else the type's default;
 * - a scheduled control whose window has ended is dropped (pruneExpired).
 */
export interface DerControlState {
  controls: DerControl[];
  /** Next acceptance number. */
  nextSeq: number;
}

export const EMPTY_DER_STATE: DerControlState = { controls: [], nextSeq: 1 };

/** Most controls kept at once: a Set beyond it is Rejected. */
export const MAX_DER_CONTROLS = 96;
/** supersededIds carries at most this many ids. */
const MAX_IDS = 24;

export function windowEndMs(c: DerControl): number | undefined {
  return c.startMs === undefined || c.durationS === undefined ? undefined : c.startMs + c.durationS * 1000;
}

function isScheduled(c: DerControl): c is DerControl & { startMs: number; durationS: number } {
  return !c.isDefault && c.startMs !== undefined && c.durationS !== undefined;
}

function validAt(c: DerControl, nowMs: number): boolean {
  const endMs = windowEndMs(c);
  return isScheduled(c) && endMs !== undefined && c.startMs <= nowMs && nowMs < endMs;
}

function overlap(a: DerControl, b: DerControl): boolean {
  const aEnd = windowEndMs(a);
  const bEnd = windowEndMs(b);
  if (!isScheduled(a) || !isScheduled(b) || aEnd === undefined || bEnd === undefined) return false;
  return a.startMs < bEnd && b.startMs < aEnd;
}

/** a wins over b: higher priority (lower value), or equal priority and accepted later. */
export function outranks(a: DerControl, b: DerControl): boolean {
  return a.priority < b.priority || (a.priority === b.priority && a.seq > b.seq);
}

export function pruneExpired(state: DerControlState, nowMs: number): DerControlState {
  const controls = state.controls.filter((c) => {
    const endMs = windowEndMs(c);
    return c.isDefault || endMs === undefined || endMs > nowMs;
  });
  return controls.length === state.controls.length ? state : { ...state, controls };
}

/** Handles a SetDERControlRequest at nowMs: the new state and the answer. */
export function setDerControl(
  state: DerControlState,
  req: SetDerControlRequest,
  nowMs: number,
  supported: readonly DerControlType[] = HUB_APPLIED_DER_TYPES,
): { state: DerControlState; response: SetDerControlResponse } {
  const parsed = parseSetDerControl(req, nowMs, supported);
  if (!parsed.ok) return { state, response: { status: parsed.status, statusInfo: parsed.statusInfo } };
  const control: DerControl = { ...parsed.control, seq: state.nextSeq };
  const current = pruneExpired(state, nowMs).controls.filter((c) => c.controlId !== control.controlId);
  let kept = current;
  let superseded: DerControl[];
  if (control.isDefault) {
    superseded = current.filter((c) => c.isDefault && c.controlType === control.controlType);
    kept = current.filter((c) => !superseded.includes(c));
  } else {
    superseded = current.filter((c) => c.controlType === control.controlType && overlap(c, control) && outranks(control, c));
  }
  if (kept.length + 1 > MAX_DER_CONTROLS) {
    return {
      state,
      response: { status: 'Rejected', statusInfo: { reasonCode: 'OutOfStorage', additionalInfo: `at most ${MAX_DER_CONTROLS} DER controls are kept` } },
    };
  }
  const ids = superseded.map((c) => c.controlId).slice(0, MAX_IDS);
  return {
    state: { controls: [...kept, control], nextSeq: state.nextSeq + 1 },
    response: ids.length > 0 ? { status: 'Accepted', supersededIds: ids } : { status: 'Accepted' },
  };
}

/**
 * The controls a Get or Clear addresses: by controlId when given (controlType is then not used),
 * else by controlType when given, else all; filtered by isDefault when given.
 */
export function selectDerControls(
  state: DerControlState,
  filter: { isDefault?: boolean; controlType?: DerControlType; controlId?: string },
): DerControl[] {
  return state.controls.filter((c) => {
    if (filter.isDefault !== undefined && c.isDefault !== filter.isDefault) return false;
    if (filter.controlId !== undefined) return c.controlId === filter.controlId;
    return filter.controlType === undefined || c.controlType === filter.controlType;
  });
}

/** Handles a ClearDERControlRequest: NotFound when it addresses nothing. */
export function clearDerControls(
  state: DerControlState,
  req: ClearDerControlRequest,
  nowMs: number,
): { state: DerControlState; response: DerControlAnswer } {
  const live = pruneExpired(state, nowMs);
  const gone = selectDerControls(live, req);
  if (gone.length === 0) {
    const what = req.controlId !== undefined ? `control ${req.controlId}` : (req.controlType ?? 'control');
    return {
      state: live,
      response: { status: 'NotFound', statusInfo: { reasonCode: 'UnknownControl', additionalInfo: `no ${req.isDefault ? 'default' : 'scheduled'} ${what}` } },
    };
  }
  return { state: { ...live, controls: live.controls.filter((c) => !gone.includes(c)) }, response: { status: 'Accepted' } };
}

/**
 * Whether another control outranks this one: for a scheduled control, another scheduled control
 * of its type overlapping its window and outranking it; for a default, a scheduled control of its
 * type in force at nowMs.
 */
export function isSuperseded(c: DerControl, state: DerControlState, nowMs: number): boolean {
  const sameType = state.controls.filter((o) => o !== c && o.controlType === c.controlType && !o.isDefault);
  if (c.isDefault) return sameType.some((o) => validAt(o, nowMs));
  return sameType.some((o) => overlap(o, c) && outranks(o, c));
}

/** The control in force per type at nowMs (best-ranked valid scheduled control, else the default). */
export type DerInForce = Partial<Record<DerControlType, DerControl>>;

/** The control variant of one type. */
export type DerControlOf<T extends DerControlType> = DerControl & { controlType: T };

/** The control of type t in force, typed as that variant. */
export function inForceOf<T extends DerControlType>(inForce: DerInForce, t: T): DerControlOf<T> | undefined {
  const c = inForce[t];
  return c !== undefined && isOfType(c, t) ? c : undefined;
}

function isOfType<T extends DerControlType>(c: DerControl, t: T): c is DerControlOf<T> {
  return c.controlType === t;
}

export function controlsInForce(state: DerControlState, nowMs: number): DerInForce {
  const out: DerInForce = {};
  const rank = (c: DerControl): number => (c.isDefault ? 0 : 1);
  for (const c of state.controls) {
    if (!c.isDefault && !validAt(c, nowMs)) continue;
    const best = out[c.controlType];
    if (!best || rank(c) > rank(best) || (rank(c) === rank(best) && outranks(c, best))) out[c.controlType] = c;
  }
  return out;
}

/** The next instant after nowMs at which a scheduled control starts or ends, if any. */
export function nextDerEdgeMs(state: DerControlState, nowMs: number): number | undefined {
  let next: number | undefined;
  for (const c of state.controls) {
    const endMs = windowEndMs(c);
    if (!isScheduled(c) || endMs === undefined) continue;
    for (const t of [c.startMs, endMs]) if (t > nowMs && (next === undefined || t < next)) next = t;
  }
  return next;
}
