import type { ChargingProfile, ChargingProfilePurpose } from '../charging-profile.js';

/**
 * What a station does with its profiles on SetChargingProfile and ClearChargingProfile, as pure
 * functions over the list of installed profiles (the list's order is installation order).
 */

/**
 * Install p: it replaces a profile with the same id, and a profile with the same purpose,
 * stackLevel and evseId (OCPP 1.6 3.13.2 and 2.0.1 K01). Returns a new list; p goes last.
 */
export function installProfile(existing: readonly ChargingProfile[], p: ChargingProfile): ChargingProfile[] {
  const kept = existing.filter((q) =>
    q.id !== p.id && !(q.purpose === p.purpose && q.stackLevel === p.stackLevel && q.evseId === p.evseId));
  kept.push(p);
  return kept;
}

export interface ClearCriteria {
  id?: number;
  evseId?: number;
  purpose?: ChargingProfilePurpose;
  stackLevel?: number;
}

/**
 * Clear profiles. With an id, only that profile goes and the other criteria are ignored (as in
 * 2.0.1, where the id and the criteria are alternatives). Otherwise every profile matching all the
 * criteria given goes; no criteria at all clears everything.
 */
export function clearProfiles(
  existing: readonly ChargingProfile[], criteria: ClearCriteria,
): { remaining: ChargingProfile[]; cleared: number } {
  const matches = (p: ChargingProfile): boolean => {
    if (criteria.id !== undefined) return p.id === criteria.id;
    return (criteria.evseId === undefined || p.evseId === criteria.evseId)
      && (criteria.purpose === undefined || p.purpose === criteria.purpose)
      && (criteria.stackLevel === undefined || p.stackLevel === criteria.stackLevel);
  };
  const remaining = existing.filter((p) => !matches(p));
  return { remaining, cleared: existing.length - remaining.length };
}
