import type { Logger } from '../util/logger.js';
import type { StationSession } from './station-session.js';

/**
 * The connected stations, one session per station id. A new, authenticated connection for an id
 * that is already connected replaces the old session (last wins: a station that rebooted or lost
 * its link without the hub noticing must be able to come back at once). That is also what a
 * second device with the same credentials would do, so each replacement is logged as a security
 * event with both remote addresses.
 */
export class StationRegistry {
  private readonly sessions = new Map<string, StationSession>();
  private readonly remotes = new Map<string, string>();

  constructor(private readonly deps: { log: Logger; onDisconnected: (stationId: string) => void }) {}

  add(session: StationSession, remoteAddress?: string): void {
    const old = this.sessions.get(session.stationId);
    if (old && old !== session) {
      this.deps.log.warn(
        { event: 'security', kind: 'session-replaced', stationId: session.stationId, remote: remoteAddress, previousRemote: this.remotes.get(session.stationId) },
        'station logged in again while connected: the new connection replaces the old session',
      );
      old.close(4000, 'replaced by a new connection');
      old.terminate();
    }
    this.sessions.set(session.stationId, session);
    if (remoteAddress !== undefined) this.remotes.set(session.stationId, remoteAddress);
    else this.remotes.delete(session.stationId);
    session.onClose(() => {
      if (this.sessions.get(session.stationId) !== session) return;
      this.sessions.delete(session.stationId);
      this.remotes.delete(session.stationId);
      this.deps.log.info({ stationId: session.stationId }, 'station disconnected');
      this.deps.onDisconnected(session.stationId);
    });
  }

  get(stationId: string): StationSession | undefined {
    return this.sessions.get(stationId);
  }

  all(): StationSession[] {
    return [...this.sessions.values()];
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Closes every session with 1001 (going away) and waits until their sockets have closed. */
  async closeAll(timeoutMs = 2000): Promise<void> {
    const sessions = this.all();
    await Promise.race([
      Promise.all(
        sessions.map(
          (s) =>
            new Promise<void>((resolve) => {
              if (!s.isOpen) return resolve();
              s.onClose(resolve);
              s.close(1001, 'hub shutting down');
            }),
        ),
      ),
      new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
    for (const s of sessions) if (s.isOpen) s.terminate();
  }
}
