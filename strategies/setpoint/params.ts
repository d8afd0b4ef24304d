export interface ConfiguredSetpoint {
  /** W: positive charges, negative discharges. */
  valueW: number;
  /** Most negative power allowed, W (<= 0). */
  dischargeLimitW?: number;
}

export interface SetpointParams {
  /** EVSEs always under setpoint control, besides those the snapshot or the CSMS put in a setpoint mode. */
  evseKeys: string[];
  /** Static site setpoint, W; the snapshot's live one wins. */
  siteSetpointW?: number;
  /** Static per-EVSE setpoints; the snapshot's live ones win. */
  evseSetpoints: Record<string, ConfiguredSetpoint>;
  source: string;
}

export const SETPOINT_DEFAULTS: SetpointParams = {
  evseKeys: [],
  evseSetpoints: {},
  source: 'strategy:setpoint',
};

export function setpointParams(partial: Partial<SetpointParams> = {}): SetpointParams {
  return { ...SETPOINT_DEFAULTS, ...partial };
}
