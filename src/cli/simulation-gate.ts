import { relative, resolve, isAbsolute } from 'node:path';
import type { ConfigProblem } from '../config/load.js';
import type { SiteConfig } from '../config/schema.js';
import { packageRoot } from './version.js';

/** True for the example sites shipped in the package's site-config/ folder. */
function isShippedExample(configPath: string): boolean {
  const rel = relative(resolve(packageRoot(), 'site-config'), resolve(configPath));
  return rel.length > 0 && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * A config with `simulation.enabled` starts simulated chargers and a simulated site meter.
 * The shipped examples may; any other config (e.g. a copied demo.yaml) must be started with
 * `--simulate`, so a real site never runs on simulated devices by accident.
 */
export function simulationProblem(config: SiteConfig, configPath: string, allowed: boolean): ConfigProblem | undefined {
  if (!config.simulation?.enabled || allowed || isShippedExample(configPath)) return undefined;
  return {
    path: 'simulation.enabled',
    message:
      `this config runs ${describeSimulation(config)} instead of real devices. ` +
      'For a real site set simulation.enabled: false (or remove the simulation block); to run the simulation, start with --simulate',
  };
}

/** "6 simulated chargers (CP01, CP02, ...) and a simulated site meter" */
export function describeSimulation(config: SiteConfig): string {
  const chargers = config.simulation?.chargers.map((c) => c.station) ?? [];
  const shown = chargers.length > 4 ? [...chargers.slice(0, 4), '...'] : chargers;
  const parts = [`${chargers.length} simulated charger${chargers.length === 1 ? '' : 's'}${chargers.length ? ` (${shown.join(', ')})` : ''}`];
  if (config.simulation?.siteMeter) parts.push('a simulated site meter');
  return parts.join(' and ');
}
