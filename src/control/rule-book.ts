import type { OperationMode } from '../energy/charging-profile.js';
import type { AgedReading } from '../energy/meter-reading.js';
import type { SiteSnapshot } from '../energy/strategy.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { activeRules, nextRuleEdgeMs, ruleEffects, ruleModes, ruleVariables, type ActiveRule, type CompiledRules } from './cron-rules.js';
import { DEFAULT_OPERATION_MODE } from './operation-modes.js';

export interface RuleBookDeps {
  clock: Clock;
  log: Logger;
  rules: CompiledRules;
  /** Mode per EVSE key without rules (config, or set at runtime), for every EVSE of the site. */
  standingModes: () => Readonly<Record<string, OperationMode>>;
  /** Who set each standing mode (e.g. `config`, `api`); `setting` for a key without one. */
  standingSources?: () => Readonly<Record<string, string>>;
  /**
   * Changes whenever the standing modes or their sources change (e.g. a counter). With it the
   * per-EVSE modes are built again only when it or the set of active rules changed; without it,
   * at every call.
   */
  standingVersion?: () => number;
  meterRoles: SiteSnapshot['meterRoles'];
  /** Called at every rule start and end, so that a decision follows at once. */
  onEdge: (reason: string) => void;
}

/** The inputs the rules and the configured modes give a decision at one instant. */
export interface RuleInputs {
  /** Shared between calls while nothing changed: read, never change. */
  modes: Readonly<Record<string, OperationMode>>;
  /** Where each EVSE's mode comes from: `rule:<id>`, else who set the standing mode (`config`, `api`, `mqtt`). */
  modeSources: Readonly<Record<string, string>>;
  siteLimitW?: { powerW: number; source: string; reason: string };
  active: Array<{ id: string; sinceMs: number; untilMs: number }>;
  problems: string[];
}

/** Longest timer armed at once, ms; a later edge is re-armed from there. */
const MAX_TIMER_MS = 6 * 3_600_000;

/**
 * Applies the cron rules: what they say at an instant is computed purely from that instant
 * (activeRules), and a Clock timer at the next start or end of a rule asks for a decision then.
 * Logs when a rule starts or ends, or its limit cannot be computed.
 */
export class RuleBook {
  private timer: TimerHandle | undefined;
  private lastActive = '';
  private lastProblems = '';
  /** The per-EVSE modes of the last call, with what they were built from. */
  private modeCache: { version: number; activeIds: string; modes: Record<string, OperationMode>; modeSources: Record<string, string> } | undefined;

  constructor(private readonly deps: RuleBookDeps) {}

  start(): void {
    this.arm();
  }

  stop(): void {
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Modes and site limit at nowMs, given the meter readings then. */
  inputs(nowMs: number, meters: Record<string, AgedReading>): RuleInputs {
    const { rules, timezone } = this.deps.rules;
    const active = activeRules(rules, nowMs, timezone);
    // The site limit and its problems need the readings of now; the modes only the active rules.
    const effects = ruleEffects(active, ruleVariables({ meters, meterRoles: this.deps.meterRoles }, nowMs, timezone), []);
    const { modes, modeSources } = this.modesFor(active);
    const out: RuleInputs = {
      modes,
      modeSources,
      active: active.map((a) => ({ id: a.rule.id, sinceMs: a.sinceMs, untilMs: a.untilMs })),
      problems: effects.problems,
    };
    if (effects.siteLimitW) out.siteLimitW = effects.siteLimitW;
    this.logChanges(out);
    return out;
  }

  /** Every EVSE's mode and its source under the active rules; built again only when the rules or the standing modes changed. */
  private modesFor(active: readonly ActiveRule[]): { modes: Record<string, OperationMode>; modeSources: Record<string, string> } {
    const version = this.deps.standingVersion?.();
    const activeIds = active.map((a) => this.deps.rules.rules.indexOf(a.rule)).join(',');
    const cached = this.modeCache;
    if (version !== undefined && cached && cached.version === version && cached.activeIds === activeIds) return cached;
    const standing = this.deps.standingModes();
    const sources = this.deps.standingSources?.() ?? {};
    const keys = Object.keys(standing);
    const ruled = ruleModes(active, keys);
    const modes: Record<string, OperationMode> = {};
    const modeSources: Record<string, string> = {};
    for (const key of keys) {
      const r = ruled[key];
      modes[key] = r?.mode ?? standing[key] ?? DEFAULT_OPERATION_MODE;
      modeSources[key] = r?.source ?? sources[key] ?? 'setting';
    }
    if (version !== undefined) this.modeCache = { version, activeIds, modes, modeSources };
    return { modes, modeSources };
  }

  /**
   * The mode an active rule gives one EVSE at nowMs, undefined when no rule names it (or `*`).
   * Costs the number of rules, not the number of EVSEs: for per-EVSE views.
   */
  modeOf(evseKey: string, nowMs: number): OperationMode | undefined {
    const { rules, timezone } = this.deps.rules;
    if (rules.length === 0) return undefined;
    const active = activeRules(rules, nowMs, timezone);
    const chosen = active.find((a) => a.rule.modes[evseKey] !== undefined) ?? active.find((a) => a.rule.modes['*'] !== undefined);
    return chosen?.rule.modes[chosen.rule.modes[evseKey] !== undefined ? evseKey : '*'];
  }

  private logChanges(out: RuleInputs): void {
    const ids = out.active.map((a) => a.id).join(',');
    if (ids !== this.lastActive) {
      this.deps.log.info({ activeRules: out.active.map((a) => a.id), siteLimitW: out.siteLimitW?.powerW, modes: out.modes }, 'rules: active set changed');
      this.lastActive = ids;
    }
    const problems = out.problems.join('\n');
    if (problems !== this.lastProblems && out.problems.length > 0) this.deps.log.warn({ problems: out.problems }, 'rules: limit not computed');
    this.lastProblems = problems;
  }

  private arm(): void {
    this.deps.clock.clearTimeout(this.timer);
    const nowMs = this.deps.clock.nowMs();
    const { rules, timezone } = this.deps.rules;
    const next = nextRuleEdgeMs(rules, nowMs, timezone);
    if (next === undefined) return;
    const delayMs = Math.min(next - nowMs, MAX_TIMER_MS);
    const edge = delayMs === next - nowMs;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      if (edge) this.deps.onEdge('rule edge');
      this.arm();
    }, delayMs);
  }
}
