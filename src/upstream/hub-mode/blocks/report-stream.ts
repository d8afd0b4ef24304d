import type { BlockContext } from './block-types.js';

/** A charger that accepted a report request and has not finished it within this time is given up on, ms. */
export const REPORT_TIMEOUT_MS = 10 * 60_000;

/**
 * One report the CSMS asked for (one requestId) made from several chargers' reports: the hub
 * numbers the messages 0, 1, 2, ... in the order they arrive, and only the last message of the
 * last charger to finish carries tbc = false. A charger that will send nothing is finished at
 * once (`finish`). Messages of chargers that are not participants are not part of the stream.
 */
export class ReportStream {
  private seqNo = 0;
  private readonly open: Set<string>;

  constructor(
    readonly requestId: number,
    participants: readonly string[],
  ) {
    this.open = new Set(participants);
  }

  has(stationId: string): boolean {
    return this.open.has(stationId);
  }

  get done(): boolean {
    return this.open.size === 0;
  }

  /** The hub's seqNo and tbc for a charger's message with its own tbc; undefined when not a participant. */
  next(stationId: string, tbc: boolean): { seqNo: number; tbc: boolean } | undefined {
    if (!this.open.has(stationId)) return undefined;
    if (!tbc) this.open.delete(stationId);
    return { seqNo: this.seqNo++, tbc: this.open.size > 0 };
  }

  /** A participant that will send nothing (it did not accept the request). */
  drop(stationId: string): void {
    this.open.delete(stationId);
  }

  /**
   * Gives up on the participants still open: the closing step (tbc false) the CSMS is owed, or
   * undefined when the report was already complete.
   */
  expire(): { seqNo: number; tbc: boolean } | undefined {
    if (this.open.size === 0) return undefined;
    this.open.clear();
    return { seqNo: this.seqNo++, tbc: false };
  }

  /** The hub's own part: numbered, always followed by the chargers' parts while any is open. */
  own(): { seqNo: number; tbc: boolean } {
    return { seqNo: this.seqNo++, tbc: this.open.size > 0 };
  }
}

/**
 * Closes the stream after REPORT_TIMEOUT_MS when a charger never finished it, with an empty last
 * message (`closing` builds it from the step), so the CSMS is never left waiting on tbc.
 */
export function closeWhenLate(ctx: BlockContext, stream: ReportStream, action: string, closing: (step: { seqNo: number }) => object, onClosed: () => void): void {
  ctx.clock.setTimeout(() => {
    if (stream.done) return;
    ctx.log.warn({ action, requestId: stream.requestId }, 'a charger did not finish its report in time: report closed');
    ctx.notify(action, () => {
      const step = stream.expire();
      onClosed();
      return step ? closing(step) : undefined;
    });
  }, REPORT_TIMEOUT_MS);
}
