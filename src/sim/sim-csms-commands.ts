/**
 * What the CSMS may command a simulated station to do, in neutral terms (the dialects map the
 * 1.6 and 2.x calls onto these): remote start and stop, reset, change of availability, trigger
 * message. The work a command sets off runs after its answer has gone out.
 */
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { ChargerCore, Dialect, TriggerableMessage } from './dialect.js';
import type { PendingStart, SimEvse } from './sim-evse.js';
import type { SimLink } from './sim-link.js';
import type { SimTimers } from './sim-timers.js';
import type { SimTransactions } from './sim-transactions.js';

export interface SimCsmsCommandsDeps {
  clock: Clock;
  log: Logger;
  evses: readonly SimEvse[];
  dialect: Dialect;
  core: ChargerCore;
  link: SimLink;
  timers: SimTimers;
  transactions: SimTransactions;
  /** Brings the EVSE's physics up to now. */
  settle(evse: SimEvse): void;
  /** Brings the EVSE up to now and tells the CSMS about any change of status or charging state. */
  evaluate(evse: SimEvse): Promise<void>;
}

export class SimCsmsCommands {
  private readonly deps: SimCsmsCommandsDeps;

  constructor(deps: SimCsmsCommandsDeps) {
    this.deps = deps;
  }

  /** Accepts a remote start on the given (or the first suitable) EVSE. */
  remoteStart(evseId: number | undefined, start: PendingStart): boolean {
    const { evses, link, transactions } = this.deps;
    const free = (e: SimEvse): boolean => !e.tx && !e.starting && e.operative;
    const evse =
      evseId !== undefined && evseId > 0
        ? evses[evseId - 1]
        : (evses.find((e) => free(e) && e.ev !== undefined) ?? evses.find(free));
    if (!evse || !free(evse)) return false;
    const remote: PendingStart = { ...start, remote: true };
    if (evse.ev) link.afterReply(async () => void (await transactions.start(evse, remote, 'RemoteStart')));
    else evse.pendingStart = remote;
    return true;
  }

  remoteStop(transactionId: string): boolean {
    const { evses, link, transactions } = this.deps;
    const evse = evses.find((e) => e.tx?.id === transactionId);
    if (!evse) return false;
    link.afterReply(() => transactions.stop(evse, 'Remote'));
    return true;
  }

  /** Ends every transaction, drops the connection and boots again. */
  reset(hard: boolean): void {
    const { log, evses, link, timers, transactions } = this.deps;
    link.afterReply(() =>
      link.reboot(async () => {
        log.info({ hard }, 'resetting');
        await Promise.all(evses.map((e) => transactions.stop(e, hard ? 'HardReset' : 'SoftReset')));
        timers.cancelAll();
        transactions.forgetMeterTimers();
        for (const e of evses) e.reportedStatus = undefined;
      }),
    );
  }

  /** Inoperative waits for a running transaction to end (Scheduled). */
  changeAvailability(evseId: number, operative: boolean): 'Accepted' | 'Scheduled' | 'Rejected' {
    const { evses, link } = this.deps;
    const targets = evseId === 0 ? evses : evses.filter((e) => e.evseId === evseId);
    if (targets.length === 0) return 'Rejected';
    let scheduled = false;
    for (const e of targets) {
      this.deps.settle(e);
      if (operative) {
        e.operative = true;
        e.inoperativeScheduled = false;
      } else if (e.tx) {
        e.inoperativeScheduled = true;
        scheduled = true;
      } else {
        e.operative = false;
      }
    }
    link.afterReply(async () => void (await Promise.all(targets.map((e) => this.deps.evaluate(e)))));
    return scheduled ? 'Scheduled' : 'Accepted';
  }

  trigger(message: TriggerableMessage, evseId: number | undefined): boolean {
    const { clock, evses, dialect, core, link } = this.deps;
    const targets = evseId === undefined || evseId === 0 ? evses : evses.filter((e) => e.evseId === evseId);
    if (targets.length === 0) return false;
    const nowMs = clock.nowMs();
    link.afterReply(async () => {
      switch (message) {
        case 'BootNotification':
          await link.send('BootNotification', dialect.bootRequest(false));
          return;
        case 'Heartbeat':
          await link.send('Heartbeat', {});
          return;
        case 'StatusNotification':
          for (const e of targets) {
            this.deps.settle(e);
            const status = dialect.wireStatus(e);
            e.reportedStatus = status;
            await link.send('StatusNotification', dialect.statusRequest(e, status, nowMs));
          }
          return;
        case 'MeterValues':
        case 'TransactionEvent':
          for (const e of targets) {
            if (message === 'TransactionEvent' && !e.tx) continue;
            await link.guard(dialect.meterValues(core, e, true), message);
          }
      }
    });
    return true;
  }
}
