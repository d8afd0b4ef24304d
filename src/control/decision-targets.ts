import type { EvseModel } from '../energy/site-model.js';
import type { DecideResult, EvseDecision } from './decide.js';
import type { EvseTarget } from './dispatcher.js';

/** Whether a target made of this decision and EVSE would equal `t`, field by field (see targetsOf). */
function sameTarget(t: EvseTarget, d: EvseDecision, e: EvseModel): boolean {
  return (
    t.limitA === d.limit.maxCurrentA &&
    t.baseA === d.baseShare.maxCurrentA &&
    t.numberPhases === e.phases &&
    t.minA === e.minCurrentA &&
    t.voltageV === e.voltageV &&
    t.aloneA === d.aloneA &&
    ('aloneA' in t) === (d.aloneA !== undefined) &&
    t.setpointW === d.setpointW &&
    ('setpointW' in t) === (d.setpointW !== undefined) &&
    (d.setpointW === undefined || (t.dischargeLimitW === d.dischargeLimitW && t.operationMode === d.setpointMode))
  );
}

/**
 * The dispatcher's targets of each decision: an EVSE whose target did not change gets the same
 * object as last time (the dispatcher skips it cheaply; see Dispatcher.apply).
 */
export class TargetKeeper {
  /** Per EVSE key, the target last handed to the dispatcher. */
  private readonly last = new Map<string, EvseTarget>();

  targetsOf(result: DecideResult, evses: readonly EvseModel[]): Record<string, EvseTarget> {
    const targets: Record<string, EvseTarget> = {};
    for (const e of evses) {
      const d = result.limits[e.key];
      if (!d) continue;
      const before = this.last.get(e.key);
      if (before && sameTarget(before, d, e)) {
        targets[e.key] = before;
        continue;
      }
      const target: EvseTarget = {
        limitA: d.limit.maxCurrentA,
        baseA: d.baseShare.maxCurrentA,
        numberPhases: e.phases,
        minA: e.minCurrentA,
        voltageV: e.voltageV,
        ...(d.aloneA !== undefined ? { aloneA: d.aloneA } : {}),
        ...(d.setpointW !== undefined
          ? { setpointW: d.setpointW, dischargeLimitW: d.dischargeLimitW, operationMode: d.setpointMode }
          : {}),
      };
      this.last.set(e.key, target);
      targets[e.key] = target;
    }
    return targets;
  }

  /** Forgets every kept target (the site's EVSEs changed). */
  clear(): void {
    this.last.clear();
  }
}
