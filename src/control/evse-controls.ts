/**
 * What an operator can change on an EVSE while the hub runs, in one place for every front end
 * (REST API and dashboard, MQTT / Home Assistant): priority, operation mode, solar mode, a max
 * current below the EVSE's rating, and remote start/stop. Settings are checked against the
 * EVSE's configuration, kept with who set them, written to the store and restored at start;
 * each change asks for a decision at once. Refusals are ApiErrors (code, reason, field), so
 * every front end can say why.
 */
import type { OperationMode } from '../energy/charging-profile.js';
import type { CurrentLimit } from '../energy/limit.js';
import type { EvseModel } from '../energy/site-model.js';
import { isSolarMode, type SolarMode } from '../energy/solar-mode.js';
import { ApiError } from '../api/errors.js';
import type { Logger } from '../util/logger.js';
import { DEFAULT_OPERATION_MODE, OPERATION_MODES } from './operation-modes.js';
import { parseEvseKey } from './evse-key.js';
import { EvseModelIndex, HandedOutRecord } from './evse-controls-tables.js';

/** The settings an operator may change; a null value goes back to the site config's. */
export interface EvseSettingsPatch {
  priority?: number | null;
  mode?: OperationMode | null;
  solarMode?: SolarMode | null;
  maxCurrentA?: number | null;
}

type SettingName = keyof EvseSettingsPatch;
const SETTING_NAMES: readonly SettingName[] = ['priority', 'mode', 'solarMode', 'maxCurrentA'];

/** Who set a setting: `config` (site config or default), else the front end, e.g. `api`, `mqtt`. */
export const CONFIG_SOURCE = 'config';

/** Source of the limit an operator's max current puts on an EVSE: `override:<who set it>`. */
export const maxCurrentLimitSource = (setBy: string): string => `override:${setBy}`;

/** A setting's value and who set it (updatedMs: when, for settings made at runtime). */
export interface SettingValue<T> {
  value: T;
  source: string;
  updatedMs?: number;
}

/** An EVSE's settings as they stand (without cron rules, which act on top of `mode`). */
export interface EvseSettingsView {
  priority: SettingValue<number>;
  mode: SettingValue<OperationMode>;
  /** Present when the site runs a solar-surplus strategy. */
  solarMode?: SettingValue<SolarMode>;
  /** Present while an operator's max current applies (A per phase, within the EVSE's min and max). */
  maxCurrentA?: SettingValue<number>;
}

/** What the site config says about an EVSE. */
export interface ConfiguredEvse {
  priority: number;
  mode: OperationMode;
  /** The solar-surplus strategy's mode for it; absent when the site has no such strategy. */
  solarMode?: SolarMode;
}

/** Remote start and stop of transactions (standalone mode), e.g. RemoteControl. */
export interface RemoteStartStop {
  start(stationId: string, evseId: number, idToken: string): Promise<unknown>;
  stop(stationId: string, evseId: number): Promise<unknown>;
}

type SettingWrite = { evseKey: string; setting: string; value: unknown; source: string };

/** Persistence of runtime settings (the store's EvseSettingsRepo). */
export interface EvseSettingsStore {
  list(): Array<{ evseKey: string; setting: string; value: unknown; source: string; updatedMs: number }>;
  /** Writes the changes in one transaction, committed on return. */
  write(changes: readonly SettingWrite[]): void;
  /**
   * Writes the changes in one transaction that joins the store's group commit: settles once they
   * are on disk (the sync runs off the event loop), rejects when they were not stored.
   */
  writeDurably?(changes: readonly SettingWrite[]): Promise<void>;
}

export interface EvseControlsDeps {
  log: Logger;
  /** The site's EVSE models, shared with the controller (a priority change replaces the model in place). */
  evses: EvseModel[];
  store?: EvseSettingsStore;
  /** Time of a change, ms (the injected clock). */
  nowMs: () => number;
  /** A setting changed: decide again. `siteChanged` when base shares may change too (priority). */
  onChange: (reason: string, siteChanged: boolean) => void;
  /** Remote start/stop; absent: start and stop are refused. */
  remote?: RemoteStartStop;
}

type Overrides = {
  priority?: SettingValue<number>;
  mode?: SettingValue<OperationMode>;
  solarMode?: SettingValue<SolarMode>;
  maxCurrentA?: SettingValue<number>;
};

/** Highest priority an operator may set (the API's bound). */
export const MAX_PRIORITY = 1000;

/**
 * Every table is kept per EVSE as its settings change: a change costs the same whatever the
 * number of EVSEs (no table is built again over the site, no scan of the site's models).
 */
