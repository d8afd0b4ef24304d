/**
 * Time-based rules: "weekdays from 17:00 for 4 hours, grid import at most 50 kW", "22:00-06:00
 * every night, EVSE HOME/1 in ExternalLimits". A rule starts at the instants its cron expression
 * names (node-cron syntax, 5 fields, in the block's time zone) and stays active for durationMin.
 * While active it may set a site import limit (a number, or a mathjs expression over the site's
 * readings) and switch EVSEs' operation modes.
 *
 * Everything here is pure: whether a rule is active is a function of the instant alone
 * (activeRules), so decisions and tests never depend on when a timer fired. node-cron supplies
 * the expression language (its validator and parser); its scheduler is not used because it runs
 * on the wall clock and cannot take the injected Clock. Edges are timed by nextRuleEdgeMs.
 */
import { z } from 'zod';
import cron from 'node-cron';
import type { EvalFunction } from 'mathjs';
import { mathjs } from '../util/lazy-mathjs.js';
import type { OperationMode } from '../energy/charging-profile.js';
import type { AgedReading } from '../energy/meter-reading.js';
import type { SiteSnapshot } from '../energy/strategy.js';
import { OPERATION_MODES } from './operation-modes.js';
import { addDays, instantOf, isTimeZone, zonedTime } from './zoned-time.js';
import { idString } from '../config/id-string.js';

/** Variables a siteLimitW expression may use. */
export const RULE_VARIABLES = ['gridW', 'pvW', 'batteryW', 'batterySocPct', 'hour', 'minute', 'weekday'] as const;
export type RuleVariableName = (typeof RULE_VARIABLES)[number];
/**
 * Values of the variables at an instant: gridW import positive; pvW production positive;
 * batteryW charging positive; hour, minute, weekday (Sunday 0) of the wall clock in the rules'
 * time zone. A meter without a fresh reading leaves its variable out.
 */
export type RuleVariables = Partial<Record<RuleVariableName, number>>;

const MAX_DURATION_MIN = 7 * 24 * 60;

/** Problems with a 5-field cron expression, or undefined. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `expected 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
  const v = cron.validateDetailed(expression);
  if (!v.valid) return v.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  const f = v.fields;
  if (!f || [...f.dayOfMonth, ...f.dayOfWeek].some((x) => typeof x !== 'number')) {
    return 'L, W and # are not supported: use plain values, ranges, lists and steps';
  }
  return undefined;
}

function compileExpression(text: string): { fn: EvalFunction } | { problem: string } {
  const { isFunctionNode, isSymbolNode, parse } = mathjs();
  let node;
  try {
    node = parse(text);
  } catch (err) {
    return { problem: `cannot parse "${text}": ${err instanceof Error ? err.message : String(err)}` };
  }
  const problems = new Set<string>();
  const known = new Set<string>(RULE_VARIABLES);
  node.traverse((n, path, parent) => {
    if (n.type === 'AssignmentNode' || n.type === 'FunctionAssignmentNode' || n.type === 'BlockNode') {
      problems.add('assignments and multiple statements are not allowed');
    } else if (isSymbolNode(n) && !known.has(n.name) && !(path === 'fn' && isFunctionNode(parent))) {
      problems.add(`unknown variable "${n.name}" (known: ${RULE_VARIABLES.join(', ')})`);
    }
  });
  if (problems.size > 0) return { problem: [...problems].join('; ') };
  const fn = node.compile();
  const trial = evaluateLimit(fn, Object.fromEntries(RULE_VARIABLES.map((v) => [v, 1])));
  if (typeof trial === 'string') return { problem: trial };
  return { fn };
}

/** The expression's value as a limit in W, or why it is not one. Never throws. */
function evaluateLimit(fn: EvalFunction, scope: RuleVariables): number | string {
  let value: unknown;
  try {
    value = fn.evaluate({ ...scope });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const missing = /Undefined symbol (\w+)/.exec(msg);
    return missing ? `${missing[1]} is unknown (no fresh reading)` : msg;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return `gave ${String(value)}, not a finite number`;
  return Math.max(0, value);
}

const ruleConfigSchema = z
  .strictObject({
    id: idString,
    /** When the rule starts: a node-cron expression with 5 fields, in the block's time zone. */
    cron: z.string().min(1),
    /** How long it stays active after each start, min. */
    durationMin: z.number().int().min(1).max(MAX_DURATION_MIN),
    /** Site import limit while active, W: a number, or a mathjs expression over RULE_VARIABLES. */
    siteLimitW: z.union([z.number().min(0), z.string().min(1)]).optional(),
    /** Limit used while the expression cannot be evaluated (a reading missing), W; absent: no limit then. */
    fallbackSiteLimitW: z.number().min(0).optional(),
    /** Operation mode per EVSE key (`*`: every EVSE) while active. */
    modes: z.record(z.string().min(1), z.enum(OPERATION_MODES)).optional(),
  })
  .superRefine((r, ctx) => {
    const problem = cronProblem(r.cron);
    if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem });
    if (r.siteLimitW === undefined && (r.modes === undefined || Object.keys(r.modes).length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['siteLimitW'], message: 'expected siteLimitW or modes: a rule must do something' });
    }
    if (typeof r.siteLimitW === 'string') {
      const c = compileExpression(r.siteLimitW);
      if ('problem' in c) ctx.addIssue({ code: 'custom', path: ['siteLimitW'], message: c.problem });
    }
  });

