import { describe, expect, it } from 'vitest';
import { useTempStores } from '../store/temp-store.js';
import { anEvse, fixture, T0, txDefault16 } from './csms-profiles-fixture.js';

const stores = useTempStores();

describe('CSMS charging profiles over OCPP 1.6', () => {
  it('stores a TxDefaultProfile, answers Accepted and tells the controller', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('1.6');
    await expect(f.call(scope, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: txDefault16(7, 10) })).resolves.toEqual({ status: 'Accepted' });
    expect(f.profiles.profilesOf('CP1')).toEqual([expect.objectContaining({ id: 7, evseId: 1, purpose: 'TxDefaultProfile', kind: 'Absolute' })]);
    expect(f.changes).toEqual(['CP1']);
  });

  it('reads ChargePointMaxProfile as the station-wide ChargingStationMaxProfile', async () => {
    const f = fixture(stores.open());
    const profile = { ...txDefault16(3, 20), chargingProfilePurpose: 'ChargePointMaxProfile' };
    await f.call(f.proxy('1.6'), 'SetChargingProfile', { connectorId: 0, csChargingProfiles: profile });
    expect(f.profiles.profilesOf('CP1')).toEqual([expect.objectContaining({ id: 3, evseId: 0, purpose: 'ChargingStationMaxProfile' })]);
  });

  it('rejects a TxProfile when no transaction runs on the connector', async () => {
    const f = fixture(stores.open());
    const tx = { ...txDefault16(8, 10), chargingProfilePurpose: 'TxProfile' };
    await expect(f.call(f.proxy('1.6'), 'SetChargingProfile', { connectorId: 1, csChargingProfiles: tx })).resolves.toEqual({ status: 'Rejected' });
    expect(f.profiles.profilesOf('CP1')).toEqual([]);
    expect(f.changes).toEqual([]);
  });

  it('accepts a TxProfile naming the CSMS’s transaction id and binds it to the hub’s transaction', async () => {
    const f = fixture(stores.open());
    f.transactions.set('CP1/1', { id: '17', startedMs: T0 });
    const tx = { ...txDefault16(8, 10), chargingProfilePurpose: 'TxProfile', transactionId: 5000 };
    await expect(f.call(f.proxy('1.6', { 5000: 17 }), 'SetChargingProfile', { connectorId: 1, csChargingProfiles: tx })).resolves.toEqual({ status: 'Accepted' });
    expect(f.profiles.profilesOf('CP1')[0]?.transactionId).toBe('17');
  });

  it('rejects a TxProfile for another transaction than the one running', async () => {
    const f = fixture(stores.open());
    f.transactions.set('CP1/1', { id: '17', startedMs: T0 });
    const tx = { ...txDefault16(8, 10), chargingProfilePurpose: 'TxProfile', transactionId: 5001 };
    await expect(f.call(f.proxy('1.6', { 5000: 17, 5001: 18 }), 'SetChargingProfile', { connectorId: 1, csChargingProfiles: tx })).resolves.toEqual({ status: 'Rejected' });
  });

  it('drops a TxProfile once its transaction has ended', async () => {
    const f = fixture(stores.open());
    f.transactions.set('CP1/1', { id: '17', startedMs: T0 });
    const scope = f.proxy('1.6');
    await f.call(scope, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: { ...txDefault16(8, 10), chargingProfilePurpose: 'TxProfile' } });
    f.transactions.delete('CP1/1');
    await f.call(scope, 'GetCompositeSchedule', { connectorId: 1, duration: 60 });
    expect(f.profiles.profilesOf('CP1')).toEqual([]);
  });

  it('rejects a profile on a connector the hub does not manage', async () => {
    const f = fixture(stores.open());
    await expect(f.call(f.proxy('1.6'), 'SetChargingProfile', { connectorId: 9, csChargingProfiles: txDefault16(7, 10) })).resolves.toEqual({ status: 'Rejected' });
  });

  it('rejects a schedule whose first period does not start at 0', async () => {
    const f = fixture(stores.open());
    const bad = txDefault16(7, 10, { chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 60, limit: 10 }] } });
    await expect(f.call(f.proxy('1.6'), 'SetChargingProfile', { connectorId: 1, csChargingProfiles: bad })).resolves.toEqual({ status: 'Rejected' });
  });

  it('answers a payload that breaks the schema with the CALLERROR the schema names, storing nothing', async () => {
    const f = fixture(stores.open());
    await expect(f.profiles.handle(f.proxy('1.6'), 'SetChargingProfile', { connectorId: 1 })).rejects.toMatchObject({ code: 'OccurenceConstraintViolation' });
    expect(f.profiles.profilesOf('CP1')).toEqual([]);
  });

  it('replaces a profile with the same purpose, stack level and connector', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('1.6');
    await f.call(scope, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: txDefault16(7, 10) });
    await f.call(scope, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: txDefault16(9, 12) });
    expect(f.profiles.profilesOf('CP1').map((p) => p.id)).toEqual([9]);
  });

  it('clears by id, and answers Unknown when nothing matches', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('1.6');
    await f.call(scope, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: txDefault16(7, 10) });
    await expect(f.call(scope, 'ClearChargingProfile', { id: 7 })).resolves.toEqual({ status: 'Accepted' });
    await expect(f.call(scope, 'ClearChargingProfile', { id: 7 })).resolves.toEqual({ status: 'Unknown' });
    expect(f.profiles.profilesOf('CP1')).toEqual([]);
    expect(f.changes).toEqual(['CP1', 'CP1']);
  });

  it('clears by connector, purpose and stack level, leaving the others', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('1.6');
    await f.call(scope, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: txDefault16(7, 10) });
    await f.call(scope, 'SetChargingProfile', { connectorId: 2, csChargingProfiles: txDefault16(8, 10) });
    await f.call(scope, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: txDefault16(9, 10, { stackLevel: 3 }) });
    await expect(f.call(scope, 'ClearChargingProfile', { connectorId: 1, chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 0 })).resolves.toEqual({ status: 'Accepted' });
    expect(f.profiles.profilesOf('CP1').map((p) => p.id).sort()).toEqual([8, 9]);
  });

  it('composes the CSMS’s limit with the hub’s own limits for GetCompositeSchedule', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('1.6');
    f.localLimits.set('CP1/1', [{ source: 'fuse:main', maxCurrentA: 12 }]);
    // 10 A for the first half hour, then 16 A: the circuit share (12 A) binds after that.
    const stepped = txDefault16(7, 10, { chargingSchedule: { startSchedule: new Date(T0).toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }, { startPeriod: 1800, limit: 16 }] } });
    await f.call(scope, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: stepped });
    const answer = await f.call(scope, 'GetCompositeSchedule', { connectorId: 1, duration: 3600, chargingRateUnit: 'A' });
    expect(answer).toEqual({
      status: 'Accepted',
      connectorId: 1,
      scheduleStart: new Date(T0).toISOString(),
      chargingSchedule: {
        duration: 3600,
        startSchedule: new Date(T0).toISOString(),
        chargingRateUnit: 'A',
        chargingSchedulePeriod: [{ startPeriod: 0, limit: 10, numberPhases: 3 }, { startPeriod: 1800, limit: 12, numberPhases: 3 }],
      },
    });
  });

  it('answers the composite in W when asked, with the EVSE’s phases and voltage', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('1.6');
    await f.call(scope, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: txDefault16(7, 10) });
    const answer = await f.call(scope, 'GetCompositeSchedule', { connectorId: 1, duration: 60, chargingRateUnit: 'W' });
    expect(answer['chargingSchedule']).toMatchObject({ chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 6900 }] });
  });

  it('answers connector 0 with the sum of the EVSEs, capped by the station-wide maximum', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('1.6');
    f.localLimits.set('CP1/1', [{ source: 'fuse:main', maxCurrentA: 12 }]);
    f.localLimits.set('CP1/2', [{ source: 'fuse:main', maxCurrentA: 10 }]);
    const uncapped = await f.call(scope, 'GetCompositeSchedule', { connectorId: 0, duration: 60 });
    expect(uncapped['chargingSchedule']).toMatchObject({ chargingSchedulePeriod: [{ startPeriod: 0, limit: 22 }] });
    await f.call(scope, 'SetChargingProfile', { connectorId: 0, csChargingProfiles: { ...txDefault16(3, 20), chargingProfilePurpose: 'ChargePointMaxProfile' } });
    const capped = await f.call(scope, 'GetCompositeSchedule', { connectorId: 0, duration: 60 });
    expect(capped['chargingSchedule']).toMatchObject({ chargingSchedulePeriod: [{ startPeriod: 0, limit: 20 }] });
  });

  it('answers the composite of a power-rated EVSE in W unless asked otherwise', async () => {
    const f = fixture(stores.open(), [anEvse('CP1/1', { maxPowerW: 50_000, maxCurrentA: 125 })]);
    const answer = await f.call(f.proxy('1.6'), 'GetCompositeSchedule', { connectorId: 1, duration: 60 });
    expect(answer['chargingSchedule']).toMatchObject({ chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 50_000 }] });
  });

  it('rejects GetCompositeSchedule for a connector the hub does not manage', async () => {
    const f = fixture(stores.open());
    await expect(f.call(f.proxy('1.6'), 'GetCompositeSchedule', { connectorId: 5, duration: 60 })).resolves.toEqual({ status: 'Rejected' });
  });

  it('has no GetChargingProfiles in 1.6', async () => {
    const f = fixture(stores.open());
    await expect(f.profiles.handle(f.proxy('1.6'), 'GetChargingProfiles', { requestId: 1, chargingProfile: {} })).rejects.toMatchObject({ code: 'NotImplemented' });
  });

  it('replaces a profile with the same purpose, stack level and connector even when the validity windows do not overlap', async () => {
    const f = fixture(stores.open());
    const scope = f.proxy('1.6');
    const windowed = (id: number, from: number, to: number) => txDefault16(id, 10, { validFrom: new Date(T0 + from * 1000).toISOString(), validTo: new Date(T0 + to * 1000).toISOString() });
    await f.call(scope, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: windowed(500, 0, 200) });
    await expect(f.call(scope, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: windowed(501, 200, 600) })).resolves.toEqual({ status: 'Accepted' });
    expect(f.profiles.profilesOf('CP1').map((p) => p.id)).toEqual([501]);
  });
});
