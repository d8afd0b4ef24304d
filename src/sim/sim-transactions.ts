/**
 * The transactions of a simulated station: starting one (the CSMS may refuse it), meter values
 * every meter interval while it runs, and ending it (its TxProfiles go, a scheduled change to
 * Inoperative takes effect).
 */
import type { TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { ChargerCore, Dialect, TransactionTrigger } from './dialect.js';
import type { PendingStart, SimEvse, SimTransaction, StopReason } from './sim-evse.js';
import type { SimLink } from './sim-link.js';
import type { SimProfiles } from './sim-profiles.js';
import type { SimSettings } from './sim-settings.js';
import type { SimTimers } from './sim-timers.js';

export interface SimTransactionsDeps {
  log: Logger;
  dialect: Dialect;
  core: ChargerCore;
  settings: SimSettings;
  timers: SimTimers;
  link: SimLink;
  profiles: SimProfiles;
  /** Brings the EVSE's physics up to now. */
  settle(evse: SimEvse): void;
  /** Brings the EVSE up to now and tells the CSMS about any change of status or charging state. */
  evaluate(evse: SimEvse): Promise<void>;
}

export class SimTransactions {
  private readonly deps: SimTransactionsDeps;
  private readonly meterTimers = new Map<number, TimerHandle>();

  constructor(deps: SimTransactionsDeps) {
    this.deps = deps;
  }

  /** Starts a transaction on an EVSE with an EV and none running; true when the CSMS accepted it. */
  async start(evse: SimEvse, start: PendingStart, trigger: TransactionTrigger): Promise<boolean> {
    const { dialect, core, log, profiles } = this.deps;
    if (evse.tx || evse.starting || !evse.ev || !evse.operative) return false;
    evse.starting = true;
    evse.pendingStart = undefined;
    evse.finishing = false;
    let accepted: boolean;
    try {
      accepted = await dialect.startTransaction(core, evse, start, trigger);
    } finally {
      evse.starting = false;
    }
    const tx = txOf(evse); // set by the dialect while we awaited
    if (!tx) return false;
    log.info({ evseId: evse.evseId, transactionId: tx.id, idTag: start.idTag }, 'transaction started');
    evse.reportedChargingState = 'EVConnected';
    if (start.profile) profiles.installForTransaction(start.profile, evse.evseId, tx.id);
    if (!accepted) {
      await this.stop(evse, 'DeAuthorized');
      return false;
    }
    this.scheduleMeter(evse);
    await this.deps.evaluate(evse);
    return true;
  }

  /** Ends the EVSE's transaction, if one runs and is not already ending. */
  async stop(evse: SimEvse, reason: StopReason): Promise<void> {
    const { dialect, core, log, link, timers, profiles } = this.deps;
    const tx = evse.tx;
    if (!tx || evse.stopping) return;
    evse.stopping = true;
    timers.clear(this.meterTimers.get(evse.evseId));
    this.meterTimers.delete(evse.evseId);
    try {
      await link.guard(dialect.stopTransaction(core, evse, reason), 'stop transaction');
    } finally {
      evse.stopping = false;
    }
    this.deps.settle(evse);
    evse.tx = undefined;
    evse.reportedChargingState = undefined;
    evse.finishing = evse.ev !== undefined;
    profiles.dropTransaction(evse.evseId);
    if (evse.inoperativeScheduled) {
      evse.inoperativeScheduled = false;
      evse.operative = false;
    }
    log.info({ evseId: evse.evseId, transactionId: tx.id, reason }, 'transaction ended');
    await this.deps.evaluate(evse);
  }

  /** Forgets the meter timers once every station timer has been cancelled (stop, reset). */
  forgetMeterTimers(): void {
    this.meterTimers.clear();
  }

  private scheduleMeter(evse: SimEvse): void {
    const { dialect, core, link, timers, settings } = this.deps;
    timers.clear(this.meterTimers.get(evse.evseId));
    const handle = timers.after(settings.meterIntervalS * 1000, () => {
      this.meterTimers.delete(evse.evseId);
      if (!evse.tx || evse.stopping) return;
      this.scheduleMeter(evse);
      void link.guard(dialect.meterValues(core, evse, false), 'meter values').then(() => this.deps.evaluate(evse));
    });
    this.meterTimers.set(evse.evseId, handle);
  }
}

function txOf(evse: SimEvse): SimTransaction | undefined {
  return evse.tx;
}
