import type { Logger } from '../util/logger.js';
import type { DispatchSink } from './controller.js';
import type { EvseDecision } from './decide.js';
import type { EvseTarget } from './dispatcher.js';

export interface LimitChangeLogDeps {
  sink: DispatchSink;
  log: Logger;
  /** The decision behind the targets being applied, per EVSE key. */
  decision: (evseKey: string) => EvseDecision | undefined;
  /** Changes smaller than this are not logged, A (default 0.5). */
  minChangeA?: number;
  /** Told every EVSE's limit and the source that bound it, on every decision (e.g. to report it upstream). */
  observe?: (limits: ObservedLimit[]) => void;
}

/** One EVSE's decided limit as an observer sees it. */
export interface ObservedLimit {
  evseKey: string;
  limitA: number;
  numberPhases?: 1 | 3;
  /** Source of the limit that bound (strategy:..., circuit:..., csms:profile N, evse:max, failsafe, ...). */
  source: string;
}

/**
 * The sink, logging (info) each EVSE whose decided limit changes, with the source and reason
 * that bound it, so the log tells the story ("HOME/1 8.4 A: strategy:solar-surplus, pv: surplus
 * 5.8 kW..."). What is sent and when stays the dispatcher's business.
 */
export function withLimitChangeLog(deps: LimitChangeLogDeps): DispatchSink {
  const lastA = new Map<string, number>();
  const minChangeA = deps.minChangeA ?? 0.5;
  /** The record applied last: applied again (the controller's TargetKeeper keeps it while nothing changed), no limit changed. */
  let lastTargets: Record<string, EvseTarget> | undefined;
  const sink: DispatchSink = {
    apply(targets: Record<string, EvseTarget>) {
      const again = targets === lastTargets;
      lastTargets = targets;
      if (!again) logChanges(targets);
      deps.sink.apply(targets);
      if (deps.observe) {
        const limits = Object.entries(targets).map(([evseKey, t]) => ({
          evseKey,
          limitA: t.limitA,
          ...(t.numberPhases ? { numberPhases: t.numberPhases } : {}),
          source: deps.decision(evseKey)?.limit.source ?? 'unknown',
        }));
        try {
          deps.observe(limits);
        } catch (err) {
          deps.log.error({ err }, 'limit observer failed');
        }
      }
    },
    isControllable: (key) => deps.sink.isControllable(key),
  };
  function logChanges(targets: Record<string, EvseTarget>): void {
    for (const key in targets) {
      const t = targets[key] as EvseTarget;
      const before = lastA.get(key);
      const changed = before === undefined || Math.abs(before - t.limitA) >= minChangeA || (before === 0) !== (t.limitA === 0);
      if (!changed) continue;
      lastA.set(key, t.limitA);
      const d = deps.decision(key);
      const why = d?.limits.map((l) => `${l.source} ${Math.round(l.maxCurrentA * 10) / 10} A${l.reason ? ` (${l.reason})` : ''}`);
      deps.log.info({ evseKey: key, limitA: t.limitA, source: d?.limit.source, status: d?.status, limits: why }, 'evse limit changed');
    }
  }
  if (deps.sink.offersOf) sink.offersOf = deps.sink.offersOf.bind(deps.sink);
  if (deps.sink.holdRaises) sink.holdRaises = deps.sink.holdRaises.bind(deps.sink);
  if (deps.sink.onControllabilityChange) {
    const subscribe = deps.sink.onControllabilityChange.bind(deps.sink);
    sink.onControllabilityChange = (listener) => subscribe(listener);
  }
  return sink;
}
