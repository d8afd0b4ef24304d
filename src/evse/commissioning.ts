import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { Clock } from '../util/clock.js';
import type { OcppVersion } from '../ocpp/versions.js';
import type { BootInfo } from './station-service.js';
import { memoryInvitations, type InvitationStore } from './commissioning-invitations.js';

/** A station that connected during a commissioning window and waits for the operator (answered Pending). */
export interface PendingStation {
  stationId: string;
  remoteAddress: string;
  firstSeenMs: number;
  lastSeenMs: number;
  version?: OcppVersion;
  boot?: BootInfo;
  /** Connectors it reported (StatusNotification), by EVSE id. */
  connectors: Array<{ evseId: number; connectorId: number; status: string }>;
}

/** A refused connection attempt, kept so the operator sees who is knocking. */
export interface RefusedConnection {
  stationId?: string;
  remoteAddress: string;
  timeMs: number;
  reason: string;
}

export interface CommissioningWindow {
  openedMs: number;
  untilMs: number;
  /** New station ids admitted in this window so far. */
  admitted: number;
}

export interface CommissioningOptions {
  /** Source addresses allowed to commission: loopback and private LAN ranges, or any. */
  sources: 'lan' | 'any';
  /** New station ids one window admits; further ones are refused. */
  maxNewPerWindow: number;
  /** Refused connections remembered (the oldest are dropped). */
  maxRefused: number;
}

export const DEFAULT_COMMISSIONING_OPTIONS: CommissioningOptions = { sources: 'lan', maxNewPerWindow: 10, maxRefused: 100 };

/** Loopback, RFC 1918 private, link-local, and IPv6 unique-local ranges. */
const LAN = new BlockList();
LAN.addSubnet('127.0.0.0', 8, 'ipv4');
LAN.addSubnet('10.0.0.0', 8, 'ipv4');
LAN.addSubnet('172.16.0.0', 12, 'ipv4');
LAN.addSubnet('192.168.0.0', 16, 'ipv4');
LAN.addSubnet('169.254.0.0', 16, 'ipv4');
LAN.addAddress('::1', 'ipv6');
LAN.addSubnet('fc00::', 7, 'ipv6');
LAN.addSubnet('fe80::', 10, 'ipv6');

/** True for a loopback or private-LAN address (IPv4-mapped IPv6 included). */
export function isLanAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const plain = mapped ?? address;
  const family = isIP(plain);
  if (family === 0) return false;
  return LAN.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The state of commissioning: one window at a time (opened from the API or at start), the
 * stations waiting for approval, the bounded list of refused connections, and the one-time
 * passwords of commissioning sheets. All but the sheets' passwords live in memory on purpose
 * (docs/architecture.md, Commissioning): a restart closes the window and forgets who waited, so
 * nothing unapproved gets in after it without an operator opening a window again; a pending
 * charger keeps reconnecting and is listed as refused until then, and found again in a window.
 */
export class Commissioning {
  private window: CommissioningWindow | undefined;
  private readonly pending = new Map<string, PendingStation>();
  private readonly refused: RefusedConnection[] = [];
  private readonly options: CommissioningOptions;
  /** One-time passwords of commissioning sheets, by station id: SHA-256 of the password, and until when it is good. */
  private readonly invitations: InvitationStore;

  constructor(private readonly deps: { clock: Clock; options?: Partial<CommissioningOptions>; invitations?: InvitationStore }) {
    this.options = { ...DEFAULT_COMMISSIONING_OPTIONS, ...deps.options };
    this.invitations = deps.invitations ?? memoryInvitations();
  }

  /** Opens a window for durationS (replacing an open one: there is only ever one). */
  open(durationS: number): CommissioningWindow {
    const nowMs = this.deps.clock.nowMs();
    this.window = { openedMs: nowMs, untilMs: nowMs + durationS * 1000, admitted: 0 };
    return { ...this.window };
  }

  close(): void {
    this.window = undefined;
  }

  /** The open window, or undefined. */
  current(): CommissioningWindow | undefined {
    if (this.window && this.window.untilMs <= this.deps.clock.nowMs()) this.window = undefined;
    return this.window ? { ...this.window } : undefined;
  }

