/**
 * Commissioning at the hub, wired: found stations (Pending) are approved with a placement of
 * their EVSEs, given a generated password over OCPP, stored (hash only) and put under load
 * management at once; rejected ones are dropped; commissioned ones can be edited or removed.
 */
import QRCode from 'qrcode';
import { hashPasswordAsync } from './evse/password.js';
import { generateStationPassword, passwordAccepted, setPasswordCall } from './evse/station-password.js';
import type { Commissioning, CommissioningWindow, PendingStation, RefusedConnection } from './evse/commissioning.js';
import { stationConfigSchema, type StationConfig } from './config/schema.js';
import { placementProblem } from './config/commissioned-stations.js';
import { sheetOcppUrl, type SheetUrlSource } from './commissioning-sheet-url.js';
import type { Store } from './store/store.js';
import type { StationRegistry } from './evse/station-registry.js';
import type { HubEnergy } from './hub-energy.js';
import type { Logger } from './util/logger.js';

/** What the operator gives for each EVSE of an approved station (the fields of a site-config EVSE). */
export type EvsePlacement = Record<string, unknown> & { id: number };

export type CommissioningErrorCode = 'NOT_FOUND' | 'BAD_REQUEST' | 'CONFLICT' | 'STATION_NOT_CONNECTED' | 'STATION_REJECTED' | 'STATION_CALL_FAILED' | 'NOT_STANDALONE';

/** A refused commissioning request: a code of the API's catalogue and why. */
export class CommissioningError extends Error {
  constructor(readonly code: CommissioningErrorCode, message: string, readonly field?: string) {
    super(message);
  }
}

export interface CommissioningServiceDeps {
  commissioning: Commissioning;
  store: Store;
  registry: StationRegistry;
  /** The stations the hub admits (YAML and commissioned), shared with the login check and the station service. */
  stations: Map<string, StationConfig>;
  /** Ids defined in the site config (not editable here). */
  yamlStationIds: ReadonlySet<string>;
  energy: Pick<HubEnergy, 'addStation' | 'removeStation'>;
  circuitIds: readonly string[];
  standalone: boolean;
  /** Where the OCPP listener is, for the commissioning sheet's URL (see commissioning-sheet-url.ts). */
  ocppEndpoint: {
    /** ws[s]://host:port/<prefix> of the listener (append /<stationId>); 127.0.0.1 for a wildcard listener. */
    listenUrl: () => string;
    listenWildcard: boolean;
    /** `server.publicUrl`. */
    publicUrl?: string;
  };
  log: Logger;
}

/** A commissioning sheet: what an installer types or scans into a charger's set-up app. */
export interface CommissioningSheet {
  stationId: string;
  /** The OCPP endpoint (without the station id). */
  ocppUrl: string;
  /** Where ocppUrl came from: the request, server.publicUrl, the request's Host header, or the listening address. */
  ocppUrlSource: SheetUrlSource;
  /** Set when ocppUrl names a loopback host (a charger on the network cannot reach it). */
  ocppUrlWarning?: string;
  /** The one-time password: good for one login until untilMs; approval replaces it. */
  password: string;
  untilMs: number;
  /** The three lines as text (also what the QR code holds). */
  text: string;
  /** The text as a QR code, SVG. */
  svg: string;
}

export interface CommissionedView {
  stationId: string;
  version: string;
  createdMs: number;
  updatedMs: number;
  evses: StationConfig['evses'];
  connected: boolean;
}

export class CommissioningService {
  constructor(private readonly deps: CommissioningServiceDeps) {}

  openWindow(durationS: number): CommissioningWindow {
    if (!this.deps.standalone) throw new CommissioningError('NOT_STANDALONE', 'commissioning is only available in standalone mode (upstream: none)');
    const w = this.deps.commissioning.open(durationS);
    this.deps.log.warn({ untilMs: w.untilMs }, 'commissioning window open: unconfigured stations from allowed addresses may connect and are answered Pending');
    return w;
  }

  closeWindow(): void {
    this.deps.commissioning.close();
    this.deps.log.info('commissioning window closed');
  }