export class EvseControls {
  private readonly configured = new Map<string, ConfiguredEvse>();
  private readonly overrides = new Map<string, Overrides>();
  /** Mode per EVSE key without rules, kept as settings change (read at every decision). */
  private readonly standing: Record<string, OperationMode> = {};
  private readonly standingSource: Record<string, string> = {};
  /** Handed to each decision's snapshot, which keeps them: never changed once read. */
  private readonly solar = new HandedOutRecord<SolarMode>();
  private readonly caps = new HandedOutRecord<CurrentLimit[]>();
  /** Bumped at every change of the standing modes or their sources (readers cache on it). */
  private standingChanges = 0;
  private readonly models: EvseModelIndex;
  /** Writes are numbered as they are made; per `key\nsetting`, the number of the write applied last. */
  private readonly applies = new Map<string, number>();
  private writes = 0;

  constructor(private readonly deps: EvseControlsDeps) {
    this.models = new EvseModelIndex(deps.evses);
  }

  /** Registers (or replaces) an EVSE's configured values; runtime settings already made are kept. */
  configure(evseKey: string, configured: ConfiguredEvse): void {
    this.configured.set(evseKey, configured);
    this.refresh(evseKey);
  }

  /** The EVSE left the site (commissioning): its runtime settings are forgotten in memory, kept in the store. */
  forget(evseKey: string): void {
    this.configured.delete(evseKey);
    this.overrides.delete(evseKey);
    delete this.standing[evseKey];
    delete this.standingSource[evseKey];
    this.standingChanges++;
    this.refresh(evseKey);
  }

  /**
   * Applies the stored settings of the configured EVSEs (at start). A stored value the config no
   * longer allows (EVSE gone, max current outside its new range) is left out with a warning.
   */
  restore(): void {
    const rows = this.deps.store?.list() ?? [];
    for (const row of rows) {
      if (!this.configured.has(row.evseKey)) continue;
      const name = SETTING_NAMES.find((n) => n === row.setting);
      const problem = name === undefined ? `unknown setting ${row.setting}` : this.problemWith(row.evseKey, name, row.value);
      if (problem || name === undefined) {
        this.deps.log.warn({ evseKey: row.evseKey, setting: row.setting, problem }, 'stored EVSE setting not applied');
        continue;
      }
      this.apply(row.evseKey, { [name]: row.value }, row.source, row.updatedMs);
    }
    if (rows.length > 0) this.deps.log.info({ settings: rows.length }, 'EVSE settings restored');
  }

  /**
   * Changes settings of one EVSE: every field is checked first (nothing changes when one is
   * refused), then written to the store in one transaction, applied, and a decision follows.
   * Throws ApiError NOT_FOUND, BAD_REQUEST or NOT_APPLICABLE with the reason and the field.
   */
  update(evseKey: string, patch: EvseSettingsPatch, source: string): EvseModel {
    const names = this.checked(evseKey, patch);
    const nowMs = this.deps.nowMs();
    this.deps.store?.write(this.writesOf(evseKey, patch, names, source));
    return this.applied(evseKey, this.newer(evseKey, patch, names, ++this.writes), names, source, nowMs);
  }

  /**
   * update() for a front end that answers only once the change is on disk (the REST API): the
   * write joins the store's group commit, whose sync runs off the event loop (shared with the
   * other writes of the turn), and the change is applied, and a decision asked for, once it is
   * durable. Nothing is applied when the write fails (the promise rejects with its error).
   */
  async updateDurably(evseKey: string, patch: EvseSettingsPatch, source: string): Promise<EvseModel> {
    const store = this.deps.store;
    if (!store?.writeDurably) return this.update(evseKey, patch, source);
    const names = this.checked(evseKey, patch);
    const nowMs = this.deps.nowMs();
    const durable = store.writeDurably(this.writesOf(evseKey, patch, names, source));
    const write = ++this.writes;
    await durable;
    // The EVSE may have left the site (commissioning) while the write was synced: its settings stay stored, as forget() keeps them.
    if (!this.configured.has(evseKey)) throw new ApiError('NOT_FOUND', `no EVSE ${JSON.stringify(evseKey)} in the site config`);
    return this.applied(evseKey, this.newer(evseKey, patch, names, write), names, source, nowMs);
  }

  /** Starts a transaction on the EVSE (standalone mode) for the id token. */
  async start(evseKey: string, idToken: string): Promise<unknown> {
    const { stationId, evseId } = this.remoteTarget(evseKey);
    return (this.deps.remote as RemoteStartStop).start(stationId, evseId, idToken);
  }

