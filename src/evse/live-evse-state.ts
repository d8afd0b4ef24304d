import type { EvseLiveState } from '../energy/site-model.js';
import type { ConnectorState, TransactionEvent } from '../model/types.js';
import { evseKeyOf } from '../control/evse-key.js';

/** Reports kept per EVSE for lining them up with meter readings (a minute at 1 s reports). */
const SAMPLES_KEPT = 60;

const PHASE_INDEX: Record<string, number> = { L1: 0, L2: 1, L3: 2, 'L1-N': 0, 'L2-N': 1, 'L3-N': 2 };

/**
 * What the controller needs to know of each EVSE right now, kept in memory from what stations
 * report: whether an EV is in a transaction, since when, and the current it draws per phase
 * (from Current.Import samples).
 */
export class LiveEvseState {
  private readonly live = new Map<string, EvseLiveState>();
  /** Whether the dispatcher can limit an EVSE now (see readControllability). */
  private controllableOf: (key: string) => boolean = () => true;

  /**
   * Where new states take their `controllable` from (the dispatcher). A hint only: the
   * controller takes controllability from the dispatcher at each decision and corrects a state
   * that says otherwise; one that already says it is used as it is (no copy per EVSE and decision).
   */
  readControllability(of: (key: string) => boolean): void {
    this.controllableOf = of;
  }

  /**
   * Applies a transaction event; returns true when something the controller cares about changed.
   * A current report is kept with the time the hub received it (`receivedMs`, default the
   * sample's own time): never earlier than when it was measured, and free of the charger's
   * clock skew, which is what lining reports up with meter readings needs.
   */
  onTransactionEvent(ev: TransactionEvent, receivedMs?: number): boolean {
    if (ev.evseId === undefined || ev.evseId === 0) return false;
    const key = evseKeyOf(ev.stationId, ev.evseId);
    const prev = this.live.get(key);
    if (ev.eventType === 'Ended') {
      if (prev?.transactionId !== undefined && prev.transactionId !== ev.transactionId) return false;
      this.live.set(key, { key, active: false, controllable: this.controllableOf(key) });
      return prev?.active === true;
    }
    const sameTx = prev?.transactionId === ev.transactionId;
    const reported = measuredCurrentA(ev);
    const measured = reported ?? (sameTx ? prev?.measuredCurrentA : undefined);
    const startedMs = sameTx ? prev?.transactionStartedMs : ev.timeMs;
    const kept = sameTx ? prev?.samples : undefined;
    // A state is replaced, never changed (a stepped decision may still read the previous one), so
    // new samples go into a copy; without a new report the kept array is shared as it is.
    let samples = kept;
    if (reported) {
      const atMs = receivedMs ?? ev.meterValues[ev.meterValues.length - 1]?.timeMs ?? ev.timeMs;
      const lastMs = kept?.[kept.length - 1]?.timeMs ?? -Infinity;
      const copy = kept ? kept.slice(Math.max(0, kept.length + 1 - SAMPLES_KEPT)) : [];
      copy.push({ timeMs: Math.max(atMs, lastMs), currentA: reported });
      samples = copy;
    }
    // Built field by field: no spread of a temporary object per optional field.
    const next: EvseLiveState = { key, active: true, controllable: this.controllableOf(key), transactionId: ev.transactionId };
    if (startedMs !== undefined) next.transactionStartedMs = startedMs;
    if (measured) next.measuredCurrentA = measured;
    if (samples && samples.length > 0) next.samples = samples;
    this.live.set(key, next);
    return !prev?.active || prev.transactionId !== ev.transactionId || measured !== undefined;
  }

  /** A connector that became Available has no EV: its transaction (if any) is over for control purposes. */
  onStatus(state: ConnectorState): boolean {
    if (state.status !== 'Available' || state.evseId === 0) return false;
    const key = evseKeyOf(state.stationId, state.evseId);
    const prev = this.live.get(key);
    if (!prev?.active) return false;
    this.live.set(key, { key, active: false, controllable: this.controllableOf(key) });
    return true;
  }

  /** Restores a transaction known from the store (after a hub restart). */
  restore(key: string, transactionId: string, startedMs: number): void {
    this.live.set(key, { key, active: true, controllable: this.controllableOf(key), transactionId, transactionStartedMs: startedMs });
  }

  /** One EVSE's live state (O(1); use this rather than snapshot() for one EVSE). */
  get(key: string): EvseLiveState | undefined {
    return this.live.get(key);
  }

  /** Every EVSE's live state, as kept (read-only; it changes as stations report). */
  states(): ReadonlyMap<string, EvseLiveState> {
    return this.live;
  }

  snapshot(): Record<string, EvseLiveState> {
    return Object.fromEntries(this.live);
  }
}

function measuredCurrentA(ev: TransactionEvent): number[] | undefined {
  const latest = ev.meterValues[ev.meterValues.length - 1];
  if (!latest) return undefined;
  // Per phase (L1, L2, L3), the last valid report; phases up to the highest reported one are
  // given, an unreported one below it as 0.
  let l1: number | undefined;
  let l2: number | undefined;
  let l3: number | undefined;
  for (const s of latest.sampledValues) {
    if (s.measurand !== 'Current.Import' || s.phase === undefined) continue;
    // An import current below zero is no reading (a draw taken as less than it is would free
    // current the circuit does not have): the phase reads as unreported.
    if (!(s.value >= 0)) continue;
    const i = PHASE_INDEX[s.phase];
    if (i === 0) l1 = s.value;
    else if (i === 1) l2 = s.value;
    else if (i === 2) l3 = s.value;
  }
  if (l3 !== undefined) return [l1 ?? 0, l2 ?? 0, l3];
  if (l2 !== undefined) return [l1 ?? 0, l2];
  return l1 === undefined ? undefined : [l1];
}
