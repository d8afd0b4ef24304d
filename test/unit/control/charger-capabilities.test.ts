import { describe, expect, it } from 'vitest';
import {
  capabilitiesFrom16, capabilitiesFrom2x, hubStackLevels, parseRateUnits, withOverride, writeUnit,
} from '../../../src/control/charger-capabilities.js';

describe('charger capabilities', () => {
  it('reads the 1.6 configuration keys', () => {
    const caps = capabilitiesFrom16([
      { key: 'ChargingScheduleAllowedChargingRateUnit', value: 'Power' },
      { key: 'ChargeProfileMaxStackLevel', value: '3' },
      { key: 'MaxChargingProfilesInstalled', value: '8' },
      { key: 'ChargingScheduleMaxPeriods', value: 'lots' },
    ]);
    expect(caps).toEqual({ rateUnits: ['W'], maxStackLevel: 3, maxProfilesInstalled: 8 });
  });

  it('reads the 2.x SmartChargingCtrlr variables, only Accepted ones', () => {
    const r = (variable: string, attributeValue: string, attributeStatus = 'Accepted') => ({ component: { name: 'SmartChargingCtrlr' }, variable: { name: variable }, attributeStatus, attributeValue });
    const caps = capabilitiesFrom2x([r('RateUnit', 'W'), r('ProfileStackLevel', '1'), r('Entries', '4', 'UnknownVariable'), r('PeriodsPerSchedule', '24')]);
    expect(caps).toEqual({ rateUnits: ['W'], maxStackLevel: 1, maxPeriodsPerSchedule: 24 });
  });

  it('spells units the 1.6 and the 2.x way', () => {
    expect(parseRateUnits('Current,Power')).toEqual(['A', 'W']);
    expect(parseRateUnits(' w , A ')).toEqual(['W', 'A']);
    expect(parseRateUnits('Amps')).toEqual([]);
  });

  it('writes A when the charger takes A or says nothing, W only for a W-only charger', () => {
    expect(writeUnit({ rateUnits: [] })).toBe('A');
    expect(writeUnit({ rateUnits: ['A', 'W'] })).toBe('A');
    expect(writeUnit({ rateUnits: ['W'] })).toBe('W');
  });

  it('lets the site config override what a charger reports', () => {
    expect(withOverride({ rateUnits: ['A', 'W'], maxStackLevel: 10 }, { rateUnit: 'W', maxStackLevel: 2 })).toEqual({ rateUnits: ['W'], maxStackLevel: 2 });
    expect(withOverride({ rateUnits: ['A'] }, undefined)).toEqual({ rateUnits: ['A'] });
  });

  it('moves the hub’s stack levels down to fit a charger’s maximum, and says when they cannot', () => {
    expect(hubStackLevels({ rateUnits: [] }, 1, 2)).toEqual({ base: 1, dynamic: 2 });
    expect(hubStackLevels({ rateUnits: [], maxStackLevel: 3 }, 1, 2)).toEqual({ base: 1, dynamic: 2 });
    expect(hubStackLevels({ rateUnits: [], maxStackLevel: 1 }, 1, 2)).toEqual({ base: 0, dynamic: 1 });
    expect(hubStackLevels({ rateUnits: [], maxStackLevel: 0 }, 1, 2)).toBeUndefined();
  });
});
