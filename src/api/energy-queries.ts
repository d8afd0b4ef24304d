import type { CircuitBudget, AllocationStatus } from '../energy/allocation/index.js';
import type { CurrentLimit } from '../energy/limit.js';
import type { AgedReading } from '../energy/meter-reading.js';
import type { CompositeSchedule } from '../energy/composite/index.js';
import type { OperationMode } from '../energy/charging-profile.js';
import type { EvseSettingsPatch, EvseSettingsView } from '../control/evse-controls.js';

export type { EvseSettingsPatch, EvseSettingsView };

export interface SiteView {
  nowMs: number;
  meters: Record<string, AgedReading>;
  /** Each circuit's limit, non-EV load, available and allocated current per phase. */
  circuits: CircuitBudget[];
  /** Circuits on failsafe, with why. */
  staleCircuits: Record<string, string>;
  /** mode: the EVSE's operation mode now; modeSource: `rule:<id>`, else who set it (`config`, `api`, `mqtt`). */
  evses: Array<{ evseKey: string; mode: OperationMode; modeSource: string; limit: CurrentLimit; status: string; limits: CurrentLimit[]; baseShareA: number }>;
  siteLimit?: { powerW: number; untilMs: number; source: string };
  /** Cron rules active now, the site limit they set and limits they could not compute. */
  rules?: { active: Array<{ id: string; sinceMs: number; untilMs: number }>; siteLimitW?: { powerW: number; source: string; reason: string }; problems: string[] };
  lastDecision?: { atMs: number; durationMs: number; reasons: string[] };
  dispatch: { writes: number; accepted: number; rejected: number; failed: number };
  /** OCPP 2.1 DER controls in force, one per control type (hub mode on a 2.1 link only). */
  der?: SiteDerView;
}

export interface SiteHealthInputs extends Pick<SiteView, 'meters' | 'staleCircuits'> {
  /** The stations of the configured EVSEs, in the order of `evses()`, each once. */
  stationIds: string[];
}

export interface SiteDerView {
  inForce: Array<{ controlId: string; controlType: string; isDefault: boolean; priority: number; startMs?: number; durationS?: number }>;
}

export interface EvseScheduleResponse {
  evseKey: string;
  limit?: CurrentLimit;
  limits: CurrentLimit[];
  status?: string;
  baseShareA?: number;
  /** False when the EVSE's charger refused the hub's profiles: no limit (CSMS or hub) is enforced on it. */
  controllable?: boolean;
  /** What its charger takes for charging profiles (rate units, max stack level, ...), once read after its boot. */
  capabilities?: { rateUnits: string[]; maxStackLevel?: number; maxProfilesInstalled?: number; maxPeriodsPerSchedule?: number };
  schedule: CompositeSchedule;
}

/** One configured EVSE as the energy side sees it: its settings, what it is offered and draws, and why. */
export interface EvseEnergyView {
  evseKey: string;
  stationId: string;
  evseId: number;
  circuitId: string;
  phases: 1 | 3;
  /** Grid phase of each EVSE phase, in order. */
  phaseRotation: string[];
  minCurrentA: number;
  maxCurrentA: number;
  /** Weight in sharing (higher gets more); may be changed at runtime. */
  priority: number;
  /** Operation mode now (OCPP 2.1 names): an active cron rule's, else the setting; LocalLoadBalancing unless set. */
  mode: OperationMode;
  /** Who set `mode`: `rule:<id>` while a cron rule sets it, else `config` or the front end that set it (`api`, `mqtt`). */
  modeSource: string;
  /** The operator's settings with who set each (`config`, `api`, `mqtt`), persisted across restarts. */
  settings: EvseSettingsView;
  /** With a solar mode: false while the operation mode keeps the solar strategy from acting (see mode, modeSource). */
  solarInForce?: boolean;
  /** An EV is in a transaction on it. */
  active: boolean;
  /** Last limit sent to the EVSE (dynamic profile), A per phase; absent before the first write. */
  offeredA?: number;
  /** Current the EV draws per EVSE phase, A (from the station's meter values), when reported. */
  drawnA?: number[];
  /** The limit of the last decision with its binding source, and every limit that applied. */
  limit?: CurrentLimit;
  limits: CurrentLimit[];
  allocation?: AllocationStatus;
  /** Guaranteed safe share (the base profile), A per phase. */
  baseShareA?: number;
  /** SetChargingProfile writes to the EVSE in the last hour and day. */
  profileWrites?: { lastHour: number; lastDay: number };
  /** Present while the charger draws more than the limit it accepted; it is budgeted at what it draws. */
  disobedient?: { sinceMs: number; limitA: number; drawnA: number };
}

/** What the API reads from and asks of the energy side of the hub. */
export interface EnergyQueries {
  site(): SiteView;
  /** What `/api/health` reads, without building the per-EVSE views: meters, circuits on failsafe, the configured stations. */
  healthInputs(): SiteHealthInputs;
  evses(): EvseEnergyView[];
  /** One configured EVSE's view (without building the others'); undefined when not configured. */
  evse(evseKey: string): EvseEnergyView | undefined;
  evseSchedule(evseKey: string, durationS: number): EvseScheduleResponse | undefined;
  setSiteLimit(powerW: number, durationS: number): { powerW: number; untilMs: number; source: string };
  /** The most the site can import (its grid connection), W: the site limit's upper bound. */
  siteCapacityW?(): number;
  clearSiteLimit(): void;
  /**
   * Changes an EVSE's settings (persisted; the next decision, at once, uses them). Settles once the
   * change is on disk and applied; rejects with ApiError NOT_FOUND, BAD_REQUEST or NOT_APPLICABLE
   * with the reason, or with the store's error (nothing applied).
   */
  setEvseSettings(evseKey: string, patch: EvseSettingsPatch): Promise<EvseEnergyView>;
}
