/**
 * Firmware (2.0.1 L01 UpdateFirmware, L03/L04 Publish/UnpublishFirmware). The hub is the local
 * controller of L03: it fetches an image ONCE over the site's upstream connection and serves it
 * to the chargers from its own HTTP server (the FirmwareDepot), so a roll-out to N chargers
 * costs the upstream link one image, not N.
 *
 * - UpdateFirmware: every connected charger gets UpdateFirmware in its version with the hub's
 *   local URL for the image (1.6: location/retrieveDate; 2.x: the same request with the local
 *   location; signature and signing certificate unchanged, the image is the CSMS's byte for
 *   byte). The depot starts the fetch at once; a charger that asks before it is done waits.
 *   A location that is not HTTP(S) (e.g. FTP) goes to the chargers unchanged: they fetch it.
 *   Answer: Accepted (AcceptedCanceled when a charger cancelled an earlier update) when at least
 *   one charger took it, else the chargers' refusal (Rejected / InvalidCertificate /
 *   RevokedCertificate).
 * - The chargers' FirmwareStatusNotifications become the station's, with the CSMS's requestId:
 *   one per charger status change, whose `status` is the roll-out as a whole (the least advanced
 *   charger; once all have finished, Installed or the first failure) and whose customData names
 *   the EVSEs of the charger that moved and its own status (per-EVSE progress).
 * - PublishFirmware: fetch, verify the MD5 checksum, then PublishFirmwareStatusNotification
 *   Downloading, Downloaded, ChecksumVerified, Published with the local URL (or DownloadFailed /
 *   InvalidChecksum). UpdateFirmware with that URL (or the original one) reuses the image.
 * - UnpublishFirmware: DownloadOngoing while a publish of that checksum runs, else Unpublished
 *   or NoFirmware.
 */
import { upstreamEvsesOfStation } from '../evse-mapping.js';
import type { BlockContext, ChargerRef, HubBlock } from './block-types.js';
import { callAll, info, statusOf } from './targets.js';

export interface FirmwareImage {
  /** MD5 of the image, lower-case hex. */
  md5: string;
  bytes: number;
}

/** Fetches images once and serves them to the chargers (src/upstream/hub/firmware-depot.ts). */
export interface FirmwareDepot {
  /** The URL chargers fetch `location` from; starts fetching it (a URL of the depot itself comes back as is). */
  localUrl(location: string): Promise<string>;
  /** Resolves once the image behind `location` (or a local URL) is held; rejects when the fetch failed. */
  image(location: string): Promise<FirmwareImage>;
  /** Removes the images with this MD5; false when there were none. */
  unpublish(checksum: string): boolean;
  stop(): Promise<void>;
}

export interface FirmwareOptions {
  depot: FirmwareDepot;
}

/** Vendor id of the hub's customData. */
export const HUB_VENDOR_ID = 'org.switchyard.hub';

const RANK: Record<string, number> = {
  DownloadScheduled: 1,
  Downloading: 2,
  DownloadPaused: 2,
  Downloaded: 3,
  SignatureVerified: 4,
  InstallScheduled: 5,
  Installing: 6,
  InstallRebooting: 7,
  Installed: 8,
};
const FAILED = new Set(['DownloadFailed', 'InstallationFailed', 'InstallVerificationFailed', 'InvalidSignature']);

/** The roll-out's status from each charger's (undefined: accepted, nothing reported yet). */
export function aggregateFirmwareStatus(statuses: readonly (string | undefined)[]): string {
  const finished = (s: string | undefined): boolean => s === 'Installed' || (s !== undefined && FAILED.has(s));
  if (statuses.every(finished)) return statuses.find((s) => s !== undefined && FAILED.has(s)) ?? 'Installed';
  let least = 'Installed';
  for (const s of statuses) {
    if (finished(s)) continue;
    const status = s !== undefined && RANK[s] !== undefined ? s : 'DownloadScheduled';
    if ((RANK[status] ?? 0) < (RANK[least] ?? 0)) least = status;
  }
  return least;
}

interface Rollout {
  requestId: number;
  chargers: Record<string, string | undefined>;
}

const PASSED_UP = ['Accepted', 'AcceptedCanceled', 'InvalidCertificate', 'RevokedCertificate'];

function updateFor(charger: ChargerRef, p: Record<string, unknown>, firmware: Record<string, unknown>, location: string): object {
  if (charger.version !== '1.6') return { ...p, firmware: { ...firmware, location } };
  return {
    location,
    retrieveDate: firmware.retrieveDateTime,
    ...(p.retries !== undefined ? { retries: p.retries } : {}),
    ...(p.retryInterval !== undefined ? { retryInterval: p.retryInterval } : {}),
  };
}

