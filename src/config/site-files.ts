import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { dirname, resolve } from 'node:path';
import type { ConfigProblem } from './load.js';
import type { SiteConfig } from './schema.js';
import { dataDirProblem, resolveDataDir, type DataDirFs } from './data-dir.js';

/** Problems of the files a config names; `unwritable` is set when the data directory is only not writable. */
export interface SiteFileProblems {
  problems: ConfigProblem[];
  dataDirUnwritable: boolean;
}

type PemKind = 'certificate' | 'key';

/**
 * Checks what a config refers to on disk, reading but never writing: the TLS files (exist, are
 * PEM of the right kind, the server certificate matches its key) and the data directory
 * (see dataDirProblem). Relative paths resolve against the config file's directory.
 */
export function checkSiteFiles(config: SiteConfig, configPath: string, fs?: DataDirFs): SiteFileProblems {
  const base = dirname(configPath);
  const problems: ConfigProblem[] = [];
  const pem = (path: string, file: string | undefined, kind: PemKind): Buffer | undefined => {
    if (file === undefined) return undefined;
    const problem = pemProblem(resolve(base, file), kind);
    if (problem) problems.push({ path, message: problem, found: JSON.stringify(file) });
    return problem ? undefined : readFileSync(resolve(base, file));
  };
  const tls = config.server.tls;
  if (tls) {
    const cert = pem('server.tls.certFile', tls.certFile, 'certificate');
    const key = pem('server.tls.keyFile', tls.keyFile, 'key');
    pem('server.tls.caFile', tls.caFile, 'certificate');
    if (cert && key) {
      try {
        createSecureContext({ cert, key });
      } catch (err) {
        problems.push({ path: 'server.tls.keyFile', message: `expected the key of server.tls.certFile (${(err as Error).message})` });
      }
    }
  }
  const up = config.upstream.tls;
  if (up) {
    pem('upstream.tls.certFile', up.certFile, 'certificate');
    pem('upstream.tls.keyFile', up.keyFile, 'key');
    pem('upstream.tls.caFile', up.caFile, 'certificate');
  }
  const dataDir = resolveDataDir(config, configPath);
  const dd = dataDirProblem(dataDir, fs);
  if (dd) problems.push({ path: 'data.dir', message: dd.message, found: JSON.stringify(config.data.dir) });
  return { problems, dataDirUnwritable: dd?.kind === 'unwritable' };
}

function pemProblem(abs: string, kind: PemKind): string | undefined {
  try {
    if (!statSync(abs).isFile()) return `expected a PEM ${kind} file, found something else at ${abs}`;
    accessSync(abs, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `expected a PEM ${kind} file, but ${abs} does not exist` : `expected a readable PEM ${kind} file at ${abs} (${code ?? 'error'})`;
  }
  try {
    const text = readFileSync(abs);
    if (kind === 'certificate') new X509Certificate(text);
    else createPrivateKey(text);
    return undefined;
  } catch (err) {
    return `expected a PEM ${kind} in ${abs} (${(err as Error).message})`;
  }
}
