import type { TransactionEventType } from '../model/types.js';

/** Events per transaction a window holds (the retry check looks at the last 16). */
export const RETRY_WINDOW_SIZE = 16;
/** Transactions whose windows are kept; the least recently used go first (a miss reads the database). */
export const DEFAULT_MAX_WINDOWS = 20_000;

/** One recorded event as the retry check sees it: the fingerprint of its raw payload. */
export interface WindowEvent {
  seqNo: number;
  eventType: TransactionEventType;
  /** rawFingerprint() of the stored raw_json; equal text gives an equal number. */
  fingerprint: number;
}

/**
 * A 32-bit fingerprint of a payload's JSON text (FNV-1a over its UTF-16 code units: no hash
 * object and no digest buffer per message; fingerprints live only in memory). Different texts
 * may collide: a match is confirmed against the stored text.
 */
export function rawFingerprint(json: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < json.length; i++) {
    h ^= json.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The last RETRY_WINDOW_SIZE events (by seqNo) of running transactions, with fingerprints of
 * their raw payloads instead of the text (~1 KB each), so a station's message is checked against
 * its transaction's recent events without reading them back. A window is only ever taken whole
 * from the database (on a miss) and then extended by the events recorded after it, so it is
 * never missing an event that is stored; whoever rolls back writes (a failed group commit) or
 * deletes events (retention) forgets windows. Ended transactions are not kept.
 */
export class RetryWindows {
  private readonly windows = new Map<string, WindowEvent[]>();

  constructor(private readonly maxWindows: number = DEFAULT_MAX_WINDOWS) {}

  /** The transaction's window, oldest first, or undefined when it is not held. */
  get(stationId: string, transactionId: string): readonly WindowEvent[] | undefined {
    const k = key(stationId, transactionId);
    const w = this.windows.get(k);
    if (w) {
      // Least recently used first in the map's order.
      this.windows.delete(k);
      this.windows.set(k, w);
    }
    return w;
  }

  /** Holds a window read from the database (its last events, any order); not when it holds an end. */
  put(stationId: string, transactionId: string, events: readonly WindowEvent[]): void {
    if (events.some((e) => e.eventType === 'Ended')) return;
    const w = [...events].sort((a, b) => a.seqNo - b.seqNo).slice(-RETRY_WINDOW_SIZE);
    this.windows.set(key(stationId, transactionId), w);
    if (this.windows.size > this.maxWindows) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
  }

  /** An event just recorded (not a duplicate): extends the transaction's window if it is held; an end forgets it. */
  recorded(stationId: string, transactionId: string, event: WindowEvent): void {
    const k = key(stationId, transactionId);
    if (event.eventType === 'Ended') {
      this.windows.delete(k);
      return;
    }
    const w = this.windows.get(k);
    if (!w) return;
    let i = w.length;
    while (i > 0 && w[i - 1]!.seqNo > event.seqNo) i--;
    if (i === 0 && w.length >= RETRY_WINDOW_SIZE) return; // older than the whole window
    w.splice(i, 0, event);
    if (w.length > RETRY_WINDOW_SIZE) w.shift();
  }

  /** Forgets every window (after a rolled-back batch, or deleted events). */
  clear(): void {
    this.windows.clear();
  }

  /** Windows held (tests). */
  get size(): number {
    return this.windows.size;
  }
}

function key(stationId: string, transactionId: string): string {
  return `${stationId}\u0000${transactionId}`;
}
