import type { Logger } from '../util/logger.js';
import type { StationSession } from './station-session.js';

/** The connected stations, one session per station id; a reconnect replaces the old session. */
export class StationRegistry {
  private readonly sessions = new Map<string, StationSession>();

  constructor(private readonly deps: { log: Logger; onDisconnected: (stationId: string) => void }) {}

  add(session: StationSession): void {
    const old = this.sessions.get(session.stationId);
    if (old && old !== session) {
      this.deps.log.info({ stationId: session.stationId }, 'station reconnected: replacing the old session');
      old.close(4000, 'replaced by a new connection');
      old.terminate();
    }
    this.sessions.set(session.stationId, session);
    session.onClose(() => {
      if (this.sessions.get(session.stationId) !== session) return;
      this.sessions.delete(session.stationId);
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
