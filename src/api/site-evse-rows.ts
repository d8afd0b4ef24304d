import type { EvseDecision } from '../control/decide.js';
import type { OperationMode } from '../energy/charging-profile.js';
import { sameLimit, sameLimits } from '../energy/limit.js';
import type { SiteView } from './energy-queries.js';

/** One EVSE of `GET /api/site`: its mode now with who set it, and the last decision's limits. */
export type SiteEvseRow = SiteView['evses'][number];

/** The operation modes in force and who set each (RuleInputs), for the rows. */
export interface RowModes {
  modes: Readonly<Record<string, OperationMode>>;
  modeSources: Readonly<Record<string, string>>;
  /** The mode of an EVSE that `modes` does not name. */
  modeOf(evseKey: string): OperationMode;
}

interface Kept {
  decision: EvseDecision;
  row: SiteEvseRow;
  /** The mode and its source came from the `modes` and `modeSources` records (not `modeOf`). */
  fromRecords: boolean;
  /** Last rowsOf pass that saw the EVSE (to forget removed ones). */
  pass: number;
}

/**
 * The site view's EVSE rows, kept between reads: an EVSE's row object stays the same (the very
 * object) while its mode, mode source and decided limits are unchanged, so that what is derived
 * from a row (its JSON, `api/site-json.ts`) can be kept with it. Each decision makes new
 * EvseDecision objects; a new one with the same content keeps the row. A read costs one
 * comparison per EVSE, not one new row; while the mode records are the same objects (the rule
 * book keeps them until a rule or a setting changes) the modes are not looked up again.
 */
export class SiteEvseRows {
  private readonly kept = new Map<string, Kept>();
  /** The last pass's entries in its order: decisions list the EVSEs in the same order every time. */
  private order: Kept[] = [];
  private lastModes: RowModes['modes'] | undefined;
  private lastSources: RowModes['modeSources'] | undefined;
  private lastDecisions: Readonly<Record<string, EvseDecision>> | undefined;
  private lastRows: readonly SiteEvseRow[] = [];
  /** Every mode of the last pass came from the records (none from `modeOf`, which may change on its own). */
  private allFromRecords = false;
  private pass = 0;

  /** The rows for the decision's EVSEs, in its order. Read them, never change them. */
  rowsOf(decisions: Readonly<Record<string, EvseDecision>>, modes: RowModes): SiteEvseRow[] {
    const sameRecords = modes.modes === this.lastModes && modes.modeSources === this.lastSources;
    // Read again before the next decision, with the same mode records: the same rows.
    if (sameRecords && decisions === this.lastDecisions && this.allFromRecords) return [...this.lastRows];
    const pass = ++this.pass;
    this.lastModes = modes.modes;
    this.lastSources = modes.modeSources;
    const previousOrder = this.order;
    const order: Kept[] = [];
    const rows: SiteEvseRow[] = [];
    for (const key in decisions) {
      const e = decisions[key] as EvseDecision;
      const at = previousOrder[order.length];
      const kept = at !== undefined && at.decision.evseKey === e.evseKey ? at : this.kept.get(e.evseKey);
      let mode: OperationMode;
      let modeSource: string;
      let fromRecords: boolean;
      if (sameRecords && kept?.fromRecords) {
        mode = kept.row.mode;
        modeSource = kept.row.modeSource;
        fromRecords = true;
      } else {
        const recorded = modes.modes[e.evseKey];
        const source = modes.modeSources[e.evseKey];
        mode = recorded ?? modes.modeOf(e.evseKey);
        modeSource = source ?? 'setting';
        fromRecords = recorded !== undefined && source !== undefined;
      }
      if (kept && kept.row.mode === mode && kept.row.modeSource === modeSource && (kept.decision === e || sameRowOf(kept.decision, e))) {
        kept.decision = e;
        kept.fromRecords = fromRecords;
        kept.pass = pass;
        order.push(kept);
        rows.push(kept.row);
        continue;
      }
      const fresh: Kept = { decision: e, row: rowOf(e, mode, modeSource), fromRecords, pass };
      this.kept.set(e.evseKey, fresh);
      order.push(fresh);
      rows.push(fresh.row);
    }
    this.order = order;
    this.lastDecisions = decisions;
    this.lastRows = rows;
    this.allFromRecords = order.every((k) => k.fromRecords);
    if (this.kept.size > rows.length) {
      for (const [key, k] of this.kept) if (k.pass !== pass) this.kept.delete(key);
    }
    return [...rows];
  }
}

/** The row of one EVSE, built afresh (what `rowsOf` must always equal). */
export function rowOf(e: EvseDecision, mode: OperationMode, modeSource: string): SiteEvseRow {
  // Frozen: its JSON is kept with it (api/site-json.ts), so a change would go unseen.
  return Object.freeze({ evseKey: e.evseKey, mode, modeSource, limit: e.limit, status: e.status, limits: e.limits, baseShareA: e.baseShare.maxCurrentA });
}

/** Whether two decisions of one EVSE give the same row (every field of every limit compared). */
function sameRowOf(a: EvseDecision, b: EvseDecision): boolean {
  return a.status === b.status && a.baseShare.maxCurrentA === b.baseShare.maxCurrentA && sameLimit(a.limit, b.limit) && sameLimits(a.limits, b.limits);
}
