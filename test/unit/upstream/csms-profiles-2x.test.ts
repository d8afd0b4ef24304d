import { describe, expect, it } from 'vitest';
import { useTempStores } from '../store/temp-store.js';
import { validatePayload } from '../../../src/ocpp/schema-validator.js';
import type { ProfileScope } from '../../../src/upstream/csms-profiles-scope.js';
import { anEvse, fixture, profile2x, T0 } from './csms-profiles-fixture.js';

const stores = useTempStores();

describe('CSMS charging profiles over OCPP 2.0.1 and 2.1', () => {
  it('stores a TxDefaultProfile on an EVSE and answers Accepted', async () => {
    const f = fixture(stores.open());
    await expect(f.call(f.proxy('2.0.1'), 'SetChargingProfile', { evseId: 1, chargingProfile: profile2x(7, 10) })).resolves.toEqual({ status: 'Accepted' });
    expect(f.profiles.profilesOf('CP1')).toEqual([expect.objectContaining({ id: 7, evseId: 1, purpose: 'TxDefaultProfile' })]);
  });

  it('rejects a TxProfile without a running transaction, saying why', async () => {
    const f = fixture(stores.open());
    const answer = await f.call(f.proxy('2.0.1'), 'SetChargingProfile', { evseId: 1, chargingProfile: profile2x(8, 10, { chargingProfilePurpose: 'TxProfile', transactionId: 'TX-1' }) });
    expect(answer).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'TxNotFound' } });
  });

  it('accepts a TxProfile for the transaction running on the EVSE', async () => {
    const f = fixture(stores.open());
    f.transactions.set('CP1/1', { id: 'TX-1', startedMs: T0 });
    const answer = await f.call(f.proxy('2.0.1'), 'SetChargingProfile', { evseId: 1, chargingProfile: profile2x(8, 10, { chargingProfilePurpose: 'TxProfile', transactionId: 'TX-1' }) });
    expect(answer).toEqual({ status: 'Accepted' });
  });

  it('rejects ChargingStationExternalConstraints, which are not the CSMS’s to set', async () => {
    const f = fixture(stores.open());
    const answer = await f.call(f.proxy('2.0.1'), 'SetChargingProfile', { evseId: 0, chargingProfile: profile2x(9, 10, { chargingProfilePurpose: 'ChargingStationExternalConstraints' }) });
    expect(answer).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidProfile' } });
  });

  it('rejects a 2.1 Dynamic profile, which the hub does not evaluate', async () => {
    const f = fixture(stores.open());
    const answer = await f.call(f.proxy('2.1'), 'SetChargingProfile', { evseId: 1, chargingProfile: profile2x(9, 10, { chargingProfileKind: 'Dynamic' }) });
    expect(answer).toMatchObject({ status: 'Rejected' });
  });

  it('reports the stored profiles after answering GetChargingProfiles, one report per EVSE', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('2.0.1');
    await f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: profile2x(7, 10) });
    await f.call(scope, 'SetChargingProfile', { evseId: 2, chargingProfile: profile2x(8, 12) });
    await expect(f.call(scope, 'GetChargingProfiles', { requestId: 42, chargingProfile: {} })).resolves.toEqual({ status: 'Accepted' });
    expect(f.sent).toEqual([]); // nothing before the answer has gone out
    await f.profiles.idle();
    expect(f.sent.map((s) => [s.payload['evseId'], s.payload['tbc']])).toEqual([[1, true], [2, undefined]]);
    expect(f.sent[0]?.payload).toMatchObject({ requestId: 42, chargingLimitSource: 'CSO', chargingProfile: [profile2x(7, 10)] });
  });

  it('answers NoProfiles when nothing matches the criteria, and reports nothing', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('2.0.1');
    await f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: profile2x(7, 10) });
    await expect(f.call(scope, 'GetChargingProfiles', { requestId: 1, chargingProfile: { stackLevel: 4 } })).resolves.toEqual({ status: 'NoProfiles' });
    await expect(f.call(scope, 'GetChargingProfiles', { requestId: 2, chargingProfile: { chargingLimitSource: ['EMS'] } })).resolves.toEqual({ status: 'NoProfiles' });
    await expect(f.call(scope, 'GetChargingProfiles', { requestId: 3, evseId: 2, chargingProfile: {} })).resolves.toEqual({ status: 'NoProfiles' });
    await f.profiles.idle();
    expect(f.sent).toEqual([]);
  });

  it('clears by EVSE criteria', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('2.0.1');
    await f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: profile2x(7, 10) });
    await f.call(scope, 'SetChargingProfile', { evseId: 2, chargingProfile: profile2x(8, 10) });
    await expect(f.call(scope, 'ClearChargingProfile', { chargingProfileCriteria: { evseId: 2 } })).resolves.toEqual({ status: 'Accepted' });
    expect(f.profiles.profilesOf('CP1').map((p) => p.id)).toEqual([7]);
  });

  it('answers GetCompositeSchedule with the 2.x CompositeSchedule', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('2.0.1');
    f.localLimits.set('CP1/1', [{ source: 'fuse:main', maxCurrentA: 12 }]);
    await f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: profile2x(7, 10) });
    await expect(f.call(scope, 'GetCompositeSchedule', { evseId: 1, duration: 900, chargingRateUnit: 'A' })).resolves.toEqual({
      status: 'Accepted',
      schedule: { evseId: 1, duration: 900, scheduleStart: new Date(T0).toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10, numberPhases: 3 }] },
    });
  });

  it('rejects GetCompositeSchedule for an unknown EVSE with a reason', async () => {
    const f = fixture(stores.open());
    await expect(f.call(f.proxy('2.0.1'), 'GetCompositeSchedule', { evseId: 7, duration: 60 })).resolves.toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownEVSE' } });
  });

  it('keeps a 2.1 setpoint-only period and reports it back without a limit', async () => {
    const f = fixture(stores.open(), [anEvse('CP1/1', { bidirectional: true })]);
    const scope = f.proxy('2.1');
    const v2x = profile2x(7, 0, {
      chargingSchedule: [{ id: 1, startSchedule: new Date(T0).toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, setpoint: -8, dischargeLimit: -10, operationMode: 'CentralSetpoint' }] }],
    });
    await expect(f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: v2x })).resolves.toEqual({ status: 'Accepted' });
    await f.call(scope, 'GetChargingProfiles', { requestId: 5, chargingProfile: {} });
    await f.profiles.idle();
    expect(f.sent[0]?.payload['chargingProfile']).toEqual([v2x]);
    const composite = await f.call(scope, 'GetCompositeSchedule', { evseId: 1, duration: 60 });
    expect(composite['schedule']).toMatchObject({ chargingSchedulePeriod: [{ startPeriod: 0, limit: 16, setpoint: -8, dischargeLimit: -10, operationMode: 'CentralSetpoint' }] });
  });
});

