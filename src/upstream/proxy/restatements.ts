import type { StationStateRepo } from '../../store/station-state-repo.js';

const KEY = 'upstream.tx16.restate.';

/**
 * OCPP 1.6, proxy mode: meter values of a transaction that will reach the CSMS inside the
 * transaction's StopTransaction (`transactionData`) instead of as a MeterValues of their own.
 *
 * A 1.6 MeterValues that left for the CSMS without its answer being committed (the hub was
 * killed, or the link dropped) may or may not be at the CSMS, and 1.6 gives the CSMS no key to
 * recognise a second copy. Sent again it may be a duplicate; dropped it may be lost.
 * `transactionData` is the one place 1.6 has for a transaction's readings as a set: it comes once
 * per transaction (with the Stop, which the CSMS identifies by its own transaction id), and a
 * CSMS already expects readings there that it also had as MeterValues (StopTxnSampledData,
 * StopTxnAlignedData). Kept per station and hub transaction id, durably; deleted once the Stop
 * is delivered.
 */
export class Restatements {
  constructor(private readonly deps: { state: StationStateRepo }) {}

  /** Adds meter values (1.6 MeterValue objects, as the station sent them) for the hub transaction. */
  add(stationId: string, hubTransactionId: number, meterValues: readonly unknown[]): void {
    this.deps.state.set(stationId, KEY + hubTransactionId, [...this.of(stationId, hubTransactionId), ...meterValues]);
  }

  /** What the transaction's Stop must restate, oldest first (empty when nothing). */
  of(stationId: string, hubTransactionId: number): unknown[] {
    const v = this.deps.state.get(stationId, KEY + hubTransactionId);
    return Array.isArray(v) ? (v as unknown[]) : [];
  }

  /** Forgets them once the Stop that carried them was delivered. */
  clear(stationId: string, hubTransactionId: number): void {
    this.deps.state.delete(stationId, KEY + hubTransactionId);
  }
}
