import type { OcppVersion } from '../ocpp/versions.js';
import type { TransactionSummary } from '../model/types.js';
import { ApiError } from './errors.js';
import type { Clock } from '../util/clock.js';

/** A connected, accepted station as remote control needs it. */
export interface StationLink {
  version: OcppVersion;
  /** Sends a CALL and resolves with the station's result (rejects on CallError, timeout, close, abort). */
  call(action: string, payload: unknown, signal?: AbortSignal): Promise<unknown>;
}

export interface RemoteControlDeps {
  /** True when the hub is the CSMS (upstream none): only then may the API start and stop transactions. */
  standalone: boolean;
  /** Whether the station is known at all (configured or seen). */
  knownStation(stationId: string): boolean;
  /** The station's link when it is connected and was accepted at boot. */
  link(stationId: string): StationLink | undefined;
  /** The active transaction on an EVSE, if any. */
  activeTransaction(stationId: string, evseId: number): TransactionSummary | undefined;
  /** Time box of one request to a station, from the moment it is queued (the station's other calls included). */
  clock?: Clock;
  callTimeoutMs?: number;
}

/** What the station answered. */
export interface RemoteStartResult {
  status: 'Accepted';
  stationId: string;
  evseId: number;
  /** 2.x only: the id the station will put in its TransactionEvent (remoteStartId). */
  remoteStartId?: number;
  /** 2.x only, when the station already knows it. */
  transactionId?: string;
}

export interface RemoteStopResult {
  status: 'Accepted';
  stationId: string;
  evseId: number;
  transactionId: string;
}

/** 1.6 idTag is CiString20. */
const MAX_ID_TAG_16 = 20;

/**
 * Starts and stops transactions on stations for the API (standalone mode): RemoteStart/Stop
 * Transaction for OCPP 1.6, RequestStart/StopTransaction for 2.x. Resolves when the station
 * accepted the request; the transaction itself then shows up through the station's own messages.
 */
export class RemoteControl {
  private nextRemoteStartId = 1;
  /** Stations with an API request waiting for its answer: what and since when. */
  private readonly pending = new Map<string, { action: string; sinceMs: number }>();

  constructor(private readonly deps: RemoteControlDeps) {}

  async start(stationId: string, evseId: number, idToken: string): Promise<RemoteStartResult> {
    const link = this.linkFor(stationId);
    if (link.version === '1.6') {
      if (idToken.length > MAX_ID_TAG_16) {
        throw new ApiError('BAD_REQUEST', `idToken: an OCPP 1.6 station takes at most ${MAX_ID_TAG_16} characters, found ${idToken.length}`, 'body.idToken');
      }
      const res = await this.callStation(link, stationId, 'RemoteStartTransaction', { connectorId: evseId, idTag: idToken });
      this.requireAccepted(res, stationId, 'RemoteStartTransaction');
      return { status: 'Accepted', stationId, evseId };
    }
    const remoteStartId = this.nextRemoteStartId++;
    const res = await this.callStation(link, stationId, 'RequestStartTransaction', { evseId, remoteStartId, idToken: { idToken, type: 'Central' } });
    this.requireAccepted(res, stationId, 'RequestStartTransaction');
    const transactionId = isRecord(res) && typeof res.transactionId === 'string' ? res.transactionId : undefined;
    return { status: 'Accepted', stationId, evseId, remoteStartId, ...(transactionId !== undefined ? { transactionId } : {}) };
  }

  /** Stops the active transaction on the EVSE. */
  async stop(stationId: string, evseId: number): Promise<RemoteStopResult> {
    const link = this.linkFor(stationId);
    const tx = this.deps.activeTransaction(stationId, evseId);
    if (!tx) throw new ApiError('NO_ACTIVE_TRANSACTION', `EVSE ${stationId}/${evseId} has no active transaction`);
    if (link.version === '1.6') {
      const id = Number(tx.transactionId);
      if (!Number.isInteger(id)) throw new ApiError('CONFLICT', `transaction ${JSON.stringify(tx.transactionId)} has no OCPP 1.6 integer id`);
      this.requireAccepted(await this.callStation(link, stationId, 'RemoteStopTransaction', { transactionId: id }), stationId, 'RemoteStopTransaction');
    } else {
      this.requireAccepted(await this.callStation(link, stationId, 'RequestStopTransaction', { transactionId: tx.transactionId }), stationId, 'RequestStopTransaction');
    }
    return { status: 'Accepted', stationId, evseId, transactionId: tx.transactionId };
  }

  private linkFor(stationId: string): StationLink {
    if (!this.deps.standalone) throw new ApiError('NOT_STANDALONE', 'transactions are started and stopped by the CSMS in this upstream mode');
    if (!this.deps.knownStation(stationId)) throw new ApiError('NOT_FOUND', `no station ${JSON.stringify(stationId)}`);
    const link = this.deps.link(stationId);
    if (!link) throw new ApiError('STATION_NOT_CONNECTED', `station ${stationId} is not connected (or not accepted at boot)`);
    return link;
  }

  /**
   * One API request per station at a time, time-boxed: a second one while the first waits fails at
   * once (STATION_BUSY), and one that gets no answer within `callTimeoutMs` fails (STATION_TIMEOUT)
   * instead of queueing API callers behind a station that never answers.
   */
  private async callStation(link: StationLink, stationId: string, action: string, payload: unknown): Promise<unknown> {
    const clock = this.deps.clock;
    const busy = this.pending.get(stationId);
    if (busy) {
      const sinceS = clock ? Math.round((clock.nowMs() - busy.sinceMs) / 1000) : undefined;
      throw new ApiError('STATION_BUSY', `${busy.action} to ${stationId} is still waiting for its answer${sinceS !== undefined ? ` (for ${sinceS} s)` : ''}: try again later`);
    }
    const abort = new AbortController();
    const timeoutMs = this.deps.callTimeoutMs;
    const timer = clock && timeoutMs !== undefined ? clock.setTimeout(() => abort.abort(new TimedOut()), timeoutMs) : undefined;
    this.pending.set(stationId, { action, sinceMs: clock?.nowMs() ?? 0 });
    try {
      return await link.call(action, payload, abort.signal);
    } catch (err) {
      if (err instanceof TimedOut) throw new ApiError('STATION_TIMEOUT', `${stationId} did not answer ${action} within ${Math.round((timeoutMs ?? 0) / 1000)} s`);
      throw new ApiError('STATION_CALL_FAILED', `${action} to ${stationId} failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clock?.clearTimeout(timer);
      this.pending.delete(stationId);
    }
  }

  private requireAccepted(res: unknown, stationId: string, action: string): void {
    const status = isRecord(res) ? res.status : undefined;
    if (status !== 'Accepted') throw new ApiError('STATION_REJECTED', `${stationId} answered ${action} with ${String(status)}`);
  }
}

class TimedOut extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
