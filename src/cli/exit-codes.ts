import { ConfigError } from '../config/load.js';

/** Exit codes of the switchyard command (also in README, "Exit codes"). */
export const EXIT = {
  ok: 0,
  /** Anything not listed below: the message says what. */
  failure: 1,
  /** Unknown command or option, bad option value. */
  usage: 2,
  /** The site config has problems (check-config lists them all). */
  configInvalid: 3,
  /** A port is in use or may not be bound (OCPP endpoint or API). */
  cannotListen: 4,
  /** The data directory or the database file cannot be written. */
  dataDirUnwritable: 5,
  /** The database file is corrupt or not a Switchyard database. */
  databaseCorrupt: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A command-line mistake (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface StartupFailure {
  code: ExitCode;
  /** What happened, where (file, path, address) and what to do. */
  message: string;
}

interface ErrnoLike {
  code?: unknown;
  message?: unknown;
  address?: unknown;
  port?: unknown;
  path?: unknown;
}

/** The exit code and operator message for an error that stopped the command; `dbPath` names the database file. */
export function describeFailure(err: unknown, ctx: { dbPath?: string; dataDir?: string } = {}): StartupFailure {
  if (err instanceof UsageError) return { code: EXIT.usage, message: `switchyard: ${err.message} (see --help)` };
  if (err instanceof ConfigError) {
    return { code: err.kind === 'data-dir-unwritable' ? EXIT.dataDirUnwritable : EXIT.configInvalid, message: withAdvice(err) };
  }
  const e = (err ?? {}) as ErrnoLike;
  const code = typeof e.code === 'string' ? e.code : '';
  const text = typeof e.message === 'string' ? e.message : String(err);
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    if (e.port !== undefined || /listen/.test(text)) {
      const where = e.address !== undefined && e.port !== undefined ? `${String(e.address)}:${String(e.port)}` : 'the configured address';
      const why =
        code === 'EADDRINUSE'
          ? 'the port is in use by another process'
          : code === 'EACCES'
            ? 'this user may not bind that port (below 1024 needs privileges)'
            : 'that address is not one of this machine';
      return {
        code: EXIT.cannotListen,
        message: `switchyard: cannot listen on ${where}: ${why} (${code}). Stop the other process, or choose another port with server.port / api.port (or --port / --api-port), or another host.`,
      };
    }
  }
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    const db = ctx.dbPath ?? 'the database';
    return {
      code: EXIT.databaseCorrupt,
      message: `switchyard: the database ${db} is corrupt or not a Switchyard database (${code}: ${text}). Restore it from a backup, or move it away to start with an empty database (the hub then forgets its transactions and outbox).`,
    };
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'EROFS' || (code === 'EACCES' && ctx.dataDir !== undefined)) {
    const where = ctx.dbPath ?? (typeof e.path === 'string' ? e.path : ctx.dataDir ?? 'the data directory');
    return {
      code: EXIT.dataDirUnwritable,
      message: `switchyard: cannot write ${where} (${code}: ${text}). Make the data directory writable by the user running switchyard, or choose another with data.dir / --data-dir.`,
    };
  }
  return { code: EXIT.failure, message: `switchyard: ${text}` };
}

function withAdvice(err: ConfigError): string {
  if (err.kind === 'data-dir-unwritable') {
    return `${err.message}\nMake the directory writable by the user running switchyard, or choose another with data.dir / --data-dir.`;
  }
  return `${err.message}\nFix the fields above; \`switchyard check-config ${err.file}\` lists every problem without starting anything.`;
}