  /**
   * Whether an unconfigured station id may connect now to be found: a station already pending may
   * come back while it waits; a new one needs an open window, an allowed source address and room
   * in the window's quota. Undefined when admitted, else why not.
   */
  admit(stationId: string, remoteAddress: string, password?: string): string | undefined {
    if (this.options.sources === 'lan' && !isLanAddress(remoteAddress)) return 'unknown station (commissioning admits loopback and LAN addresses only)';
    if (password !== undefined && this.redeem(stationId, password)) {
      const nowMs = this.deps.clock.nowMs();
      this.pending.set(stationId, { stationId, remoteAddress, firstSeenMs: nowMs, lastSeenMs: nowMs, connectors: [] });
      return undefined;
    }
    const known = this.pending.get(stationId);
    if (known) {
      known.remoteAddress = remoteAddress;
      known.lastSeenMs = this.deps.clock.nowMs();
      return undefined;
    }
    const window = this.current();
    if (!window) return 'unknown station (no commissioning window open)';
    if (!this.window || this.window.admitted >= this.options.maxNewPerWindow) return 'unknown station (commissioning window full)';
    this.window.admitted += 1;
    const nowMs = this.deps.clock.nowMs();
    this.pending.set(stationId, { stationId, remoteAddress, firstSeenMs: nowMs, lastSeenMs: nowMs, connectors: [] });
    return undefined;
  }

  /**
   * A commissioning sheet: the station id may connect once with this password (outside a window
   * too, from an allowed address) until `validS` passed, and is then pending like any found station;
   * approval replaces the password. A new sheet for the id replaces the old one.
   */
  invite(stationId: string, password: string, validS: number): { untilMs: number } {
    const untilMs = this.deps.clock.nowMs() + validS * 1000;
    this.invitations.set(stationId, { digestB64: sha256(password).toString('base64'), untilMs });
    return { untilMs };
  }

  /** True (and the invitation used up) when the password is the id's valid one-time password. */
  private redeem(stationId: string, password: string): boolean {
    const inv = this.invitations.get(stationId);
    if (!inv) return false;
    if (inv.untilMs <= this.deps.clock.nowMs()) {
      this.invitations.delete(stationId);
      return false;
    }
    const digest = Buffer.from(inv.digestB64, 'base64');
    const given = sha256(password);
    if (digest.length !== given.length || !timingSafeEqual(digest, given)) return false;
    this.invitations.delete(stationId);
    return true;
  }

  isPending(stationId: string): boolean {
    return this.pending.has(stationId);
  }

  get(stationId: string): PendingStation | undefined {
    const p = this.pending.get(stationId);
    return p ? { ...p, connectors: [...p.connectors] } : undefined;
  }

  list(): PendingStation[] {
    return [...this.pending.keys()].map((id) => this.get(id) as PendingStation);
  }

  /** What a pending station said in its BootNotification. */
  booted(stationId: string, version: OcppVersion, boot: BootInfo): void {
    const p = this.pending.get(stationId);
    if (!p) return;
    p.version = version;
    p.boot = boot;
    p.lastSeenMs = this.deps.clock.nowMs();
  }

  /** A connector a pending station reported. */
  connector(stationId: string, evseId: number, connectorId: number, status: string): void {
    const p = this.pending.get(stationId);
    if (!p || evseId < 1) return;
    const entry = p.connectors.find((c) => c.evseId === evseId && c.connectorId === connectorId);
    if (entry) entry.status = status;
    else p.connectors.push({ evseId, connectorId, status });
    p.connectors.sort((a, b) => a.evseId - b.evseId || a.connectorId - b.connectorId);
  }

  /** Drops a pending station (approved or rejected) and any sheet password of its id; true when it was pending. */
  remove(stationId: string): boolean {
    this.invitations.delete(stationId);
    return this.pending.delete(stationId);
  }

  /** Remembers a refused connection (the oldest go beyond maxRefused). */
  refusedConnection(r: RefusedConnection): void {
    this.refused.push(r);
    if (this.refused.length > this.options.maxRefused) this.refused.splice(0, this.refused.length - this.options.maxRefused);
  }

  /** Refused connections, newest first. */
  refusedConnections(): RefusedConnection[] {
    return [...this.refused].reverse();
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
