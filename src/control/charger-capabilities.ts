/**
 * What a charger supports for charging profiles, read at boot (1.6 GetConfiguration, 2.x
 * GetVariables on SmartChargingCtrlr) and overridden per station in the site config for chargers
 * that report wrongly. Pure: parsing and the choices the dispatcher makes from it.
 */

export type RateUnit = 'A' | 'W';

export interface ChargerCapabilities {
  /** Rate units the charger takes in a charging schedule; empty = unknown (A is tried). */
  rateUnits: RateUnit[];
  /** Highest stack level it accepts (1.6 ChargeProfileMaxStackLevel, 2.x ProfileStackLevel). */
  maxStackLevel?: number;
  /** How many profiles it keeps (1.6 MaxChargingProfilesInstalled, 2.x Entries of ChargingProfiles). */
  maxProfilesInstalled?: number;
  /** Periods per schedule (1.6 ChargingScheduleMaxPeriods, 2.x PeriodsPerSchedule). */
  maxPeriodsPerSchedule?: number;
}

/** Site-config override: each field given replaces what the charger reported. */
export interface CapabilityOverride {
  rateUnit?: RateUnit;
  maxStackLevel?: number;
  maxProfilesInstalled?: number;
  maxPeriodsPerSchedule?: number;
}

export const UNKNOWN_CAPABILITIES: ChargerCapabilities = { rateUnits: [] };

/** The 1.6 configuration keys read at boot. */
export const CAPABILITY_KEYS_16 = [
  'ChargingScheduleAllowedChargingRateUnit', 'ChargeProfileMaxStackLevel', 'MaxChargingProfilesInstalled', 'ChargingScheduleMaxPeriods',
] as const;

/** The 2.x device-model variables read at boot (all on SmartChargingCtrlr; Entries with instance ChargingProfiles). */
export const CAPABILITY_VARIABLES_2X: readonly { variable: string; instance?: string }[] = [
  { variable: 'RateUnit' }, { variable: 'ProfileStackLevel' }, { variable: 'Entries', instance: 'ChargingProfiles' }, { variable: 'PeriodsPerSchedule' },
];

function count(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Parses a rate-unit list: 1.6 "Current,Power", 2.x "A,W" (any case, spaces allowed). */
export function parseRateUnits(value: string | undefined): RateUnit[] {
  const out: RateUnit[] = [];
  for (const raw of (value ?? '').split(',')) {
    const v = raw.trim().toLowerCase();
    const unit: RateUnit | undefined = v === 'current' || v === 'a' ? 'A' : v === 'power' || v === 'w' ? 'W' : undefined;
    if (unit && !out.includes(unit)) out.push(unit);
  }
  return out;
}

/** From a 1.6 GetConfiguration answer's configurationKey list. */
export function capabilitiesFrom16(keys: readonly { key: string; value?: string }[]): ChargerCapabilities {
  const get = (k: string): string | undefined => keys.find((e) => e.key === k)?.value;
  return withoutUndefined({
    rateUnits: parseRateUnits(get('ChargingScheduleAllowedChargingRateUnit')),
    maxStackLevel: count(get('ChargeProfileMaxStackLevel')),
    maxProfilesInstalled: count(get('MaxChargingProfilesInstalled')),
    maxPeriodsPerSchedule: count(get('ChargingScheduleMaxPeriods')),
  });
}

/** From a 2.x GetVariables answer's getVariableResult list (only Accepted results count). */
export function capabilitiesFrom2x(
  results: readonly { attributeStatus: string; attributeValue?: string; component: { name: string }; variable: { name: string; instance?: string } }[],
): ChargerCapabilities {
  const get = (name: string): string | undefined => results
    .find((r) => r.attributeStatus === 'Accepted' && r.component.name === 'SmartChargingCtrlr' && r.variable.name === name)?.attributeValue;
  return withoutUndefined({
    rateUnits: parseRateUnits(get('RateUnit')),
    maxStackLevel: count(get('ProfileStackLevel')),
    maxProfilesInstalled: count(get('Entries')),
    maxPeriodsPerSchedule: count(get('PeriodsPerSchedule')),
  });
}

function withoutUndefined(c: ChargerCapabilities): ChargerCapabilities {
  const out: ChargerCapabilities = { rateUnits: c.rateUnits };
  if (c.maxStackLevel !== undefined) out.maxStackLevel = c.maxStackLevel;
  if (c.maxProfilesInstalled !== undefined) out.maxProfilesInstalled = c.maxProfilesInstalled;
  if (c.maxPeriodsPerSchedule !== undefined) out.maxPeriodsPerSchedule = c.maxPeriodsPerSchedule;
  return out;
}

/** What the charger reported, with the config's override on top. */
export function withOverride(reported: ChargerCapabilities, override: CapabilityOverride | undefined): ChargerCapabilities {
  if (!override) return reported;
  return withoutUndefined({
    rateUnits: override.rateUnit ? [override.rateUnit] : reported.rateUnits,
    maxStackLevel: override.maxStackLevel ?? reported.maxStackLevel,
    maxProfilesInstalled: override.maxProfilesInstalled ?? reported.maxProfilesInstalled,
    maxPeriodsPerSchedule: override.maxPeriodsPerSchedule ?? reported.maxPeriodsPerSchedule,
  });
}

/** The unit to write limits in: A when the charger takes it (or says nothing), else W. */
export function writeUnit(caps: ChargerCapabilities): RateUnit {
  return caps.rateUnits.length === 0 || caps.rateUnits.includes('A') ? 'A' : 'W';
}

/**
 * The stack levels of the hub's base and dynamic profiles on this charger: the configured ones
 * when they fit under its maximum, else moved down to fit (dynamic = max, base = max - 1).
 * Undefined when they cannot both fit (a maximum of 0): the dispatcher then says so.
 */
export function hubStackLevels(caps: ChargerCapabilities, base: number, dynamic: number): { base: number; dynamic: number } | undefined {
  const max = caps.maxStackLevel;
  if (max === undefined || dynamic <= max) return { base, dynamic };
  if (max < 1) return undefined;
  return { base: Math.min(base, max - 1), dynamic: max };
}
