import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { siteConfigSchema, type SiteConfig } from './schema.js';
import { crossCheck } from './cross-check.js';

/** A config problem: the file, the field path, what was expected and what was found. */
export interface ConfigProblem {
  path: string;
  message: string;
  found?: string;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${file}: invalid site config\n` + problems.map((p) => `  ${formatProblem(p)}`).join('\n'));
    this.name = 'ConfigError';
  }
}

function formatProblem(p: ConfigProblem): string {
  const found = p.found === undefined ? '' : ` (found ${p.found})`;
  return `${p.path || '(root)'}: ${p.message}${found}`;
}

/** `stations[2].evses[0].maxCurrentA` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${String(seg)}` : String(seg);
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

function describe(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const json = JSON.stringify(v);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

function problemsOf(error: z.ZodError, input: unknown): ConfigProblem[] {
  return error.issues.map((issue) => {
    const message = issue.message.replace(/^Invalid input: /, '');
    const found = issue.code === 'unrecognized_keys' ? undefined : describe(valueAt(input, issue.path));
    return { path: formatPath(issue.path), message, ...(found !== undefined ? { found } : {}) };
  });
}

/** Parses and validates site-config text. Throws ConfigError naming `file`. */
export function parseSiteConfig(text: string, file: string): SiteConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({ path: `line ${e.linePos?.[0]?.line ?? '?'}`, message: `YAML syntax: ${e.message.split('\n')[0]}` })),
    );
  }
  const input: unknown = doc.toJS() ?? {};
  const result = siteConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(file, problemsOf(result.error, input));
  const problems = crossCheck(result.data);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return result.data;
}

export function loadSiteConfig(file: string): SiteConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file: ${(err as Error).message}` }]);
  }
  return parseSiteConfig(text, file);
}
