/**
 * The CSMS's charging profiles per station id as the decisions and the composites read them:
 * loaded from the store in one query at the first use, then kept as the CSMS changes them, so
 * nothing is read per decision. Each change makes a new record and a new array for the station
 * (decisions already taken keep theirs; the composite engine caches per profile array).
 */
import type { ChargingProfile } from './energy/charging-profile.js';
import type { ProfileRepo } from './store/profile-repo.js';

/** One shared empty profile set (the composite engine caches per array). */
const NO_PROFILES: readonly ChargingProfile[] = [];

export class CsmsProfilesInForce {
  private record: Record<string, ChargingProfile[]> | undefined;

  constructor(private readonly profiles: Pick<ProfileRepo, 'list' | 'listAllBySource'>) {}

  /** The CSMS changed a station's profiles: read that station's again. */
  changed(stationId: string): void {
    if (!this.record) return;
    const profiles = this.profiles.list(stationId, 'csms').map((p) => p.profile);
    const next = { ...this.record };
    if (profiles.length > 0) next[stationId] = profiles;
    else delete next[stationId];
    this.record = next;
  }

  /** One station's profiles (none: one shared empty list). */
  of(stationId: string): readonly ChargingProfile[] {
    return this.byStation()[stationId] ?? NO_PROFILES;
  }

  /** Every station's profiles; a station without any is absent. */
  byStation(): Readonly<Record<string, ChargingProfile[]>> {
    if (!this.record) this.record = Object.fromEntries(this.profiles.listAllBySource('csms'));
    return this.record;
  }
}
