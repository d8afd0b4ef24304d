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

  /** The hub's own part: numbered, always followed by the chargers' parts while any is open. */
  own(): { seqNo: number; tbc: boolean } {
    return { seqNo: this.seqNo++, tbc: this.open.size > 0 };
  }
}
