import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validatePayload } from '../../../../src/ocpp/schema-validator.js';
import {
  assign,
  buildDeviceModel,
  chargerAway,
  chargerBack,
  connectorKey,
  EMPTY_MAPPING,
  initialHubState,
  idTokenOf16,
  withConnector,
  type HubDeviceInfo,
} from '../../../../src/upstream/hub-mode/index.js';
import { getReport } from '../../../../src/upstream/hub-mode/get-report.js';
import { EMPTY_LIMIT_REPORTS, limitReports, type EvseLimitNow } from '../../../../src/upstream/hub-mode/limit-reports.js';
import { dueResets, planReset } from '../../../../src/upstream/hub-mode/reset.js';

const T0 = Date.UTC(2026, 0, 1);

function twoChargers() {
  const { mapping } = assign(EMPTY_MAPPING, [
    { stationId: 'cp16', evseId: 1, connectorId: 1 },
    { stationId: 'cp16', evseId: 2, connectorId: 1 },
    { stationId: 'cs2', evseId: 1, connectorId: 1 },
  ]);
  return initialHubState(mapping);
}

const hub: HubDeviceInfo = {
  model: 'Switchyard hub',
  vendorName: 'Switchyard',
  identity: 'site-1',
  heartbeatIntervalS: 300,
  itemsPerMessage: 4,
  settings: { securityProfile: 2, messageTimeoutS: 30, webSocketPingIntervalS: 60, offlineTxForUnknownId: false, limitChangeSignificancePercent: 20, chargingProfileEntries: 3 },
};

describe('hub device model: reports', () => {
  it('pages a GetReport into NotifyReports of ItemsPerMessage entries that validate against 2.0.1 and 2.1', () => {
    const model = buildDeviceModel({ hub, state: twoChargers(), evses: { 1: { maxPowerW: 11_000, supplyPhases: 3 } } });
    const { payload, reports } = getReport(model, { requestId: 7, componentCriteria: ['Available'] }, T0, hub.itemsPerMessage);
    expect(payload).toEqual({ status: 'Accepted' });
    expect(reports.length).toBeGreaterThan(1);
    for (const [i, r] of reports.entries()) {
      expect(validatePayload('2.0.1', 'NotifyReport', 'req', r)).toBeUndefined();
      expect(validatePayload('2.1', 'NotifyReport', 'req', r)).toBeUndefined();
      expect(r).toMatchObject({ requestId: 7, seqNo: i });
      expect((r as { reportData: unknown[] }).reportData.length).toBeLessThanOrEqual(4);
      expect('tbc' in r).toBe(i < reports.length - 1);
    }
  });

  it('refuses more componentVariable items than ItemsPerMessage, and finds nothing for an unknown component', () => {
    const model = buildDeviceModel({ hub, state: twoChargers() });
    const many = Array.from({ length: 5 }, () => ({ component: { name: 'EVSE' } }));
    expect(getReport(model, { requestId: 1, componentVariable: many }, T0, 4).payload).toMatchObject({ status: 'Rejected' });
    expect(getReport(model, { requestId: 1, componentVariable: [{ component: { name: 'Nope' } }] }, T0, 4).payload).toEqual({ status: 'EmptyResultSet' });
  });

  it('names the EVSE of a charger that went away Unavailable and not Available, and restores it when it is back', () => {
    let state = withConnector(twoChargers(), connectorKey('cp16', 1, 1), { status: 'Occupied' });
    state = withConnector(state, connectorKey('cp16', 2, 1), { status: 'Available' });
    const away = chargerAway(state, 'cp16', T0);
    expect(away.upstream.map((m) => m.action)).toEqual(['StatusNotification', 'StatusNotification', 'NotifyEvent']);
    for (const m of away.upstream) expect(validatePayload('2.0.1', m.action, 'req', m.payload)).toBeUndefined();
    const model = buildDeviceModel({ hub, state: away.state });
    const value = (name: string, id: number): string | undefined => model.entries.find((e) => e.component.name === 'EVSE' && e.component.evse?.id === id && e.variable.name === name)?.value;
    expect([value('AvailabilityState', 1), value('Available', 1), value('AvailabilityState', 3)]).toEqual(['Unavailable', 'false', 'Unavailable']);
    // Going away twice says nothing more.
    expect(chargerAway(away.state, 'cp16', T0 + 1).upstream).toEqual([]);
    const back = chargerBack(away.state, 'cp16', T0 + 2);
    expect(back.upstream.map((m) => [m.action, (m.payload as { connectorStatus?: string }).connectorStatus])).toEqual([
      ['StatusNotification', 'Occupied'],
      ['StatusNotification', 'Available'],
      ['NotifyEvent', undefined],
    ]);
  });
});

