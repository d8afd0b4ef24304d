import { SOLAR_MODES, type SolarMode } from '../energy/solar-mode.js';

/** The EVSE commands: cmd/evse/<stationId>/<evseId>/<verb>. */
const EVSE_VERBS = ['mode', 'setpoint', 'solar_mode', 'max_current', 'start', 'stop'] as const;
type EvseVerb = (typeof EVSE_VERBS)[number];
/** What a Home Assistant button sends (its default payload_press); an empty payload is taken too. */
export const PRESS_PAYLOAD = 'PRESS';
/** Largest max current accepted before the EVSE's own range is checked, A. */
export const MAX_CURRENT_A = 1000;

/**
 * Pure parsing of MQTT commands: which command a topic names and whether its payload is valid.
 * Every refusal carries a reason a person can act on.
 */

export type CommandErrorCode = 'BAD_PAYLOAD' | 'UNKNOWN_COMMAND' | 'UNKNOWN_EVSE' | 'RETAINED_IGNORED' | 'INTERNAL';

export type ParsedCommand =
  | { kind: 'site-limit'; powerW: number; durationS?: number }
  | { kind: 'clear-site-limit' }
  | { kind: 'evse-mode'; stationId: string; evseId: number; mode: string }
  | { kind: 'evse-solar-mode'; stationId: string; evseId: number; mode: SolarMode }
  /** A, per phase. */
  | { kind: 'evse-max-current'; stationId: string; evseId: number; maxCurrentA: number }
  | { kind: 'evse-start' | 'evse-stop'; stationId: string; evseId: number }
  /** W: positive charges, negative discharges. */
  | { kind: 'evse-setpoint'; stationId: string; evseId: number; setpointW: number; dischargeLimitW?: number; durationS?: number }
  | { kind: 'clear-evse-setpoint'; stationId: string; evseId: number }
  | { kind: 'site-setpoint'; setpointW: number; durationS?: number }
  | { kind: 'clear-site-setpoint' };

export type ParseResult = { ok: true; command: ParsedCommand } | { ok: false; code: CommandErrorCode; reason: string };

/** Largest site limit accepted, W. */
export const MAX_SITE_LIMIT_W = 10_000_000;
/** Longest duration accepted, s (7 days). */
export const MAX_DURATION_S = 7 * 86_400;
/** Largest setpoint magnitude accepted, W. */
export const MAX_SETPOINT_W = 10_000_000;
/** Longer payloads are refused unread. */
export const MAX_COMMAND_BYTES = 1024;

const CLEAR_WORDS = new Set(['', 'none', 'null', 'clear']);
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The command a topic below `<prefix>/cmd/` names (`rest` is what follows that), or why not. */
export function parseCommand(rest: string, payload: Buffer, modes: readonly string[]): ParseResult {
  if (payload.length > MAX_COMMAND_BYTES) return bad(`payload of ${payload.length} bytes; at most ${MAX_COMMAND_BYTES} accepted`);
  const text = payload.toString('utf8').trim();
  if (rest === 'site/limit') return parseSiteLimit(text);
  if (rest === 'site/setpoint') return parseSetpoint(text, undefined);
  const parts = rest.split('/');
  const verb = parts[3];
  if (parts.length === 4 && parts[0] === 'evse' && isEvseVerb(verb)) {
    const stationId = parts[1] ?? '';
    const evseId = Number(parts[2]);
    if (stationId === '' || !Number.isInteger(evseId) || evseId < 1 || String(evseId) !== parts[2]) {
      return { ok: false, code: 'UNKNOWN_COMMAND', reason: `expected cmd/evse/<stationId>/<evseId>/${verb} with an EVSE id 1, 2, ..., found cmd/${rest}` };
    }
    return parseEvseCommand(verb, text, { stationId, evseId }, modes);
  }
  return {
    ok: false,
    code: 'UNKNOWN_COMMAND',
    reason: `unknown command cmd/${rest}; known: cmd/site/limit, cmd/site/setpoint, ${EVSE_VERBS.map((v) => `cmd/evse/<stationId>/<evseId>/${v}`).join(', ')}`,
  };
}

function isEvseVerb(verb: string | undefined): verb is EvseVerb {
  return (EVSE_VERBS as readonly (string | undefined)[]).includes(verb);
}

function parseEvseCommand(verb: EvseVerb, text: string, evse: { stationId: string; evseId: number }, modes: readonly string[]): ParseResult {
  switch (verb) {
    case 'mode':
      return parseMode(text, evse.stationId, evse.evseId, modes);
    case 'setpoint':
      return parseSetpoint(text, evse);
    case 'solar_mode': {
      const mode = SOLAR_MODES.find((m) => m === text.toLowerCase());
      if (mode === undefined) return bad(`expected a solar mode, one of ${SOLAR_MODES.join(', ')}; found ${excerpt(text)}`);
      return { ok: true, command: { kind: 'evse-solar-mode', ...evse, mode } };
    }
    case 'max_current': {
      const value = Number(text);
      if (!NUMBER.test(text) || !Number.isFinite(value) || value < 0 || value > MAX_CURRENT_A) {
        return bad(`expected a max current in A (e.g. 16), found ${excerpt(text)}`);
      }
      return { ok: true, command: { kind: 'evse-max-current', ...evse, maxCurrentA: value } };
    }
    case 'start':
    case 'stop':
      if (text !== '' && text !== PRESS_PAYLOAD) return bad(`expected ${PRESS_PAYLOAD} (or an empty payload), found ${excerpt(text)}`);
      return { ok: true, command: { kind: verb === 'start' ? 'evse-start' : 'evse-stop', ...evse } };
  }
}

