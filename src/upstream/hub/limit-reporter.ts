import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { ObservedLimit } from '../../control/limit-change-log.js';
import { parseEvseKey } from '../../control/evse-key.js';
import { EMPTY_LIMIT_REPORTS, limitReports, type EvseLimitNow, type LimitReportConfig, type LimitReportState } from '../hub-mode/limit-reports.js';
import { toUpstream } from '../hub-mode/index.js';
import type { HubStateStore } from './hub-state-store.js';
import type { HubJournal } from './hub-journal.js';
import type { OutboxPump } from '../outbox-pump.js';

export interface LimitReporterDeps {
  config: LimitReportConfig & { enabled: boolean };
  states: HubStateStore;
  journal: HubJournal;
  pump: OutboxPump;
  clock: Clock;
  log: Logger;
}

/**
 * Hub mode, K12/K13 at the edge: takes every decision's EVSE limits (the controller's
 * observer), maps them to upstream EVSEs and queues the NotifyChargingLimit /
 * ClearedChargingLimit that limit-reports.ts decides on. What was reported is kept in memory
 * (after a restart the limits in force are reported once again).
 */
export class LimitReporter {
  private state: LimitReportState = EMPTY_LIMIT_REPORTS;
  private significancePercent: number;

  constructor(private readonly deps: LimitReporterDeps) {
    this.significancePercent = deps.config.significancePercent;
  }

  get limitChangeSignificancePercent(): number {
    return this.significancePercent;
  }

  /** The CSMS set SmartChargingCtrlr.LimitChangeSignificance. */
  setSignificance(percent: number): void {
    this.significancePercent = percent;
  }

  observe(limits: readonly ObservedLimit[]): void {
    const { deps } = this;
    if (!deps.config.enabled) return;
    const hub = deps.states.state;
    const mapped: EvseLimitNow[] = limits.flatMap((l) => {
      const id = parseEvseKey(l.evseKey);
      const entry = id ? toUpstream(hub.mapping, { stationId: id.stationId, evseId: id.evseId, connectorId: 1 }) : undefined;
      return entry ? [{ upstreamEvseId: entry.upstreamEvseId, limitA: l.limitA, source: l.source, ...(l.numberPhases ? { numberPhases: l.numberPhases } : {}) }] : [];
    });
    const r = limitReports(this.state, { significancePercent: this.significancePercent, minIntervalS: deps.config.minIntervalS }, mapped, deps.clock.nowMs());
    this.state = r.state;
    if (r.upstream.length === 0) return;
    deps.journal.record(hub, r.upstream, []);
    deps.pump.kick();
    deps.log.debug({ messages: r.upstream.map((m) => `${m.action} ${String((m.payload as { evseId?: number }).evseId)}`) }, 'hub limits reported to the CSMS');
  }
}