describe('hub limits reported upstream', () => {
  const cfg = { significancePercent: 20, minIntervalS: 300 };
  const at = (limitA: number, source = 'strategy:solar-surplus'): EvseLimitNow[] => [{ upstreamEvseId: 1, limitA, source, numberPhases: 3 }];

  it('reports a local limit once, skips insignificant changes and waits out the interval, then clears', () => {
    let r = limitReports(EMPTY_LIMIT_REPORTS, cfg, at(10), T0);
    expect(r.upstream.map((m) => m.action)).toEqual(['NotifyChargingLimit']);
    expect(validatePayload('2.0.1', 'NotifyChargingLimit', 'req', r.upstream[0]?.payload)).toBeUndefined();
    expect(validatePayload('2.1', 'NotifyChargingLimit', 'req', r.upstream[0]?.payload)).toBeUndefined();
    r = limitReports(r.state, cfg, at(6), T0 + 60_000); // significant, but too soon
    expect(r.upstream).toEqual([]);
    r = limitReports(r.state, cfg, at(11), T0 + 301_000); // within 20 % of 10
    expect(r.upstream).toEqual([]);
    r = limitReports(r.state, cfg, at(6), T0 + 302_000);
    expect(r.upstream.map((m) => m.action)).toEqual(['NotifyChargingLimit']);
    r = limitReports(r.state, cfg, at(16, 'evse:max'), T0 + 603_000);
    expect(r.upstream.map((m) => [m.action, m.payload])).toEqual([['ClearedChargingLimit', { chargingLimitSource: 'EMS', evseId: 1 }]]);
    expect(validatePayload('2.0.1', 'ClearedChargingLimit', 'req', r.upstream[0]?.payload)).toBeUndefined();
  });

  it('never reports limits it did not set (CSMS profiles, the EVSE’s own maximum, idle EVSEs, the EV’s own draw)', () => {
    for (const source of ['csms:profile 7', 'evse:max', 'evse:inactive', 'ev:draw']) expect(limitReports(EMPTY_LIMIT_REPORTS, cfg, at(6, source), T0).upstream).toEqual([]);
  });

  it('sends at most one message per EVSE per interval, whatever the limits do (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ dtS: fc.integer({ min: 0, max: 400 }), limitA: fc.float({ min: 0, max: 32, noNaN: true }), local: fc.boolean() }), { maxLength: 40 }), (steps) => {
        let state = EMPTY_LIMIT_REPORTS;
        let now = T0;
        const sentAt: number[] = [];
        for (const s of steps) {
          now += s.dtS * 1000;
          const r = limitReports(state, cfg, at(s.limitA, s.local ? 'circuit:main' : 'csms:profile 1'), now);
          state = r.state;
          if (r.upstream.length > 0) sentAt.push(now);
        }
        return sentAt.every((t, i) => i === 0 || t - (sentAt[i - 1] ?? 0) >= cfg.minIntervalS * 1000);
      }),
    );
  });
});

describe('Reset and id tokens', () => {
  it('holds an OnIdle reset of a busy 1.6 charger and releases it once the charger is idle', () => {
    let state = twoChargers();
    state = { ...state, transactions: { x: { transactionId: 'T', stationId: 'cp16', chargerTransactionId: '1', legacy: true, evseId: 2, connectorId: 1, upstreamEvseId: 2, upstreamConnectorId: 1, nextSeqNo: 1, startedMs: T0 } } };
    const versionOf = (id: string) => (id === 'cp16' ? ('1.6' as const) : ('2.0.1' as const));
    const planned = planReset(state, { type: 'OnIdle', evseId: 1 }, versionOf, T0);
    expect(planned.plan).toEqual({ kind: 'answer', action: 'Reset', payload: { status: 'Scheduled' } });
    expect(dueResets(planned.state, versionOf).calls).toEqual([]);
    const idle = { ...planned.state, transactions: {} };
    expect(dueResets(idle, versionOf).calls).toEqual([{ stationId: 'cp16', version: '1.6', action: 'Reset', payload: { type: 'Soft' } }]);
    expect(dueResets(dueResets(idle, versionOf).state, versionOf).calls).toEqual([]);
  });

  it('types hex UIDs of 4 to 10 bytes ISO14443 and everything else Central by default', () => {
    expect(['01020304', 'AABBCCDDEEFF', '04A1B2C3D4E5F6', '0102030405060708090A'].map((t) => idTokenOf16(t).type)).toEqual(['ISO14443', 'ISO14443', 'ISO14443', 'ISO14443']);
    expect(['010203', 'AABBCCDDE', 'TAG-1', '0102030405060708090A0B'].map((t) => idTokenOf16(t).type)).toEqual(['Central', 'Central', 'Central', 'Central']);
  });
});
