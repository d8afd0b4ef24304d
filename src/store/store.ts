import { systemClock, type Clock } from '../util/clock.js';
import { openDatabase, type SqliteDatabase } from './database.js';
import { StationRepo } from './station-repo.js';
import { ConnectorRepo } from './connector-repo.js';
import { TransactionRepo } from './transaction-repo.js';
import { AuthorizationRepo } from './authorization-repo.js';
import { MessageLogRepo } from './message-log-repo.js';
import { OutboxRepo } from './outbox-repo.js';
import { ProfileRepo } from './profile-repo.js';
import { SiteStateRepo } from './site-state-repo.js';
import { StationStateRepo } from './station-state-repo.js';
import { GroupCommit } from './group-commit.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { closeRun, openRun, systemBootId } from './last-run.js';
import { CommissionedRepo } from './commissioned-repo.js';
import { EvseSettingsRepo } from './evse-settings-repo.js';
import { PowerHistoryRepo } from './power-history-repo.js';
import { SessionRepo } from './session-repo.js';

export interface OpenStoreOptions {
  /** File path of the database, or ':memory:' (tests only). */
  path: string;
  clock?: Clock;
  /** Resolution of stations' lastSeenMs (see StationRepo). */
  lastSeenResolutionMs?: number;
  /** The operating system's boot id (default: Linux's; tests pass their own). */
  bootId?: string;
  /**
   * Checkpoint the log from a worker thread instead of in the commit that crosses SQLite's
   * threshold, on the event loop (wal-checkpointer.ts). The hub's store does; `onFailure` is
   * told when the worker failed and the connection checkpoints on its own again.
   */
  checkpointInWorker?: { onFailure: (err: unknown) => void };
}

/** The hub's durable state: one SQLite database and a repository per concern. */
export interface Store {
  db: SqliteDatabase;
  stations: StationRepo;
  connectors: ConnectorRepo;
  transactions: TransactionRepo;
  authorizations: AuthorizationRepo;
  messages: MessageLogRepo;
  outbox: OutboxRepo;
  profiles: ProfileRepo;
  stationState: StationStateRepo;
  /** The site's own durable values (its energy totals). */
  siteState: SiteStateRepo;
  /** Stations added at runtime by commissioning. */
  commissioned: CommissionedRepo;
  /** EVSE settings made at runtime (priority, modes, max current), restored at start. */
  evseSettings: EvseSettingsRepo;
  /** Site and per-EVSE power over time, downsampled. */
  powerHistory: PowerHistoryRepo;
  /** Completed sessions (ended transactions with their peak power). */
  sessions: SessionRepo;
  /** Group commit for the writes of one event-loop turn (see GroupCommit). */
  batch: GroupCommit;
  /**
   * The previous run may have lost writes it had committed but not synced (it never closed the
   * store, and the system restarted since: last-run.ts). Proxy mode answers some transaction
   * messages before that sync (commit-overlap.ts) and provides for their loss when this is true.
   */
  readonly mayHaveLostUnsynced: boolean;
  /** Closes the database; the repositories must not be used afterwards. Idempotent. */
  close(): void;
  /**
   * Closes once the syncs under way have settled and what waits for them has run: an outbox
   * row's ack follows the sync of the message it acknowledges (a message answered before its
   * sync), and an ack made after close() is lost, so the message would go up again after a
   * restart. For a clean stop, after the last station and link are gone.
   */
  closeSettled(): Promise<void>;
}

/** Opens the database (migrating it) and builds the repositories over it. */
export function openStore(options: OpenStoreOptions): Store {
  const clock = options.clock ?? systemClock();
  const db = openDatabase({ path: options.path, clock });
  const batch = new GroupCommit(db);
  let checkpointer: WalCheckpointer | undefined;
  try {
    if (options.checkpointInWorker && !db.memory) {
      const cp = new WalCheckpointer(db, { onFailure: options.checkpointInWorker.onFailure });
      checkpointer = cp;
      batch.onCommit(() => cp.committed());
    }
    const transactions = new TransactionRepo({ db });
    const siteState = new SiteStateRepo({ db, clock });
    const bootId = 'bootId' in options ? options.bootId : systemBootId();
    const { mayHaveLostUnsynced } = db.memory ? { mayHaveLostUnsynced: false } : openRun(siteState, bootId);
    const outbox = new OutboxRepo({ db, clock });
    // What a rolled-back batch wrote must not be remembered as stored (nor what it deleted as gone).
    batch.onRollback(() => {
      transactions.forgetRetryWindows();
      outbox.forgetAppended();
    });
    return {
      batch,
      db,
      stations: new StationRepo({ db, clock, lastSeenResolutionMs: options.lastSeenResolutionMs }),
      connectors: new ConnectorRepo({ db }),
      transactions,
      authorizations: new AuthorizationRepo({ db }),
      messages: new MessageLogRepo({ db, clock }),
      outbox,
      profiles: new ProfileRepo({ db, clock }),
      stationState: new StationStateRepo({ db, clock }),
      siteState,
      mayHaveLostUnsynced,
      commissioned: new CommissionedRepo({ db, clock }),
      evseSettings: new EvseSettingsRepo({ db, clock, batch }),
      powerHistory: new PowerHistoryRepo({ db, atomically: (fn) => batch.lazily(fn) }),
      sessions: new SessionRepo({ db }),
      async closeSettled() {
        if (!db.open) return;
        // A failed sync has already failed its barriers; closing syncs what is committed.
        await batch.barrier().catch(() => undefined);
        // What the settled syncs' waiters chain on them (the acks) runs in this turn's microtasks.
        await new Promise<void>((resolve) => setImmediate(resolve));
        this.close();
      },
      close() {
        if (!db.open) return;
        batch.close();
        if (!db.memory) closeRun(siteState, bootId);
        db.pragma('optimize');
        checkpointer?.close(); // before the connection: the last to close removes the log
        db.close();
      },
    };
  } catch (err) {
    checkpointer?.close();
    db.close();
    throw err;
  }
}
