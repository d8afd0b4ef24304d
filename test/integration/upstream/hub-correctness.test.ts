/**
 * Hub mode answers what a CSMS expects of one charging station (issue: presence, Reset,
 * TriggerMessage, id token types), against a strict ocpp-rpc CSMS and strict ocpp-rpc chargers
 * (1.6 and 2.0.1) behind one site link.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { boot16, boot2x, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { StrictCsms, type CsmsClient } from './strict-csms.js';
import { t0 } from './proxy-site.js';
import { SITE, charger, hubSiteYaml, siteReady, transactionEvents, type HubSiteOptions } from './hub-site.js';

let csms: StrictCsms;
let h: Harness;
let server: CsmsClient;
const clients: RPCClient[] = [];

async function site(o: Omit<HubSiteOptions, 'csmsUrl'> = {}): Promise<void> {
  csms = new StrictCsms({ passwords: { [SITE]: 'pw-site' } });
  await csms.start();
  h = await startTestHub(hubSiteYaml({ csmsUrl: csms.url, ...o }), { clock: new FakeClock(Date.now()) });
  await siteReady(h);
  server = await csms.client(SITE);
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close({ force: true });
  await h.stop();
  await csms.stop();
});

type Answer = (method: string, params: unknown) => Record<string, unknown> | Promise<Record<string, unknown>>;

async function cp(id: string, version: '1.6' | '2.0.1', got: Array<[string, unknown]> = [], answer?: Answer): Promise<RPCClient> {
  const c = await charger(h, id, version, got, answer);
  clients.push(c);
  await c.call('BootNotification', version === '1.6' ? boot16 : boot2x);
  return c;
}

function status16(connectorId: number, status: string): Record<string, unknown> {
  return { connectorId, errorCode: 'NoError', status, timestamp: t0() };
}

/** The CSMS's calls of these actions in arrival order, as [action, payload]. */
function seen(...actions: string[]): Array<[string, Record<string, unknown>]> {
  return csms.of(SITE).filter((c) => actions.includes(c.method)).map((c) => [c.method, c.params]);
}

/** Resolves once pred holds, checking after each turn of the event loop. */
async function until(pred: () => boolean): Promise<void> {
  while (!pred()) await new Promise((r) => setImmediate(r));
}

async function variable(component: Record<string, unknown>, name: string): Promise<unknown> {
  const r = (await server.call('GetVariables', { getVariableData: [{ component, variable: { name } }] })) as { getVariableResult: Array<{ attributeStatus: string; attributeValue?: string }> };
  const first = r.getVariableResult[0];
  return first?.attributeStatus === 'Accepted' ? first.attributeValue : first?.attributeStatus;
}

