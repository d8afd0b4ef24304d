/**
 * The hub's own boot and keep-alive upstream in hub mode: it boots ONCE for the whole site
 * (downstream BootNotifications are answered locally and never forwarded), and sends ONE
 * heartbeat for the site, and only when the link has been idle: any other message the CSMS
 * answered already proves the link is alive (OCPP 2.x: a heartbeat is only needed when idle).
 */
import { clip } from './wire-2x.js';

export const HUB_VENDOR_NAME = 'Switchyard';

export type BootReason = 'PowerUp' | 'Triggered' | 'RemoteReset' | 'ApplicationReset' | 'FirmwareUpdate' | 'LocalReset' | 'ScheduledReset' | 'Unknown' | 'Watchdog';

export interface HubIdentityInfo {
  /** Hub model name; the schema allows 20 characters (longer is cut). */
  model: string;
  firmwareVersion?: string;
  serialNumber?: string;
}

export function hubBootNotification(info: HubIdentityInfo, reason: BootReason = 'PowerUp'): object {
  return {
    reason,
    chargingStation: {
      model: clip(info.model, 20),
      vendorName: HUB_VENDOR_NAME,
      ...(info.firmwareVersion ? { firmwareVersion: clip(info.firmwareVersion, 50) } : {}),
      ...(info.serialNumber ? { serialNumber: clip(info.serialNumber, 25) } : {}),
    },
  };
}

export type BootOutcome =
  | { status: 'Accepted'; heartbeatIntervalS: number }
  /** Pending or Rejected: boot again after retryAfterS; until Accepted only the boot may be sent (Pending also allows the CSMS's calls). */
  | { status: 'Pending' | 'Rejected'; retryAfterS: number };

/** The CSMS's BootNotification answer -> what to do; an interval of 0 means "your choice" (defaultS). */
export function bootOutcome(conf: { status: string; interval: number }, defaultS: number): BootOutcome {
  const intervalS = conf.interval > 0 ? conf.interval : defaultS;
  if (conf.status === 'Accepted') return { status: 'Accepted', heartbeatIntervalS: intervalS };
  return { status: conf.status === 'Pending' ? 'Pending' : 'Rejected', retryAfterS: intervalS };
}

export interface LinkActivity {
  /** When the last message (any CALL or CALLRESULT, either direction) went over the link. */
  lastTrafficMs: number;
  heartbeatIntervalS: number;
}

/** When the site's one heartbeat is due: a full interval after the last traffic. */
export function nextHeartbeatAtMs(activity: LinkActivity): number {
  return activity.lastTrafficMs + activity.heartbeatIntervalS * 1000;
}

/** Whether to send the site heartbeat now: only when the link has been idle for the whole interval. */
export function heartbeatDue(activity: LinkActivity, nowMs: number): boolean {
  return nowMs >= nextHeartbeatAtMs(activity);
}