describe('CSMS charging profiles for the whole site as one station (hub mode)', () => {
  /** Link EVSE 1 = GA/1, link EVSE 2 = GB/1. */
  function siteScope(send: ProfileScope['send']): ProfileScope {
    const map = [{ up: 1, stationId: 'GA', evseId: 1 }, { up: 2, stationId: 'GB', evseId: 1 }];
    return {
      version: '2.0.1',
      name: 'SITE',
      stationIds: () => ['GA', 'GB'],
      toDownstream: (evseId) => (evseId === 0 ? [{ stationId: 'GA', evseId: 0 }, { stationId: 'GB', evseId: 0 }] : map.filter((m) => m.up === evseId).map((m) => ({ stationId: m.stationId, evseId: m.evseId }))),
      toUpstream: (t) => (t.evseId === 0 ? 0 : map.find((m) => m.stationId === t.stationId && m.evseId === t.evseId)?.up),
      siteWide: true,
      send,
    };
  }

  it('stores a profile on the downstream EVSE the link EVSE maps to', async () => {
    const f = fixture(stores.open(), [anEvse('GA/1'), anEvse('GB/1')]);
    const scope = siteScope(f.sendIn('2.0.1'));
    await f.call(scope, 'SetChargingProfile', { evseId: 2, chargingProfile: profile2x(7, 10) });
    expect(f.profiles.profilesOf('GA')).toEqual([]);
    expect(f.profiles.profilesOf('GB')).toEqual([expect.objectContaining({ id: 7, evseId: 1 })]);
    expect(f.changes).toEqual(['GB']);
  });

  it('moves a profile id from one station to another when the CSMS sets it on another EVSE', async () => {
    const f = fixture(stores.open(), [anEvse('GA/1'), anEvse('GB/1')]);
    const scope = siteScope(f.sendIn('2.0.1'));
    await f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: profile2x(7, 10) });
    await f.call(scope, 'SetChargingProfile', { evseId: 2, chargingProfile: profile2x(7, 10) });
    expect(f.profiles.profilesOf('GA')).toEqual([]);
    expect(f.profiles.profilesOf('GB').map((p) => p.id)).toEqual([7]);
  });

  it('applies an evse-0 profile to every station and reports it once, on evse 0', async () => {
    const f = fixture(stores.open(), [anEvse('GA/1'), anEvse('GB/1')]);
    const scope = siteScope(f.sendIn('2.0.1'));
    await f.call(scope, 'SetChargingProfile', { evseId: 0, chargingProfile: profile2x(3, 8) });
    const composite = await f.call(scope, 'GetCompositeSchedule', { evseId: 2, duration: 60 });
    expect(composite['schedule']).toMatchObject({ evseId: 2, chargingSchedulePeriod: [{ limit: 8 }] });
    await f.call(scope, 'GetChargingProfiles', { requestId: 9, chargingProfile: {} });
    await f.profiles.idle();
    expect(f.sent.map((s) => [s.payload['evseId'], (s.payload['chargingProfile'] as unknown[]).length])).toEqual([[0, 1]]);
    expect(validatePayload('2.0.1', 'ReportChargingProfiles', 'req', f.sent[0]?.payload)).toBeUndefined();
  });

  it('answers evse 0 with the sum over the stations', async () => {
    const f = fixture(stores.open(), [anEvse('GA/1'), anEvse('GB/1')]);
    f.localLimits.set('GA/1', [{ source: 'fuse:main', maxCurrentA: 9.5 }]);
    f.localLimits.set('GB/1', [{ source: 'fuse:main', maxCurrentA: 9.5 }]);
    const composite = await f.call(siteScope(f.sendIn('2.0.1')), 'GetCompositeSchedule', { evseId: 0, duration: 60 });
    expect(composite['schedule']).toMatchObject({ evseId: 0, chargingSchedulePeriod: [{ startPeriod: 0, limit: 19 }] });
  });

  it('answers evse 0 with the site total under a site-wide ChargingStationMaxProfile, not each station capped on its own', async () => {
    const f = fixture(stores.open(), [anEvse('GA/1'), anEvse('GB/1')]);
    const scope = siteScope(f.sendIn('2.0.1'));
    const cap = profile2x(5, 20, { chargingProfilePurpose: 'ChargingStationMaxProfile' });
    await expect(f.call(scope, 'SetChargingProfile', { evseId: 0, chargingProfile: cap })).resolves.toEqual({ status: 'Accepted' });
    const site = await f.call(scope, 'GetCompositeSchedule', { evseId: 0, duration: 60 });
    expect(site['schedule']).toMatchObject({ evseId: 0, chargingSchedulePeriod: [{ startPeriod: 0, limit: 20 }] });
  });
});

