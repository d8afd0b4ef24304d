import { dirname, resolve } from 'node:path';
import { loadSiteConfig } from '../config/load.js';
import { backupDatabase } from '../store/backup.js';

/** File name of the hub's database inside its data folder (see hub.ts). */
const DB_FILE = 'switchyard.db';

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
  if (!args.target) throw new Error('backup: expected the backup file, e.g. switchyard backup /var/backups/switchyard-$(date +%F).db');
  const dataDir = args.dataDir !== undefined ? resolve(args.dataDir) : resolve(dirname(args.configPath), loadSiteConfig(args.configPath).data.dir);
  const result = await backupDatabase(resolve(dataDir, DB_FILE), args.target);
  process.stdout.write(
    `backup written: ${result.path} (${(result.bytes / 1e6).toFixed(1)} MB, schema version ${result.schemaVersion}, ${result.durationMs} ms)\n`,
  );
  return 0;
}
