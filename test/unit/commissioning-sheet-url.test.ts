import { describe, expect, it } from 'vitest';
import { hostnameOf, sheetOcppUrl } from '../../src/commissioning-sheet-url.js';

const wildcard = { listenUrl: 'ws://127.0.0.1:9000/ocpp', listenWildcard: true };

describe('the OCPP URL of a commissioning sheet', () => {
  it('takes the URL given with the request over everything else', () => {
    expect(sheetOcppUrl({ ...wildcard, given: 'ws://10.0.0.2:9000/ocpp', publicUrl: 'wss://hub.example.net/ocpp', requestHost: '192.168.1.5:8080' })).toEqual({ url: 'ws://10.0.0.2:9000/ocpp', source: 'request' });
  });

  it('takes the configured public URL next', () => {
    expect(sheetOcppUrl({ ...wildcard, publicUrl: 'wss://hub.example.net/ocpp', requestHost: '192.168.1.5:8080' })).toEqual({ url: 'wss://hub.example.net/ocpp', source: 'config' });
  });

  it('uses the host the request came in on with the OCPP port and path for a wildcard listener', () => {
    expect(sheetOcppUrl({ ...wildcard, requestHost: '192.168.1.5:8080' })).toEqual({ url: 'ws://192.168.1.5:9000/ocpp', source: 'host-header' });
    expect(sheetOcppUrl({ listenUrl: 'wss://127.0.0.1:9443/', listenWildcard: true, requestHost: 'Hub.LAN' })).toEqual({ url: 'wss://hub.lan:9443/', source: 'host-header' });
    expect(sheetOcppUrl({ ...wildcard, requestHost: '[fd00::5]:8080' })).toEqual({ url: 'ws://[fd00::5]:9000/ocpp', source: 'host-header' });
  });

  it('keeps the listening address when the listener is bound to one address', () => {
    expect(sheetOcppUrl({ listenUrl: 'ws://192.168.1.5:9000/ocpp', listenWildcard: false, requestHost: 'hub.lan:8080' })).toEqual({ url: 'ws://192.168.1.5:9000/ocpp', source: 'listen-address' });
  });

  it('falls back to the listening address without a usable Host, and warns that loopback is unreachable for chargers', () => {
    const none = sheetOcppUrl({ ...wildcard });
    expect(none).toMatchObject({ url: 'ws://127.0.0.1:9000/ocpp', source: 'listen-address' });
    expect(none.warning).toMatch(/loopback/);
    expect(sheetOcppUrl({ ...wildcard, requestHost: 'localhost:8080' })).toMatchObject({ url: 'ws://localhost:9000/ocpp', source: 'host-header', warning: expect.stringContaining('server.publicUrl') });
    expect(sheetOcppUrl({ ...wildcard, requestHost: '[::1]:8080' }).warning).toBeDefined();
  });

  it('reads the host name out of a Host header', () => {
    expect(hostnameOf('hub.lan:8080')).toBe('hub.lan');
    expect(hostnameOf('[::1]:80')).toBe('[::1]');
    expect(hostnameOf('bad host')).toBeUndefined();
    expect(hostnameOf('')).toBeUndefined();
  });
});