describe('CSMS profiles for EVSEs the hub cannot control', () => {
  it('rejects a profile for an EVSE whose charger refused the hub, saying why', async () => {
    const f = fixture(stores.open());
    f.uncontrollable.add('CP1/1');
    const answer = await f.call(f.proxy('2.0.1'), 'SetChargingProfile', { evseId: 1, chargingProfile: profile2x(7, 10) });
    expect(answer).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest', additionalInfo: expect.stringContaining('CP1/1') } });
    expect(f.profiles.profilesOf('CP1')).toEqual([]);
    await expect(f.call(f.proxy('2.0.1'), 'SetChargingProfile', { evseId: 2, chargingProfile: profile2x(8, 10) })).resolves.toEqual({ status: 'Accepted' });
  });

  it('rejects a station cap that the uncontrollable EVSEs alone already exceed, and accepts one they fit in', async () => {
    const f = fixture(stores.open());
    f.uncontrollable.add('CP1/1');
    const cap = (id: number, limit: number) => profile2x(id, limit, { chargingProfilePurpose: 'ChargingStationMaxProfile' });
    await expect(f.call(f.proxy('2.0.1'), 'SetChargingProfile', { evseId: 0, chargingProfile: cap(3, 10) })).resolves.toMatchObject({ status: 'Rejected' });
    await expect(f.call(f.proxy('2.0.1'), 'SetChargingProfile', { evseId: 0, chargingProfile: cap(4, 40) })).resolves.toEqual({ status: 'Accepted' });
  });

  it('answers its composite with its own maximum, marked uncontrollable, whatever profiles were stored before', async () => {
    const f = fixture(stores.open());
    await f.call(f.proxy('2.0.1'), 'SetChargingProfile', { evseId: 1, chargingProfile: profile2x(7, 10) });
    f.uncontrollable.add('CP1/1');
    const composite = await f.call(f.proxy('2.0.1'), 'GetCompositeSchedule', { evseId: 1, duration: 60 });
    expect(composite['schedule']).toMatchObject({ chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] });
  });
});

