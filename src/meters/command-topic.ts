import type { Logger } from '../util/logger.js';
import type { MqttOutLink } from './mqtt-out-link.js';
import { parseCommand, type CommandErrorCode, type ParsedCommand } from './mqtt-out-command-parse.js';
import { commandResultTopic } from './mqtt-out-topics.js';
import type { SolarMode } from '../energy/solar-mode.js';

/**
 * The command topic: `<prefix>/cmd/site/limit` (W, empty to clear, or JSON with a duration),
 * `<prefix>/cmd/evse/<stationId>/<evseId>/mode`, and the setpoints `<prefix>/cmd/site/setpoint`
 * and `<prefix>/cmd/evse/<stationId>/<evseId>/setpoint` (W, positive charges, negative
 * discharges; empty to clear, or JSON with dischargeLimitW and durationS). Each command is validated, applied through
 * `commands`, and answered on `<command topic>/result` with JSON: `{"ok":true,...}` or
 * `{"ok":false,"code":...,"reason":...}`. Bad payloads are logged with the reason; nothing
 * thrown by a payload or by `commands` escapes. Retained commands are not applied: a command
 * left on the broker would otherwise run again at every reconnect.
 */

/** What commands do; HubEnergy implements it. */
export interface MqttCommands {
  /** Sets a site import limit, W, for durationS. */
  setSiteLimit(powerW: number, durationS: number): { powerW: number; untilMs: number };
  clearSiteLimit(): void;
  /** Sets an EVSE's operation mode; false when no such EVSE is configured. */
  setEvseMode(evseKey: string, mode: string): boolean;
  /** External setpoints (absent: the setpoint commands are refused as unknown). */
  setpoints?: SetpointCommands;
  /** Sets an EVSE's solar mode (absent: the site has no solar-surplus strategy). */
  setEvseSolarMode?(evseKey: string, mode: SolarMode): Promise<CommandOutcome>;
  /** Sets an EVSE's max current, A, within its configured range (resolves once the change is on disk). */
  setEvseMaxCurrent?(evseKey: string, maxCurrentA: number): Promise<CommandOutcome>;
  /** Remote start and stop, as the API does them (absent: not in standalone mode). */
  remote?: {
    start(stationId: string, evseId: number): Promise<CommandOutcome>;
    stop(stationId: string, evseId: number): Promise<CommandOutcome>;
  };
}

/** What a command did, or why not (code: ours or the API's, e.g. STATION_NOT_CONNECTED). */
export type CommandOutcome = { ok: true; detail?: Record<string, string | number> } | { ok: false; code: string; reason: string };

/** External setpoints, W: positive charges, negative discharges; each holds for durationS. */
export interface SetpointCommands {
  /** Undefined when no such EVSE is configured. */
  setEvse(evseKey: string, setpointW: number, dischargeLimitW: number | undefined, durationS: number): { setpointW: number; untilMs: number } | undefined;
  /** False when no such EVSE is configured. */
  clearEvse(evseKey: string): boolean;
  setSite(setpointW: number, durationS: number): { setpointW: number; untilMs: number };
  clearSite(): void;
}

/** Duration of a setpoint sent without one, s: an external system that goes quiet must not leave it standing long. */
export const DEFAULT_SETPOINT_DURATION_S = 900;

export interface CommandTopicDeps {
  link: MqttOutLink;
  log: Logger;
  topicPrefix: string;
  commands: MqttCommands;
  /** Accepted modes (exact spelling published; matched case-insensitively). */
  modes: readonly string[];
  /** Duration of a site limit sent without one, s. */
  siteLimitDurationS: number;
  /** Called after a command was applied (to publish the new state at once). */
  onApplied?: () => void;
}

export type CommandResult =
  | { ok: true; command: string; powerW?: number; setpointW?: number; untilMs?: number; cleared?: true; evseKey?: string; mode?: string; [detail: string]: unknown }
  | { ok: false; command: string; code: CommandErrorCode | (string & {}); reason: string };

