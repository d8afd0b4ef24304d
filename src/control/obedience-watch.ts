import type { Logger } from '../util/logger.js';
import type { DrawHistory } from '../energy/draw/draw-at.js';
import { disobedience, type Disobedience, type ObeyParams } from '../energy/draw/obedience.js';

export interface ObedienceWatchDeps {
  log: Logger;
  params: ObeyParams;
  /** An EVSE's reports and offers; undefined when it has no EV (then it is not judged). */
  history(evseKey: string): DrawHistory | undefined;
}

/**
 * Keeps, per EVSE, whether its charger is drawing more than the limit it accepted (see
 * energy/draw/obedience.ts), logs each change (warn when it starts, info when it ends) and
 * counts the episodes, for the API and the metrics.
 */
export class ObedienceWatch {
  private readonly current = new Map<string, Disobedience>();
  private readonly episodes = new Map<string, number>();

  constructor(private readonly deps: ObedienceWatchDeps) {}

  /** Looks at an EVSE again (after a new current report). */
  check(evseKey: string): void {
    const h = this.deps.history(evseKey);
    const now = h ? disobedience(h, this.deps.params) : undefined;
    const was = this.current.get(evseKey);
    if (now && !was) {
      this.episodes.set(evseKey, (this.episodes.get(evseKey) ?? 0) + 1);
      this.deps.log.warn({ evseKey, limitA: now.limitA, drawnA: now.drawnA, sinceMs: now.sinceMs }, 'charger draws more than the limit it accepted; budgeted at what it draws until it follows');
    } else if (!now && was) {
      this.deps.log.info({ evseKey }, 'charger follows its limit again');
    }
    if (now) this.current.set(evseKey, now);
    else this.current.delete(evseKey);
  }

  /** The EVSE's disobedience now, if any. */
  of(evseKey: string): Disobedience | undefined {
    return this.current.get(evseKey);
  }

  /** Times the EVSE started drawing more than its limit since the hub started. */
  episodesOf(evseKey: string): number {
    return this.episodes.get(evseKey) ?? 0;
  }
}
