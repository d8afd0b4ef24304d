import type { CurrentLimit } from '../energy/limit.js';
import type { EvseModel } from '../energy/site-model.js';
import type { Decision } from '../energy/strategy.js';

/**
 * A strategy decision as a cap on one EVSE's current, A per phase:
 * - maxCurrentA as given;
 * - a charging setpoint (W >= 0) as the current that gives that power on the phases in use;
 * - a discharging setpoint (W < 0) as 0 A: the dispatcher sends current limits only, so
 *   discharge is not commanded, and the EVSE must at least not charge.
 * A decision with both gives both caps. Decisions without either give none.
 */
export function capsOfDecision(d: Decision, evse: EvseModel): CurrentLimit[] {
  const out: CurrentLimit[] = [];
  if (d.maxCurrentA !== undefined) {
    out.push({ maxCurrentA: Number.isFinite(d.maxCurrentA) ? Math.max(0, d.maxCurrentA) : 0, source: d.source, reason: d.reason });
  }
  if (d.setpointW !== undefined) {
    const phases = d.numberPhases ?? evse.phases;
    const voltageV = evse.voltageV > 0 ? evse.voltageV : 230;
    const a = Number.isFinite(d.setpointW) ? Math.max(0, d.setpointW) / (phases * voltageV) : 0;
    const reason = d.setpointW < 0 ? `${d.reason} (discharge setpoint: charging held at 0)` : d.reason;
    out.push({ maxCurrentA: a, source: d.source, reason });
  }
  return out;
}

/**
 * Adds a strategy's decisions to the caps per EVSE key (mutates `caps`). A decision without
 * evseKey applies to every EVSE. Decisions for unknown EVSE keys are ignored.
 */
export function addDecisionCaps(caps: Record<string, CurrentLimit[]>, decisions: readonly Decision[], evses: readonly EvseModel[]): void {
  // Built at the first decision for one EVSE: a strategy that decides nothing (the usual case at
  // thousands of EVSEs) costs no pass over them. The last EVSE of a key given twice, as before.
  let byKey: Map<string, EvseModel> | undefined;
  for (const d of decisions) {
    if (d.evseKey !== undefined) byKey ??= new Map(evses.map((e) => [e.key, e]));
    const targets = d.evseKey === undefined ? evses : [byKey?.get(d.evseKey)].filter((e): e is EvseModel => e !== undefined);
    for (const evse of targets) {
      const add = capsOfDecision(d, evse);
      if (add.length === 0) continue;
      caps[evse.key] = [...(caps[evse.key] ?? []), ...add];
    }
  }
}
