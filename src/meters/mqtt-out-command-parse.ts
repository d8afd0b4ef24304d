/**
 * Pure parsing of MQTT commands: which command a topic names and whether its payload is valid.
 * Every refusal carries a reason a person can act on.
 */

export type CommandErrorCode = 'BAD_PAYLOAD' | 'UNKNOWN_COMMAND' | 'UNKNOWN_EVSE' | 'RETAINED_IGNORED' | 'INTERNAL';

export type ParsedCommand =
  | { kind: 'site-limit'; powerW: number; durationS?: number }
  | { kind: 'clear-site-limit' }
  | { kind: 'evse-mode'; stationId: string; evseId: number; mode: string };

export type ParseResult = { ok: true; command: ParsedCommand } | { ok: false; code: CommandErrorCode; reason: string };

/** Largest site limit accepted, W. */
export const MAX_SITE_LIMIT_W = 10_000_000;
/** Longest duration accepted, s (7 days). */
export const MAX_DURATION_S = 7 * 86_400;
/** Longer payloads are refused unread. */
export const MAX_COMMAND_BYTES = 1024;

const CLEAR_WORDS = new Set(['', 'none', 'null', 'clear']);
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The command a topic below `<prefix>/cmd/` names (`rest` is what follows that), or why not. */
export function parseCommand(rest: string, payload: Buffer, modes: readonly string[]): ParseResult {
  if (payload.length > MAX_COMMAND_BYTES) return bad(`payload of ${payload.length} bytes; at most ${MAX_COMMAND_BYTES} accepted`);
  const text = payload.toString('utf8').trim();
  if (rest === 'site/limit') return parseSiteLimit(text);
  const parts = rest.split('/');
  if (parts.length === 4 && parts[0] === 'evse' && parts[3] === 'mode') {
    const stationId = parts[1] ?? '';
    const evseId = Number(parts[2]);
    if (stationId === '' || !Number.isInteger(evseId) || evseId < 1 || String(evseId) !== parts[2]) {
      return { ok: false, code: 'UNKNOWN_COMMAND', reason: `expected cmd/evse/<stationId>/<evseId>/mode with an EVSE id 1, 2, ..., found cmd/${rest}` };
    }
    return parseMode(text, stationId, evseId, modes);
  }
  return { ok: false, code: 'UNKNOWN_COMMAND', reason: `unknown command cmd/${rest}; known: cmd/site/limit, cmd/evse/<stationId>/<evseId>/mode` };
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
