import type { CircuitBudget } from '../energy/allocation/index.js';
import type { CurrentLimit } from '../energy/limit.js';
import type { AgedReading } from '../energy/meter-reading.js';
import type { CompositeSchedule } from '../energy/composite/index.js';

export interface SiteView {
  nowMs: number;
  meters: Record<string, AgedReading>;
  /** Each circuit's limit, non-EV load, available and allocated current per phase. */
  circuits: CircuitBudget[];
  /** Circuits on failsafe, with why. */
  staleCircuits: Record<string, string>;
  evses: Array<{ evseKey: string; limit: CurrentLimit; status: string; limits: CurrentLimit[]; baseShareA: number }>;
  siteLimit?: { powerW: number; untilMs: number; source: string };
  lastDecision?: { atMs: number; durationMs: number; reasons: string[] };
  dispatch: { writes: number; accepted: number; rejected: number; failed: number };
}

export interface EvseScheduleResponse {
  evseKey: string;
  limit?: CurrentLimit;
  limits: CurrentLimit[];
  status?: string;
  baseShareA?: number;
  schedule: CompositeSchedule;
}

/** What the API reads from and asks of the energy side of the hub. */
export interface EnergyQueries {
  site(): SiteView;
  evseSchedule(evseKey: string, durationS: number): EvseScheduleResponse | undefined;
  setSiteLimit(powerW: number, durationS: number): { powerW: number; untilMs: number; source: string };
  clearSiteLimit(): void;
}
