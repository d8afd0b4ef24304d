/** What describes one simulated station, and where it connects. */
import type { Phase } from '../energy/phases.js';
import type { OcppVersion } from '../ocpp/versions.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/** What describes one simulated station, apart from where it connects and its clock and logger. */
export interface SimChargerConfig {
  /** Station identity: the last path segment of the URL, and the Basic-auth user. */
  identity: string;
  version: OcppVersion;
  /** Basic-auth password (security profile 1 or 2). */
  password?: string;
  /** Number of EVSEs (1.6: connectors), each with one connector. Default 1. */
  evseCount?: number;
  /** Phases each EVSE is wired with. Default 3. */
  phases?: 1 | 3;
  /** Grid phase of each EVSE phase, in order. Default L1, L2, L3. */
  phaseRotation?: Phase[];
  /** Highest current per phase each EVSE offers, A. Default 32. */
  maxCurrentA?: number;
  /** Nominal phase voltage, V. Default 230. */
  voltageV?: number;
  /** Meter-value sample interval during a transaction, s. Default 60. */
  meterIntervalS?: number;
  /** Heartbeat interval until the CSMS sets one at boot, s. Default 300. */
  heartbeatIntervalS?: number;
  /** Wait before retrying a boot when the CSMS gives no interval, s. Default 30. */
  bootRetryS?: number;
  vendor?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
  /** 2.x id-token type of the tags the station reads. Default ISO14443. */
  idTokenType?: string;
  /** TLS (wss://): trusted CA, and client certificate and key for security profile 3. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Timeout of a CALL to the CSMS, ms (transport time, not simulated time). Default 30000. */
  callTimeoutMs?: number;
  /** WebSocket ping interval, ms (transport time); 0 = off. Default 0. */
  pingIntervalMs?: number;
  /**
   * Rate units accepted in charging schedules, as a real charger reports them (1.6
   * ChargingScheduleAllowedChargingRateUnit, 2.x SmartChargingCtrlr.RateUnit); a profile in another
   * unit is Rejected. Default both. ['W'] simulates a W-only charger.
   */
  rateUnits?: ('A' | 'W')[];
  /** Highest stack level accepted (ChargeProfileMaxStackLevel / ProfileStackLevel); above it: Rejected. Default 10. */
  maxStackLevel?: number;
}

export interface SimChargerOptions extends SimChargerConfig {
  /** CSMS URL without the identity, e.g. ws://localhost:9000/ocpp. */
  endpoint: string;
  clock: Clock;
  log: Logger;
}
