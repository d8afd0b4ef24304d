import type { ChargingProfile, ChargingProfilePurpose } from '../charging-profile.js';

/**
 * What a station does with its profiles on SetChargingProfile and ClearChargingProfile, as pure
 * functions over the list of installed profiles (the list's order is installation order).
 */

/**
 * How a profile with the same purpose, stackLevel and EVSE as an installed one (but another id)
 * is treated:
 * - `replace` (OCPP 1.6, 3.13.2): the new one replaces the old one;
 * - `reject-overlap` (OCPP 2.0.1 and 2.1, K01.FR.06): the new one is rejected when the validity
 *   periods (validFrom..validTo) overlap; otherwise both are kept.
 * A profile with the same id is replaced under both rules (K01.FR.05).
 */
export type SameStackRule = 'replace' | 'reject-overlap';

export interface InstallOptions {
  rule?: SameStackRule;
  /**
   * Now, ms since the epoch: a profile without validFrom is valid from the moment it is installed,
   * and one whose validTo has passed overlaps nothing.
   */
  nowMs?: number;
}

export type InstallResult =
  | { ok: true; profiles: ChargingProfile[] }
  | { ok: false; conflictId: number; reason: string };

function sameStack(a: ChargingProfile, b: ChargingProfile): boolean {
  return a.purpose === b.purpose && a.stackLevel === b.stackLevel && a.evseId === b.evseId;
}

/** Do the validity windows [validFrom, validTo) of a and b overlap (absent bounds open; validFrom absent = nowMs)? */
export function validityOverlaps(a: ChargingProfile, b: ChargingProfile, nowMs = -Infinity): boolean {
  const from = (p: ChargingProfile): number => p.validFromMs ?? nowMs;
  const to = (p: ChargingProfile): number => p.validToMs ?? Infinity;
  if (to(a) <= nowMs || to(b) <= nowMs) return false;
  return from(a) < to(b) && from(b) < to(a);
}

/**
 * Install p under the rule of the link's OCPP version (default `replace`). Returns the new list
 * (p last), or why p is rejected.
 */
export function tryInstallProfile(existing: readonly ChargingProfile[], p: ChargingProfile, options: InstallOptions = {}): InstallResult {
  const rule = options.rule ?? 'replace';
  if (rule === 'reject-overlap') {
    const conflict = existing.find((q) => q.id !== p.id && sameStack(q, p) && validityOverlaps(q, p, options.nowMs));
    if (conflict) {
      return {
        ok: false,
        conflictId: conflict.id,
        reason: `profile ${conflict.id} has the same purpose, stackLevel ${p.stackLevel} and EVSE ${p.evseId} with an overlapping validity (K01.FR.06)`,
      };
    }
  }
  const kept = existing.filter((q) => q.id !== p.id && !(rule === 'replace' && sameStack(q, p)));
  kept.push(p);
  return { ok: true, profiles: kept };
}

/**
 * Install p with the OCPP 1.6 rule: it replaces a profile with the same id, and a profile with the
 * same purpose, stackLevel and evseId. Returns a new list; p goes last.
 */
export function installProfile(existing: readonly ChargingProfile[], p: ChargingProfile): ChargingProfile[] {
  const result = tryInstallProfile(existing, p, { rule: 'replace' });
  return result.ok ? result.profiles : [...existing];
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
