import type Database from 'better-sqlite3';
import type { Clock } from '../util/clock.js';
import { parseSetDerControl, requestOf } from './der-control-check.js';
import { EMPTY_DER_STATE, type DerControlState } from './der-control-store.js';
import { DER_CONTROL_TYPES, type DerControl } from './der-control-types.js';
import { isSetDerControlRequest } from './der-payload-guards.js';

export interface DerRepoDeps {
  db: Database.Database;
  clock: Clock;
}

interface DerRow {
  control_id: string;
  seq: number;
  start_ms: number | null;
  request_json: string;
}

/**
 * The accepted DER controls in SQLite, so that they survive a restart. Each row keeps the
 * SetDERControlRequest as received (schema-checked again when loaded) and the acceptance number.
 * The table `der_controls` is made by the store's migrations (store/migrations.ts).
 */
export class DerRepo {
  private readonly db: Database.Database;
  private readonly clock: Clock;

  constructor(deps: DerRepoDeps) {
    this.db = deps.db;
    this.clock = deps.clock;
  }

  /** Replaces what is stored with the state's controls, in one transaction. */
  save(state: DerControlState): void {
    const nowMs = this.clock.nowMs();
    const insert = this.db.prepare<[string, number, number | null, string, number]>(
      'INSERT INTO der_controls (control_id, seq, start_ms, request_json, updated_ms) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction((controls: readonly DerControl[]) => {
      this.db.prepare('DELETE FROM der_controls').run();
      for (const c of controls) insert.run(c.controlId, c.seq, c.startMs ?? null, JSON.stringify(requestOf(c)), nowMs);
    })(state.controls);
  }

  /**
   * The stored controls still valid now. Rows that no longer parse or whose window has ended
   * are left out (and dropped at the next save); `skipped` says which and why.
   */
  load(): { state: DerControlState; skipped: { controlId: string; reason: string }[] } {
    const rows = this.db.prepare<[], DerRow>('SELECT control_id, seq, start_ms, request_json FROM der_controls ORDER BY seq').all();
    const nowMs = this.clock.nowMs();
    const controls: DerControl[] = [];
    const skipped: { controlId: string; reason: string }[] = [];
    for (const row of rows) {
      let req: unknown;
      try {
        req = JSON.parse(row.request_json);
      } catch {
        skipped.push({ controlId: row.control_id, reason: 'stored request is not JSON' });
        continue;
      }
      if (!isSetDerControlRequest(req)) {
        skipped.push({ controlId: row.control_id, reason: 'stored request does not fit the 2.1 schema' });
        continue;
      }
      const parsed = parseSetDerControl(req, nowMs, DER_CONTROL_TYPES);
      if (!parsed.ok) {
        skipped.push({ controlId: row.control_id, reason: parsed.statusInfo.additionalInfo ?? parsed.statusInfo.reasonCode });
        continue;
      }
      controls.push({ ...parsed.control, seq: row.seq });
    }
    const nextSeq = controls.reduce((m, c) => Math.max(m, c.seq + 1), EMPTY_DER_STATE.nextSeq);
    return { state: { controls, nextSeq }, skipped };
  }
}
