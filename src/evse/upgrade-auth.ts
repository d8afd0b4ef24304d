import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { StationConfig } from '../config/schema.js';
import { verifyPassword } from './password.js';
import { isOcppSubprotocol, type OcppSubprotocol, OCPP_SUBPROTOCOLS } from '../ocpp/versions.js';

export type UpgradeVerdict =
  | { ok: true; stationId: string; subprotocol: OcppSubprotocol; station?: StationConfig }
  | { ok: false; httpStatus: 400 | 401 | 404; reason: string; stationId?: string };

export interface UpgradeAuthDeps {
  pathPrefix: string;
  stations: ReadonlyMap<string, StationConfig>;
  admitUnknownStations: boolean;
  /** Subprotocols the hub offers, in order of preference. */
  offered?: readonly OcppSubprotocol[];
}

/**
 * Decides whether a WebSocket upgrade may go ahead, before it happens: path, station, subprotocol
 * and the station's security profile. Passwords are scrypt-hashed at rest; a verified password is
 * remembered as a SHA-256 digest so a reconnect storm does not cost one scrypt per connection.
 */
export class UpgradeAuth {
  private readonly verified = new Map<string, string>();

  constructor(private readonly deps: UpgradeAuthDeps) {}

  check(req: IncomingMessage): UpgradeVerdict {
    const stationId = this.stationIdOf(req.url ?? '');
    if (stationId === undefined) {
      return { ok: false, httpStatus: 404, reason: `expected a path ${this.deps.pathPrefix}/<stationId>` };
    }
    const subprotocol = this.pickSubprotocol(req.headers['sec-websocket-protocol']);
    if (!subprotocol) {
      return { ok: false, httpStatus: 400, stationId, reason: `no supported OCPP subprotocol offered (supported: ${this.offered().join(', ')})` };
    }
    const station = this.deps.stations.get(stationId);
    if (!station) {
      if (this.deps.admitUnknownStations) return { ok: true, stationId, subprotocol };
      return { ok: false, httpStatus: 401, stationId, reason: 'unknown station' };
    }
    const denied = this.checkCredentials(req, station);
    if (denied) return { ok: false, httpStatus: 401, stationId, reason: denied };
    return { ok: true, stationId, subprotocol, station };
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

  /** Undefined when the credentials are fine, else why not. */
  private checkCredentials(req: IncomingMessage, station: StationConfig): string | undefined {
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

  private checkBasic(req: IncomingMessage, station: StationConfig): string | undefined {
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    if (!match?.[1]) return 'missing HTTP Basic credentials';
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'malformed HTTP Basic credentials';
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (user !== station.id) return 'Basic user must be the station id';
    if (!station.passwordHash) return 'no password configured for this station';
    const digest = createHash('sha256').update(password).digest('hex');
    const cacheKey = `${station.id}\u0000${station.passwordHash}`;
    if (this.verified.get(cacheKey) === digest) return undefined;
    if (!verifyPassword(password, station.passwordHash)) return 'wrong password';
    this.verified.set(cacheKey, digest);
    return undefined;
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
