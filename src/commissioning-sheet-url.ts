/**
 * Which OCPP URL a commissioning sheet names (pure). The hub's own listening URL is only right
 * when it listens on one address: for a wildcard listener it says 127.0.0.1, which no charger on
 * the network can reach. In order: the URL given with the request, `server.publicUrl`, the host
 * the API request came in on (its `Host` header, already limited to allowed names) with the OCPP
 * listener's scheme, port and path, and last the listening URL.
 */

/** Where a sheet's OCPP URL came from. */
export type SheetUrlSource = 'request' | 'config' | 'host-header' | 'listen-address';

export interface SheetUrlInput {
  /** The URL the operator typed for this sheet. */
  given?: string;
  /** `server.publicUrl`. */
  publicUrl?: string;
  /** ws[s]://host:port/<prefix> of the OCPP listener (127.0.0.1 for a wildcard listener). */
  listenUrl: string;
  /** The OCPP listener is bound to every address (0.0.0.0, ::): the listening URL's host means nothing to a charger. */
  listenWildcard: boolean;
  /** The `Host` header of the API request. */
  requestHost?: string;
}

export interface SheetUrl {
  url: string;
  source: SheetUrlSource;
  /** Set when the URL names a loopback host: a charger on the network cannot reach it. */
  warning?: string;
}

export function sheetOcppUrl(input: SheetUrlInput): SheetUrl {
  if (input.given !== undefined) return withWarning(input.given, 'request');
  if (input.publicUrl !== undefined) return withWarning(input.publicUrl, 'config');
  if (input.listenWildcard && input.requestHost !== undefined) {
    const hostname = hostnameOf(input.requestHost);
    if (hostname !== undefined) {
      const url = new URL(input.listenUrl);
      url.hostname = hostname;
      return withWarning(input.listenUrl.endsWith('/') ? url.toString() : stripSlash(url.toString()), 'host-header');
    }
  }
  return withWarning(input.listenUrl, 'listen-address');
}

/** The host name (v6 in brackets) of a Host header, without its port; undefined when it is not one. */
export function hostnameOf(hostHeader: string): string | undefined {
  try {
    const name = new URL(`http://${hostHeader.trim()}`).hostname;
    return name === '' ? undefined : name;
  } catch {
    return undefined;
  }
}

function withWarning(url: string, source: SheetUrlSource): SheetUrl {
  let host = '';
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    // A URL the API schema let through but WHATWG cannot parse: no warning, the operator gave it.
  }
  const loopback = host === 'localhost' || host.endsWith('.localhost') || host.startsWith('127.') || host === '[::1]';
  if (!loopback) return { url, source };
  return { url, source, warning: 'this URL names a loopback address, which a charger on the network cannot reach: set server.publicUrl, or open the dashboard by the address chargers use' };
}

function stripSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
