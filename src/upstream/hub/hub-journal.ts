import type { Store } from '../../store/store.js';
import type { OutboxEntry } from '../../store/outbox-repo.js';
import type { EvseMappingEntry, HubState, UpstreamMessage } from '../hub-mode/index.js';
import type { HubStateStore } from './hub-state-store.js';

/** An upstream message after journaling: queued in the outbox, or to be sent live only (never queued). */
export type Journaled = { queued: OutboxEntry } | { live: UpstreamMessage };

export interface HubJournalDeps {
  store: Store;
  states: HubStateStore;
  /** The outbox link key: the site identity. */
  linkName: string;
  /** Told after each write (outbox bound, batch timer). */
  written: () => void;
}

/**
 * Writes what one translation step produced in ONE SQLite transaction: the queued upstream
 * messages (outbox rows, in order), the mapping entries made and the next HubState. A crash
 * therefore never separates "seqNo 5 is queued" from "the next seqNo is 6". Nested inside an
 * open transaction (group commit, the reboot rule) it becomes a savepoint of it.
 */
export class HubJournal {
  constructor(private readonly deps: HubJournalDeps) {}

  record(next: HubState, upstream: readonly UpstreamMessage[], added: readonly EvseMappingEntry[]): Journaled[] {
    const { store, states, linkName } = this.deps;
    const journaled = store.db.transaction((): Journaled[] => {
      const out = upstream.map((m): Journaled => (m.live ? { live: m } : { queued: store.outbox.append(linkName, m.action, m.payload, { kind: m.kind }) }));
      states.save(next, added);
      return out;
    })();
    this.deps.written();
    return journaled;
  }
}
