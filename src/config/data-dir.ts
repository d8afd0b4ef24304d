import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { SiteConfig } from './schema.js';

/** Name of the database file inside the data directory. */
export const DB_FILE_NAME = 'switchyard.db';

/** Kernel pseudo-filesystems: a database there cannot work (and writing to them may hang). */
const PSEUDO_FS = ['/proc', '/sys', '/dev'];

/** The data directory of a config: `data.dir` resolved against the config file's directory. */
export function resolveDataDir(config: SiteConfig, configPath: string): string {
  return resolve(dirname(configPath), config.data.dir);
}

export function dbPathOf(dataDir: string): string {
  return join(dataDir, DB_FILE_NAME);
}

export interface DataDirProblem {
  /** `config`: the path cannot be a data directory; `unwritable`: it could, but this process may not write there. */
  kind: 'config' | 'unwritable';
  message: string;
}

export interface DataDirFs {
  /** Throws (with a code) when `path` is not writable (a directory: nor searchable). */
  checkWritable(path: string, isDirectory: boolean): void;
}

const realFs: DataDirFs = { checkWritable: (path, isDirectory) => accessSync(path, isDirectory ? constants.W_OK | constants.X_OK : constants.W_OK) };

const under = (path: string, root: string): boolean => path === root || path.startsWith(root + sep);

/**
 * Whether `dir` can hold the database, checked without writing anything: not on a kernel
 * pseudo-filesystem (also through symlinks), a directory if it exists, else creatable under
 * its nearest existing ancestor, and writable; an existing database file must be a file.
 */
export function dataDirProblem(dir: string, fs: DataDirFs = realFs): DataDirProblem | undefined {
  const abs = resolve(dir);
  const pseudo = (p: string) => PSEUDO_FS.find((root) => under(p, root));
  const hit = pseudo(abs);
  if (hit) return { kind: 'config', message: `expected a directory on a disk, found a path under ${hit} (a kernel pseudo-filesystem)` };
  let existing = abs;
  for (;;) {
    const st = statOrUndefined(existing);
    if (st) {
      if (!st.isDirectory()) {
        return { kind: 'config', message: existing === abs ? 'expected a directory, found a file' : `expected a directory, but ${existing} is a file` };
      }
      break;
    }
    const up = dirname(existing);
    if (up === existing) break;
    existing = up;
  }
  const real = safeRealpath(existing);
  const realHit = pseudo(real);
  if (realHit) return { kind: 'config', message: `expected a directory on a disk, found a path that leads to ${realHit} (${real})` };
  const db = statOrUndefined(dbPathOf(abs));
  if (db && !db.isFile()) return { kind: 'config', message: `expected ${dbPathOf(abs)} to be the database file, found something else` };
  try {
    fs.checkWritable(existing, true);
    if (db) fs.checkWritable(dbPathOf(abs), false);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const what = existing === abs ? abs : `${existing} (to create ${abs})`;
    return { kind: 'unwritable', message: `expected a writable directory, but ${what} is not writable by this process (${code})` };
  }
  return undefined;
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
