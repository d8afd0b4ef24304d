/**
 * Make before break: an increase on one EVSE goes out only once the decreases it depends on
 * (EVSEs sharing a circuit and grid phase with it) have been accepted by their chargers and the
 * EVs had time to follow: `settleS` after the acceptance, or earlier when the charger's measured
 * current shows it did. Real EVs follow a lower limit 5-30 s late, so accepted is not enough.
 */
export interface PendingDecrease {
  limitA: number;
  sentMs: number;
  /** When the charger accepted it; undefined while in flight (or when it got no answer). */
  acceptedMs?: number;
}

export interface MakeBeforeBreakDeps {
  settleMs: number;
  /** Whether two EVSEs share capacity (a circuit and grid phase); default: all do. */
  sharesCapacity?(a: string, b: string): boolean;
  /** Whether the EVSE's measured current, reported after sinceMs, is at or below limitA (with tolerance). */
  follows?(evseKey: string, limitA: number, sinceMs: number): boolean;
}

export class MakeBeforeBreak {
  private readonly pending = new Map<string, PendingDecrease>();

  constructor(private readonly deps: MakeBeforeBreakDeps) {}

  decreaseSent(evseKey: string, limitA: number, sentMs: number): void {
    this.pending.set(evseKey, { limitA, sentMs });
  }

  decreaseAccepted(evseKey: string, limitA: number, acceptedMs: number): void {
    const p = this.pending.get(evseKey);
    if (p && p.limitA === limitA) p.acceptedMs = acceptedMs;
  }

  /** The EVSE holds a limit at or above its last decrease (accepted increase), rebooted, or is budgeted otherwise: nothing to wait for. */
  clear(evseKey: string): void {
    this.pending.delete(evseKey);
  }

  /**
   * Whether an increase on evseKey may go now; if not, when to look again (undefined: when a
   * pending decrease gets its answer).
   */
  mayIncrease(evseKey: string, nowMs: number): { ok: true } | { ok: false; retryAtMs?: number; waitingFor: string } {
    let retryAtMs: number | undefined;
    let waitingFor: string | undefined;
    let unanswered = false;
    for (const [key, p] of this.pending) {
      if (key === evseKey) continue;
      if (this.deps.sharesCapacity && !this.deps.sharesCapacity(evseKey, key)) continue;
      if (p.acceptedMs === undefined) {
        unanswered = true;
        waitingFor = key;
        continue;
      }
      const settledAtMs = p.acceptedMs + this.deps.settleMs;
      if (nowMs >= settledAtMs || this.deps.follows?.(key, p.limitA, p.acceptedMs)) {
        this.pending.delete(key);
        continue;
      }
      waitingFor ??= key;
      retryAtMs = Math.min(retryAtMs ?? Infinity, settledAtMs);
    }
    if (waitingFor === undefined) return { ok: true };
    return unanswered ? { ok: false, waitingFor } : { ok: false, waitingFor, ...(retryAtMs !== undefined ? { retryAtMs } : {}) };
  }

  /** Decreases still pending (for the API). */
  pendingCount(): number {
    return this.pending.size;
  }
}
