/**
 * Proxy mode against a strict ocpp-rpc CSMS and strict ocpp-rpc chargers: the hub sends a
 * charger nothing (no charging profile) before the CSMS's answer to its BootNotification has
 * reached it, nothing at all when that answer is not Accepted, and relays OCPP 2.1 DER control
 * between the CSMS and a 2.1 charger both ways.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { boot16, boot2x, ocppClient, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { StrictCsms } from './strict-csms.js';
import { proxySiteYaml, t0 } from './proxy-site.js';

let csms: StrictCsms;
let h: Harness;
const clients: RPCClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close({ force: true });
  await h.stop();
  await csms.stop();
});

function turn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Lets the hub's controller and dispatcher run for `seconds` of fake time. */
async function runFor(clock: FakeClock, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    clock.advanceMs(1000);
    await turn();
  }
}

async function until(pred: () => boolean): Promise<void> {
  while (!pred()) await turn();
}

function recording(c: RPCClient, events: string[]): void {
  c.handle(async ({ method }) => {
    await Promise.resolve();
    events.push(method ?? '');
    return { status: 'Accepted' };
  });
}

describe('proxy mode: the boot answer comes first', () => {
  it('sends no SetChargingProfile before the CSMS’s BootNotification answer reached the charger', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    csms = new StrictCsms({ beforeAnswer: (method) => (method === 'BootNotification' ? held : undefined) });
    await csms.start();
    const clock = new FakeClock(Date.now());
    h = await startTestHub(proxySiteYaml({ csmsUrl: csms.url }), { clock });
    const events: string[] = [];
    const c = ocppClient(h.hub.ocppUrl, 'CP16');
    clients.push(c);
    recording(c, events);
    // What reaches the charger, in wire order: CALLRESULTs and the hub's CALLs.
    const wire: string[] = [];
    c.on('message', ({ message, outbound }: { message: unknown; outbound: boolean }) => {
      if (outbound) return;
      const frame = JSON.parse(String(message)) as unknown[];
      wire.push(frame[0] === 3 ? `answer ${String((frame[2] as { status?: string }).status)}` : String(frame[2]));
    });
    await c.connect();
    const boot = c.call('BootNotification', boot16);
    await csms.until(() => csms.of('CP16', 'BootNotification').length === 1);
    await runFor(clock, 15); // decisions run (safety tick 10 s); the relayed boot waits (call timeout 30 s)
    expect(events).toEqual([]);

    release();
    await boot;
    await until(() => events.includes('SetChargingProfile'));
    // Nothing (the capability read, a profile) reaches the charger before its boot answer.
    expect(wire[0]).toBe('answer Accepted');
    expect(wire.slice(1)).toContain('SetChargingProfile');
  });

  it('sends nothing to a charger the CSMS left Pending', async () => {
    csms = new StrictCsms({ bootStatus: 'Pending' });
    await csms.start();
    const clock = new FakeClock(Date.now());
    h = await startTestHub(proxySiteYaml({ csmsUrl: csms.url }), { clock });
    const events: string[] = [];
    const c = ocppClient(h.hub.ocppUrl, 'CP16');
    clients.push(c);
    recording(c, events);
    await c.connect();
    await expect(c.call('BootNotification', boot16)).resolves.toMatchObject({ status: 'Pending' });
    await runFor(clock, 60);
    expect(events).toEqual([]);
    expect(h.hub.energy.dispatcher.state('CP16/1')?.baseSentA).toBeUndefined();
  });
});

describe('proxy mode: OCPP 2.1 DER control', () => {
  it('relays SetDERControl to a 2.1 charger and its NotifyDERAlarm to the CSMS', async () => {
    csms = new StrictCsms();
    await csms.start();
    h = await startTestHub(proxySiteYaml({ csmsUrl: csms.url }).replaceAll('CP201', 'CP21'), { clock: new FakeClock(Date.now()) });
    const got: Array<[string, unknown]> = [];
    const c = ocppClient(h.hub.ocppUrl, 'CP21', { version: '2.1' });
    clients.push(c);
    c.handle(async ({ method, params }) => {
      await Promise.resolve();
      got.push([method ?? '', params]);
      return { status: 'Accepted' };
    });
    await c.connect();
    await c.call('BootNotification', boot2x);
    const server = await csms.client('CP21');
    const control = { isDefault: true, controlId: 'lmd-1', controlType: 'LimitMaxDischarge', limitMaxDischarge: { priority: 5, pctMaxDischargePower: 50 } };
    await expect(server.call('SetDERControl', control)).resolves.toEqual({ status: 'Accepted' });
    expect(got).toEqual([['SetDERControl', control]]);

    await c.call('NotifyDERAlarm', { controlType: 'HFMustTrip', gridEventFault: 'OverFrequency', timestamp: t0() });
    await csms.until(() => csms.of('CP21', 'NotifyDERAlarm').length === 1);
    expect(csms.of('CP21', 'NotifyDERAlarm')[0]?.params).toMatchObject({ controlType: 'HFMustTrip', gridEventFault: 'OverFrequency' });
  });
});
