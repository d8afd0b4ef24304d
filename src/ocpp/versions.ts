/** The OCPP versions Switchyard speaks, by WebSocket subprotocol name. */
export const OCPP_SUBPROTOCOLS = ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const;
export type OcppSubprotocol = (typeof OCPP_SUBPROTOCOLS)[number];

export type OcppVersion = '1.6' | '2.0.1' | '2.1';

export function versionOf(subprotocol: OcppSubprotocol): OcppVersion {
  switch (subprotocol) {
    case 'ocpp1.6':
      return '1.6';
    case 'ocpp2.0.1':
      return '2.0.1';
    case 'ocpp2.1':
      return '2.1';
  }
}

export function subprotocolOf(version: OcppVersion): OcppSubprotocol {
  return `ocpp${version}` as OcppSubprotocol;
}

export function isOcppSubprotocol(s: string): s is OcppSubprotocol {
  return (OCPP_SUBPROTOCOLS as readonly string[]).includes(s);
}

export function is16(v: OcppVersion): boolean {
  return v === '1.6';
}