  state(): { window?: CommissioningWindow; pending: Array<PendingStation & { connected: boolean }>; refused: RefusedConnection[]; commissioned: CommissionedView[] } {
    const window = this.deps.commissioning.current();
    // Approval sets the password over OCPP, so the operator needs to see which pending stations are still there.
    const pending = this.deps.commissioning.list().map((p) => ({ ...p, connected: this.deps.registry.get(p.stationId)?.isOpen === true }));
    return { ...(window ? { window } : {}), pending, refused: this.deps.commissioning.refusedConnections(), commissioned: this.commissioned() };
  }

  commissioned(): CommissionedView[] {
    return this.deps.store.commissioned.list().map((row) => ({
      stationId: row.stationId,
      version: row.version,
      createdMs: row.createdMs,
      updatedMs: row.updatedMs,
      evses: stationConfigSchema.safeParse({ ...(row.config as object), id: row.stationId }).data?.evses ?? [],
      connected: this.deps.registry.get(row.stationId)?.isOpen === true,
    }));
  }

  /**
   * Approves a pending station: checks the placement, sets a new password on the station over
   * OCPP, stores the station (password as a scrypt hash), puts its EVSEs under load management,
   * and closes the connection so that the station logs in again with the new password and is
   * accepted at its next boot.
   */
  async approve(stationId: string, evses: readonly EvsePlacement[]): Promise<CommissionedView> {
    const pending = this.deps.commissioning.get(stationId);
    if (!pending) throw new CommissioningError('NOT_FOUND', `no pending station ${JSON.stringify(stationId)}`, 'params.stationId');
    const station = this.parsePlacement(stationId, evses);
    const session = this.deps.registry.get(stationId);
    if (!session?.isOpen || pending.version === undefined) throw new CommissioningError('STATION_NOT_CONNECTED', `station ${stationId} must be connected and have booted to receive its password`);
    const password = generateStationPassword();
    const call = setPasswordCall(session.version, password);
    let answer: unknown;
    try {
      answer = await session.peer.call(call.action, call.payload);
    } catch (err) {
      throw new CommissioningError('STATION_CALL_FAILED', `station ${stationId} did not take its password: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!passwordAccepted(session.version, answer)) throw new CommissioningError('STATION_REJECTED', `station ${stationId} refused its new password (${JSON.stringify(answer)})`);
    // Off the event loop (libuv pool): a synchronous scrypt would stall every station for ~50 ms.
    const passwordHash = await hashPasswordAsync(password);
    const withHash: StationConfig = { ...station, passwordHash };
    this.deps.store.commissioned.upsert({ stationId, config: placementRecord(station), passwordHash, version: session.version });
    this.deps.stations.set(stationId, withHash);
    this.deps.commissioning.remove(stationId);
    this.deps.energy.addStation(withHash);
    this.deps.log.info({ stationId, evses: station.evses.map((e) => e.id) }, 'station approved: password set over OCPP, it reconnects with it');
    // The station keeps its old connection until it reconnects on its own; closing it makes it log in with the new password now.
    session.close(1012, 'commissioned: reconnect with the new password');
    return this.commissioned().find((c) => c.stationId === stationId) as CommissionedView;
  }

  /**
   * A commissioning sheet for a station not yet on the network: its id may log in once with the
   * one-time password (from an allowed address, even outside a window), is then pending, and gets
   * a password of its own when approved.
   */
  async sheet(stationId: string, validS: number, where: { ocppUrl?: string; requestHost?: string } = {}): Promise<CommissioningSheet> {
    if (!this.deps.standalone) throw new CommissioningError('NOT_STANDALONE', 'commissioning is only available in standalone mode (upstream: none)');
    if (this.deps.stations.has(stationId)) throw new CommissioningError('CONFLICT', `station ${stationId} is already configured`, 'body.stationId');
    const password = generateStationPassword();
    const { untilMs } = this.deps.commissioning.invite(stationId, password, validS);
    const endpoint = this.deps.ocppEndpoint;
    const chosen = sheetOcppUrl({
      listenUrl: endpoint.listenUrl(),
      listenWildcard: endpoint.listenWildcard,
      ...(where.ocppUrl !== undefined ? { given: where.ocppUrl } : {}),
      ...(endpoint.publicUrl !== undefined ? { publicUrl: endpoint.publicUrl } : {}),
      ...(where.requestHost !== undefined ? { requestHost: where.requestHost } : {}),
    });
    const url = chosen.url;
    const text = `OCPP URL: ${url}\nStation id: ${stationId}\nPassword: ${password}\n`;
    const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    this.deps.log.info({ stationId, untilMs }, 'commissioning sheet made (one-time password)');
    return { stationId, ocppUrl: url, ocppUrlSource: chosen.source, ...(chosen.warning ? { ocppUrlWarning: chosen.warning } : {}), password, untilMs, text, svg };
  }

  /** Rejects a pending station: forgotten, its connection closed. */
  reject(stationId: string): void {
    if (!this.deps.commissioning.remove(stationId)) throw new CommissioningError('NOT_FOUND', `no pending station ${JSON.stringify(stationId)}`, 'params.stationId');
    this.deps.store.stations.forget(stationId);
    this.deps.registry.get(stationId)?.close(1008, 'not commissioned');
    this.deps.log.info({ stationId }, 'pending station rejected');
  }

  /** Changes where a commissioned station's EVSEs sit (circuit, phases, limits); the password stays. */
  edit(stationId: string, evses: readonly EvsePlacement[]): CommissionedView {
    const row = this.commissionedRow(stationId);
    const station = this.parsePlacement(stationId, evses);
    const withHash: StationConfig = { ...station, passwordHash: row.passwordHash };
    this.deps.store.commissioned.upsert({ stationId, config: placementRecord(station), passwordHash: row.passwordHash, version: row.version });
    this.deps.stations.set(stationId, withHash);
    this.deps.energy.addStation(withHash);
    this.deps.log.info({ stationId }, 'commissioned station edited');
    return this.commissioned().find((c) => c.stationId === stationId) as CommissionedView;
  }

  /** Removes a commissioned station: it may no longer log in, its EVSEs leave load management. */
  remove(stationId: string): void {
    this.commissionedRow(stationId);
    this.deps.store.commissioned.remove(stationId);
    this.deps.stations.delete(stationId);
    this.deps.energy.removeStation(stationId);
    this.deps.registry.get(stationId)?.close(1008, 'removed');
    this.deps.log.info({ stationId }, 'commissioned station removed');
  }

  private commissionedRow(stationId: string) {
    if (this.deps.yamlStationIds.has(stationId)) throw new CommissioningError('CONFLICT', `station ${stationId} is defined in the site config: change it there`, 'params.stationId');
    const row = this.deps.store.commissioned.get(stationId);
    if (!row) throw new CommissioningError('NOT_FOUND', `no commissioned station ${JSON.stringify(stationId)}`, 'params.stationId');
    return row;
  }

  private parsePlacement(stationId: string, evses: readonly EvsePlacement[]): StationConfig {
    const parsed = stationConfigSchema.safeParse({ id: stationId, securityProfile: 1, evses });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CommissioningError('BAD_REQUEST', `expected a valid EVSE placement: ${issue?.path.join('.')}: ${issue?.message}`, `body.${issue?.path.join('.') ?? ''}`);
    }
    const ids = parsed.data.evses.map((e) => e.id);
    if (new Set(ids).size !== ids.length) throw new CommissioningError('BAD_REQUEST', 'expected distinct EVSE ids', 'body.evses');
    const problem = placementProblem(parsed.data, this.deps.circuitIds);
    if (problem) throw new CommissioningError('BAD_REQUEST', problem, 'body.evses');
    return parsed.data;
  }
}

/** What is stored for a station: its config as given, without id and secrets (the hash has its own column). */
function placementRecord(station: StationConfig): unknown {
  const { id: _id, passwordHash: _hash, ...rest } = station;
  return rest;
}
