/**
 * The few configuration settings a simulated station exposes, as 1.6 configuration keys and
 * 2.x device-model variables.
 */
export interface SimSettings {
  heartbeatIntervalS: number;
  meterIntervalS: number;
  evseCount: number;
  /** Rate units the station takes in charging schedules (many cheap chargers: A only; some: W only). */
  rateUnits: readonly ('A' | 'W')[];
  /** Highest stack level the station accepts. */
  maxStackLevel: number;
}

export interface SettingDef {
  key16: string;
  component: string;
  variable: string;
  get(s: SimSettings): string;
  /** The value in 2.x when it is spelled differently from 1.6. */
  get2x?(s: SimSettings): string;
  /** Absent for read-only settings; returns false for an invalid value. */
  set?(s: SimSettings, value: string): boolean;
}

function positiveInt(value: string): number | undefined {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

const constant = (value: string) => (): string => value;

export const SETTINGS: readonly SettingDef[] = [
  {
    key16: 'HeartbeatInterval',
    component: 'OCPPCommCtrlr',
    variable: 'HeartbeatInterval',
    get: (s) => String(s.heartbeatIntervalS),
    set(s, v) {
      const n = positiveInt(v);
      if (n !== undefined) s.heartbeatIntervalS = n;
      return n !== undefined;
    },
  },
  {
    key16: 'MeterValueSampleInterval',
    component: 'SampledDataCtrlr',
    variable: 'TxUpdatedInterval',
    get: (s) => String(s.meterIntervalS),
    set(s, v) {
      const n = positiveInt(v);
      if (n !== undefined) s.meterIntervalS = n;
      return n !== undefined;
    },
  },
  { key16: 'NumberOfConnectors', component: 'ChargingStation', variable: 'EVSECount', get: (s) => String(s.evseCount) },
  {
    key16: 'MeterValuesSampledData',
    component: 'SampledDataCtrlr',
    variable: 'TxUpdatedMeasurands',
    get: constant('Energy.Active.Import.Register,Power.Active.Import,Current.Import,SoC'),
  },
  { key16: 'ChargeProfileMaxStackLevel', component: 'SmartChargingCtrlr', variable: 'ProfileStackLevel', get: (s) => String(s.maxStackLevel) },
  {
    key16: 'ChargingScheduleAllowedChargingRateUnit',
    component: 'SmartChargingCtrlr',
    variable: 'RateUnit',
    get: (s) => s.rateUnits.map((u) => (u === 'A' ? 'Current' : 'Power')).join(','),
    get2x: (s) => s.rateUnits.join(','),
  },
  { key16: 'ChargingScheduleMaxPeriods', component: 'SmartChargingCtrlr', variable: 'PeriodsPerSchedule', get: constant('24') },
  { key16: 'MaxChargingProfilesInstalled', component: 'SmartChargingCtrlr', variable: 'Entries', get: constant('20') },
  { key16: 'AuthorizeRemoteTxRequests', component: 'AuthCtrlr', variable: 'AuthorizeRemoteStart', get: constant('false') },
];

export function settingBy16Key(key: string): SettingDef | undefined {
  return SETTINGS.find((d) => d.key16 === key);
}

export function settingByVariable(component: string, variable: string): SettingDef | undefined {
  return SETTINGS.find((d) => d.component === component && d.variable === variable);
}

export function knownComponent(component: string): boolean {
  return SETTINGS.some((d) => d.component === component);
}