export class CommandTopic {
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: CommandTopicDeps) {}

  get filter(): string {
    return `${this.deps.topicPrefix}/cmd/#`;
  }

  start(): void {
    this.unsubscribe ??= this.deps.link.subscribe(this.filter, (topic, payload, meta) => this.onMessage(topic, payload, meta.retained));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    const base = `${this.deps.topicPrefix}/cmd/`;
    if (!topic.startsWith(base) || topic.endsWith('/result')) return;
    const rest = topic.slice(base.length);
    const answer = retained
      ? { ok: false as const, command: rest, code: 'RETAINED_IGNORED' as const, reason: 'retained commands are not applied; publish commands without retain' }
      : this.handle(rest, payload);
    if (answer instanceof Promise) void answer.then((result) => this.answer(topic, result));
    else this.answer(topic, answer);
  }

  private answer(topic: string, result: CommandResult): void {
    if (result.ok) this.deps.log.info({ topic, ...result }, 'mqtt out: command applied');
    else this.deps.log.warn({ topic, code: result.code, reason: result.reason }, `mqtt out: command refused: ${result.reason}`);
    this.deps.link.publish(commandResultTopic(topic), JSON.stringify(result), { qos: 0, retain: false }).catch((err: unknown) => {
      this.deps.log.warn({ topic, err: err instanceof Error ? err.message : String(err) }, 'mqtt out: could not publish a command result');
    });
    if (result.ok) this.deps.onApplied?.();
  }

  /** Never throws, and a returned promise never rejects. */
  private handle(rest: string, payload: Buffer): CommandResult | Promise<CommandResult> {
    const parsed = parseCommand(rest, payload, this.deps.modes);
    if (!parsed.ok) return { ok: false, command: rest, code: parsed.code, reason: parsed.reason };
    const failed = (err: unknown): CommandResult => {
      this.deps.log.error({ err, command: rest }, 'mqtt out: applying a command failed');
      return { ok: false, command: rest, code: 'INTERNAL', reason: 'the hub could not apply the command' };
    };
    try {
      const result = this.apply(rest, parsed.command);
      return result instanceof Promise ? result.catch(failed) : result;
    } catch (err) {
      return failed(err);
    }
  }

  private apply(rest: string, command: ParsedCommand): CommandResult | Promise<CommandResult> {
    const { commands } = this.deps;
    switch (command.kind) {
      case 'evse-solar-mode':
      case 'evse-max-current':
      case 'evse-start':
      case 'evse-stop':
        return this.applyEvseControl(rest, command);
      case 'site-limit': {
        const set = commands.setSiteLimit(command.powerW, command.durationS ?? this.deps.siteLimitDurationS);
        return { ok: true, command: rest, powerW: set.powerW, untilMs: set.untilMs };
      }
      case 'clear-site-limit':
        commands.clearSiteLimit();
        return { ok: true, command: rest, cleared: true };
      case 'evse-mode': {
        const evseKey = `${command.stationId}/${command.evseId}`;
        if (!commands.setEvseMode(evseKey, command.mode)) {
          return { ok: false, command: rest, code: 'UNKNOWN_EVSE', reason: `no EVSE ${evseKey} is configured` };
        }
        return { ok: true, command: rest, evseKey, mode: command.mode };
      }
      default:
        return this.applySetpoint(rest, command);
    }
  }

  private applyEvseControl(rest: string, command: Extract<ParsedCommand, { kind: 'evse-solar-mode' | 'evse-max-current' | 'evse-start' | 'evse-stop' }>): CommandResult | Promise<CommandResult> {
    const { commands } = this.deps;
    const evseKey = `${command.stationId}/${command.evseId}`;
    const result = (outcome: CommandOutcome, extra: Record<string, unknown>): CommandResult =>
      outcome.ok ? { ok: true, command: rest, evseKey, ...extra, ...outcome.detail } : { ok: false, command: rest, code: outcome.code, reason: outcome.reason };
    const unavailable = (reason: string): CommandResult => ({ ok: false, command: rest, code: 'UNKNOWN_COMMAND', reason });
    switch (command.kind) {
      case 'evse-solar-mode':
        if (!commands.setEvseSolarMode) return unavailable('this site has no solar-surplus strategy: there is no solar mode to set');
        return commands.setEvseSolarMode(evseKey, command.mode).then((outcome) => result(outcome, { solarMode: command.mode }));
      case 'evse-max-current':
        if (!commands.setEvseMaxCurrent) return unavailable('this hub takes no max current over MQTT');
        return commands.setEvseMaxCurrent(evseKey, command.maxCurrentA).then((outcome) => result(outcome, { maxCurrentA: command.maxCurrentA }));
      case 'evse-start':
      case 'evse-stop': {
        const remote = commands.remote;
        if (!remote) return unavailable('transactions are started and stopped by the CSMS in this upstream mode');
        const call = command.kind === 'evse-start' ? remote.start(command.stationId, command.evseId) : remote.stop(command.stationId, command.evseId);
        return call.then((outcome) => result(outcome, {}));
      }
    }
  }

  private applySetpoint(rest: string, command: Exclude<ParsedCommand, { kind: 'site-limit' | 'clear-site-limit' | 'evse-mode' | 'evse-solar-mode' | 'evse-max-current' | 'evse-start' | 'evse-stop' }>): CommandResult {
    const setpoints = this.deps.commands.setpoints;
    if (!setpoints) return { ok: false, command: rest, code: 'UNKNOWN_COMMAND', reason: 'this hub takes no external setpoints' };
    const unknownEvse = (evseKey: string): CommandResult => ({ ok: false, command: rest, code: 'UNKNOWN_EVSE', reason: `no EVSE ${evseKey} is configured` });
    switch (command.kind) {
      case 'evse-setpoint': {
        const evseKey = `${command.stationId}/${command.evseId}`;
        const set = setpoints.setEvse(evseKey, command.setpointW, command.dischargeLimitW, command.durationS ?? DEFAULT_SETPOINT_DURATION_S);
        if (!set) return unknownEvse(evseKey);
        return { ok: true, command: rest, evseKey, setpointW: set.setpointW, untilMs: set.untilMs };
      }
      case 'clear-evse-setpoint': {
        const evseKey = `${command.stationId}/${command.evseId}`;
        if (!setpoints.clearEvse(evseKey)) return unknownEvse(evseKey);
        return { ok: true, command: rest, evseKey, cleared: true };
      }
      case 'site-setpoint': {
        const set = setpoints.setSite(command.setpointW, command.durationS ?? DEFAULT_SETPOINT_DURATION_S);
        return { ok: true, command: rest, setpointW: set.setpointW, untilMs: set.untilMs };
      }
      case 'clear-site-setpoint':
        setpoints.clearSite();
        return { ok: true, command: rest, cleared: true };
    }
  }
}