  /** Stops the EVSE's active transaction (standalone mode). */
  async stop(evseKey: string): Promise<unknown> {
    const { stationId, evseId } = this.remoteTarget(evseKey);
    return (this.deps.remote as RemoteStartStop).stop(stationId, evseId);
  }

  /** The settings of an EVSE now, with who set each; undefined for an unknown EVSE. */
  view(evseKey: string): EvseSettingsView | undefined {
    const configured = this.configured.get(evseKey);
    if (!configured) return undefined;
    const o = this.overrides.get(evseKey) ?? {};
    const solarMode = o.solarMode ?? (configured.solarMode !== undefined ? { value: configured.solarMode, source: CONFIG_SOURCE } : undefined);
    return {
      priority: o.priority ?? { value: configured.priority, source: CONFIG_SOURCE },
      mode: o.mode ?? { value: configured.mode, source: CONFIG_SOURCE },
      ...(solarMode ? { solarMode } : {}),
      ...(o.maxCurrentA ? { maxCurrentA: o.maxCurrentA } : {}),
    };
  }

  /** Each EVSE's mode without rules (runtime setting, else config); the same object as settings change. */
  standingModes(): Readonly<Record<string, OperationMode>> {
    return this.standing;
  }

  /** Changes whenever standingModes or standingModeSources change. */
  standingVersion(): number {
    return this.standingChanges;
  }

  /** Who set each EVSE's mode without rules: `config` or the front end. */
  standingModeSources(): Readonly<Record<string, string>> {
    return this.standingSource;
  }

  /** An EVSE's mode without rules. */
  modeOf(evseKey: string): OperationMode {
    return this.standing[evseKey] ?? DEFAULT_OPERATION_MODE;
  }

  /** Solar modes set at runtime, for the decision's snapshot (configured ones are the strategy's own). */
  solarModes(): Readonly<Record<string, SolarMode>> {
    return this.solar.read();
  }

  /** Operators' max currents as limits per EVSE key, for the decision's snapshot. */
  maxCurrentCaps(): Readonly<Record<string, CurrentLimit[]>> {
    return this.caps.read();
  }

  /** The settings the patch changes, each checked; throws the first refusal as an ApiError. */
  private checked(evseKey: string, patch: EvseSettingsPatch): SettingName[] {
    if (!this.configured.has(evseKey)) throw new ApiError('NOT_FOUND', `no EVSE ${JSON.stringify(evseKey)} in the site config`);
    const names = SETTING_NAMES.filter((n) => patch[n] !== undefined);
    if (names.length === 0) throw new ApiError('BAD_REQUEST', `expected at least one of ${SETTING_NAMES.join(', ')}`, 'body');
    for (const name of names) {
      const value = patch[name];
      if (value === null) continue;
      const problem = this.problemWith(evseKey, name, value);
      if (problem) throw new ApiError(name === 'solarMode' && !this.solarConfigured(evseKey) ? 'NOT_APPLICABLE' : 'BAD_REQUEST', problem, `body.${name}`);
    }
    return names;
  }

  /**
   * The part of a stored patch to apply: the settings no later write was applied to yet (a write
   * made while this one was synced, e.g. MQTT's update(), keeps its value, as in the store).
   */
  private newer(evseKey: string, patch: EvseSettingsPatch, names: readonly SettingName[], write: number): EvseSettingsPatch {
    const out: EvseSettingsPatch = {};
    for (const n of names) {
      const id = `${evseKey}\n${n}`;
      if ((this.applies.get(id) ?? 0) > write) continue;
      this.applies.set(id, write);
      Object.assign(out, { [n]: patch[n] });
    }
    return out;
  }

  private writesOf(evseKey: string, patch: EvseSettingsPatch, names: readonly SettingName[], source: string): SettingWrite[] {
    return names.map((n) => ({ evseKey, setting: n, value: patch[n] ?? null, source }));
  }

  /** Applies a checked and stored patch, asks for a decision, and returns the EVSE's model. */
  private applied(evseKey: string, patch: EvseSettingsPatch, names: readonly SettingName[], source: string, nowMs: number): EvseModel {
    this.apply(evseKey, patch, source, nowMs);
    this.deps.log.info({ evseKey, ...patch, source }, 'EVSE settings changed');
    this.deps.onChange(`settings ${evseKey}`, names.includes('priority'));
    const model = this.models.modelOf(evseKey);
    if (!model) throw new ApiError('NOT_FOUND', `no EVSE ${JSON.stringify(evseKey)} in the site config`);
    return model;
  }