/**
 * A setpoint, W (positive charges, negative discharges): a number, an empty payload (or none,
 * null, clear) to clear, or JSON {"setpointW": -3000, "dischargeLimitW": -5000, "durationS": 600}
 * (dischargeLimitW for an EVSE only; "setpointW": null clears).
 */
function parseSetpoint(text: string, evse: { stationId: string; evseId: number } | undefined): ParseResult {
  const clear = (): ParseResult => ({ ok: true, command: evse ? { kind: 'clear-evse-setpoint', ...evse } : { kind: 'clear-site-setpoint' } });
  const keys = evse ? ['setpointW', 'dischargeLimitW', 'durationS'] : ['setpointW', 'durationS'];
  if (CLEAR_WORDS.has(text.toLowerCase())) return clear();
  let record: Record<string, unknown>;
  if (NUMBER.test(text)) record = { setpointW: Number(text) };
  else if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return bad('payload starts with { but is not valid JSON');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad('expected a JSON object');
    record = Object.fromEntries(Object.entries(json));
    const unknownKey = Object.keys(record).find((k) => !keys.includes(k));
    if (unknownKey !== undefined) return bad(`unknown key "${unknownKey}"; expected ${keys.join(', ')} (only setpointW required)`);
  } else {
    return bad(`expected a setpoint in W (e.g. -3000 to discharge), an empty payload to clear, or {"setpointW": -3000, "durationS": 600}; found ${excerpt(text)}`);
  }
  const { setpointW, dischargeLimitW, durationS } = record;
  if (setpointW === null) return clear();
  if (typeof setpointW !== 'number' || !Number.isFinite(setpointW) || Math.abs(setpointW) > MAX_SETPOINT_W) {
    return bad(`setpointW: expected a number of W from -${MAX_SETPOINT_W} to ${MAX_SETPOINT_W} (or null to clear), found ${JSON.stringify(setpointW) ?? 'nothing'}`);
  }
  if (dischargeLimitW !== undefined && (typeof dischargeLimitW !== 'number' || !Number.isFinite(dischargeLimitW) || dischargeLimitW > 0 || dischargeLimitW < -MAX_SETPOINT_W)) {
    return bad(`dischargeLimitW: expected a number of W from -${MAX_SETPOINT_W} to 0, found ${JSON.stringify(dischargeLimitW)}`);
  }
  if (durationS !== undefined && (typeof durationS !== 'number' || !Number.isInteger(durationS) || durationS < 1 || durationS > MAX_DURATION_S)) {
    return bad(`durationS: expected an integer 1-${MAX_DURATION_S}, found ${JSON.stringify(durationS)}`);
  }
  const extra = { ...(typeof durationS === 'number' ? { durationS } : {}) };
  if (!evse) return { ok: true, command: { kind: 'site-setpoint', setpointW, ...extra } };
  return { ok: true, command: { kind: 'evse-setpoint', ...evse, setpointW, ...(typeof dischargeLimitW === 'number' ? { dischargeLimitW } : {}), ...extra } };
}

function parseSiteLimit(text: string): ParseResult {
  if (CLEAR_WORDS.has(text.toLowerCase())) return { ok: true, command: { kind: 'clear-site-limit' } };
  if (NUMBER.test(text)) return siteLimit(Number(text), undefined);
  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return bad('payload starts with { but is not valid JSON');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad('expected a JSON object');
    const entries = Object.entries(json);
    const unknownKey = entries.find(([k]) => k !== 'powerW' && k !== 'durationS');
    if (unknownKey) return bad(`unknown key "${unknownKey[0]}"; expected powerW and optional durationS`);
    const record = Object.fromEntries(entries);
    const powerW: unknown = record.powerW;
    const durationS: unknown = record.durationS;
    if (powerW === null) return { ok: true, command: { kind: 'clear-site-limit' } };
    if (typeof powerW !== 'number') return bad(`powerW: expected a number of W (or null to clear), found ${JSON.stringify(powerW) ?? 'nothing'}`);
    if (durationS !== undefined && (typeof durationS !== 'number' || !Number.isInteger(durationS) || durationS < 1 || durationS > MAX_DURATION_S)) {
      return bad(`durationS: expected an integer 1-${MAX_DURATION_S}, found ${JSON.stringify(durationS)}`);
    }
    return siteLimit(powerW, durationS);
  }
  return bad(`expected a site limit in W (e.g. 11000), an empty payload to clear, or {"powerW": 11000, "durationS": 3600}; found ${excerpt(text)}`);
}

function siteLimit(powerW: number, durationS: number | undefined): ParseResult {
  if (!Number.isFinite(powerW) || powerW < 0 || powerW > MAX_SITE_LIMIT_W) return bad(`powerW: expected 0-${MAX_SITE_LIMIT_W} W, found ${powerW}`);
  return { ok: true, command: { kind: 'site-limit', powerW, ...(durationS !== undefined ? { durationS } : {}) } };
}

function parseMode(text: string, stationId: string, evseId: number, modes: readonly string[]): ParseResult {
  const mode = modes.find((m) => m.toLowerCase() === text.toLowerCase());
  if (mode === undefined) return bad(`expected a mode, one of ${modes.join(', ')}; found ${excerpt(text)}`);
  return { ok: true, command: { kind: 'evse-mode', stationId, evseId, mode } };
}

function bad(reason: string): ParseResult {
  return { ok: false, code: 'BAD_PAYLOAD', reason };
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text);
}
