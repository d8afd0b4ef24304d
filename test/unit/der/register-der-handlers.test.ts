import type { AddressInfo } from 'node:net';
import ocppRpc from 'ocpp-rpc';
import { afterEach, describe, expect, it } from 'vitest';
import { DerService } from '../../../src/der/der-service.js';
import { registerDerHandlers } from '../../../src/der/register-der-handlers.js';
import { UpstreamLink } from '../../../src/upstream/upstream-link.js';
import { UpstreamTraffic } from '../../../src/upstream/upstream-traffic.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { ocpp21Validator } from '../../helpers/ocpp21-validator.js';
import { aFreqDroop, aLimitMaxDischarge } from './der-builders.js';

interface CsmsSide {
  call(method: string, params?: unknown): Promise<unknown>;
  handle(fn: (ctx: { method?: string; params?: unknown }) => Promise<Record<string, unknown>>): void;
}

interface Received {
  method: string;
  params: unknown;
}

/** A strict OCPP 2.1 CSMS (ocpp-rpc) and a hub-side UpstreamLink with the DER handlers on it. */
async function setup(clock: FakeClock, alarmThresholds?: { overFrequencyHz: number }): Promise<{
  csms: CsmsSide; received: Received[]; next: (method: string) => Promise<Received>; service: DerService; close: () => Promise<void>;
}> {
  const server = new ocppRpc.RPCServer({ protocols: ['ocpp2.1'], strictMode: true, strictModeValidators: [ocpp21Validator()] });
  const received: Received[] = [];
  const waiting: { method: string; resolve: (r: Received) => void }[] = [];
  let onClient: (c: CsmsSide) => void = () => undefined;
  const connected = new Promise<CsmsSide>((resolve) => { onClient = resolve; });
  server.on('client', (client: CsmsSide) => {
    client.handle(({ method, params }) => {
      const r = { method: method ?? '', params };
      received.push(r);
      const i = waiting.findIndex((w) => w.method === r.method);
      if (i >= 0) waiting.splice(i, 1)[0]?.resolve(r);
      return Promise.resolve({});
    });
    onClient(client);
  });
  const http = await server.listen(0, '127.0.0.1');
  const port = (http.address() as AddressInfo).port;
  const log = silentLogger();
  const link = new UpstreamLink({
    name: 'SITE', url: `ws://127.0.0.1:${port}/csms`, identity: 'SITE', version: '2.1', clock, log,
    traffic: new UpstreamTraffic({ clock, log }), compression: { enabled: false, thresholdBytes: 32 },
    pingIntervalMs: 0, callTimeoutMs: 5000, backoff: { initialDelayMs: 1000, maxDelayMs: 1000, factor: 1, jitter: 0 },
  });
  const service = new DerService({ clock, log, send: (action, payload) => link.call(action, payload), ...(alarmThresholds ? { alarmThresholds } : {}) });
  registerDerHandlers(link, { service });
  service.start();
  link.start();
  const csms = await connected;
  expect(await link.whenSettled(5000)).toBe('connected');
  const next = (method: string): Promise<Received> => {
    const seen = received.find((r) => r.method === method);
    if (seen) {
      received.splice(received.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve) => waiting.push({ method, resolve: (r) => { received.splice(received.indexOf(r), 1); resolve(r); } }));
  };
  return {
    csms, received, next, service,
    close: async () => {
      service.stop();
      await link.stop();
      await server.close({ force: true });
    },
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe('DER handlers on a 2.1 link to a strict CSMS', () => {
  it('accepts a SetDERControl, reports it after a GetDERControl and clears it, all schema-checked by the CSMS', async () => {
    const clock = new FakeClock();
    const s = await setup(clock);
    closers.push(s.close);
    expect(await s.csms.call('SetDERControl', aFreqDroop({ id: 'fd-site' }))).toEqual({ status: 'Accepted' });
    expect(await s.csms.call('GetDERControl', { requestId: 42, controlType: 'FreqDroop' })).toEqual({ status: 'Accepted' });
    const report = await s.next('ReportDERControl');
    expect(report.params).toMatchObject({ requestId: 42, freqDroop: [{ id: 'fd-site', isDefault: true, isSuperseded: false }] });
    expect(await s.csms.call('ClearDERControl', { isDefault: true, controlId: 'fd-site' })).toEqual({ status: 'Accepted' });
    expect(await s.csms.call('GetDERControl', { requestId: 43 })).toMatchObject({ status: 'NotFound' });
  });

  it('tells the CSMS when a scheduled control starts and ends, on the injected clock', async () => {
    const clock = new FakeClock();
    const s = await setup(clock);
    closers.push(s.close);
    const startMs = clock.nowMs() + 60_000;
    expect(await s.csms.call('SetDERControl', aLimitMaxDischarge({ id: 'evening', startMs, durationS: 600 }))).toEqual({ status: 'Accepted' });
    clock.advanceMs(60_000);
    expect((await s.next('NotifyDERStartStop')).params).toMatchObject({ controlId: 'evening', started: true });
    expect(s.service.inForce().LimitMaxDischarge?.controlId).toBe('evening');
    clock.advanceMs(600_000);
    expect((await s.next('NotifyDERStartStop')).params).toMatchObject({ controlId: 'evening', started: false });
    expect(s.service.state.controls).toEqual([]);
  });

  it('answers NotSupported for a control type the hub cannot apply, and the CSMS sees a valid answer', async () => {
    const clock = new FakeClock();
    const s = await setup(clock);
    closers.push(s.close);
    const answer = await s.csms.call('SetDERControl', {
      isDefault: true, controlId: 'vv', controlType: 'VoltVar', curve: { priority: 0, yUnit: 'PctMaxVar', curveData: [{ x: 230, y: 0 }] },
    });
    expect(answer).toMatchObject({ status: 'NotSupported' });
  });

  it('sends NotifyDERAlarm once when a meter reading crosses a grid limit, and once when it is back', async () => {
    const clock = new FakeClock();
    const s = await setup(clock, { overFrequencyHz: 50.5 });
    closers.push(s.close);
    s.service.onMeterReading({ meterId: 'grid', timeMs: clock.nowMs(), frequencyHz: 50.7 });
    expect((await s.next('NotifyDERAlarm')).params).toMatchObject({ controlType: 'HFMustTrip', gridEventFault: 'OverFrequency' });
    s.service.onMeterReading({ meterId: 'grid', timeMs: clock.nowMs() + 1000, frequencyHz: 50.48 });
    s.service.onMeterReading({ meterId: 'grid', timeMs: clock.nowMs() + 2000, frequencyHz: 50.4 });
    expect((await s.next('NotifyDERAlarm')).params).toMatchObject({ gridEventFault: 'OverFrequency', alarmEnded: true });
    expect(s.received.filter((r) => r.method === 'NotifyDERAlarm')).toEqual([]);
  });
});
