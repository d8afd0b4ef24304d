import { createHash, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { StationConfig } from '../config/schema.js';
import { verifyPasswordAsync } from './password.js';
import type { LoginThrottle } from './login-throttle.js';
import { isOcppSubprotocol, type OcppSubprotocol, OCPP_SUBPROTOCOLS } from '../ocpp/versions.js';

export type UpgradeVerdict =
  | { ok: true; stationId: string; subprotocol: OcppSubprotocol; station?: StationConfig }
  | {
      ok: false;
      httpStatus: 400 | 401 | 404 | 429 | 503;
      /** Why, for the log; the station sees `publicReason`. */
      reason: string;
      /** What the refusal says on the wire: the same for an unknown station and a wrong password. */
      publicReason: string;
      stationId?: string;
      /** For 429 and 503: seconds before another attempt is worth it. */
      retryAfterS?: number;
    };

/** The one answer to every failed login, whatever the cause (no hint whether the station id exists). */
export const LOGIN_REFUSED = 'invalid credentials';

export interface UpgradeAuthDeps {
  pathPrefix: string;
  stations: ReadonlyMap<string, StationConfig>;
  admitUnknownStations: boolean;
  /** Subprotocols the hub offers, in order of preference. */
  offered?: readonly OcppSubprotocol[];
  /** Failed logins per source address: growing wait, checked before any hashing. */
  throttle?: LoginThrottle;
  /**
   * Commissioning: whether an unconfigured station id may connect now (security profile 1 with
   * any or no password) to be answered Pending; undefined when it may, else why not (for the log).
   */
  commissioning?: { admit(stationId: string, remoteAddress: string, password?: string): string | undefined };
  /** Password checks running at once (in the libuv pool); beyond it attempts get 503. Default: one less than the cores (at least 1), so a core stays free for the event loop. */
  maxConcurrentHashes?: number;
}

const DEFAULT_CONCURRENT_HASHES = Math.max(1, availableParallelism() - 1);
/** Password checks that may wait for a slot; more are refused with 503 at once. */
const MAX_QUEUED_HASHES = 32;

/** A well-formed hash nobody's password matches: unknown station ids cost the same scrypt as known ones. */
const DUMMY_HASH = ['scrypt', 16384, 8, 1, randomBytes(16).toString('base64'), randomBytes(32).toString('base64')].join('$');

/**
 * Decides whether a WebSocket upgrade may go ahead, before it happens: path, station, subprotocol
 * and the station's security profile. Passwords are scrypt-hashed at rest; a verified password is
 * remembered as a SHA-256 digest so a reconnect storm does not cost one scrypt per connection.
 */
export class UpgradeAuth {
  private readonly verified = new Map<string, string>();
  private hashing = 0;
  private readonly queued: Array<() => void> = [];

  constructor(private readonly deps: UpgradeAuthDeps) {}

  /** Password checks running and waiting. */
  get pendingChecks(): number {
    return this.hashing + this.queued.length;
  }

  async check(req: IncomingMessage): Promise<UpgradeVerdict> {
    const stationId = this.stationIdOf(req.url ?? '');
    if (stationId === undefined) {
      const reason = `expected a path ${this.deps.pathPrefix}/<stationId>`;
      return { ok: false, httpStatus: 404, reason, publicReason: reason };
    }
    const subprotocol = this.pickSubprotocol(req.headers['sec-websocket-protocol']);
    if (!subprotocol) {
      const reason = `no supported OCPP subprotocol offered (supported: ${this.offered().join(', ')})`;
      return { ok: false, httpStatus: 400, stationId, reason, publicReason: reason };
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    const waitS = this.deps.throttle?.waitS(address) ?? 0;
    if (waitS > 0) {
      return { ok: false, httpStatus: 429, stationId, reason: `too many failed logins from ${address}`, publicReason: 'too many failed logins: try again later', retryAfterS: waitS };
    }
    const station = this.deps.stations.get(stationId);
    if (!station && this.deps.admitUnknownStations) return { ok: true, stationId, subprotocol };
    const commissioning = this.deps.commissioning;
    const creds = basicCredentials(req);
    const password = typeof creds === 'string' || creds.user !== stationId ? undefined : creds.password;
    const notCommissioned = station ? undefined : commissioning ? commissioning.admit(stationId, address, password) : 'unknown station';
    if (!station && notCommissioned === undefined) return { ok: true, stationId, subprotocol };
    let denied: string | undefined;
    try {
      denied = station ? await this.checkCredentials(req, station) : await this.unknownStation(req, stationId, notCommissioned ?? 'unknown station');
    } catch (err) {
      if (!(err instanceof Busy)) throw err;
      return { ok: false, httpStatus: 503, stationId, reason: 'too many password checks in progress', publicReason: 'busy: try again later', retryAfterS: 1 };
    }
    if (denied) {
      this.deps.throttle?.failed(address);
      return { ok: false, httpStatus: 401, stationId, reason: denied, publicReason: LOGIN_REFUSED };
    }
    this.deps.throttle?.succeeded(address);
    return { ok: true, stationId, subprotocol, ...(station ? { station } : {}) };
  }

  /** An unknown id is refused after the same work a wrong password costs (no timing hint). */
  private async unknownStation(req: IncomingMessage, stationId: string, reason: string): Promise<string> {
    const creds = basicCredentials(req);
    // Mirrors checkBasic: a known id hashes only when the Basic user is the station id.
    if (typeof creds !== 'string' && creds.user === stationId) await this.verify(creds.password, DUMMY_HASH);
    return reason;
  }

  private offered(): readonly OcppSubprotocol[] {
    return this.deps.offered ?? OCPP_SUBPROTOCOLS;
  }

  private stationIdOf(url: string): string | undefined {
    const path = url.split('?')[0] ?? '';
    const prefix = this.deps.pathPrefix.replace(/\/+$/, '');
    if (!path.startsWith(`${prefix}/`)) return undefined;
    const rest = path.slice(prefix.length + 1);
    if (rest.length === 0 || rest.includes('/')) return undefined;
    try {
      const id = decodeURIComponent(rest);
      return id.length > 0 && id.length <= 48 ? id : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The first subprotocol in the station's list (Sec-WebSocket-Protocol, in its order of
   * preference) that the hub speaks: OCPP-J leaves the choice to the station's preference.
   */
  private pickSubprotocol(header: string | undefined): OcppSubprotocol | undefined {
    if (!header) return undefined;
    const offered = this.offered();
    return header
      .split(',')
      .map((s) => s.trim())
      .find((p): p is OcppSubprotocol => isOcppSubprotocol(p) && offered.includes(p));
  }

  /** Undefined when the credentials are fine, else why not (for the log only). */
  private async checkCredentials(req: IncomingMessage, station: StationConfig): Promise<string | undefined> {
    const tls = (req.socket as Partial<TLSSocket>).encrypted === true;
    switch (station.securityProfile) {
      case 0:
        return undefined;
      case 1:
        return this.checkBasic(req, station);
      case 2:
        return tls ? this.checkBasic(req, station) : 'security profile 2 requires TLS';
      case 3:
        return tls ? this.checkClientCertificate(req.socket as TLSSocket, station.id) : 'security profile 3 requires TLS';
    }
  }

  private async checkBasic(req: IncomingMessage, station: StationConfig): Promise<string | undefined> {
    const creds = basicCredentials(req);
    if (typeof creds === 'string') return creds;
    const { user, password } = creds;
    if (user !== station.id) return 'Basic user must be the station id';
    if (!station.passwordHash) return 'no password configured for this station';
    const digest = createHash('sha256').update(password).digest('hex');
    const cacheKey = `${station.id}\u0000${station.passwordHash}`;
    if (this.verified.get(cacheKey) === digest) return undefined;
    if (!(await this.verify(password, station.passwordHash))) return 'wrong password';
    this.verified.set(cacheKey, digest);
    return undefined;
  }

  /**
   * scrypt in the libuv pool (which also serves fs and dns), at most `maxConcurrentHashes` at once;
   * further checks wait in a bounded queue (a reconnect burst of real stations), beyond it 503.
   */
  private async verify(password: string, hash: string): Promise<boolean> {
    if (this.hashing >= (this.deps.maxConcurrentHashes ?? DEFAULT_CONCURRENT_HASHES)) {
      if (this.queued.length >= MAX_QUEUED_HASHES) throw new Busy();
      await new Promise<void>((resolve) => this.queued.push(resolve));
    } else {
      this.hashing += 1;
    }
    try {
      return await verifyPasswordAsync(password, hash);
    } finally {
      // Hand the slot to the next waiting check, or free it.
      const next = this.queued.shift();
      if (next) next();
      else this.hashing -= 1;
    }
  }

  private checkClientCertificate(socket: TLSSocket, stationId: string): string | undefined {
    const cert = socket.getPeerCertificate();
    // An empty object when the station sent no certificate (OpenSSL then reports an issuer error).
    if (!cert || Object.keys(cert).length === 0) return 'no certificate presented';
    if (!socket.authorized) return `client certificate not trusted (${String(socket.authorizationError ?? 'unknown reason')})`;
    const cn = cert?.subject?.CN;
    const commonName = Array.isArray(cn) ? cn[0] : cn;
    if (commonName !== stationId) return `certificate CN ${JSON.stringify(commonName)} does not match the station id`;
    return undefined;
  }
}

class Busy extends Error {}

function basicCredentials(req: IncomingMessage): { user: string; password: string } | string {
  const header = req.headers.authorization ?? '';
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!match?.[1]) return 'missing HTTP Basic credentials';
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed HTTP Basic credentials';
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
