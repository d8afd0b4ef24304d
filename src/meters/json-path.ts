/**
 * A deliberately tiny JSON path: an optional `$`, dotted keys and `[n]` array indices,
 * e.g. `$.power.total`, `data[0].value`, `ENERGY.Power`, `$[2]`, `$`. Nothing else
 * (no wildcards, filters, quoted keys or recursive descent): a meter value lives at one
 * fixed place in its payload.
 */

export type JsonPathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number };

export interface JsonPath {
  /** The path as written in the config. */
  source: string;
  segments: JsonPathSegment[];
}

export type JsonPathLookup = { found: true; value: unknown } | { found: false; missingAt: string };

const KEY_CHAR = /[\p{L}\p{N}_:-]/u;
const SUPPORTED = 'supported: an optional $, dotted keys (letters, digits, _ : -) and [n] indices, e.g. $.power.total or data[0].value';

export class JsonPathSyntaxError extends Error {
  constructor(source: string, position: number, expected: string) {
    super(`invalid JSON path "${source}" at character ${position + 1}: expected ${expected} (${SUPPORTED})`);
    this.name = 'JsonPathSyntaxError';
  }
}

/** Parses a path; throws JsonPathSyntaxError for anything outside the subset. */
export function parseJsonPath(source: string): JsonPath {
  const segments: JsonPathSegment[] = [];
  let i = 0;
  const readKey = (): void => {
    const start = i;
    while (i < source.length && KEY_CHAR.test(source.charAt(i))) i++;
    if (i === start) throw new JsonPathSyntaxError(source, i, 'a key');
    segments.push({ kind: 'key', key: source.slice(start, i) });
  };

  if (source.startsWith('$')) i = 1;
  else readKey();

  while (i < source.length) {
    const c = source.charAt(i);
    if (c === '.') {
      i++;
      readKey();
    } else if (c === '[') {
      const close = source.indexOf(']', i);
      const inner = close < 0 ? '' : source.slice(i + 1, close);
      if (!/^\d+$/.test(inner) || !Number.isSafeInteger(Number(inner))) {
        throw new JsonPathSyntaxError(source, i + 1, 'a non-negative integer index followed by ]');
      }
      segments.push({ kind: 'index', index: Number(inner) });
      i = close + 1;
    } else {
      throw new JsonPathSyntaxError(source, i, '. or [');
    }
  }
  return { source, segments };
}

/** Follows a parsed path into a parsed JSON value. Never throws. */
export function readJsonPath(root: unknown, path: JsonPath): JsonPathLookup {
  let current: unknown = root;
  let walked = '$';
  for (const segment of path.segments) {
    if (segment.kind === 'key') {
      walked += `.${segment.key}`;
      if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, segment.key)) {
        return { found: false, missingAt: walked };
      }
      current = (current as Record<string, unknown>)[segment.key];
    } else {
      walked += `[${segment.index}]`;
      if (!Array.isArray(current) || segment.index >= current.length) return { found: false, missingAt: walked };
      current = current[segment.index];
    }
  }
  return { found: true, value: current };
}
