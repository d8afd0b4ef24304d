/**
 * Installing and clearing charging profiles on a simulated station (pure: returns new lists).
 * A new profile replaces one with the same id, or one with the same purpose, stack level and EVSE.
 */
import type { ChargingProfile, ChargingProfilePurpose } from '../energy/charging-profile.js';

export function installProfile(profiles: readonly ChargingProfile[], profile: ChargingProfile): ChargingProfile[] {
  const kept = profiles.filter(
    (p) =>
      p.id !== profile.id &&
      !(p.purpose === profile.purpose && p.stackLevel === profile.stackLevel && p.evseId === profile.evseId),
  );
  return [...kept, profile];
}

/** What ClearChargingProfile selects; an absent field matches everything. */
export interface ClearCriteria {
  id?: number;
  evseId?: number;
  purpose?: ChargingProfilePurpose;
  stackLevel?: number;
}

export function clearProfiles(
  profiles: readonly ChargingProfile[],
  criteria: ClearCriteria,
): { profiles: ChargingProfile[]; removed: number } {
  const matches = (p: ChargingProfile): boolean =>
    criteria.id !== undefined
      ? p.id === criteria.id
      : (criteria.evseId === undefined || p.evseId === criteria.evseId) &&
        (criteria.purpose === undefined || p.purpose === criteria.purpose) &&
        (criteria.stackLevel === undefined || p.stackLevel === criteria.stackLevel);
  const kept = profiles.filter((p) => !matches(p));
  return { profiles: kept, removed: profiles.length - kept.length };
}

/** Drops the TxProfiles of a transaction that has ended. */
export function dropTxProfiles(profiles: readonly ChargingProfile[], evseId: number): ChargingProfile[] {
  return profiles.filter((p) => !(p.purpose === 'TxProfile' && p.evseId === evseId));
}
