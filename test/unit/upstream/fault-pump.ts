import type { Store } from '../../../src/store/store.js';
import { OutboxPump, type PumpLink } from '../../../src/upstream/outbox-pump.js';
import type { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';

/** Faults the test switches on: `failNextAck` makes the pump's next ack (or other write of its own) throw once. */
export interface PumpFaults {
  failNextAck: boolean;
}

/**
 * The pump as proxy mode builds it (its acks join the turn's group commit, replays wait for the
 * commit), on link CP1, with a switch for a failing ack.
 */
export function faultablePump(store: Store, link: PumpLink, clock: FakeClock): { pump: OutboxPump; faults: PumpFaults } {
  const faults: PumpFaults = { failNextAck: false };
  const pump = new OutboxPump({
    linkName: 'CP1',
    link,
    outbox: store.outbox,
    atomically: (fn) => {
      if (faults.failNextAck) {
        faults.failNextAck = false;
        throw new Error('SQLITE_IOERR');
      }
      return store.batch.lazily(fn);
    },
    committed: () => store.batch.barrier(),
    clock,
    log: silentLogger(),
    retryDelayMs: 1000,
    prepare: (entry) => ({ action: entry.action, payload: entry.payload }),
  });
  return { pump, faults };
}
