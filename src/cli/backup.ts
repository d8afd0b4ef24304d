import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { loadSiteConfig } from '../config/load.js';
import { dbPathOf, resolveDataDir } from '../config/data-dir.js';
import { backupDatabase } from '../store/backup.js';
import { UsageError } from './exit-codes.js';
import { packageRoot } from './version.js';

export interface BackupCommandArgs {
  /** The backup file to write (positional argument). */
  target: string | undefined;
  /** The site config, resolved: its data.dir names the database folder. */
  configPath: string;
  /** --data-dir, when given: wins over the config. */
  dataDir: string | undefined;
}

/**
 * `switchyard backup FILE`: an online copy of the hub's database, safe while the hub runs.
 * Prints what it wrote; returns the process exit code.
 */
export async function backupCommand(args: BackupCommandArgs): Promise<number> {
  if (!args.target) throw new UsageError('backup: expected the backup file, e.g. switchyard backup /var/backups/switchyard-$(date +%F).db');
  const dataDir = args.dataDir !== undefined ? resolve(args.dataDir) : resolveDataDir(loadSiteConfig(args.configPath), args.configPath);
  const result = await backupDatabase(dbPathOf(dataDir), args.target);
  process.stdout.write(
    `backup written: ${result.path} (${(result.bytes / 1e6).toFixed(1)} MB, schema version ${result.schemaVersion}, ${result.durationMs} ms)\n`,
  );
  return 0;
}

/** `switchyard backup FILE [--config FILE | --data-dir DIR]` from the command line's words. */
export function backupFromArgs(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { config: { type: 'string' }, 'data-dir': { type: 'string' } } });
  if (positionals.length > 1) throw new UsageError('backup: expected one backup file');
  return backupCommand({
    target: positionals[0],
    configPath: resolve(values.config ?? resolve(packageRoot(), 'site-config/demo.yaml')),
    dataDir: values['data-dir'],
  });
}