describe('hub mode: a charger going away', () => {
  it('reports its EVSE Unavailable (StatusNotification, NotifyEvent, device model) at once, and back when it returns', async () => {
    await site();
    const c16 = await cp('CP16', '1.6');
    await c16.call('StatusNotification', status16(1, 'Available'));
    await csms.until(() => seen('StatusNotification').length === 1);
    await expect(variable({ name: 'EVSE', evse: { id: 1 } }, 'AvailabilityState')).resolves.toBe('Available');

    await c16.close({ force: true });
    await csms.until(() => seen('StatusNotification', 'NotifyEvent').length === 3);
    const [, away, event] = seen('StatusNotification', 'NotifyEvent');
    expect(away).toEqual(['StatusNotification', expect.objectContaining({ connectorStatus: 'Unavailable', evseId: 1, connectorId: 1 })]);
    expect(event?.[0]).toBe('NotifyEvent');
    expect(event?.[1]['eventData']).toEqual([
      expect.objectContaining({ component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' }, actualValue: 'Unavailable', trigger: 'Delta' }),
    ]);
    await expect(variable({ name: 'EVSE', evse: { id: 1 } }, 'AvailabilityState')).resolves.toBe('Unavailable');
    await expect(variable({ name: 'Connector', evse: { id: 1, connectorId: 1 } }, 'AvailabilityState')).resolves.toBe('Unavailable');
    // The 2.0.1 charger never connected: nothing was said about EVSE 2.
    expect(seen('StatusNotification').some(([, p]) => p['evseId'] === 2)).toBe(false);

    const again = await charger(h, 'CP16', '1.6');
    clients.push(again);
    await csms.until(() => seen('StatusNotification', 'NotifyEvent').length === 5);
    const [back, backEvent] = seen('StatusNotification', 'NotifyEvent').slice(3);
    expect(back).toEqual(['StatusNotification', expect.objectContaining({ connectorStatus: 'Available', evseId: 1 })]);
    expect(backEvent?.[1]['eventData']).toEqual([expect.objectContaining({ actualValue: 'Available', component: { name: 'EVSE', evse: { id: 1 } } })]);
    await expect(variable({ name: 'EVSE', evse: { id: 1 } }, 'AvailabilityState')).resolves.toBe('Available');
  });
});

describe('hub mode: Reset', () => {
  const twoEvses = '  - { id: CP16, securityProfile: 0, evses: [{ id: 1 }, { id: 2 }] }\n  - { id: CP201, securityProfile: 0 }';

  it('holds a Reset OnIdle for a 1.6 charger with a running transaction (Scheduled) and sends Soft once it ends', async () => {
    await site();
    const got: Array<[string, unknown]> = [];
    const c16 = await cp('CP16', '1.6', got);
    const start = (await c16.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 0, timestamp: t0() })) as { transactionId: number };
    await expect(server.call('Reset', { type: 'OnIdle', evseId: 1 })).resolves.toEqual({ status: 'Scheduled' });
    expect(got).toEqual([]);

    const reset = new Promise<void>((resolve) => {
      c16.handle('Reset', async ({ params }) => {
        await Promise.resolve();
        got.push(['Reset', params]);
        resolve();
        return { status: 'Accepted' };
      });
    });
    await c16.call('StopTransaction', { transactionId: start.transactionId, meterStop: 100, timestamp: t0() });
    await reset;
    expect(got).toEqual([['Reset', { type: 'Soft' }]]);
    expect(transactionEvents(csms).map((e) => e.params['eventType'])).toEqual(['Started', 'Ended']);
  });

  it('refuses an EVSE-scoped Immediate reset a 1.6 charger can only do by resetting its other EVSE too', async () => {
    await site({ stations: twoEvses });
    const got16: Array<[string, unknown]> = [];
    const got201: Array<[string, unknown]> = [];
    await cp('CP16', '1.6', got16);
    await cp('CP201', '2.0.1', got201);
    await expect(server.call('Reset', { type: 'Immediate', evseId: 1 })).resolves.toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest' } });
    expect(got16).toEqual([]);
    // An idle 1.6 charger: OnIdle is a Soft reset now. The 2.0.1 charger gets its own EVSE id.
    await expect(server.call('Reset', { type: 'OnIdle', evseId: 2 })).resolves.toEqual({ status: 'Accepted' });
    expect(got16).toEqual([['Reset', { type: 'Soft' }]]);
    await expect(server.call('Reset', { type: 'Immediate', evseId: 3 })).resolves.toEqual({ status: 'Accepted' });
    expect(got201).toEqual([['Reset', { type: 'Immediate', evseId: 1 }]]);
  });

  it('answers a station-wide OnIdle Scheduled when one 1.6 charger is busy, resetting the idle ones now', async () => {
    await site();
    const got16: Array<[string, unknown]> = [];
    const got201: Array<[string, unknown]> = [];
    const c16 = await cp('CP16', '1.6', got16);
    await cp('CP201', '2.0.1', got201);
    await c16.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 0, timestamp: t0() });
    await expect(server.call('Reset', { type: 'OnIdle' })).resolves.toEqual({ status: 'Scheduled' });
    expect(got16).toEqual([]);
    expect(got201).toEqual([['Reset', { type: 'OnIdle' }]]);
  });
});

