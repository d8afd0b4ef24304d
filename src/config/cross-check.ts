import type { ConfigProblem } from './load.js';
import type { SiteConfig } from './schema.js';
import { checkCircuits } from './circuit-check.js';

/** Checks that need more than one field: references between blocks, unique ids. */
export function crossCheck(cfg: SiteConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = checkCircuits(cfg);
  const circuitIds = new Set(cfg.circuits.map((c) => c.id));
  if (cfg.server.port !== 0 && cfg.server.port === cfg.api.port) {
    problems.push({ path: 'api.port', message: `expected a port other than server.port (the OCPP endpoint listens on ${cfg.server.port})`, found: String(cfg.api.port) });
  }
  const stationIds = new Set<string>();
  cfg.stations.forEach((s, i) => {
    if (stationIds.has(s.id)) problems.push({ path: `stations[${i}].id`, message: 'expected a unique station id', found: JSON.stringify(s.id) });
    stationIds.add(s.id);
    if ((s.securityProfile === 1 || s.securityProfile === 2) && !s.passwordHash) {
      problems.push({ path: `stations[${i}].passwordHash`, message: `expected a password hash for security profile ${s.securityProfile}` });
    }
    if ((s.securityProfile === 2 || s.securityProfile === 3) && !cfg.server.tls) {
      problems.push({ path: `stations[${i}].securityProfile`, message: `expected server.tls to be set for security profile ${s.securityProfile}` });
    }
    if (s.securityProfile === 3 && cfg.server.tls && !cfg.server.tls.caFile) {
      problems.push({ path: 'server.tls.caFile', message: 'expected a CA file to check client certificates (security profile 3)' });
    }
    const evseIds = new Set<number>();
    s.evses.forEach((e, j) => {
      if (evseIds.has(e.id)) problems.push({ path: `stations[${i}].evses[${j}].id`, message: 'expected a unique EVSE id on the station', found: String(e.id) });
      evseIds.add(e.id);
      if (e.circuit !== undefined && !circuitIds.has(e.circuit)) {
        problems.push({ path: `stations[${i}].evses[${j}].circuit`, message: `expected one of the circuit ids (${[...circuitIds].join(', ') || 'none defined'})`, found: JSON.stringify(e.circuit) });
      }
    });
  });
  cfg.simulation?.chargers.forEach((c, i) => {
    if (!stationIds.has(c.station) && !cfg.server.admitUnknownStations) {
      problems.push({ path: `simulation.chargers[${i}].station`, message: 'expected the id of a configured station', found: JSON.stringify(c.station) });
    }
  });
  const mixedSecurity = cfg.stations.some((s) => s.securityProfile >= 2) && cfg.stations.some((s) => s.securityProfile <= 1);
  if (mixedSecurity) {
    problems.push({ path: 'stations', message: 'expected all stations on TLS (profiles 2-3) or all on plain ws (profiles 0-1): one server port serves one of the two' });
  }
  return problems;
}