export function firmwareBlock(ctx: BlockContext, options: FirmwareOptions): HubBlock {
  const { depot } = options;
  let rollout: Rollout | undefined;
  const publishing = new Set<string>();

  const updateFirmware = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const firmware = (p.firmware ?? {}) as Record<string, unknown>;
    const chargers = ctx.connected();
    if (chargers.length === 0) return { status: 'Rejected', statusInfo: info('NoCharger', 'no charger connected') };
    let local = String(firmware.location);
    if (/^https?:\/\//i.test(local)) {
      try {
        local = await depot.localUrl(local);
      } catch (err) {
        return { status: 'Rejected', statusInfo: info('InvalidURL', err instanceof Error ? err.message : String(err)) };
      }
    } else {
      ctx.log.info({ location: local }, 'firmware location is not HTTP(S): the chargers fetch it themselves');
    }
    const r: Rollout = { requestId: Number(p.requestId), chargers: Object.fromEntries(chargers.map((c) => [c.stationId, undefined])) };
    rollout = r;
    const results = await callAll(ctx, chargers.map((charger) => ({ charger, action: 'UpdateFirmware', payload: updateFor(charger, p, firmware, local) })), signal);
    const statuses = results.map((res, i) => (res === undefined ? undefined : chargers[i]?.version === '1.6' ? 'Accepted' : statusOf(res)));
    const taking = chargers.filter((_, i) => statuses[i] === 'Accepted' || statuses[i] === 'AcceptedCanceled');
    for (const c of chargers) if (!taking.includes(c)) delete r.chargers[c.stationId];
    if (taking.length === 0) {
      if (rollout === r) rollout = undefined;
      const refusal = statuses.find((s) => s === 'InvalidCertificate' || s === 'RevokedCertificate');
      return { status: refusal ?? 'Rejected', statusInfo: info('Refused', `${chargers.length} chargers refused or did not answer`) };
    }
    ctx.log.info({ requestId: p.requestId, chargers: taking.map((c) => c.stationId), location: local }, 'firmware roll-out started');
    const status = statuses.includes('AcceptedCanceled') ? 'AcceptedCanceled' : 'Accepted';
    return PASSED_UP.includes(status) ? { status } : { status: 'Rejected' };
  };

  const chargerStatus = (stationId: string, version: ChargerRef['version'], payload: Record<string, unknown>): object | undefined => {
    const r = rollout;
    if (!r || !(stationId in r.chargers)) return undefined;
    if (version !== '1.6' && payload.requestId !== undefined && payload.requestId !== r.requestId) return undefined;
    const status = String(payload.status);
    if (status === 'Idle') return {};
    ctx.notify('FirmwareStatusNotification', () => {
      if (!(stationId in r.chargers)) return undefined;
      r.chargers[stationId] = status;
      const whole = aggregateFirmwareStatus(Object.values(r.chargers));
      if ((whole === 'Installed' || FAILED.has(whole)) && rollout === r) rollout = undefined;
      return {
        status: whole,
        requestId: r.requestId,
        customData: { vendorId: HUB_VENDOR_ID, evseIds: upstreamEvsesOfStation(ctx.state().mapping, stationId), evseStatus: status },
      };
    });
    return {};
  };

  const publish = async (p: Record<string, unknown>): Promise<object> => {
    const location = String(p.location);
    const checksum = String(p.checksum).toLowerCase();
    const requestId = Number(p.requestId);
    let local: string;
    try {
      local = await depot.localUrl(location);
    } catch (err) {
      return { status: 'Rejected', statusInfo: info('InvalidURL', err instanceof Error ? err.message : String(err)) };
    }
    publishing.add(checksum);
    const report = (status: string, extra: object = {}): void => ctx.notify('PublishFirmwareStatusNotification', { status, requestId, ...extra });
    report('Downloading');
    void depot.image(location).then(
      (image) => {
        publishing.delete(checksum);
        report('Downloaded');
        if (image.md5 !== checksum) {
          depot.unpublish(image.md5);
          report('InvalidChecksum');
          return;
        }
        report('ChecksumVerified');
        report('Published', { location: [local] });
      },
      () => {
        publishing.delete(checksum);
        report('DownloadFailed');
      },
    );
    return { status: 'Accepted' };
  };

  const unpublish = (p: Record<string, unknown>): object => {
    const checksum = String(p.checksum).toLowerCase();
    if (publishing.has(checksum)) return { status: 'DownloadOngoing' };
    return { status: depot.unpublish(checksum) ? 'Unpublished' : 'NoFirmware' };
  };

  return {
    name: 'firmware',
    csms: {
      UpdateFirmware: (_c, p, signal) => updateFirmware(p, signal),
      PublishFirmware: (_c, p) => publish(p),
      UnpublishFirmware: (_c, p) => unpublish(p),
    },
    charger: {
      FirmwareStatusNotification: (_c, call) => chargerStatus(call.stationId, call.version, call.payload),
    },
    stop: () => depot.stop(),
  };
}
