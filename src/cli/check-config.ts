import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { checkBeforeStart, ConfigError, formatProblem, inspectSiteConfig, readSiteConfigText, type ConfigProblem } from '../config/load.js';
import type { SiteConfig } from '../config/schema.js';
import { EXIT, UsageError } from './exit-codes.js';
import { describeSimulation, simulationProblem } from './simulation-gate.js';
import { dbPathOf, resolveDataDir } from '../config/data-dir.js';
import { readCommissionedStations } from '../store/commissioned-repo.js';
import { withCommissionedStations } from '../config/commissioned-stations.js';

/** Keys whose values are secrets: shown as <hidden>. */
const SECRET_KEYS = new Set(['passwordHash', 'password', 'token']);

function hideSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hideSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) && typeof v === 'string' ? '<hidden>' : hideSecrets(v)]));
}

/**
 * `switchyard check-config FILE [--simulate]`: prints the effective config (defaults filled in,
 * secrets hidden) and every problem a start would hit, without starting or writing anything.
 * Returns 0 without problems, 3 (EXIT.configInvalid) with.
 */
export function checkConfigCommand(args: readonly string[], out: NodeJS.WritableStream): number {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { simulate: { type: 'boolean', default: false } } });
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) throw new UsageError('check-config: expected one config file');
  const path = resolve(file);
  const problems: ConfigProblem[] = [];
  let config: SiteConfig | undefined;
  try {
    const inspected = inspectSiteConfig(readSiteConfigText(path));
    config = inspected.config;
    problems.push(...inspected.problems);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (config) {
    try {
      checkBeforeStart(config, path);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems.filter((p) => !problems.some((q) => q.path === p.path && q.message === p.message)));
    }
    const sim = simulationProblem(config, path, values.simulate);
    if (sim) problems.push(sim);
    out.write(`# effective config of ${path} (defaults filled in, secrets hidden)\n${stringify(hideSecrets(config))}\n`);
    out.write(commissionedSection(config, path));
    if (!sim && config.simulation?.enabled) out.write(`note: simulation.enabled: this config runs ${describeSimulation(config)}\n`);
  }
  if (problems.length === 0) {
    out.write(`${path}: no problems found\n`);
    return EXIT.ok;
  }
  out.write(`${path}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`);
  return EXIT.configInvalid;
}

/** The stations added by commissioning, read from the data directory's database (nothing is written). */
function commissionedSection(config: SiteConfig, path: string): string {
  let dbPath: string;
  try {
    dbPath = dbPathOf(resolveDataDir(config, path));
  } catch {
    return '';
  }
  let merged: ReturnType<typeof withCommissionedStations>;
  try {
    merged = withCommissionedStations(config, readCommissionedStations(dbPath));
  } catch (err) {
    return `note: could not read the stations added by commissioning from ${dbPath}: ${err instanceof Error ? err.message : String(err)}\n`;
  }
  const lines = merged.warnings.map((w) => `warning: ${w}\n`).join('');
  if (merged.added.length === 0) return lines;
  return `# stations added by commissioning (${dbPath})\n${stringify(hideSecrets({ stations: merged.added }))}\n${lines}`;
}