export const rulesConfigSchema = z
  .strictObject({
    /** IANA time zone of the cron expressions and of hour/minute/weekday, e.g. Europe/Berlin. */
    timezone: z.string().refine(isTimeZone, 'an IANA time zone such as UTC or Europe/Berlin').default('UTC'),
    list: z.array(ruleConfigSchema).default([]),
  })
  .superRefine((block, ctx) => {
    const seen = new Set<string>();
    block.list.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['list', i, 'id'], message: `rule id "${r.id}" is used twice` });
      seen.add(r.id);
    });
  });

export type RuleConfig = z.infer<typeof ruleConfigSchema>;
export type RulesConfig = z.infer<typeof rulesConfigSchema>;

interface CronFields {
  minutes: number[];
  hours: number[];
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
}

/** A rule ready to evaluate. */
export interface CompiledRule {
  id: string;
  cron: string;
  durationMs: number;
  fields: CronFields;
  limit?: { kind: 'fixed'; powerW: number } | { kind: 'expression'; text: string; fn: EvalFunction };
  fallbackSiteLimitW?: number;
  modes: Record<string, OperationMode>;
}

export interface CompiledRules {
  timezone: string;
  rules: CompiledRule[];
}

function numbers(values: readonly (number | string)[]): number[] {
  return [...new Set(values.filter((v): v is number => typeof v === 'number'))].sort((a, b) => a - b);
}

/** Compiles a validated rules block. Throws on an expression the schema would have refused. */
export function compileRules(config: RulesConfig): CompiledRules {
  const rules = config.list.map((r): CompiledRule => {
    const f = cron.parse(r.cron);
    const rule: CompiledRule = {
      id: r.id,
      cron: r.cron,
      durationMs: r.durationMin * 60_000,
      fields: {
        minutes: numbers(f.minute),
        hours: numbers(f.hour),
        days: new Set(numbers(f.dayOfMonth)),
        months: new Set(numbers(f.month)),
        weekdays: new Set(numbers(f.dayOfWeek).map((d) => d % 7)),
      },
      modes: { ...(r.modes ?? {}) },
    };
    if (typeof r.siteLimitW === 'number') rule.limit = { kind: 'fixed', powerW: r.siteLimitW };
    if (typeof r.siteLimitW === 'string') {
      const c = compileExpression(r.siteLimitW);
      if ('problem' in c) throw new Error(`rule ${r.id}: siteLimitW: ${c.problem}`);
      rule.limit = { kind: 'expression', text: r.siteLimitW, fn: c.fn };
    }
    if (r.fallbackSiteLimitW !== undefined) rule.fallbackSiteLimitW = r.fallbackSiteLimitW;
    return rule;
  });
  return { timezone: config.timezone, rules };
}

