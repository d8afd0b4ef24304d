/**
 * Profile writes per EVSE over the last day, and a per-charger (station) daily write budget:
 * charger flash wears out under frequent profile writes, so the count is shown (API, metrics)
 * and increases stop once a charger has used its budget (decreases and lease renewals still go:
 * safety first, and a lapsed lease only falls back to the base profile).
 */
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface WriteCounts {
  /** Profile writes in the last hour / last 24 hours. */
  lastHour: number;
  lastDay: number;
}

export class WriteLog {
  private readonly byEvse = new Map<string, number[]>();
  private readonly byStation = new Map<string, number[]>();

  /** @param budgetPerDay most profile writes per charger in any 24 h for increases; undefined = no budget. */
  constructor(private readonly budgetPerDay?: number) {}

  record(evseKey: string, stationId: string, atMs: number): void {
    push(this.byEvse, evseKey, atMs);
    push(this.byStation, stationId, atMs);
  }

  counts(evseKey: string, nowMs: number): WriteCounts {
    const times = trimmed(this.byEvse, evseKey, nowMs);
    let lastHour = 0;
    for (let i = times.length - 1; i >= 0 && (times[i] ?? 0) > nowMs - HOUR_MS; i--) lastHour++;
    return { lastHour, lastDay: times.length };
  }

  /** True while the station has written its whole budget in the last 24 h. */
  overBudget(stationId: string, nowMs: number): boolean {
    return this.budgetPerDay !== undefined && trimmed(this.byStation, stationId, nowMs).length >= this.budgetPerDay;
  }

  /** When the station gets budget again (its oldest write of the day leaves the window). */
  budgetBackAtMs(stationId: string, nowMs: number): number {
    const oldest = trimmed(this.byStation, stationId, nowMs)[0];
    return oldest === undefined ? nowMs : oldest + DAY_MS;
  }
}

function push(map: Map<string, number[]>, key: string, atMs: number): void {
  const list = map.get(key);
  if (list) list.push(atMs);
  else map.set(key, [atMs]);
}

function trimmed(map: Map<string, number[]>, key: string, nowMs: number): number[] {
  const list = map.get(key);
  if (!list) return [];
  let drop = 0;
  while (drop < list.length && (list[drop] ?? 0) <= nowMs - DAY_MS) drop++;
  if (drop > 0) list.splice(0, drop);
  return list;
}
