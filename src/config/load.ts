import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { siteConfigSchema, type SiteConfig } from './schema.js';
import { crossCheck } from './cross-check.js';
import { checkSiteFiles } from './site-files.js';
import type { DataDirFs } from './data-dir.js';

/** A config problem: the file, the field path, what was expected and what was found. */
export interface ConfigProblem {
  path: string;
  message: string;
  found?: string;
}

/**
 * `invalid`: the config itself is wrong. `data-dir-unwritable`: the config is fine but this
 * process may not write to its data directory (permissions, read-only mount).
 */
export type ConfigErrorKind = 'invalid' | 'data-dir-unwritable';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
    readonly kind: ConfigErrorKind = 'invalid',
  ) {
    super(`${file}: ${kind === 'invalid' ? 'invalid site config' : 'data directory not writable'}\n` + problems.map((p) => `  ${formatProblem(p)}`).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(p: ConfigProblem): string {
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

/** A parsed config (undefined when the schema refused it) and every problem found. */
export interface InspectedConfig {
  config: SiteConfig | undefined;
  problems: ConfigProblem[];
}

/** Parses and validates site-config text, keeping the config when only cross-field checks fail. */
export function inspectSiteConfig(text: string): InspectedConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      config: undefined,
      problems: doc.errors.map((e) => ({ path: `line ${e.linePos?.[0]?.line ?? '?'}`, message: `YAML syntax: ${e.message.split('\n')[0]}` })),
    };
  }
  const input: unknown = doc.toJS();
  if (input === null || input === undefined) {
    // An empty file would start a hub on 0.0.0.0:9000 with no stations: almost surely a mistake.
    return { config: undefined, problems: [{ path: '', message: 'expected a site config, found an empty file (write {} to run on every default; site-config/demo.yaml is an example)' }] };
  }
  const result = siteConfigSchema.safeParse(input);
  if (!result.success) return { config: undefined, problems: problemsOf(result.error, input) };
  return { config: result.data, problems: crossCheck(result.data) };
}

/** Parses and validates site-config text. Throws ConfigError naming `file`. */
export function parseSiteConfig(text: string, file: string): SiteConfig {
  const { config, problems } = inspectSiteConfig(text);
  if (!config || problems.length > 0) throw new ConfigError(file, problems);
  return config;
}

/** Reads a config file's text; throws ConfigError naming the file when it cannot. */
export function readSiteConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the file: ${(err as Error).message}` }]);
  }
}

export function loadSiteConfig(file: string): SiteConfig {
  return parseSiteConfig(readSiteConfigText(file), file);
}

/**
 * The checks to pass before anything is written, on the config as it will run (after command
 * line overrides): the references and limits of parseSiteConfig again, then the files it names
 * and its data directory. Throws ConfigError; kind `data-dir-unwritable` when that is the only problem.
 */
export function checkBeforeStart(config: SiteConfig, file: string, fs?: DataDirFs): void {
  const problems = crossCheck(config);
  const files = checkSiteFiles(config, file, fs);
  problems.push(...files.problems);
  if (problems.length === 0) return;
  const onlyDataDir = files.dataDirUnwritable && problems.length === 1;
  throw new ConfigError(file, problems, onlyDataDir ? 'data-dir-unwritable' : 'invalid');
}
