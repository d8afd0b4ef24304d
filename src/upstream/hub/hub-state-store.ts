import type { SqliteDatabase } from '../../store/database.js';
import type { StationStateRepo } from '../../store/station-state-repo.js';
import type { Logger } from '../../util/logger.js';
import { EvseMappingRepo, initialHubState, type DownstreamConnectorKey, type EvseMappingEntry, type HubState } from '../hub-mode/index.js';
import { fields } from '../wire-fields.js';

/** station_state key (under the site identity) of the translation state without its mapping. */
const STATE_KEY = 'hub.state';

type StoredHubState = Omit<HubState, 'mapping'>;

function isStoredHubState(x: unknown): x is StoredHubState {
  const f = fields(x);
  return (
    typeof f['transactions'] === 'object' &&
    f['transactions'] !== null &&
    Array.isArray(f['recentlyEnded']) &&
    Array.isArray(f['remoteStarts']) &&
    typeof f['connectors'] === 'object' &&
    f['connectors'] !== null &&
    typeof f['nextChargerTransactionId'] === 'number' &&
    typeof f['nextEventId'] === 'number' &&
    Array.isArray(f['eventIds'])
  );
}

export interface HubStateStoreDeps {
  db: SqliteDatabase;
  stationState: StationStateRepo;
  /** The site identity upstream: the state is kept under it. */
  identity: string;
  log: Logger;
}

/**
 * The hub-mode translation state (HubState) in memory and in SQLite: the mapping row by row
 * (EvseMappingRepo), the rest as one JSON value. `save` is meant to run inside the SQLite
 * transaction that also writes the outbox rows the new state goes with.
 */
export class HubStateStore {
  private readonly mappingRepo: EvseMappingRepo;
  private current: HubState;

  constructor(private readonly deps: HubStateStoreDeps) {
    this.mappingRepo = new EvseMappingRepo({ db: deps.db });
    this.current = this.load();
  }

  /**
   * Reads the state again from SQLite: after a failed commit (GroupCommit.onRollback) the state
   * in memory may be ahead of the stored one (transactions, seqNos, mapping of the rolled-back
   * messages), and the charger's re-send must be translated from the stored one.
   */
  reload(): void {
    this.current = this.load();
  }

  private load(): HubState {
    const mapping = this.mappingRepo.load();
    const stored = this.deps.stationState.get(this.deps.identity, STATE_KEY);
    if (stored !== undefined && !isStoredHubState(stored)) this.deps.log.error('stored hub-mode state is not readable: starting from an empty one (mapping kept)');
    return isStoredHubState(stored) ? { ...stored, mapping } : initialHubState(mapping);
  }

  get state(): HubState {
    return this.current;
  }

  /** Maps the keys not mapped yet, in the order given (the config's), and stores them. */
  premap(keys: readonly DownstreamConnectorKey[]): EvseMappingEntry[] {
    const result = this.mappingRepo.assignAndSave(keys);
    for (const k of result.rejected) this.deps.log.warn({ stationId: k.stationId, evseId: k.evseId, connectorId: k.connectorId }, 'hub mode: connector cannot be mapped');
    this.current = { ...this.current, mapping: result.mapping };
    return result.added;
  }

  /** Stores the next state and the mapping entries made on the way to it. */
  save(next: HubState, added: readonly EvseMappingEntry[]): void {
    this.mappingRepo.saveAdded(added);
    const { mapping: _mapping, ...rest } = next;
    this.deps.stationState.set(this.deps.identity, STATE_KEY, rest);
    this.current = next;
  }
}