  private remoteTarget(evseKey: string): { stationId: string; evseId: number } {
    const parsed = parseEvseKey(evseKey);
    if (!parsed || !this.configured.has(evseKey)) throw new ApiError('NOT_FOUND', `no EVSE ${JSON.stringify(evseKey)} in the site config`);
    if (!this.deps.remote) throw new ApiError('NOT_STANDALONE', 'transactions are started and stopped by the CSMS in this upstream mode');
    return parsed;
  }

  private solarConfigured(evseKey: string): boolean {
    return this.configured.get(evseKey)?.solarMode !== undefined;
  }

  /** Why a value cannot be set, or undefined. */
  private problemWith(evseKey: string, name: SettingName, value: unknown): string | undefined {
    if (value === null) return undefined;
    const model = this.models.modelOf(evseKey);
    if (!model) return `no EVSE ${evseKey} in the site`;
    switch (name) {
      case 'priority':
        if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_PRIORITY) {
          return `priority: expected a number above 0 and at most ${MAX_PRIORITY}, found ${JSON.stringify(value)}`;
        }
        return undefined;
      case 'mode':
        return OPERATION_MODES.some((m) => m === value) ? undefined : `mode: expected one of ${OPERATION_MODES.join(', ')}, found ${JSON.stringify(value)}`;
      case 'solarMode':
        if (!this.solarConfigured(evseKey)) return 'solarMode: this site has no solar-surplus strategy, so a solar mode would do nothing (add one under strategies in the site config)';
        return isSolarMode(value) ? undefined : `solarMode: expected off, now, min+pv or pv, found ${JSON.stringify(value)}`;
      case 'maxCurrentA': {
        if (typeof value !== 'number' || !Number.isFinite(value)) return `maxCurrentA: expected a number of amperes, found ${JSON.stringify(value)}`;
        if (value > model.maxCurrentA) return `maxCurrentA: ${value} A is above the most ${evseKey} is configured for, ${model.maxCurrentA} A`;
        if (value < model.minCurrentA) {
          return `maxCurrentA: ${value} A is below the least ${evseKey} charges at, ${model.minCurrentA} A (to pause charging, set the solar mode to off or stop the session)`;
        }
        return undefined;
      }
    }
  }

  /** Applies checked values (null: back to the config) and updates the derived views. */
  private apply(evseKey: string, patch: Partial<Record<SettingName, unknown>>, source: string, updatedMs: number): void {
    const o: Overrides = { ...(this.overrides.get(evseKey) ?? {}) };
    const set = <T>(value: T): SettingValue<T> => ({ value, source, updatedMs });
    if (patch.priority !== undefined) o.priority = patch.priority === null ? undefined : set(patch.priority as number);
    if (patch.mode !== undefined) o.mode = patch.mode === null ? undefined : set(patch.mode as OperationMode);
    if (patch.solarMode !== undefined) o.solarMode = patch.solarMode === null ? undefined : set(patch.solarMode as SolarMode);
    if (patch.maxCurrentA !== undefined) o.maxCurrentA = patch.maxCurrentA === null ? undefined : set(patch.maxCurrentA as number);
    for (const name of SETTING_NAMES) if (o[name] === undefined) delete o[name];
    this.overrides.set(evseKey, o);
    this.refresh(evseKey);
  }

  /** Recomputes what the controller reads for one EVSE from its config and runtime settings. */
  private refresh(evseKey: string): void {
    const configured = this.configured.get(evseKey);
    const o = this.overrides.get(evseKey) ?? {};
    if (configured) {
      const mode = o.mode?.value ?? configured.mode;
      const source = o.mode?.source ?? CONFIG_SOURCE;
      if (this.standing[evseKey] !== mode || this.standingSource[evseKey] !== source) this.standingChanges++;
      this.standing[evseKey] = mode;
      this.standingSource[evseKey] = source;
      const priority = o.priority?.value ?? configured.priority;
      const i = this.models.indexOf(evseKey);
      const model = this.deps.evses[i];
      if (model && model.priority !== priority) this.deps.evses[i] = { ...model, priority };
    }
    this.solar.put(evseKey, configured && o.solarMode ? o.solarMode.value : undefined);
    const cap = configured ? o.maxCurrentA : undefined;
    this.caps.put(evseKey, cap ? this.capOf(evseKey, cap) : undefined);
  }

  /** The limit an operator's max current puts on the EVSE (the one in force when it says the same). */
  private capOf(evseKey: string, cap: SettingValue<number>): CurrentLimit[] {
    const source = maxCurrentLimitSource(cap.source);
    const current = this.caps.peek(evseKey);
    if (current?.length === 1 && current[0]?.maxCurrentA === cap.value && current[0].source === source) return current;
    return [{ maxCurrentA: cap.value, source, reason: `max current set to ${cap.value} A` }];
  }
}
