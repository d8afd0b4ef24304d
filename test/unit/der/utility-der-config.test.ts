import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSiteConfig, parseSiteConfig } from '../../../src/config/load.js';
import { derAlarmThresholdsOf, derStrategyParamsOf } from '../../../src/der/der-config.js';

const FILE = join(import.meta.dirname, '../../../site-config/utility-der.yaml');

describe('the utility DER site config', () => {
  it('loads as a hub-mode 2.1 site with bidirectional EVSEs and a der block', () => {
    const cfg = loadSiteConfig(FILE);
    expect(cfg.upstream).toMatchObject({ mode: 'hub', version: '2.1', identity: 'UTILITY-SITE-1' });
    expect(cfg.stations.filter((s) => s.evses.some((e) => e.bidirectional)).map((s) => s.id)).toEqual(['V2X-1', 'V2X-2']);
    if (!cfg.der) throw new Error('der block expected');
    expect(derStrategyParamsOf(cfg.der)).toMatchObject({ powerFactorEvseKeys: ['V2X-1/1'], nominalHz: 50, seed: 7 });
    expect(derAlarmThresholdsOf(cfg.der)).toEqual({
      overFrequencyHz: 50.5, underFrequencyHz: 49.5, frequencyHysteresisHz: 0.05, overVoltageV: 253, underVoltageV: 207, voltageHysteresisV: 3,
    });
  });

  it('names the field path of a bad der value', () => {
    expect(() => parseSiteConfig('der:\n  powerFactorEvses: [nope]\n', 'x.yaml')).toThrow(/der\.powerFactorEvses\[0\]/);
  });
});
