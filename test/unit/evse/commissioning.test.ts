import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { Commissioning, isLanAddress } from '../../../src/evse/commissioning.js';
import { passwordAccepted, setPasswordCall, generateStationPassword } from '../../../src/evse/station-password.js';

describe('commissioning window', () => {
  it('admits unknown ids only while a window is open, and the window ends on the clock', () => {
    const clock = new FakeClock();
    const c = new Commissioning({ clock });
    expect(c.admit('A', '127.0.0.1')).toMatch(/no commissioning window/);
    c.open(60);
    expect(c.admit('A', '127.0.0.1')).toBeUndefined();
    clock.advanceMs(60_000);
    expect(c.current()).toBeUndefined();
    expect(c.admit('B', '127.0.0.1')).toMatch(/no commissioning window/);
    // A station already pending may come back after the window closed.
    expect(c.admit('A', '127.0.0.1')).toBeUndefined();
  });

  it('admits loopback and LAN addresses only by default', () => {
    const c = new Commissioning({ clock: new FakeClock() });
    c.open(60);
    expect(c.admit('A', '203.0.113.5')).toMatch(/LAN/);
    expect(c.admit('B', '::ffff:192.168.1.20')).toBeUndefined();
    const open = new Commissioning({ clock: new FakeClock(), options: { sources: 'any' } });
    open.open(60);
    expect(open.admit('A', '203.0.113.5')).toBeUndefined();
  });

  it('admits at most maxNewPerWindow new ids per window', () => {
    const c = new Commissioning({ clock: new FakeClock(), options: { maxNewPerWindow: 2 } });
    c.open(60);
    expect(c.admit('A', '10.0.0.1')).toBeUndefined();
    expect(c.admit('B', '10.0.0.1')).toBeUndefined();
    expect(c.admit('C', '10.0.0.1')).toMatch(/full/);
    c.open(60);
    expect(c.admit('C', '10.0.0.1')).toBeUndefined();
  });

  it('keeps the newest refused connections up to its bound', () => {
    const c = new Commissioning({ clock: new FakeClock(), options: { maxRefused: 3 } });
    for (let i = 0; i < 5; i++) c.refusedConnection({ stationId: `S${i}`, remoteAddress: '10.0.0.1', timeMs: i, reason: 'x' });
    expect(c.refusedConnections().map((r) => r.stationId)).toEqual(['S4', 'S3', 'S2']);
  });

  it('records connectors of a pending station, not of others', () => {
    const c = new Commissioning({ clock: new FakeClock() });
    c.open(60);
    c.admit('A', '127.0.0.1');
    c.connector('A', 2, 1, 'Available');
    c.connector('A', 1, 1, 'Available');
    c.connector('A', 1, 1, 'Preparing');
    c.connector('Z', 1, 1, 'Available');
    expect(c.get('A')?.connectors).toEqual([{ evseId: 1, connectorId: 1, status: 'Preparing' }, { evseId: 2, connectorId: 1, status: 'Available' }]);
    expect(c.get('Z')).toBeUndefined();
  });
});

describe('LAN addresses', () => {
  it.each([
    ['127.0.0.1', true], ['10.1.2.3', true], ['172.16.0.1', true], ['172.32.0.1', false], ['192.168.0.9', true],
    ['8.8.8.8', false], ['::1', true], ['fd00::1', true], ['2001:db8::1', false], ['::ffff:10.0.0.1', true], ['nonsense', false],
  ])('%s -> %s', (address, lan) => expect(isLanAddress(address)).toBe(lan));
});

describe('station passwords', () => {
  it('are 20 characters and go to 1.6 as hex in AuthorizationKey, to 2.x as SecurityCtrlr.BasicAuthPassword', () => {
    const pw = generateStationPassword();
    expect(pw).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(generateStationPassword()).not.toBe(pw);
    const v16 = setPasswordCall('1.6', pw);
    expect(v16).toEqual({ action: 'ChangeConfiguration', payload: { key: 'AuthorizationKey', value: Buffer.from(pw).toString('hex').toUpperCase() } });
    expect((v16.payload as { value: string }).value).toHaveLength(40);
    expect(setPasswordCall('2.0.1', pw).payload).toEqual({ setVariableData: [{ attributeValue: pw, component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] });
    expect(passwordAccepted('1.6', { status: 'Accepted' })).toBe(true);
    expect(passwordAccepted('1.6', { status: 'NotSupported' })).toBe(false);
    expect(passwordAccepted('2.0.1', { setVariableResult: [{ attributeStatus: 'Rejected' }] })).toBe(false);
    expect(passwordAccepted('2.0.1', { setVariableResult: [{ attributeStatus: 'RebootRequired' }] })).toBe(true);
  });
});