describe('same purpose and stack level on one EVSE (K01.FR.06 for 2.x, replace in 1.6)', () => {
  const windowed = (id: number, limit: number, from: number, to: number) => profile2x(id, limit, {
    validFrom: new Date(T0 + from * 1000).toISOString(), validTo: new Date(T0 + to * 1000).toISOString(),
  });

  it('keeps both 2.0.1 profiles when their validity windows do not overlap, and each governs its window', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('2.0.1');
    await expect(f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: windowed(500, 12, 0, 200) })).resolves.toEqual({ status: 'Accepted' });
    await expect(f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: windowed(501, 10, 200, 600) })).resolves.toEqual({ status: 'Accepted' });
    expect(f.profiles.profilesOf('CP1').map((p) => p.id)).toEqual([500, 501]);
    const composite = await f.call(scope, 'GetCompositeSchedule', { evseId: 1, duration: 600 });
    expect(composite['schedule']).toMatchObject({ chargingSchedulePeriod: [{ startPeriod: 0, limit: 12 }, { startPeriod: 200, limit: 10 }] });
  });

  it('rejects a 2.1 profile whose validity overlaps one with the same purpose, stack level and EVSE, and keeps the first', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('2.1');
    await f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: windowed(500, 32, 0, 300) });
    const answer = await f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: windowed(501, 10, 200, 600) });
    expect(answer).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'DuplicateProfile' } });
    expect(f.profiles.profilesOf('CP1').map((p) => p.id)).toEqual([500]);
  });

  it('replaces a profile with the same id in 2.0.1 whatever its validity', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('2.0.1');
    await f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: windowed(500, 32, 0, 300) });
    await expect(f.call(scope, 'SetChargingProfile', { evseId: 1, chargingProfile: windowed(500, 10, 100, 600) })).resolves.toEqual({ status: 'Accepted' });
    expect(f.profiles.profilesOf('CP1')).toEqual([expect.objectContaining({ id: 500, schedules: [expect.objectContaining({ periods: [expect.objectContaining({ limit: 10 })] })] })]);
  });
});