describe('hub mode: TriggerMessage', () => {
  it('sends the CALLRESULT before the triggered message even when the charger sends the message first', async () => {
    await site();
    const c201: RPCClient = await cp('CP201', '2.0.1', [], async (method) => {
      if (method === 'TriggerMessage') {
        // A hasty charger: its StatusNotification reaches the hub before its answer.
        await c201.call('StatusNotification', { timestamp: t0(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
      }
      return { status: 'Accepted' };
    });
    const frames: string[] = [];
    (server as unknown as { on(e: 'message', f: (m: { message: string; outbound: boolean }) => void): void }).on('message', ({ message, outbound }) => {
      if (!outbound) frames.push(String(message));
    });
    await expect(server.call('TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 2, connectorId: 1 } })).resolves.toEqual({ status: 'Accepted' });
    await csms.until(() => seen('StatusNotification').length === 1);
    const kinds = frames.map((f) => {
      const frame = JSON.parse(f) as unknown[];
      return frame[0] === 3 ? 'CALLRESULT' : String(frame[2]);
    });
    expect(kinds).toEqual(['CALLRESULT', 'StatusNotification']);
  });

  it('turns a triggered 1.6 MeterValues inside a transaction into a MeterValuesRequest, not a TransactionEvent', async () => {
    await site();
    const got: Array<[string, unknown]> = [];
    let transactionId = 0;
    let triggered: Promise<unknown> | undefined;
    const c16: RPCClient = await cp('CP16', '1.6', got, (method) => {
      if (method === 'TriggerMessage') {
        const c = c16;
        setImmediate(() => {
          triggered = c.call('MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: t0(), sampledValue: [{ value: '1234', context: 'Trigger', measurand: 'Energy.Active.Import.Register' }] }] });
        });
      }
      return { status: 'Accepted' };
    });
    transactionId = ((await c16.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 0, timestamp: t0() })) as { transactionId: number }).transactionId;
    await csms.until(() => transactionEvents(csms).length === 1);
    await expect(server.call('TriggerMessage', { requestedMessage: 'MeterValues', evse: { id: 1 } })).resolves.toEqual({ status: 'Accepted' });
    expect(got).toEqual([['TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 1 }]]);
    await csms.until(() => seen('MeterValues').length === 1);
    await expect(triggered).resolves.toEqual({});
    expect(seen('MeterValues')[0]?.[1]).toMatchObject({ evseId: 1, meterValue: [{ sampledValue: [{ value: 1234, context: 'Trigger' }] }] });
    expect(transactionEvents(csms)).toHaveLength(1);
  });

  it('answers a station-wide LogStatusNotification trigger with ONE notification of the station', async () => {
    await site();
    const got16: Array<[string, unknown]> = [];
    const got201: Array<[string, unknown]> = [];
    await cp('CP16', '1.6', got16);
    await cp('CP201', '2.0.1', got201);
    await expect(server.call('TriggerMessage', { requestedMessage: 'LogStatusNotification' })).resolves.toEqual({ status: 'Accepted' });
    await csms.until(() => seen('LogStatusNotification').length === 1);
    expect(seen('LogStatusNotification')).toEqual([['LogStatusNotification', { status: 'Idle' }]]);
    expect(got16).toEqual([]);
    expect(got201).toEqual([]);
  });
});

describe('hub mode: id token types', () => {
  it('sends 1.6 RFID UIDs up as ISO14443, other idTags as Central, and a token the CSMS issued with the CSMS’s type', async () => {
    await site();
    const c16 = await cp('CP16', '1.6');
    for (const idTag of ['AABBCCDDEEFF', '04A1B2C3D4E5F6', 'EMPLOYEE-7']) await c16.call('Authorize', { idTag });
    await expect(server.call('RequestStartTransaction', { evseId: 1, remoteStartId: 5, idToken: { idToken: 'DEADBEEF', type: 'Central' } })).resolves.toEqual({ status: 'Accepted' });
    await c16.call('Authorize', { idTag: 'DEADBEEF' });
    await csms.until(() => seen('Authorize').length === 4);
    expect(seen('Authorize').map(([, p]) => p['idToken'])).toEqual([
      { idToken: 'AABBCCDDEEFF', type: 'ISO14443' },
      { idToken: '04A1B2C3D4E5F6', type: 'ISO14443' },
      { idToken: 'EMPLOYEE-7', type: 'Central' },
      { idToken: 'DEADBEEF', type: 'Central' },
    ]);
  });

  it('follows the configured rules', async () => {
    await site({ extra: "  idTokenTypes: { rules: [{ pattern: '^(?:[0-9A-F]{2}){8}$', type: ISO15693 }, { pattern: '^K', type: KeyCode }], otherwise: Local }" });
    const c16 = await cp('CP16', '1.6');
    for (const idTag of ['E004010012345678', 'K1234', 'AABBCCDD']) await c16.call('Authorize', { idTag });
    await csms.until(() => seen('Authorize').length === 3);
    expect(seen('Authorize').map(([, p]) => (p['idToken'] as { type: string }).type)).toEqual(['ISO15693', 'KeyCode', 'Local']);
  });
});

describe('hub mode: a device model worth reading', () => {
  it('reports the standard controllers and every EVSE and connector, and answers GetReport by criteria in paged NotifyReports', async () => {
    await site();
    await expect(variable({ name: 'SecurityCtrlr' }, 'SecurityProfile')).resolves.toBe('1');
    await expect(variable({ name: 'SmartChargingCtrlr' }, 'LimitChangeSignificance')).resolves.toBe('20');
    await expect(variable({ name: 'AuthCtrlr' }, 'OfflineTxForUnknownIdEnabled')).resolves.toBe('false');
    await expect(variable({ name: 'TxCtrlr' }, 'TxStartPoint')).resolves.toBe('PowerPathClosed');
    await expect(variable({ name: 'Connector', evse: { id: 2, connectorId: 1 } }, 'AvailabilityState')).resolves.toBe('Unavailable');

    await expect(server.call('GetBaseReport', { requestId: 1, reportBase: 'ConfigurationInventory' })).resolves.toEqual({ status: 'Accepted' });
    await csms.until(() => seen('NotifyReport').length === 1);
    const configured = (seen('NotifyReport')[0]?.[1]['reportData'] as Array<{ component: { name: string }; variable: { name: string } }>).map((d) => `${d.component.name}.${d.variable.name}`);
    expect(configured).toEqual(['OCPPCommCtrlr.HeartbeatInterval', 'SmartChargingCtrlr.LimitChangeSignificance']);

    // Every EVSE component (any instance), 50 items per message: the answer, then the reports in order.
    await expect(server.call('GetReport', { requestId: 2, componentVariable: [{ component: { name: 'EVSE' } }, { component: { name: 'Connector' }, variable: { name: 'AvailabilityState' } }] })).resolves.toEqual({ status: 'Accepted' });
    await csms.until(() => seen('NotifyReport').length === 2);
    const report = seen('NotifyReport')[1]?.[1] as { requestId: number; seqNo: number; tbc?: boolean; reportData: Array<{ component: { name: string; evse?: { id: number } }; variable: { name: string } }> };
    expect(report).toMatchObject({ requestId: 2, seqNo: 0 });
    expect(report.tbc).toBeUndefined();
    expect(report.reportData.map((d) => `${d.component.name}${d.component.evse?.id ?? ''}.${d.variable.name}`)).toEqual([
      'EVSE1.AvailabilityState',
      'EVSE1.Available',
      'EVSE1.Power',
      'EVSE1.SupplyPhases',
      'Connector1.AvailabilityState',
      'EVSE2.AvailabilityState',
      'EVSE2.Available',
      'EVSE2.Power',
      'EVSE2.SupplyPhases',
      'Connector2.AvailabilityState',
    ]);

    // Components that say Enabled = true.
    await expect(server.call('GetReport', { requestId: 3, componentCriteria: ['Enabled'] })).resolves.toEqual({ status: 'Accepted' });
    await csms.until(() => seen('NotifyReport').length === 3);
    const enabled = new Set((seen('NotifyReport')[2]?.[1]['reportData'] as Array<{ component: { name: string } }>).map((d) => d.component.name));
    expect([...enabled].sort()).toEqual(['AuthCtrlr', 'SampledDataCtrlr', 'SmartChargingCtrlr']);

    await expect(server.call('GetReport', { requestId: 4, componentVariable: [{ component: { name: 'NoSuchCtrlr' } }] })).resolves.toEqual({ status: 'EmptyResultSet' });
  });
});

describe('hub mode: the hub’s own limits reported to the CSMS', () => {
  it('sends NotifyChargingLimit (EMS) when its site limit binds an EVSE, and ClearedChargingLimit when it ends', async () => {
    const clock = new FakeClock(Date.now());
    csms = new StrictCsms({ passwords: { [SITE]: 'pw-site' } });
    await csms.start();
    h = await startTestHub(hubSiteYaml({ csmsUrl: csms.url }), { clock });
    await siteReady(h);
    server = await csms.client(SITE);
    const c16 = await cp('CP16', '1.6');
    await c16.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 0, timestamp: t0() });
    await csms.until(() => transactionEvents(csms).length === 1);
    const decided = async (pred: () => boolean): Promise<void> => {
      for (let i = 0; i < 100 && !pred(); i++) {
        clock.advanceMs(500);
        await new Promise((r) => setImmediate(r));
      }
    };
    await decided(() => h.hub.energy.lastDecision()?.evses['CP16/1']?.status === 'charging');
    expect(seen('NotifyChargingLimit', 'ClearedChargingLimit')).toEqual([]);

    // 3 x 230 V x 10 A: the site limit binds the one charging EVSE at 10 A.
    h.hub.energy.setSiteLimit(6900, clock.nowMs() + 3_600_000, 'override:test');
    await decided(() => seen('NotifyChargingLimit').length > 0);
    await csms.until(() => seen('NotifyChargingLimit').length === 1);
    const notified = seen('NotifyChargingLimit')[0]?.[1] as { evseId: number; chargingLimit: unknown; chargingSchedule: Array<{ chargingRateUnit: string; chargingSchedulePeriod: Array<{ limit: number }> }> };
    expect(notified.evseId).toBe(1);
    expect(notified.chargingLimit).toEqual({ chargingLimitSource: 'EMS' });
    expect(notified.chargingSchedule[0]?.chargingRateUnit).toBe('A');
    expect(notified.chargingSchedule[0]?.chargingSchedulePeriod[0]?.limit).toBeLessThanOrEqual(10);

    // Answered before the clock jumps (a jump past the call timeout would resend it).
    await until(() => h.hub.upstream?.view().outboxDepth === 0);
    clock.advanceMs(301_000);
    h.hub.energy.clearSiteLimit();
    await decided(() => seen('ClearedChargingLimit').length > 0);
    await csms.until(() => seen('ClearedChargingLimit').length === 1);
    expect(seen('NotifyChargingLimit', 'ClearedChargingLimit').map(([m, p]) => [m, p['evseId']])).toEqual([
      ['NotifyChargingLimit', 1],
      ['ClearedChargingLimit', 1],
    ]);
  });
});
