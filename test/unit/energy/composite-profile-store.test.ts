import { describe, expect, it } from 'vitest';
import { clearProfiles, installProfile } from '../../../src/energy/composite/index.js';
import { aProfile } from './composite-builders.js';

describe('installProfile', () => {
  it('adds a profile to an empty station', () => {
    const p = aProfile({ id: 7 });
    expect(installProfile([], p)).toEqual([p]);
  });

  it('replaces a profile with the same id, whatever its purpose and stack level', () => {
    const old = aProfile({ id: 7, purpose: 'TxDefaultProfile', stackLevel: 1 });
    const next = aProfile({ id: 7, purpose: 'ChargingStationMaxProfile', stackLevel: 4, evseId: 0 });
    expect(installProfile([old], next)).toEqual([next]);
  });

  it('replaces a profile with the same purpose, stack level and EVSE but another id', () => {
    const old = aProfile({ id: 1, stackLevel: 2 });
    const next = aProfile({ id: 2, stackLevel: 2 });
    expect(installProfile([old], next)).toEqual([next]);
  });

  it('keeps a profile with the same purpose and stack level on another EVSE', () => {
    const onEvse2 = aProfile({ id: 1, stackLevel: 2, evseId: 2 });
    const next = aProfile({ id: 2, stackLevel: 2, evseId: 1 });
    expect(installProfile([onEvse2], next)).toEqual([onEvse2, next]);
  });

  it('keeps a profile with the same EVSE and purpose at another stack level', () => {
    const lower = aProfile({ id: 1, stackLevel: 1 });
    const next = aProfile({ id: 2, stackLevel: 2 });
    expect(installProfile([lower], next)).toEqual([lower, next]);
  });

  it('does not change the list it was given', () => {
    const existing = [aProfile({ id: 1 })];
    installProfile(existing, aProfile({ id: 1, stackLevel: 3 }));
    expect(existing).toEqual([aProfile({ id: 1 })]);
  });
});

describe('clearProfiles', () => {
  const station = [
    aProfile({ id: 1, evseId: 0, purpose: 'ChargingStationMaxProfile', stackLevel: 0 }),
    aProfile({ id: 2, evseId: 1, purpose: 'TxDefaultProfile', stackLevel: 0 }),
    aProfile({ id: 3, evseId: 1, purpose: 'TxDefaultProfile', stackLevel: 1 }),
    aProfile({ id: 4, evseId: 2, purpose: 'TxDefaultProfile', stackLevel: 1 }),
  ];
  const ids = (r: { remaining: { id: number }[] }): number[] => r.remaining.map((p) => p.id);

  it('clears only the profile with the given id and ignores the other criteria', () => {
    const r = clearProfiles(station, { id: 3, evseId: 2 });
    expect({ ids: ids(r), cleared: r.cleared }).toEqual({ ids: [1, 2, 4], cleared: 1 });
  });

  it('clears nothing for an unknown id', () => {
    expect(clearProfiles(station, { id: 99 }).cleared).toBe(0);
  });

  it('clears every profile matching all of the criteria given', () => {
    const r = clearProfiles(station, { purpose: 'TxDefaultProfile', stackLevel: 1 });
    expect({ ids: ids(r), cleared: r.cleared }).toEqual({ ids: [1, 2], cleared: 2 });
  });

  it('clears the profiles of one EVSE', () => {
    const r = clearProfiles(station, { evseId: 1 });
    expect({ ids: ids(r), cleared: r.cleared }).toEqual({ ids: [1, 4], cleared: 2 });
  });

  it('treats evse 0 as the station-wide profiles only', () => {
    const r = clearProfiles(station, { evseId: 0 });
    expect({ ids: ids(r), cleared: r.cleared }).toEqual({ ids: [2, 3, 4], cleared: 1 });
  });

  it('clears everything when no criteria are given', () => {
    expect(clearProfiles(station, {})).toEqual({ remaining: [], cleared: 4 });
  });
});
