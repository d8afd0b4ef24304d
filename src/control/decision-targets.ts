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
  /** The record last returned and how many EVSEs it holds: returned again while every target in it is kept. */
  private lastRecord: Record<string, EvseTarget> | undefined;
  private lastCount = 0;

  /**
   * The targets per EVSE key. When every EVSE keeps its target object and they are the same EVSEs,
   * the record is the last one too (no new record of thousands of keys per decision; whoever
   * applies it can tell nothing changed).
   */
  targetsOf(result: DecideResult, evses: readonly EvseModel[]): Record<string, EvseTarget> {
    if (this.lastRecord && this.keepsAll(this.lastRecord, result, evses)) return this.lastRecord;
    const targets: Record<string, EvseTarget> = {};
    let count = 0;
    for (const e of evses) {
      const d = result.limits[e.key];
      if (!d) continue;
      count++;
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
    this.lastRecord = targets;
    this.lastCount = count;
    return targets;
  }

  /** Whether `record` holds, for exactly the EVSEs that have a decision, a target equal to the decision's. */
  private keepsAll(record: Record<string, EvseTarget>, result: DecideResult, evses: readonly EvseModel[]): boolean {
    let count = 0;
    for (const e of evses) {
      const d = result.limits[e.key];
      if (!d) continue;
      count++;
      const before = record[e.key];
      if (!before || !sameTarget(before, d, e)) return false;
    }
    return count === this.lastCount;
  }

  /** Forgets every kept target (the site's EVSEs changed). */
  clear(): void {
    this.last.clear();
    this.lastRecord = undefined;
    this.lastCount = 0;
  }
}