/** Day-of-month, month and day-of-week must all match (node-cron's semantics). */
function dayMatches(f: CronFields, d: { month: number; day: number; weekday: number }): boolean {
  return f.months.has(d.month) && f.days.has(d.day) && f.weekdays.has(d.weekday);
}

/** The latest start at or before nowMs and after nowMs - lookbackMs, or undefined. */
function latestStart(f: CronFields, nowMs: number, lookbackMs: number, tz: string): number | undefined {
  const z = zonedTime(nowMs, tz);
  const days = Math.ceil(lookbackMs / 86_400_000) + 1;
  for (let back = 0; back <= days; back++) {
    const date = addDays(z.year, z.month, z.day, -back);
    if (!dayMatches(f, date)) continue;
    for (let hi = f.hours.length - 1; hi >= 0; hi--) {
      const h = f.hours[hi] ?? 0;
      if (back === 0 && h > z.hour) continue;
      for (let mi = f.minutes.length - 1; mi >= 0; mi--) {
        const m = f.minutes[mi] ?? 0;
        if (back === 0 && h === z.hour && m > z.minute) continue;
        const s = instantOf(date.year, date.month, date.day, h, m, tz);
        if (s > nowMs) continue;
        return s > nowMs - lookbackMs ? s : undefined;
      }
    }
  }
  return undefined;
}

/** The first start strictly after nowMs within about a year, or undefined. */
function nextStart(f: CronFields, nowMs: number, tz: string): number | undefined {
  const z = zonedTime(nowMs, tz);
  for (let ahead = 0; ahead <= 367; ahead++) {
    const date = addDays(z.year, z.month, z.day, ahead);
    if (!dayMatches(f, date)) continue;
    for (const h of f.hours) {
      if (ahead === 0 && h < z.hour) continue;
      for (const m of f.minutes) {
        if (ahead === 0 && h === z.hour && m < z.minute) continue;
        const s = instantOf(date.year, date.month, date.day, h, m, tz);
        if (s > nowMs) return s;
      }
    }
  }
  return undefined;
}

/** A rule in force at an instant: since its latest start, until that start + its duration. */
export interface ActiveRule {
  rule: CompiledRule;
  sinceMs: number;
  untilMs: number;
}

/** The rules active at nowMs (start <= now < start + duration), in list order. Pure. */
export function activeRules(rules: readonly CompiledRule[], nowMs: number, tz: string): ActiveRule[] {
  const out: ActiveRule[] = [];
  for (const rule of rules) {
    const sinceMs = latestStart(rule.fields, nowMs, rule.durationMs, tz);
    if (sinceMs !== undefined) out.push({ rule, sinceMs, untilMs: sinceMs + rule.durationMs });
  }
  return out;
}

/** The next instant after nowMs at which some rule starts or ends, or undefined. Pure. */
export function nextRuleEdgeMs(rules: readonly CompiledRule[], nowMs: number, tz: string): number | undefined {
  let next: number | undefined;
  const consider = (t: number | undefined): void => {
    if (t !== undefined && t > nowMs && (next === undefined || t < next)) next = t;
  };
  for (const a of activeRules(rules, nowMs, tz)) consider(a.untilMs);
  for (const rule of rules) consider(nextStart(rule.fields, nowMs, tz));
  return next;
}

function freshPowerW(meters: Record<string, AgedReading>, id: string | undefined): AgedReading | undefined {
  const r = id === undefined ? undefined : meters[id];
  return r && !r.stale ? r : undefined;
}

/** The expression variables at nowMs from the snapshot's meters and roles. */
export function ruleVariables(snapshot: Pick<SiteSnapshot, 'meters' | 'meterRoles'>, nowMs: number, tz: string): RuleVariables {
  const z = zonedTime(nowMs, tz);
  const vars: RuleVariables = { hour: z.hour, minute: z.minute, weekday: z.weekday };
  const grid = freshPowerW(snapshot.meters, snapshot.meterRoles.gridMeterId);
  const pv = freshPowerW(snapshot.meters, snapshot.meterRoles.pvMeterId);
  const battery = freshPowerW(snapshot.meters, snapshot.meterRoles.batteryMeterId);
  if (grid?.powerW !== undefined) vars.gridW = grid.powerW;
  if (pv?.powerW !== undefined) vars.pvW = Math.abs(pv.powerW);
  if (battery?.powerW !== undefined) vars.batteryW = battery.powerW;
  if (battery?.socPct !== undefined) vars.batterySocPct = battery.socPct;
  return vars;
}

