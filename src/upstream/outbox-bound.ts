import type { Logger } from '../util/logger.js';
import type { OutboxRepo } from '../store/outbox-repo.js';

/** Checks the bound every this many appends (trim counts the whole table). */
const CHECK_EVERY = 100;

/**
 * Keeps the outbox within maxRows over all links (OutboxRepo.trim): oldest periodic rows
 * (periodic meter values, statuses) go first, then other rows; billing rows (transaction
 * events, their begin/end readings, security events) only when nothing else is left.
 */
export class OutboxBound {
  private sinceCheck = 0;

  constructor(private readonly deps: { outbox: OutboxRepo; maxRows: number; log: Logger }) {}

  appended(): void {
    if (++this.sinceCheck < CHECK_EVERY) return;
    this.sinceCheck = 0;
    if (this.deps.outbox.count() <= this.deps.maxRows) return;
    const shed = this.deps.outbox.trim(this.deps.maxRows);
    if (shed.billing > 0) this.deps.log.error({ ...shed, maxRows: this.deps.maxRows }, 'outbox full: billing messages dropped');
    else this.deps.log.warn({ ...shed, maxRows: this.deps.maxRows }, 'outbox full: periodic messages thinned');
  }
}
