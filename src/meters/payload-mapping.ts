import type { EvalFunction, MathNode } from 'mathjs';
import { mathjs } from '../util/lazy-mathjs.js';
import { parseJsonPath, readJsonPath, JsonPathSyntaxError, type JsonPath } from './json-path.js';
import type { MeterQuantity } from './quantity.js';

/**
 * Turns one MQTT payload into one number. Compiled once when the config loads, so every
 * mistake in a path or expression shows up at start, named by meter id and quantity;
 * at run time `extract` never throws, a bad payload is a value.
 */

/** One mapping as written in the config (see meter-config.ts). */
export interface ReadingMappingSpec {
  quantity: MeterQuantity;
  /** Exact MQTT topic (no wildcards). */
  topic: string;
  /** Where the value sits in a JSON payload; absent: the payload is a plain number. */
  path?: string;
  /** mathjs expression over the variable `value`, e.g. `value * 1000` or `-value`. */
  expression?: string;
  /** Where a timestamp sits in the JSON payload; absent: the receive time. */
  timePath?: string;
}

export type MappingErrorCode =
  | 'payload-not-number'
  | 'payload-not-json'
  | 'path-missing'
  | 'value-not-number'
  | 'expression-failed'
  | 'value-not-finite'
  | 'time-invalid';

export type ExtractResult =
  | {
      ok: true;
      value: number;
      /** When the value was measured: the payload's timestamp (never later than receipt), or the receive time. */
      timeMs: number;
    }
  | { ok: false; code: MappingErrorCode; message: string };

export interface CompiledMapping {
  meterId: string;
  quantity: MeterQuantity;
  topic: string;
  /** Maps one payload received at `receivedAtMs`. Never throws. */
  extract(payload: Buffer | string, receivedAtMs: number): ExtractResult;
}

/** A mapping that cannot work, found at load. */
export class MeterMappingError extends Error {
  constructor(
    readonly meterId: string,
    readonly quantity: MeterQuantity,
    /** The offending field of the mapping. */
    readonly field: 'path' | 'expression' | 'timePath',
    detail: string,
  ) {
    super(`meter "${meterId}", quantity ${quantity}: ${field}: ${detail}`);
    this.name = 'MeterMappingError';
  }
}

const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Epoch numbers below this are seconds, above it milliseconds (1e11 s is the year 5138, 1e11 ms is 1973). */
const SECONDS_BELOW = 1e11;

/** Compiles a mapping; throws MeterMappingError naming the meter and quantity. */
export function compileMapping(meterId: string, spec: ReadingMappingSpec): CompiledMapping {
  const fail = (field: 'path' | 'expression' | 'timePath', detail: string): never => {
    throw new MeterMappingError(meterId, spec.quantity, field, detail);
  };
  const compilePath = (field: 'path' | 'timePath', source: string): JsonPath => {
    try {
      return parseJsonPath(source);
    } catch (err) {
      if (err instanceof JsonPathSyntaxError) return fail(field, err.message);
      throw err;
    }
  };

  const valuePath = spec.path === undefined ? undefined : compilePath('path', spec.path);
  if (spec.timePath !== undefined && valuePath === undefined) {
    fail('timePath', 'needs a path too: a plain-number payload carries no timestamp');
  }
  const timePath = spec.timePath === undefined ? undefined : compilePath('timePath', spec.timePath);
  const expression = spec.expression === undefined ? undefined : compileExpression(spec.expression, (d) => fail('expression', d));

  return {
    meterId,
    quantity: spec.quantity,
    topic: spec.topic,
    extract(payload, receivedAtMs) {
      const text = typeof payload === 'string' ? payload : payload.toString('utf8');
      let raw: number;
      let timeMs = receivedAtMs;
      if (valuePath === undefined) {
        const trimmed = text.trim();
        if (!PLAIN_NUMBER.test(trimmed)) {
          return { ok: false, code: 'payload-not-number', message: `expected a plain number, got ${preview(text)}` };
        }
        raw = Number(trimmed);
      } else {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return { ok: false, code: 'payload-not-json', message: `expected JSON, got ${preview(text)}` };
        }
        const found = readJsonPath(json, valuePath);
        if (!found.found) {
          return { ok: false, code: 'path-missing', message: `no value at ${valuePath.source} (nothing at ${found.missingAt})` };
        }
        const n = toNumber(found.value);
        if (n === undefined) {
          return { ok: false, code: 'value-not-number', message: `value at ${valuePath.source} is not a number: ${preview(JSON.stringify(found.value) ?? 'undefined')}` };
        }
        raw = n;
        if (timePath !== undefined) {
          const t = readJsonPath(json, timePath);
          const payloadMs = t.found ? toEpochMs(t.value) : undefined;
          if (payloadMs === undefined) {
            return { ok: false, code: 'time-invalid', message: `no timestamp (epoch s or ms, or ISO-8601) at ${timePath.source}` };
          }
          // A reading cannot be from the future: a device clock running ahead must not keep it fresh.
          timeMs = Math.min(payloadMs, receivedAtMs);
        }
      }
      let value = raw;
      if (expression !== undefined) {
        const result = evaluate(expression, raw);
        if (typeof result === 'string') return { ok: false, code: 'expression-failed', message: result };
        value = result;
      }
      if (!Number.isFinite(value)) {
        return { ok: false, code: 'value-not-finite', message: `value ${value} is not a finite number (raw ${raw})` };
      }
      return { ok: true, value, timeMs };
    },
  };
}

function compileExpression(source: string, fail: (detail: string) => never): EvalFunction {
  const { isFunctionNode, isSymbolNode, parse } = mathjs();
  let node: MathNode;
  try {
    node = parse(source);
  } catch (err) {
    return fail(`cannot parse "${source}": ${messageOf(err)}`);
  }
  const problems: string[] = [];
  node.traverse((n, path, parent) => {
    if (n.type === 'AssignmentNode' || n.type === 'FunctionAssignmentNode' || n.type === 'BlockNode') {
      problems.push('assignments and multiple statements are not allowed');
    } else if (isSymbolNode(n) && n.name !== 'value' && !(path === 'fn' && isFunctionNode(parent))) {
      problems.push(`unknown variable "${n.name}"`);
    }
  });
  if (problems.length > 0) return fail(`"${source}": ${[...new Set(problems)].join('; ')} (the only variable is "value")`);
  const compiled = node.compile();
  const trial = evaluate(compiled, 1);
  if (typeof trial === 'string') return fail(`"${source}" fails for value = 1: ${trial}`);
  return compiled;
}

/** The expression's number, or an error message. */
function evaluate(expression: EvalFunction, value: number): number | string {
  let result: unknown;
  try {
    result = expression.evaluate({ value });
  } catch (err) {
    return `expression failed: ${messageOf(err)}`;
  }
  if (typeof result !== 'number') return `expression gave ${describe(result)}, not a number`;
  return result;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && PLAIN_NUMBER.test(v.trim())) return Number(v.trim());
  return undefined;
}

function toEpochMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v < SECONDS_BELOW ? v * 1000 : v;
  if (typeof v === 'string' && v.trim() !== '') {
    const ms = Date.parse(v);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object') return `a ${v.constructor?.name ?? 'object'} (${String(v)})`;
  return `a ${typeof v} (${String(v)})`;
}

function preview(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 60)}...` : text;
  return JSON.stringify(shown);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