/** What the active rules do at an instant. */
export interface RuleEffects {
  /** The tightest site limit of the active rules (source `rule:<id>`). */
  siteLimitW?: { powerW: number; source: string; reason: string };
  /** Mode per EVSE key set by a rule, with the rule as source. */
  modes: Record<string, { mode: OperationMode; source: string }>;
  /** Rules whose limit could not be computed, with why. */
  problems: string[];
}

/**
 * Effects of the active rules on these EVSEs. Modes: a rule naming the EVSE beats a rule with
 * `*`; between equals, the first in the list wins. Limits: the tightest wins.
 */
export function ruleEffects(active: readonly ActiveRule[], vars: RuleVariables, evseKeys: readonly string[]): RuleEffects {
  const effects: RuleEffects = { modes: {}, problems: [] };
  const offer = (powerW: number, source: string, reason: string): void => {
    if (!effects.siteLimitW || powerW < effects.siteLimitW.powerW) effects.siteLimitW = { powerW, source, reason };
  };
  for (const { rule } of active) {
    const source = `rule:${rule.id}`;
    if (rule.limit?.kind === 'fixed') offer(rule.limit.powerW, source, `rule ${rule.id} (${rule.cron}): ${rule.limit.powerW} W`);
    if (rule.limit?.kind === 'expression') {
      const value = evaluateLimit(rule.limit.fn, vars);
      if (typeof value === 'number') {
        offer(value, source, `rule ${rule.id} (${rule.cron}): ${rule.limit.text} = ${Math.round(value)} W`);
      } else if (rule.fallbackSiteLimitW !== undefined) {
        effects.problems.push(`rule ${rule.id}: siteLimitW ${value}: fallback ${rule.fallbackSiteLimitW} W`);
        offer(rule.fallbackSiteLimitW, source, `rule ${rule.id}: ${rule.limit.text} ${value}: fallback ${rule.fallbackSiteLimitW} W`);
      } else {
        effects.problems.push(`rule ${rule.id}: siteLimitW ${value}: no limit applied`);
      }
    }
  }
  effects.modes = ruleModes(active, evseKeys);
  return effects;
}

/** The mode each EVSE gets from the active rules: the first rule naming it, else the first naming `*`. */
export function ruleModes(active: readonly ActiveRule[], evseKeys: readonly string[]): RuleEffects['modes'] {
  const modes: RuleEffects['modes'] = {};
  const wildcard = active.find((a) => a.rule.modes['*'] !== undefined);
  if (!wildcard && !active.some((a) => Object.keys(a.rule.modes).length > 0)) return modes;
  for (const key of evseKeys) {
    const specific = active.find((a) => a.rule.modes[key] !== undefined);
    const chosen = specific ?? wildcard;
    const mode = chosen?.rule.modes[specific ? key : '*'];
    if (chosen && mode) modes[key] = { mode, source: `rule:${chosen.rule.id}` };
  }
  return modes;
}

/** EVSE keys named by rules' modes that the config does not define. */
export function checkRuleRefs(rules: RulesConfig, evseKeys: readonly string[]): { path: (string | number)[]; message: string }[] {
  const known = new Set(evseKeys);
  const problems: { path: (string | number)[]; message: string }[] = [];
  rules.list.forEach((r, i) => {
    for (const key of Object.keys(r.modes ?? {})) {
      if (key !== '*' && !known.has(key)) {
        problems.push({ path: ['rules', 'list', i, 'modes', key], message: `expected * or a configured EVSE key (${evseKeys.join(', ') || 'none configured'}), found "${key}"` });
      }
    }
  });
  return problems;
}
