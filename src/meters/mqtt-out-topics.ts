/**
 * The topics of MQTT out under a prefix P:
 *
 *   P/status                              online | offline (last will), retained
 *   P/site/state                          site state as JSON
 *   P/site/<value>                        one value per topic (grid_power_w, pv_power_w, ...)
 *   P/evse/<stationId>/<evseId>/state     EVSE state as JSON
 *   P/evse/<stationId>/<evseId>/<value>   one value per topic (status, power_w, mode, ...)
 *   P/station/<stationId>/availability    online | offline: the station's OCPP connection, retained
 *   P/cmd/site/limit                      command: site limit in W, empty to clear
 *   P/cmd/evse/<stationId>/<evseId>/mode  command: operation mode
 *   P/cmd/evse/<stationId>/<evseId>/solar_mode   command: off | now | min+pv | pv
 *   P/cmd/evse/<stationId>/<evseId>/max_current  command: max current, A
 *   P/cmd/evse/<stationId>/<evseId>/start|stop   command: remote start / stop (payload PRESS)
 *   <command topic>/result                the answer to a command (JSON, not retained)
 */

export const SITE_VALUES = ['grid_power_w', 'pv_power_w', 'ev_power_w', 'ev_current_a', 'site_limit_w', 'site_limit_source', 'stale_meters', 'grid_import_kwh', 'grid_export_kwh', 'pv_energy_kwh'] as const;
export type SiteValue = (typeof SITE_VALUES)[number];

export const EVSE_VALUES = ['status', 'offered_current_a', 'drawn_current_a', 'power_w', 'session_energy_wh', 'mode', 'limit_source', 'solar_mode', 'max_current_a', 'energy_kwh'] as const;
export type EvseValue = (typeof EVSE_VALUES)[number];

export function siteStateTopic(prefix: string): string {
  return `${prefix}/site/state`;
}

export function siteValueTopic(prefix: string, value: SiteValue): string {
  return `${prefix}/site/${value}`;
}

export function evseStateTopic(prefix: string, stationId: string, evseId: number): string {
  return `${prefix}/evse/${stationId}/${evseId}/state`;
}

export function evseValueTopic(prefix: string, stationId: string, evseId: number, value: EvseValue): string {
  return `${prefix}/evse/${stationId}/${evseId}/${value}`;
}

export function siteLimitCommandTopic(prefix: string): string {
  return `${prefix}/cmd/site/limit`;
}

export function stationAvailabilityTopic(prefix: string, stationId: string): string {
  return `${prefix}/station/${stationId}/availability`;
}

export function evseCommandTopic(prefix: string, stationId: string, evseId: number, verb: 'solar_mode' | 'max_current' | 'start' | 'stop'): string {
  return `${prefix}/cmd/evse/${stationId}/${evseId}/${verb}`;
}

export function evseModeCommandTopic(prefix: string, stationId: string, evseId: number): string {
  return `${prefix}/cmd/evse/${stationId}/${evseId}/mode`;
}

export function commandResultTopic(commandTopic: string): string {
  return `${commandTopic}/result`;
}

/** The payload of a value that is not known now: Home Assistant reads `None` as unknown. */
export const UNKNOWN_PAYLOAD = 'None';
