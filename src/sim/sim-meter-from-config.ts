import type { SiteConfig } from '../config/schema.js';
import { SimMeter, type SimMeterDeps } from './sim-meter.js';

/** The simulated site meter a site config asks for (simulation.siteMeter), or undefined when it asks for none. */
export function simMeterFromConfig(config: SiteConfig, deps: Pick<SimMeterDeps, 'clock' | 'publish' | 'evCurrentA'>): SimMeter | undefined {
  const simCfg = config.simulation?.enabled ? config.simulation.siteMeter : undefined;
  if (!simCfg) return undefined;
  return new SimMeter({
    ...deps,
    intervalS: simCfg.intervalS,
    voltageV: config.site.voltageV,
    buildingCurve: [{ hour: 0, powerW: simCfg.buildingBaseW }],
    ...(simCfg.pvPeakW > 0 ? { pv: { peakW: simCfg.pvPeakW, sunriseHour: 6, sunsetHour: 20 } } : {}),
  });
}
