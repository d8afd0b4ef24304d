import type { RPCClient } from 'ocpp-rpc';
import { ProxyUpstream } from '../../../src/upstream/proxy/proxy-upstream.js';
import type { LinkState, UpstreamLink } from '../../../src/upstream/upstream-link.js';
import type { OcppVersion } from '../../../src/ocpp/versions.js';
import type { Harness } from '../../helpers/hub-harness.js';

export interface ProxySiteOptions {
  csmsUrl: string;
  compression?: boolean;
  extra?: string;
}

/** A site config in proxy mode: chargers CP16 (1.6) and CP201 (2.0.1), no pings (fake clock), 1 s reconnect. */
export function proxySiteYaml(o: ProxySiteOptions): string {
  return `
server: { pingIntervalS: 0 }
stations:
  - { id: CP16, securityProfile: 0 }
  - { id: CP201, securityProfile: 0 }
authorization:
  list: [{ idToken: LOCAL1 }]
upstream:
  mode: proxy
  url: ${o.csmsUrl}
  pingIntervalS: 0
  compression: ${o.compression ?? false}
  reconnect: { initialDelayS: 1, maxDelayS: 1, jitter: 0 }
  offline: { unknownIdTokens: Invalid, rebootGraceS: 60 }
  stations: [{ id: CP16, password: pw-cp16 }, { id: CP201, password: pw-cp201 }]
${o.extra ?? ''}`;
}

export function proxyOf(h: Harness): ProxyUpstream {
  const u = h.hub.upstream;
  if (!(u instanceof ProxyUpstream)) throw new Error('hub is not in proxy mode');
  return u;
}

/** Resolves once the station's upstream link is in the state. */
export function linkState(h: Harness, stationId: string, version: OcppVersion, state: LinkState): Promise<void> {
  const link: UpstreamLink = proxyOf(h).station(stationId, version).link;
  return new Promise((resolve) => {
    if (link.state === state) return resolve();
    const off = link.onState((s) => {
      if (s !== state) return;
      off();
      resolve();
    });
  });
}

/** Resolves when the client's connection has closed. */
export function closed(client: RPCClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

export const t0 = (): string => new Date().toISOString();

/** A 1.6 periodic energy reading of `wh`, taken at `timestamp` (default now). */
export function meterValue16(wh: number, timestamp: string = t0()): { timestamp: string; sampledValue: Array<{ value: string; measurand: string; context: string }> } {
  return { timestamp, sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', context: 'Sample.Periodic' }] };
}

/** A 2.0.1 TransactionEvent with one energy reading of `wh`, at `timestamp` (default now). */
export function txEvent(eventType: 'Started' | 'Updated' | 'Ended', seqNo: number, transactionId: string, wh: number, timestamp: string = t0()): Record<string, unknown> {
  return {
    eventType,
    timestamp,
    triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'StopAuthorized' : 'MeterValuePeriodic',
    seqNo,
    transactionInfo: { transactionId, ...(eventType === 'Ended' ? { stoppedReason: 'Local' } : {}) },
    evse: { id: 1, connectorId: 1 },
    ...(eventType === 'Started' ? { idToken: { idToken: 'LOCAL1', type: 'ISO14443' } } : {}),
    meterValue: [{ timestamp, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }],
  };
}
